"""The engine: one run as a straight line of phases,

    discover -> parse -> Terraform project -> scopes -> sources -> (online answers)
    -> models -> checks -> filters and suppressions -> report

each phase a function of the previous phases' output and only the settings it needs. The
run cache wraps the whole line from outside. This is the only module that knows the flow.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from meshlint import filters
from meshlint.cachedir import cache_dir
from meshlint.config import Config, matches_any
from meshlint.discover import (
    DEFAULT_MAX_FILE_BYTES,
    TERRAFORM,
    TFVARS,
    Discovery,
    FileEntry,
    Scope,
    directory_scopes,
    discover,
)
from meshlint.findings import Finding, Report, Severity
from meshlint.forks import settle

if TYPE_CHECKING:
    from meshlint.checks import CheckContext
    from meshlint.parse import ParsedFile
    from meshlint.scopework import ScopeOutcome
    from meshlint.terraform import Project


class Options(Struct):
    paths: list[str] = field(default_factory=lambda: ["."])
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    as_of: _dt.date = field(default_factory=_dt.date.today)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    online: bool = False
    timeout: float = 10.0  # seconds per online request (connect and each read)
    config: Config = field(default_factory=Config)
    baseline: set[str] | None = None  # fingerprints to hide
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    cache: bool = False  # the on-disk cache of parsed files (the CLI turns it on)
    # a path inside a project is checked with the whole project (`paths`) and only the
    # findings in these files or directories (absolute) are reported; None: all of them
    report_paths: list[str] | None = None
    identity_root: str | None = None  # fingerprints' paths are relative to it (else the checked path)
    # told (phase, done, total) as the run goes, for a progress line; never changes the result
    progress: Callable[[str, int, int], None] | None = None
    overlay: dict[str, bytes] | None = None  # abspath -> unsaved contents (the language server)
    fixes: bool = False  # put each finding's automatic fix on the report (JSON/SARIF `fixes`)
    # keep every scope's model on the Run (versions, fix, diff and the editor read them); a
    # run that only reports may instead check its scopes in two processes (see fanout)
    models: bool = True
    # the parse cache written when the process ends (`forks.release`, after the report is
    # out: the command line), not before the run returns
    cache_after_exit: bool = False

    @classmethod
    def configured(cls, config: Config, paths: list[str], as_of: _dt.date, select: list[str] | None = None,
                   ignore: list[str] | None = None, **settings) -> Options:
        """A run under `config`: its selection unless `select` is given, its ignores and then
        `ignore`, its max-file-bytes; `settings` are the other fields. The command line and
        the editor both start here, so that they run the same check."""
        options = cls(paths=paths, select=list(select or config.select), ignore=config.ignore + list(ignore or ()),
                      as_of=as_of, config=config, **settings)
        if config.max_file_bytes:
            options.max_file_bytes = config.max_file_bytes
        return options


class Run(Struct):
    """Everything one run produced, for reporters and for `--verbose`."""

    report: Report
    discovery: Discovery  # with the scopes the run checked
    models: list  # model.Model, one per scope (empty when answered from the run cache or not kept)
    timings: dict = field(default_factory=dict)  # phase -> seconds (for --verbose)
    files_read: dict[str, str | None] = field(default_factory=dict)  # file()/templatefile(): path -> digest read


def run(options: Options) -> Run:
    """One whole run. The garbage collector is paused: a run builds many small acyclic
    objects, and generational collections over them cost a third of the time."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(options)
    finally:
        settle(kept=not options.cache_after_exit)  # the run ends when its cache writes have landed
        if gc_was_enabled:
            gc.enable()


def _run(options: Options) -> Run:
    """The run cache around the line: a run over unchanged files is answered from it."""
    started = time.perf_counter()
    disc = discover(options.paths, exclude=_excluder(options.config), scopes=False)
    timings = {"discover": time.perf_counter() - started}
    key = None
    contents: dict[str, tuple[bytes, str]] = {}  # what the key read (bytes, digest): parsed on a miss
    if options.cache and not options.online and options.overlay is None and not options.fixes:
        # imported here: only cached runs need it
        from meshlint import runcache

        key = runcache.run_key(disc.files, options, contents=contents)
        cached = runcache.load(cache_dir(), key, options.max_file_bytes) if key else None
        if cached is not None:
            timings["run cache"] = time.perf_counter() - started - timings["discover"]
            return Run(_apply_baseline(_narrow(cached, options.report_paths), options.baseline),
                       disc, [], timings)
    result = _analyse(options, disc, contents)
    result.timings = {**timings, **result.timings}
    if key is not None:
        runcache.store(cache_dir(), key, result.report, result.files_read, options.max_file_bytes)
    _apply_baseline(_narrow(result.report, options.report_paths), options.baseline)
    return result


def _analyse(options: Options, disc: Discovery, contents: Mapping[str, tuple[bytes, str]]) -> Run:
    # imported here: a run answered from the run cache needs none of this
    from meshlint import scopework
    from meshlint.scoping import parse_error_findings

    config = options.config
    tell = options.progress or _silent
    clock = time.perf_counter()
    timings = {}
    tell("parse", 0, len(disc.files))
    parsed = parse_files(disc.files, options.max_file_bytes, options.jobs,
                         cache_dir() if options.cache else None, options.overlay, contents,
                         lambda: _prepare(disc), _PREPARE_BYTES + 170 * len(disc.files),
                         options.cache_after_exit)
    project = terraform_project(disc, parsed, options.overlay)
    timings["parse"], clock = time.perf_counter() - clock, time.perf_counter()
    tell("parse", len(disc.files), len(disc.files))
    scopes = run_scopes(disc, parsed, config)
    opaque = opaque_kinds(scopes, disc.template_dirs, parsed)
    ran = rules_run(options)
    ctx = check_context(options)
    tell("model", 0, len(scopes))
    if options.online:  # the registries' answers are needed before any model is built
        outcomes = check_together(scopes, opaque, parsed, project, options, ran, ctx)
    else:
        outcomes = _checked_each(scopes, opaque, parsed, project, options, ran, ctx)
        if scopework.over_budget(o.spent for o in outcomes):  # one budget per run, as one project spends it
            outcomes = check_together(scopes, opaque, parsed, project, options, ran, ctx)
    tell("checks", len(scopes), len(scopes))
    every = scopework.merged(outcomes)
    models = [o.model for o in outcomes if o.model is not None]
    timings["model and checks"], clock = time.perf_counter() - clock, time.perf_counter()
    tell("filters", 0, 1)
    found = parse_error_findings(parsed, scopes, every.read_errors)
    found.extend(every.findings)
    report = finish_report(found, ran, disc, scopes, parsed, options, every.notes, every.read_through,
                           every.shape_notes)
    timings["filters"] = time.perf_counter() - clock
    result = Run(report, replace(disc, scopes=scopes), models, timings, files_read=every.files_read)
    if options.fixes:
        from meshlint.fix.report import (
            attach,  # lazy: only runs that report fixes need it
        )

        attach(result, options.as_of, options.overlay)
    return result


def _silent(_phase: str, _done: int, _total: int) -> None:
    """No progress line (the default)."""


# --- the phases after parsing, one function each: the language server's session
# (lsp/session.py) runs them scope by scope, reusing what an edit left unchanged ------------


def run_scopes(disc: Discovery, parsed: Mapping[str, ParsedFile], config: Config) -> list[Scope]:
    """The run's scopes: the layout's (cut once per discovery), then cut with what the files say."""
    from meshlint.scoping import cut_scopes

    directory_scopes(disc)  # the layout's scopes (discovery left them for a cache miss)
    return cut_scopes(disc.scopes, disc.files, parsed, config.scopes,
                      lambda e: _config_relative(config, e.abspath))


def rules_run(options: Options) -> list[str]:
    """The selected rules' codes, in the order they run."""
    from meshlint import checks

    return [code for code in sorted(checks.load_all()) if filters.rule_selected(code, options.select, options.ignore)]


def check_context(options: Options) -> CheckContext:
    from meshlint import checks

    config = options.config
    return checks.CheckContext(as_of=options.as_of, online=options.online, ignore_namespaces=None
                               if config.ignore_namespaces is None else tuple(config.ignore_namespaces))


def _checked_each(scopes: list[Scope], opaque: list[frozenset[str]], parsed: Mapping[str, ParsedFile],
                  project: Project, options: Options, ran: list[str], ctx: CheckContext) -> list[ScopeOutcome]:
    """Every scope on its own (scopework), shared with a forked worker when the run keeps no
    models and there is enough work."""
    from meshlint import fanout, knowledge, scopework

    in_turn = scopework.InTurn(scopes, opaque, parsed, project, options.as_of, ran, ctx, options.models)
    weights = [scopework.weight(scope, parsed) for scope in scopes]
    if not options.models and fanout.worth_sharing(weights, options.jobs):
        knowledge.preload()  # every table loaded once, before the fork
        return fanout.by_scope(weights, in_turn, scopework.encoded, scopework.decoded)
    return [in_turn(i) for i in range(len(scopes))]


def check_together(scopes: list[Scope], opaque: list[frozenset[str]], parsed: Mapping[str, ParsedFile],
                      project: Project, options: Options, ran: list[str], ctx: CheckContext) -> list[ScopeOutcome]:
    """Every scope evaluated in turn by the run's one project (one budget), then modelled and
    checked: an online run asks the registries about all scopes at once, and a run whose
    scopes together spend more than one budget is checked the way one budget allows."""
    from meshlint.model.build import lookups, read_sources
    from meshlint.scopework import ScopeOutcome, check_sources

    sources = [read_sources(scope, parsed, project) for scope in scopes]
    charts, platforms = (_online_answers(lookups(sources), options.timeout, options.config.registries)
                         if options.online else (None, None))
    outcomes = []
    for src, hidden in zip(sources, opaque):
        model, found, shape_notes = check_sources(src, hidden, options.as_of, charts, platforms, ran, ctx)
        outcomes.append(ScopeOutcome(found, shape_notes=shape_notes, model=model if options.models else None))
    first = outcomes[0] if outcomes else ScopeOutcome([])  # what the one project kept, once
    first.notes, first.read_errors = list(project.notes), project.read_errors
    first.read_through, first.files_read = project.read_through, project.files_read
    return outcomes


def finish_report(found: list[Finding], ran: list[str], disc: Discovery, scopes: list[Scope],
                  parsed: Mapping[str, ParsedFile], options: Options, evaluator_notes: list[str],
                  read_through: Mapping[str, str | None] | None = None,
                  shape_notes: list[str] | None = None) -> Report:
    """Filters and suppressions over every scope's findings, then the report with its notes
    (`read_through`: templates read through their renderer, see terraform.yamlread; `shape_notes`:
    values of a shape meshlint cannot read, see model.shapes)."""
    from meshlint import knowledge

    report = _report(found, ran, disc, scopes, parsed, options.config, options.select, options.ignore,
                     options.identity_root, read_through, options.overlay)
    report.notes.extend(evaluator_notes)  # what the evaluator's budget left unevaluated, and where
    report.notes.extend(dict.fromkeys(n for n in shape_notes or () if n not in report.notes))
    report.notes.extend(knowledge.stale_notes(options.as_of))  # facts older than the run's date
    return report


# --- phases ---------------------------------------------------------------------------------


def parse_files(files: list[FileEntry], max_file_bytes: int, jobs: int,
                cache_root: Path | None, overlay: Mapping[str, bytes] | None = None,
                prefetched: Mapping[str, tuple[bytes, str]] | None = None,
                meanwhile: Callable[[], None] | None = None,
                meanwhile_bytes: int = 0, defer_cache: bool = False) -> dict[str, ParsedFile]:
    from meshlint.model.types import FULL_KINDS
    from meshlint.parse.batch import parse_files as parse_batch  # lazy: start-up time

    return parse_batch(files, max_file_bytes, jobs, cache_root, full_kinds=FULL_KINDS, overlay=overlay,
                       prefetched=prefetched, meanwhile=meanwhile, meanwhile_bytes=meanwhile_bytes,
                       defer_cache=defer_cache)


# what _prepare costs, as bytes of YAML parsed (measured on the benchmark corpus), besides
# ~170 bytes per file for the layout's scopes
_PREPARE_BYTES = 150_000


def _prepare(disc: Discovery) -> None:
    """What the checks need and no parsed file decides, done while the workers parse: the
    layout's scopes and the rules."""
    from meshlint import checks

    directory_scopes(disc)
    checks.load_all()


def parse_all(disc: Discovery, options: Options) -> dict[str, ParsedFile]:
    """Parse a discovery's files with a run's settings (for tests and tools)."""
    return parse_files(disc.files, options.max_file_bytes, options.jobs,
                       cache_dir() if options.cache else None)


def terraform_project(disc: Discovery, parsed: Mapping[str, ParsedFile],
                      overlay: Mapping[str, bytes] | None = None,
                      real: Callable[[str], str] | None = None) -> Project:
    """The run's Terraform modules (every .tf and .tfvars, by folder) and the YAML files the
    parse layer read, by real path (`real`: the caller's lookup of real paths, else
    os.path's, once per folder)."""
    from meshlint.terraform import (  # lazy: tree-sitter only on a cache miss
        Project,
        TfModule,
    )

    modules: dict[str, TfModule] = {}
    for entry in disc.files:
        pf = parsed.get(entry.abspath)
        if pf is None or pf.hcl is None or entry.kind not in (TERRAFORM, TFVARS):
            continue
        directory = os.path.dirname(entry.abspath)
        module = modules.setdefault(directory, TfModule(directory))
        if entry.kind == TERRAFORM:
            module.add_file(pf.hcl)
        else:
            module.tfvars.append(pf.hcl)
    real_of = real or _RealPaths()
    yaml_files = {}
    for e in disc.files:
        yaml = parsed[e.abspath].yaml if e.abspath in parsed else None
        if yaml is not None:
            yaml_files[real_of(e.abspath)] = yaml
    return Project(modules, disc.tree_roots, yaml_files, overlay)


class _RealPaths:
    """Real paths with one realpath per folder, not one per file (a tenth of the phase)."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if os.path.islink(path):
            return os.path.realpath(path)
        folder, name = os.path.split(path)
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        return os.path.join(self._folders[folder], name)


def opaque_kinds(scopes: list[Scope], template_dirs: Mapping[str, str],
                 parsed: Mapping[str, ParsedFile]) -> list[frozenset[str]]:
    """Per scope, the kinds its charts' unrendered templates declare (the model cannot see them);
    "*" (anything) where a Terraform file was not read (too large, over the run's budget, broken)."""
    from meshlint.parse import template_kinds, unread_terraform

    hidden = {d: template_kinds(t) for d, t in template_dirs.items()}
    return [frozenset().union(*(hidden.get(d, set()) for d in {e.chart_dir for e in scope.files if e.chart_dir}))
            | ({"*"} if unread_terraform(scope.files, parsed) else set())
            for scope in scopes]


def _online_answers(needed, timeout: float, registries_config: Mapping):
    """Ask the chart repositories and the image registries (concurrently, cached) what the
    models need (--online)."""
    from meshlint.online import ChartRepositories, HttpClient
    from meshlint.registry import Registries

    client = HttpClient(timeout=(min(3.05, timeout), timeout))
    repositories = ChartRepositories(client)
    charts = {ref: repositories.lookup(*ref) for ref in needed.charts}
    registries = Registries(client, insecure=registries_config.get("insecure") or (),
                            use_docker_config=bool(registries_config.get("use-docker-config")),
                            tag_ttl=float(registries_config.get("cache-ttl") or 24 * 3600))
    platforms = registries.platforms_many(needed.images)
    return charts, platforms


def _report(found: list[Finding], ran: list[str], disc: Discovery, scopes: list[Scope],
            parsed: Mapping[str, ParsedFile], config: Config, select: list[str],
            ignore: list[str], identity_root: str | None = None,
            read_through: Mapping[str, str | None] | None = None,
            overlay: Mapping[str, bytes] | None = None) -> Report:
    """Filters (selection, severities, per-path ignores, inline suppressions), then the report."""
    from meshlint import suppress
    from meshlint.parse.templates import skip_notes

    kept = filters.keep(found, select, ignore)
    for f in kept:
        if f.rule in config.severity:
            f.severity = Severity(config.severity[f.rule])
    abspath_of = {e.path: e.abspath for e in disc.files}
    if config.per_path_ignores:
        kept = [f for f in kept if not _path_ignored(config, f, abspath_of)]
    index = suppress.build_index(parsed.values(), overlay)
    kept, suppressed = suppress.apply(kept, index)
    if filters.rule_selected("MESH002", select, ignore):
        kept.extend(suppress.unused(index, lambda c: any(r.startswith(c) or c.startswith(r) for r in ran + ["MESH001"])))
    kept = filters.dedupe(kept)
    for f in kept:
        f.abspath = abspath_of.get(f.location.path, "")
        f.relpath = _root_relative(f.abspath or None, [identity_root] if identity_root else disc.tree_roots) \
            or f.location.path
    kept.sort(key=Finding.sort_key)
    report = Report(kept, files_checked=len(disc.files), scopes=[s.name for s in scopes],
                    suppressed=suppressed, rules_run=["MESH001"] + ran)
    for path, problem in disc.problems:
        report.notes.append(f"{path}: {problem}")
    report.notes.extend(skip_notes({pf.entry.path: pf.skipped for pf in parsed.values()}, read_through))
    report.notes.extend(config.notes)
    return report


def _narrow(report: Report, report_paths: list[str] | None) -> Report:
    """Only the findings in the files the user named (the run saw the whole project)."""
    if report_paths is None:
        return report
    report.narrowed_to = [p for p in report_paths]
    report.findings = [f for f in report.findings
                       if not f.abspath or any(_within(f.abspath, p) for p in report_paths)]
    return report


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _apply_baseline(report: Report, baseline: set[str] | None) -> Report:
    if baseline is not None:
        report.baseline_matched = sum(1 for f in report.findings if f.fingerprint in baseline)
        current = {f.fingerprint for f in report.findings}
        report.baseline_fixed = len(baseline - current)
        report.findings = [f for f in report.findings if f.fingerprint not in baseline]
    return report


def _excluder(config: Config) -> Callable[..., bool] | None:
    if not config.exclude:
        return None

    def exclude(_rel_to_top: str, _display: str, abspath: str = "") -> bool:
        return matches_any(config.exclude, _config_relative(config, abspath))
    return exclude


def _config_relative(config: Config, abspath: str) -> str:
    return os.path.relpath(abspath, config.base).replace(os.sep, "/")


def _path_ignored(config: Config, f: Finding, abspath_of: dict[str, str]) -> bool:
    abspath = abspath_of.get(f.location.path)
    if abspath is None:
        return False
    rel = _config_relative(config, abspath)
    return any(matches_any([pattern], rel) and any(c == filters.ALL or f.rule.startswith(c) for c in codes)
               for pattern, codes in config.per_path_ignores.items())


def _root_relative(abspath: str | None, roots: list[str]) -> str | None:
    if abspath is None:
        return None
    for root in sorted(roots, key=len, reverse=True):
        if abspath == root or abspath.startswith(root.rstrip(os.sep) + os.sep):
            return os.path.relpath(abspath, root).replace(os.sep, "/")
    return None

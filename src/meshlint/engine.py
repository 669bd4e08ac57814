"""The engine: discover -> parse -> build one model per scope -> checks -> filters.

This is the only module that knows the whole flow; each step lives in its own module.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import time
from dataclasses import dataclass, field

from meshlint import filters, knowledge
from meshlint.config import Config, matches_any
from meshlint.discover import (
    MANIFEST,
    TERRAFORM,
    TFVARS,
    Discovery,
    apply_explicit_scopes,
    discover,
    split_alternatives,
)
from meshlint.findings import Finding, Report
from meshlint.parse import DEFAULT_MAX_FILE_BYTES, ParsedFile
from meshlint.terraform import Project, TfModule


@dataclass
class Options:
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


@dataclass
class Run:
    """Everything one run produced, for reporters and for `--verbose`."""

    report: Report
    discovery: Discovery
    models: list  # model.Model, one per scope (empty when answered from the run cache)
    timings: dict = field(default_factory=dict)  # phase -> seconds (for --verbose)


def parse_all(disc: Discovery, options: Options) -> dict[str, ParsedFile]:
    from meshlint.online import cache_dir
    from meshlint.parse.batch import parse_files

    from meshlint.model import FULL_KINDS

    return parse_files(disc.files, options.max_file_bytes, options.jobs,
                       cache_dir() if options.cache else None, full_kinds=FULL_KINDS)


def terraform_project(disc: Discovery, parsed: dict[str, ParsedFile]) -> Project:
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
    yaml_files = {os.path.realpath(e.abspath): parsed[e.abspath].yaml for e in disc.files
                  if e.abspath in parsed and parsed[e.abspath].yaml is not None}
    return Project(modules, disc.tree_roots, yaml_files)


def manifest_identities(pf: ParsedFile) -> set[tuple]:
    """(kind, namespace, name) of every object a manifest file defines."""
    out: set[tuple] = set()
    if pf.entry.kind != MANIFEST or pf.yaml is None:
        return out
    for doc in pf.yaml.documents:
        items = [doc.value]
        if isinstance(doc.value, dict) and doc.value.get("kind") == "List":
            items = doc.value.get("items") or []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                continue
            meta = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
            name = meta.get("name")
            if isinstance(name, str) and item["kind"] != "Namespace":
                out.add((item["kind"], str(meta.get("namespace") or ""), name))
    return out


def _config_relative(config: Config, abspath: str) -> str:
    return os.path.relpath(abspath, config.base).replace(os.sep, "/")


def run(options: Options) -> Run:
    """One whole run. The garbage collector is paused: a run builds many small acyclic
    objects, and generational collections over them cost a third of the time."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(options)
    finally:
        if gc_was_enabled:
            gc.enable()


def _run(options: Options) -> Run:
    config = options.config
    exclude = None
    if config.exclude:
        def exclude(_rel_to_top: str, _display: str, abspath: str = "") -> bool:
            return matches_any(config.exclude, _config_relative(config, abspath))
    started = time.perf_counter()
    disc = discover(options.paths, exclude=exclude)
    timings = {"discover": time.perf_counter() - started}
    key = None
    if options.cache and not options.online:
        from meshlint import runcache
        from meshlint.online import cache_dir

        key = runcache.run_key(disc.files, options)
        cached = runcache.load(cache_dir(), key) if key else None
        if cached is not None:
            timings["run cache"] = time.perf_counter() - started - timings["discover"]
            return Run(_apply_baseline(cached, options), disc, [], timings)
    result = _analyse(options, disc)
    result.timings = {**timings, **result.timings}
    if key is not None:
        runcache.store(cache_dir(), key, result.report)
    _apply_baseline(result.report, options)
    return result


def _apply_baseline(report: Report, options: Options) -> Report:
    if options.baseline is not None:
        report.baseline_matched = sum(1 for f in report.findings if f.fingerprint in options.baseline)
        current = {f.fingerprint for f in report.findings}
        report.baseline_fixed = len(options.baseline - current)
        report.findings = [f for f in report.findings if f.fingerprint not in options.baseline]
    return report


def _analyse(options: Options, disc: Discovery) -> Run:
    # imported here: a run answered from the run cache needs none of this
    from meshlint import checks, suppress
    from meshlint.build import build_model
    from meshlint.checks import CheckContext

    config = options.config
    clock = time.perf_counter()
    timings = {}
    parsed = parse_all(disc, options)
    project = terraform_project(disc, parsed)
    timings["parse"], clock = time.perf_counter() - clock, time.perf_counter()
    if config.scopes:
        disc.scopes = apply_explicit_scopes(disc, config.scopes,
                                            lambda e: _config_relative(config, e.abspath), project.modules)
    else:
        identities = {path: manifest_identities(pf) for path, pf in parsed.items()}
        disc.scopes = [part for scope in disc.scopes for part in split_alternatives(scope, identities)]
    scope_of: dict[str, str] = {}
    for scope in disc.scopes:
        for e in scope.files:
            scope_of.setdefault(e.abspath, scope.name)
    found: list[Finding] = []
    for pf in parsed.values():
        if pf.error is not None:
            pf.error.scope = scope_of.get(pf.entry.abspath, "")
            pf.error.name = "parse-error"
            found.append(pf.error)
    select, ignore = options.select, options.ignore
    ctx = CheckContext(as_of=options.as_of, online=options.online)
    registry = checks.load_all()
    charts = None
    if options.online:
        from meshlint.online import ChartRepositories, HttpClient

        client = HttpClient(timeout=(min(3.05, options.timeout), options.timeout))
        charts = ChartRepositories(client)
    ran = [code for code in sorted(registry) if filters.rule_selected(code, select, ignore)]
    from meshlint.parse import template_kinds

    hidden = {d: template_kinds(t) for d, t in disc.template_dirs.items()}
    models = [build_model(scope, parsed, project, options.as_of, charts) for scope in disc.scopes]
    for scope, model in zip(disc.scopes, models):
        for chart_dir in {e.chart_dir for e in scope.files if e.chart_dir}:
            model.opaque_kinds |= hidden.get(chart_dir, set())
    if options.online:
        _online_images(models, options)
    timings["model"], clock = time.perf_counter() - clock, time.perf_counter()
    for model in models:
        for code in ran:
            found.extend(registry[code](model, ctx))
    timings["checks"], clock = time.perf_counter() - clock, time.perf_counter()

    # filters: selection, severities, per-path ignores, inline suppressions, baseline
    kept = filters.keep(found, select, ignore)
    for f in kept:
        if f.rule in config.severity:
            f.severity = config.severity[f.rule]
    abspath_of = {e.path: e.abspath for e in disc.files}
    if config.per_path_ignores:
        kept = [f for f in kept if not _path_ignored(config, f, abspath_of)]
    index = suppress.build_index(parsed.values())
    kept, suppressed = suppress.apply(kept, index)
    if filters.rule_selected("MESH002", select, ignore):
        kept.extend(suppress.unused(index, lambda c: any(r.startswith(c) or c.startswith(r) for r in ran + ["MESH001"])))
    kept = filters.dedupe(kept)
    for f in kept:
        f.abspath = abspath_of.get(f.location.path, "")
        f.relpath = _root_relative(f.abspath or None, disc.tree_roots) or f.location.path
    kept.sort(key=Finding.sort_key)
    report = Report(kept, files_checked=len(disc.files), scopes=[s.name for s in disc.scopes],
                    suppressed=suppressed, rules_run=["MESH001"] + ran)
    for path, problem in disc.problems:
        report.notes.append(f"{path}: {problem}")
    report.notes.extend(knowledge.stale_notes(options.as_of))
    timings["filters"] = time.perf_counter() - clock
    return Run(report, disc, models, timings)


def _online_images(models: list, options: Options) -> None:
    """Ask the registries for every image's platforms (concurrently, cached); answers and
    failures go into the models, where the checks read them."""
    from meshlint.arch import ImageArchs
    from meshlint.online import HttpClient
    from meshlint.registry import Registries

    reg = options.config.registries
    client = HttpClient(timeout=(min(3.05, options.timeout), options.timeout))
    registries = Registries(client, insecure=reg.get("insecure") or (),
                            use_docker_config=bool(reg.get("use-docker-config")),
                            tag_ttl=float(reg.get("cache-ttl") or 24 * 3600))
    images = sorted({img for m in models for img in m.image_archs})
    answers = registries.platforms_many(images)
    for model in models:
        for image in model.image_archs:
            archs, how = answers.get(image, (None, "not looked up"))
            if archs is not None:
                model.image_archs[image] = ImageArchs(archs, how)
            else:
                where = next((loc for s in model.arch_subjects for img, loc in s.images if img == image), None)
                if where is not None:
                    model.lookup_failures.append((where, image, how))


def _path_ignored(config: Config, f: Finding, abspath_of: dict[str, str]) -> bool:
    abspath = abspath_of.get(f.location.path)
    if abspath is None:
        return False
    rel = _config_relative(config, abspath)
    return any(matches_any([pattern], rel) and any(f.rule.startswith(c) for c in codes)
               for pattern, codes in config.per_path_ignores.items())


def _root_relative(abspath: str | None, roots: list[str]) -> str | None:
    if abspath is None:
        return None
    for root in sorted(roots, key=len, reverse=True):
        if abspath == root or abspath.startswith(root.rstrip(os.sep) + os.sep):
            return os.path.relpath(abspath, root).replace(os.sep, "/")
    return None

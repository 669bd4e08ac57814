"""An editor's long-lived check of one project, re-run after every edit in well under the
time of a whole run (issue 14: "it must feel instant").

A whole run decodes every file from the parse cache and rebuilds every scope's model; an
edit changes one file. So the session keeps, between edits:

* every file parsed, keyed by its path, kind and content hash (the unsaved buffer's, or
  the disk's; a file's stat signature spares reading it again while it is unchanged);
* every scope's findings (with their fixes), with what they were computed from: the
  scope's files, the Terraform module folders and parsed YAML files its evaluation looked
  up, the files `file()`/`templatefile()` read, the kinds hidden in its charts' templates,
  and what it spent of the evaluator's budget.

A refresh walks the project again (new and deleted files), re-parses what changed, cuts
the scopes again (keeping the layout's scopes while what they are cut from is unchanged,
and the whole cut while no manifest or kustomization changed), rebuilds only the scopes
whose inputs changed, and runs the engine's filters and suppressions over all findings:
the report is what `engine.run` gives with the same overlay (tests/test_lsp_session.py
compares them edit after edit). Two things the layout and the cut look at are not
watched: a repository's `.git/config` remote (a GitHub module source naming the checked
repository) and an empty folder created where an Argo CD Application's path could point.
"""

from __future__ import annotations

import copy
import datetime as _dt
import gc
import hashlib
import os
import time
from collections.abc import Callable, Mapping

from msgspec import Struct, field
from msgspec.structs import replace

from meshlint.cachedir import cache_dir
from meshlint.config import Config
from meshlint.deployments import set_aside_dir
from meshlint.discover import (
    KUSTOMIZATION,
    MANIFEST,
    TERRAFORM,
    TFVARS,
    Discovery,
    FileEntry,
    Scope,
    directory_scopes,
    discover,
)
from meshlint.engine import (
    Options,
    _excluder,
    check_context,
    finish_report,
    opaque_kinds,
    parse_files,
    rules_run,
    run_scopes,
    terraform_project,
)
from meshlint.fix import Fix, NoFix, disk_reader
from meshlint.lsp.project import ProjectResult, project_options
from meshlint.lsp.scopes import (
    Digests,
    ScopeResult,
    check_scope,
    shared_budget,
)
from meshlint.parse import ParsedFile, read_entry
from meshlint.parse.batch import _skip_rendered
from meshlint.parse.templates import RenderedPattern, rendered_patterns
from meshlint.scopework import merged, over_budget

# a file changed less than this long ago may change again within its timestamp's
# granularity: its stat signature is not trusted, its bytes are hashed on every refresh
RACY_NS = 2_000_000_000
_TERRAFORM_KINDS = (TERRAFORM, TFVARS)
# the kinds of file whose parsed contents `scoping.cut_scopes` reads (kustomizations'
# resources and patches; manifests' Argo CD Applications, identities and live dumps): an
# edit of any other file leaves the cut as it was
CUT_READS = (MANIFEST, KUSTOMIZATION)


class _File(Struct):
    """One file as the last refresh saw it."""

    key: tuple[str, str, str | None]  # display path, kind, chart dir: what its parse depends on
    signature: tuple[int, ...] | None  # the disk's stat, when old enough to be trusted
    disk: bytes | None  # digest of the disk's bytes (None: unreadable)
    content: tuple[str, bytes | None]  # ("buffer" | "disk", digest): what was parsed
    parsed: ParsedFile  # as parsed, before a Terraform-rendered template is set aside
    patterns: list[RenderedPattern] = field(default_factory=list)  # Terraform: files it renders
    shown: tuple[str | None, bool] = (None, True)  # (skip reason, parsed without error) after that


class RefreshStats(Struct):
    """What the last refresh did (for the server's log and the tests)."""

    files_parsed: int = 0
    scopes: int = 0
    scopes_rebuilt: int = 0
    shared_budget: bool = False  # the scopes together passed the evaluator's budget


class ProjectSession:
    """The checks of one project, kept up to date edit by edit (see the module doc)."""

    def __init__(self, root: str, cache: bool = True) -> None:
        self.root = root
        self.cache = cache
        self.stats = RefreshStats()
        self._config: Config | None = None  # the configuration the kept results were checked with
        self._forget()

    def _forget(self) -> None:
        """Keep nothing: the next refresh checks the whole project."""
        self._files: dict[str, _File] = {}
        self._scopes: dict[tuple, ScopeResult] = {}
        self._as_of: _dt.date | None = None
        self._shape_key: tuple | None = None  # see _layout
        self._real: dict[str, str] = {}
        self._layout_key: tuple | None = None
        self._layout_scopes: list[Scope] = []
        self._set_aside: dict[str, str] = {}
        self._cut_scopes: list[Scope] | None = None  # see _cut
        self._cut_scopes_layout: tuple | None = None

    def refresh(self, overlay: Mapping[str, bytes], as_of: _dt.date | None = None) -> ProjectResult:
        """The project's findings with `overlay` (abspath -> unsaved bytes) read instead of
        the disk. The collector is paused, as in `engine.run`."""
        started = time.perf_counter()
        options = project_options(self.root, overlay, as_of, self.cache)
        if options.config != self._config:  # rules, severities or scopes may differ: start over
            self._forget()
            self._config = options.config
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            result = self._refresh(options)
        except BaseException:
            self._forget()  # a refresh cut short leaves its state half-updated
            raise
        finally:
            if gc_was_enabled:
                gc.enable()
        result.seconds = time.perf_counter() - started
        return result

    def _refresh(self, options: Options) -> ProjectResult:
        overlay = options.overlay or {}
        disc = discover(options.paths, exclude=_excluder(options.config), scopes=False)
        changed, changed_dirs = self._update_files(disc.files, overlay, options)
        parsed = self._parsed(disc.files, changed)
        real, same_layout = self._layout(disc)
        project = terraform_project(disc, parsed, overlay, real)  # real paths from the session's lookup
        scopes = self._cut(disc, parsed, options, same_layout, changed)
        hidden = opaque_kinds(scopes, disc.template_dirs, parsed)
        ran, ctx = rules_run(options), check_context(options)
        abspath_of = {e.path: e.abspath for e in disc.files}
        read = disk_reader(overlay)
        if options.as_of != self._as_of:
            self._scopes, self._as_of = {}, options.as_of
        digest = Digests(overlay)
        self.stats = RefreshStats(self.stats.files_parsed, len(scopes))
        results: list[ScopeResult] = []
        kept: dict[tuple, ScopeResult] = {}
        for scope, opaque in zip(scopes, hidden):
            key = _scope_key(scope)
            result = self._scopes.get(key)
            if result is None or result.stale(changed, changed_dirs, opaque, digest):
                result = check_scope(scope, opaque, parsed, project, options, ran, ctx, abspath_of, read, digest)
                self.stats.scopes_rebuilt += 1
            results.append(result)
            kept[key] = result
        self._scopes = kept
        if over_budget(r.outcome.spent for r in results):
            # the engine's one budget for the whole run would run out part-way: check the
            # scopes as it does, in order with one budget (the per-scope results stay kept)
            self.stats.shared_budget = True
            results = shared_budget(scopes, hidden, parsed, project, options, ran, ctx, abspath_of, read)
        return self._report(disc, scopes, parsed, results, ran, options)

    # -- the tree's layout -------------------------------------------------------------------

    def _cut(self, disc: Discovery, parsed: Mapping[str, ParsedFile], options: Options, same_layout: bool,
             changed: set[str]) -> list[Scope]:
        """The run's scopes: the last refresh's when the layout and the folders are the
        same and no file whose contents `scoping.cut_scopes` reads changed."""
        cut = self._cut_scopes
        if cut is None or not same_layout or self._cut_scopes_layout != self._layout_key or any(
                a in self._files and self._files[a].key[1] in CUT_READS for a in changed):
            cut = self._cut_scopes = [_scope_copy(s) for s in run_scopes(disc, parsed, options.config)]
            self._cut_scopes_layout = self._layout_key
        return [_scope_copy(s) for s in cut]

    def _layout(self, disc: Discovery) -> tuple[Callable[[str], str], bool]:
        """Discovery's layout scopes, cut again only when what they are cut from changed:
        the files, the text of the Terraform files on disk, and what `set_aside_dir` finds
        around each folder. Also a real-path lookup, and whether the tree's folders are as
        the last refresh saw them (see `_shape`): only then is the last cut kept too."""
        shape = _shape(disc)
        steady = shape is not None and shape == self._shape_key
        if not steady:
            self._real, self._shape_key = {}, shape
        key = (disc.cwd, tuple(disc.tree_roots),
               tuple((e.abspath, e.path, e.kind, e.chart_dir) for e in disc.files),
               tuple(self._files[e.abspath].disk for e in disc.files if e.kind == TERRAFORM),
               tuple(set_aside_dir(d, top) for top, entries in disc.walked
                     for d in sorted({os.path.dirname(e.abspath) for e in entries})))
        same = key == self._layout_key
        if same:
            disc.scopes = [_scope_copy(s) for s in self._layout_scopes]
            disc.set_aside.update(self._set_aside)
            disc.scopes_cut = True
        else:
            directory_scopes(disc)
            self._layout_scopes = [_scope_copy(s) for s in disc.scopes]
            self._set_aside, self._layout_key = dict(disc.set_aside), key
        real = self._real

        def lookup(abspath: str) -> str:
            if abspath not in real:
                real[abspath] = os.path.realpath(abspath)
            return real[abspath]
        return lookup, same and steady

    # -- files -------------------------------------------------------------------------------

    def _update_files(self, entries: list[FileEntry], overlay: Mapping[str, bytes],
                      options: Options) -> tuple[set[str], set[str]]:
        """Parse the new and changed files; the paths (absolute and real) and the Terraform
        module folders whose contents changed."""
        now = time.time_ns()
        limit = options.max_file_bytes
        changed: set[str] = set()
        changed_dirs: set[str] = set()
        todo: list[FileEntry] = []
        states: dict[str, tuple] = {}
        read: dict[str, tuple[bytes, str]] = {}  # abspath -> (bytes, sha256) read from disk just now
        for e in entries:
            before = self._files.get(e.abspath)
            signature, disk, data = _disk_state(e.abspath, before, now, limit)
            if data is not None and disk is not None and len(data) <= limit:
                read[e.abspath] = (data, disk.hex())
            buffer = overlay.get(e.abspath)
            content = ("disk", disk) if buffer is None else ("buffer", hashlib.sha256(buffer).digest())
            key = (e.path, e.kind, e.chart_dir)
            states[e.abspath] = (key, signature, disk, content)
            if before is None or before.key != key or before.content != content:
                todo.append(e)
                changed.add(e.abspath)
                if e.kind in _TERRAFORM_KINDS or (before is not None and before.key[1] in _TERRAFORM_KINDS):
                    changed_dirs.add(os.path.dirname(e.abspath))
        for gone in set(self._files) - set(states):
            changed.add(gone)
            if self._files.pop(gone).key[1] in _TERRAFORM_KINDS:
                changed_dirs.add(os.path.dirname(gone))
        fresh = self._parse(todo, overlay, read, options)
        for e in entries:
            key, signature, disk, content = states[e.abspath]
            if e.abspath in fresh:
                parsed, patterns = fresh[e.abspath]
                self._files[e.abspath] = _File(key, signature, disk, content, parsed, patterns)
            else:
                state = self._files[e.abspath]
                state.signature, state.disk = signature, disk
        changed.update({os.path.realpath(p) for p in changed})
        self.stats.files_parsed = len(todo)
        return changed, changed_dirs

    def _parse(self, todo: list[FileEntry], overlay: Mapping[str, bytes], read: Mapping[str, tuple[bytes, str]],
               options: Options) -> dict[str, tuple[ParsedFile, list[RenderedPattern]]]:
        """The engine's parse of these files (through the parse cache), YAML and Terraform
        apart so that neither is yet set aside as rendered by Terraform: that depends on
        every Terraform file (see `_parsed`). `read`: the disk's bytes already read (and
        hashed) for the signature, parsed as they are (each changed file is read once)."""
        root = cache_dir() if options.cache else None
        buffers = {e.abspath: overlay[e.abspath] for e in todo if e.abspath in overlay}
        out: dict[str, tuple[ParsedFile, list[RenderedPattern]]] = {}
        yaml = [e for e in todo if e.kind not in _TERRAFORM_KINDS]
        for part in (yaml, [e for e in todo if e.kind in _TERRAFORM_KINDS]):
            if not part:
                continue
            parsed = parse_files(part, options.max_file_bytes, options.jobs, root, buffers, prefetched=read)
            for e in part:
                out[e.abspath] = (parsed[e.abspath], _rendered(e, buffers, read, options.max_file_bytes))
        return out

    def _parsed(self, entries: list[FileEntry], changed: set[str]) -> dict[str, ParsedFile]:
        """Every file as the run sees it: templates that Terraform renders (and that do not
        parse as they stand) set aside, as `parse.batch` does. A file whose standing
        changed so counts as changed."""
        parsed = {e.abspath: self._files[e.abspath].parsed for e in entries}
        patterns = [p for e in entries if e.kind == TERRAFORM for p in self._files[e.abspath].patterns]
        if patterns:
            candidates = {a: copy.copy(pf) for a, pf in parsed.items()
                          if pf.error is not None and pf.entry.kind not in _TERRAFORM_KINDS}
            _skip_rendered(candidates, patterns)
            parsed.update(candidates)
        for a, pf in parsed.items():
            shown = (pf.skipped, pf.error is None)
            state = self._files[a]
            if state.shown != shown:
                state.shown = shown
                changed.add(a)
                changed.add(os.path.realpath(a))
        return parsed

    # -- the report ----------------------------------------------------------------------------

    def _report(self, disc, scopes: list[Scope], parsed: dict[str, ParsedFile], results: list[ScopeResult],
                ran: list[str], options: Options) -> ProjectResult:
        from meshlint.scoping import parse_error_findings

        every = merged([result.outcome for result in results])  # notes and reads as one run keeps them
        found = parse_error_findings(parsed, scopes, every.read_errors)
        fix_of: dict[int, Fix | NoFix | None] = {}
        for result in results:
            for raw in result.outcome.findings:
                shown = copy.copy(raw)  # the filters set severities and paths on what they keep
                fix_of[id(shown)] = result.fixes.get(id(raw))
                found.append(shown)
        report = finish_report(found, ran, disc, scopes, parsed, options, every.notes, every.read_through,
                               every.shape_notes)
        out = ProjectResult(self.root, entries=disc.files, report=report, scopes=scopes)
        for finding in report.findings:
            path = finding.abspath or os.path.abspath(finding.location.path)
            out.by_file.setdefault(path, []).append((finding, fix_of.get(id(finding))))
        return out


def _disk_state(abspath: str, before: _File | None, now: int,
                limit: int) -> tuple[tuple[int, ...] | None, bytes | None, bytes | None]:
    """(trusted stat signature or None, digest of the disk's bytes, the bytes when they were
    read now): the bytes are read only when the signature changed or was too recent to be
    trusted."""
    try:
        st = os.stat(abspath)
    except OSError:
        return None, None, None
    signature = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode)
    if before is not None and before.signature == signature:
        return signature, before.disk, None
    data: bytes | None
    try:
        with open(abspath, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        data = None
    disk = hashlib.sha256(data).digest() if data is not None else None
    trusted = now - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS
    return (signature if trusted else None), disk, data


def _rendered(entry: FileEntry, buffers: Mapping[str, bytes], read: Mapping[str, tuple[bytes, str]],
              limit: int) -> list[RenderedPattern]:
    """The files a Terraform file renders as templates, as `parse.batch` reads them."""
    if entry.kind != TERRAFORM:
        return []
    if entry.abspath in buffers:
        data, early = buffers[entry.abspath], None
    elif entry.abspath in read:
        data, early = read[entry.abspath][0], None
    else:
        data, early = read_entry(entry, limit)
    return [] if early is not None else rendered_patterns(entry.path, entry.abspath, data)


def _shape(disc: Discovery) -> tuple | None:
    """The stat of every folder from the files' up to the checked path (a folder's stat
    changes when an entry is added, removed or renamed in it: a symbolic link, a folder the
    scoping looks for); None while a folder changed too recently for its stat to be trusted."""
    roots = set(disc.tree_roots)
    folders: set[str] = set()
    for e in disc.files:
        d = os.path.dirname(e.abspath)
        while d not in folders:
            folders.add(d)
            parent = os.path.dirname(d)
            if d in roots or parent == d:
                break
            d = parent
    now = time.time_ns()
    stats = []
    for d in sorted(folders):
        try:
            st = os.stat(d)
        except OSError:
            return None
        if now - max(st.st_mtime_ns, st.st_ctime_ns) <= RACY_NS:
            return None
        stats.append((st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return (tuple(sorted(folders)), tuple(stats))


def _scope_copy(scope: Scope) -> Scope:
    return replace(scope, roots=list(scope.roots), files=list(scope.files), reasons=dict(scope.reasons))




def _scope_key(scope: Scope) -> tuple:
    return (scope.name, tuple(scope.roots), tuple((e.abspath, e.path, e.kind, e.chart_dir) for e in scope.files))

"""One scope's model and checks for the language server's session (`session.py`), with a
record of everything its findings were computed from, so that the session can tell after an
edit whether they still hold: its files, the Terraform module folders and parsed YAML files
its evaluation looked up, the files `file()`/`templatefile()` read, the kinds hidden in its
charts' templates, and what it spent of the evaluator's budget (a budget of its own)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct

from meshlint import scopework
from meshlint.discover import Scope
from meshlint.engine import Options, check_together
from meshlint.findings import Finding
from meshlint.fix import Fix, NoFix
from meshlint.fix.context import FixContext
from meshlint.fix.registry import FIXERS, fix_for
from meshlint.parse import ParsedFile
from meshlint.scopework import ScopeOutcome
from meshlint.terraform import MAX_FILE_READ, Project


class ScopeResult(Struct):
    """One scope's findings and fixes, and everything they were computed from."""

    outcome: ScopeOutcome  # its findings and what its evaluation left (its model not kept)
    fixes: dict[int, Fix | NoFix]  # id(finding) -> its fix, for the rules that have fixers
    files: frozenset[str]  # abspaths of its files and real paths of the YAML files HCL decoded
    module_dirs: frozenset[str]  # Terraform module folders its evaluation looked up
    reads: dict[str, bytes | None]  # real path -> digest, of what file()/templatefile() read
    opaque: frozenset[str]

    def stale(self, changed: set[str], changed_dirs: set[str], opaque: frozenset[str],
              digest: Digests) -> bool:
        return (opaque != self.opaque or not self.files.isdisjoint(changed)
                or not self.module_dirs.isdisjoint(changed_dirs)
                or any(digest(path) != seen for path, seen in self.reads.items()))


class Digests:
    """Digests of what `file()` reads (TreeFiles.read: regular files up to its cap), once
    per refresh."""

    def __init__(self, overlay: Mapping[str, bytes] | None = None) -> None:
        self._seen: dict[str, bytes | None] = {}
        # an open buffer is what file() reads (see TreeFiles.read), so it is what is digested
        self._overlay = {os.path.realpath(p): data for p, data in (overlay or {}).items()}

    def __call__(self, real: str) -> bytes | None:
        if real not in self._seen and real in self._overlay:
            text = self._overlay[real]
            self._seen[real] = hashlib.sha256(text).digest() if len(text) <= MAX_FILE_READ else None
        if real not in self._seen:
            data = None
            try:
                p = Path(real)
                if p.is_file() and p.stat().st_size <= MAX_FILE_READ:
                    data = hashlib.sha256(p.read_bytes()).digest()
            except OSError:
                data = None
            self._seen[real] = data
        return self._seen[real]


class _Recorded(dict):
    """A mapping that remembers the keys it was asked for."""

    def __init__(self, items: Mapping) -> None:
        super().__init__(items)
        self.asked: set = set()

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self.asked.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)


class _ScopeProject(Project):
    """The run's Terraform project as one scope sees it: its own budget and file reads,
    and a record of the module folders and parsed YAML files it looked up."""

    def __init__(self, base: Project) -> None:
        # the parse layer's YAML as the engine's project has it (file() readers reuse it),
        # recording which files were asked for
        self.layer_asked = _Recorded(base.yaml_files)
        super().__init__(_Recorded(base.modules), base.tree_roots, self.layer_asked, base.files.overlay)
        self.base = base


def check_scope(scope: Scope, opaque: frozenset[str], parsed: Mapping[str, ParsedFile], base: Project,
                options: Options, ran: list[str], ctx, abspath_of: Mapping[str, str], read,
                digest: Digests) -> ScopeResult:
    """One scope's model and checks, with a budget of its own, recording its inputs."""
    project = _ScopeProject(base)
    outcome = scopework.check_scope(scope, opaque, parsed, base, options.as_of, ran, ctx, project=project)
    modules = project.modules
    assert isinstance(modules, _Recorded)
    return ScopeResult(
        outcome, _outcome_fixes(outcome, options, abspath_of, read),
        frozenset({e.abspath for e in scope.files} | project.layer_asked.asked),
        frozenset(modules.asked), {path: digest(path) for path in project.files_read}, opaque)


def _outcome_fixes(outcome: ScopeOutcome, options: Options, abspath_of: Mapping[str, str],
                   read) -> dict[int, Fix | NoFix]:
    """The fixes of a scope's findings, worked out from its model, which is then let go."""
    model, outcome.model = outcome.model, None
    assert model is not None
    return _fixes(outcome.findings, FixContext(model, options.as_of, abspath_of, read))


def _fixes(findings: list[Finding], ctx: FixContext) -> dict[int, Fix | NoFix]:
    out: dict[int, Fix | NoFix] = {}
    for f in findings:
        if f.rule in FIXERS:
            fix = fix_for(f, ctx)
            if fix is not None:
                out[id(f)] = fix
    return out


def shared_budget(scopes: list[Scope], hidden: list[frozenset[str]], parsed: Mapping[str, ParsedFile],
                  base: Project, options: Options, ran: list[str], ctx, abspath_of: Mapping[str, str],
                  read) -> list[ScopeResult]:
    """Every scope checked as the engine does it when one budget runs out: in turn, by one
    project (`engine.check_together`)."""
    outcomes = check_together(scopes, hidden, parsed, base, options, ran, ctx)
    return [ScopeResult(o, _outcome_fixes(o, options, abspath_of, read), frozenset(), frozenset(), {}, opaque)
            for o, opaque in zip(outcomes, hidden)]

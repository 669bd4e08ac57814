"""`meshlint diff OLD NEW`: what a change does to the mesh - component versions per scope,
findings introduced and findings resolved. OLD and NEW are directories or git refs."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass, field

from meshlint.engine import Options, Run, run
from meshlint.findings import Finding


@dataclass
class Change:
    scope: str
    component: str
    name: str
    old: str | None
    new: str | None


@dataclass
class DiffResult:
    changes: list[Change] = field(default_factory=list)
    introduced: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)


@contextlib.contextmanager
def materialise(spec: str, repo_hint: str):
    """A directory for `spec`: itself if it is one, else the tree of that git ref."""
    if os.path.isdir(spec):
        yield os.path.abspath(spec), None
        return
    from meshlint.vcs import checkout, repo_root

    root = repo_root(repo_hint)
    with checkout(root, spec) as tree:
        rel = os.path.relpath(os.path.abspath(repo_hint), root)
        yield os.path.normpath(os.path.join(tree, rel)), tree


def _scope_key(name: str, top: str) -> str:
    rel = os.path.relpath(os.path.abspath(name), top)
    return "." if rel == "." else rel.replace(os.sep, "/")


def _inventory(result: Run, top: str) -> dict[tuple[str, str, str], str]:
    out = {}
    for model in result.models:
        key = _scope_key(model.scope, top)
        for c in model.components:
            version = c.effective or (c.version if isinstance(c.version, str) else None) or "?"
            out[(key, c.kind, str(c.name))] = version
    return out


def diff(old_spec: str, new_spec: str, options: Options, repo_hint: str = ".") -> DiffResult:
    result = DiffResult()
    with materialise(old_spec, repo_hint) as (old_dir, _), materialise(new_spec, repo_hint) as (new_dir, _):
        old = run(dataclasses.replace(options, paths=[old_dir]))
        new = run(dataclasses.replace(options, paths=[new_dir]))
        before, after = _inventory(old, old_dir), _inventory(new, new_dir)
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            scope, kind, name = key
            result.changes.append(Change(scope, kind, name, before.get(key), after.get(key)))
    old_fp = {f.fingerprint: f for f in old.report.findings}
    new_fp = {f.fingerprint: f for f in new.report.findings}
    result.introduced = [f for fp, f in new_fp.items() if fp not in old_fp]
    result.resolved = [f for fp, f in old_fp.items() if fp not in new_fp]
    return result

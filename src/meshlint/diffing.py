"""`meshlint diff OLD NEW`: what a change does to the mesh - component versions per scope,
findings introduced and findings resolved. OLD and NEW are directories or git refs."""

from __future__ import annotations

import contextlib
import os

from msgspec import Struct, field
from msgspec.structs import replace

from meshlint.engine import Options, Run, run
from meshlint.findings import Finding
from meshlint.project import repository_root


class Change(Struct):
    scope: str
    component: str
    name: str
    old: str | None
    new: str | None


class DiffResult(Struct):
    changes: list[Change] = field(default_factory=list)
    introduced: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)


@contextlib.contextmanager
def materialise(spec: str, repo_hint: str, against_ref: bool = False):
    """A directory for `spec` and the directory identities are relative to: the directory
    itself (the repository holding it when compared with a ref), else the tree of that git
    ref (identities relative to its top, which is the repository's root)."""
    if os.path.isdir(spec):
        here = os.path.realpath(spec)
        yield here, (repository_root(here) or here) if against_ref else here
        return
    from meshlint.vcs import checkout, repo_root

    root = repo_root(repo_hint)
    with checkout(root, spec) as tree:
        rel = os.path.relpath(os.path.realpath(repo_hint), root)
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
    refs = not (os.path.isdir(old_spec) and os.path.isdir(new_spec))
    with materialise(old_spec, repo_hint, refs) as (old_dir, old_top), \
            materialise(new_spec, repo_hint, refs) as (new_dir, new_top):
        old = run(replace(options, paths=[old_dir], report_paths=None, identity_root=old_top))
        new = run(replace(options, paths=[new_dir], report_paths=None, identity_root=new_top))
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

"""The project a checked path belongs to.

meshlint correlates files across a repository (the Kiali in `k8s/` needs the Istio pinned in
`infra/`), so a path inside a project is checked in the context of the whole project and
only the findings in its files are reported. The project root is the nearest ancestor with
`.meshlint.yaml`, a `pyproject.toml` with `[tool.meshlint]`, or `.git`. Identities
(fingerprints, annotation paths) are relative to the repository (`.git`), else the project
root, so they do not depend on the path argument or the current directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from msgspec import Struct

CONFIG_NAMES = (".meshlint.yaml", ".meshlint.yml")
_TOOL_SECTION = re.compile(r"^\s*\[tool\.meshlint\]", re.M)


def _has_tool_section(pyproject: Path) -> bool:
    try:
        return bool(_TOOL_SECTION.search(pyproject.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def search_upwards(here: Path) -> list[Path]:
    """`here` and the ancestors where a project marker or configuration may be looked for.
    Without `.git` the search must not wander into other people's directories: for a tree
    under $HOME it stops at $HOME, and it never reaches the filesystem root (issue 15)."""
    chain = [here, *here.parents]
    home = Path(os.path.abspath(os.path.expanduser("~")))
    homes = {home, home.resolve()}
    for i, directory in enumerate(chain):
        if directory in homes:
            return chain[:i + 1]
    return [d for d in chain if d != d.parent]  # all but `/`


def _is_marked(directory: Path) -> bool:
    if any((directory / name).is_file() for name in CONFIG_NAMES):
        return True
    pyproject = directory / "pyproject.toml"
    return (pyproject.is_file() and _has_tool_section(pyproject)) or (directory / ".git").exists()


def _start(path: str) -> Path:
    here = Path(os.path.abspath(path))
    return here.parent if here.is_file() else here


def project_root(path: str) -> str | None:
    """The nearest ancestor of `path` (itself included) that marks a project, or None."""
    here = _start(path)
    for directory in search_upwards(here):
        if _is_marked(directory):
            return str(directory)
    return None


def repository_root(path: str) -> str | None:
    """The nearest ancestor of `path` (itself included) holding `.git`, or None."""
    here = _start(path)
    for directory in [here, *here.parents]:
        if (directory / ".git").exists():
            return str(directory)
    return None


def within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


class Plan(Struct, frozen=True):
    """What a run checks (`check_paths`), whose findings it reports (`report_paths`, None
    for all) and what identities are relative to (`identity_root`)."""

    check_paths: list[str]
    report_paths: list[str] | None
    identity_root: str | None


def plan(paths: list[str]) -> Plan:
    """Check the project the paths share, reporting the paths' files; paths in different
    projects, or in none, are checked as given."""
    absolute = [os.path.realpath(p) for p in paths]  # as discovery sees files
    roots = {project_root(p) for p in absolute}
    if len(roots) != 1 or None in roots:
        return Plan(list(paths), None, None)
    root = roots.pop()
    assert root is not None
    identity = repository_root(root) or root
    if any(p == root for p in absolute):
        return Plan(list(paths), None, identity)
    return Plan([root], absolute, identity)

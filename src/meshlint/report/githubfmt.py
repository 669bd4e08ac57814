"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding."""

from __future__ import annotations

import os
from functools import lru_cache

from meshlint.findings import Finding, Report
from meshlint.project import repository_root
from meshlint.report.safety import clean
from meshlint.report.textfmt import summary_line

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    """Escape a message so that file content can never inject a workflow command (nor
    the legacy `##[` form, nor terminal escapes in a raw log)."""
    escaped = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return clean(escaped).replace("##[", "#\\x23[")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


@lru_cache(maxsize=1024)
def _repository(directory: str) -> str | None:
    """The git work tree holding `directory`: annotation paths are relative to it."""
    return repository_root(directory)


def _path(f: Finding) -> str:
    """Repository-relative, whatever directory meshlint ran in (GitHub resolves `file=`
    against the repository root); the displayed path outside a repository."""
    if f.abspath:
        root = _repository(os.path.dirname(f.abspath))
        if root is not None:
            return os.path.relpath(f.abspath, root).replace(os.sep, "/")
    return f.location.path


def render(report: Report, **_) -> str:
    lines = []
    for f in report.findings:
        loc = f.location
        props = [f"file={_prop(_path(f))}", f"line={loc.line}", f"col={loc.column}"]
        if loc.end_line and loc.end_line != loc.line:
            props.append(f"endLine={loc.end_line}")
        title = f"{f.rule} {f.name}".strip()
        props.append(f"title={_prop(title)}")
        lines.append(f"::{LEVEL[f.severity]} {','.join(props)}::{_data(f.message)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"

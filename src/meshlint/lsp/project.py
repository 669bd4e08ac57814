"""One project's checks for the editor: which project a file is in, and the findings
grouped per file with their fixes. `check_project` is one whole engine run with the open
buffers as an overlay; the server keeps a `session.ProjectSession` per project instead,
which gives the same answer after an edit without checking everything again."""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Mapping

from msgspec import Struct, field

from meshlint import project
from meshlint.discover import FileEntry, Scope
from meshlint.engine import Options, run
from meshlint.findings import Finding, Report
from meshlint.fix import Fix, NoFix, disk_reader, fixes_for_run


def project_root(path: str, workspace_roots: list[str]) -> str:
    """The project a file belongs to: its project as `meshlint check` finds it (the nearest
    directory up with `.git`, a meshlint configuration or a pyproject.toml with
    [tool.meshlint]) when that is inside the innermost workspace folder holding the file;
    else that workspace folder; else (a file outside every project) the file alone."""
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    limit = max((r for r in workspace_roots if project.within(directory, r)), key=len, default=None)
    root = project.project_root(directory)
    if root is not None and (limit is None or project.within(root, limit)):
        return root
    return limit or path


class ProjectResult(Struct):
    root: str
    by_file: dict[str, list[tuple[Finding, Fix | NoFix | None]]] = field(default_factory=dict)
    entries: list[FileEntry] = field(default_factory=list)
    seconds: float = 0.0
    report: Report | None = None  # the whole report, as `engine.run` gives it
    scopes: list[Scope] = field(default_factory=list)  # the scopes it checked


def project_options(root: str, overlay: Mapping[str, bytes], as_of: _dt.date | None,
                    cache: bool) -> Options:
    """A check of the project at `root` as `meshlint check` there would run it: with the
    project's configuration (selection, severities, scopes, ignores) and the user's own, offline.
    A configuration that does not load is a note, and the defaults apply."""
    from meshlint.config import Config, ConfigError, load_settings

    try:
        config = load_settings(None, root)
    except ConfigError as exc:
        config = Config()
        config.notes.append(f"configuration error (defaults used): {exc}")
    return Options.configured(config, [root], as_of or config.as_of or _dt.date.today(), cache=cache,
                              overlay=dict(overlay), jobs=1)


def check_project(root: str, overlay: Mapping[str, bytes], as_of: _dt.date | None = None,
                  cache: bool = True) -> ProjectResult:
    """Check the project at `root` reading `overlay` (abspath -> bytes) instead of the disk
    for open buffers; the parse cache answers for unchanged files."""
    started = time.perf_counter()
    options = project_options(root, overlay, as_of, cache)
    result = run(options)
    read = disk_reader(overlay)
    fixes = {id(f): fx for f, fx in fixes_for_run(result, options.as_of, read)}
    out = ProjectResult(root, entries=result.discovery.files, report=result.report,
                        scopes=result.discovery.scopes)
    for finding in result.report.findings:
        path = finding.abspath or os.path.abspath(finding.location.path)
        out.by_file.setdefault(path, []).append((finding, fixes.get(id(finding))))
    out.seconds = time.perf_counter() - started
    return out

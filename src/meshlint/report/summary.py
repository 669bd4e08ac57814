"""The one-line summary every text-like format ends with."""

from __future__ import annotations

import os

from meshlint.findings import Report
from meshlint.report.safety import clean


def summary_line(report: Report) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in report.findings:
        counts[f.severity] += 1
    n = len(report.findings)
    files = f"{report.files_checked} file{'s' if report.files_checked != 1 else ''}"
    scopes = f"{len(report.scopes)} scope{'s' if len(report.scopes) != 1 else ''}"
    narrowed = ""
    if report.narrowed_to:
        shown = ", ".join(clean(_shown(p)) for p in report.narrowed_to)
        narrowed = f" Reported: findings in {shown} only (the whole project was checked for context)."
    if n == 0:
        return f"No problems found in {files} ({scopes}).{narrowed}"
    parts = ", ".join(f"{c} {k}{'s' if c != 1 and k != 'info' else ''}" for k, c in
                      (("error", counts["error"]), ("warning", counts["warning"]), ("info", counts["info"])) if c)
    return f"Found {n} problem{'s' if n != 1 else ''} ({parts}) in {files} ({scopes}).{narrowed}"


def _shown(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel.replace(os.sep, "/")

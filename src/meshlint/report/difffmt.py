"""Output of `meshlint diff`: version changes per scope, introduced and resolved findings."""

from __future__ import annotations

import json

from meshlint import __version__
from meshlint.report.jsonfmt import finding_dict
from meshlint.report.safety import clean, neutralise, neutralise_json


def _project_paths(f) -> dict:
    """A finding with its project path: a ref's findings live in a temporary checkout."""
    return {**finding_dict(f), "path": f.relpath or f.location.path}


def render(result, fmt: str = "text") -> str:
    if fmt == "json":
        doc = {"version": __version__,
               "changes": [{"scope": c.scope, "component": c.component, "name": c.name,
                            "old": c.old, "new": c.new} for c in result.changes],
               "introduced": [_project_paths(f) for f in result.introduced],
               "resolved": [_project_paths(f) for f in result.resolved]}
        return neutralise_json(json.dumps(doc, indent=2) + "\n")
    lines = []
    if result.changes:
        lines.append("component versions")
        scope = None
        for c in result.changes:
            if c.scope != scope:
                lines.append(f"  scope {clean(c.scope)}")
                scope = c.scope
            label = c.component if c.name in (c.component, "") else f"{c.component} {c.name}"
            lines.append(f"    {clean(label)} {clean(c.old or '(none)')} → {clean(c.new or '(removed)')}")
    else:
        lines.append("component versions: unchanged")
    for title, items in (("introduced", result.introduced), ("resolved", result.resolved)):
        lines.append(f"{title} findings: {len(items)}")
        for f in items:
            lines.append(f"  {clean(f.relpath or f.location.path)}:{f.location.line}: {f.rule} [{f.severity}] {clean(f.message)}")
    return neutralise("\n".join(lines) + "\n")

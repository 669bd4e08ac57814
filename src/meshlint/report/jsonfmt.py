"""JSON: the machine contract (fields as in the README's output contract)."""

from __future__ import annotations

import json

from meshlint import __version__
from meshlint.findings import Finding, Report
from meshlint.report.safety import neutralise_json


def finding_dict(f: Finding) -> dict:
    loc = f.location
    out = {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "object": f.object,
        "scope": f.scope,
        "fingerprint": f.fingerprint,
    }
    if f.fix:
        out["fix"] = f.fix
    return out


def render(report: Report, **_) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in report.findings:
        counts[f.severity] += 1
    doc = {
        "version": __version__,
        "findings": [finding_dict(f) for f in report.findings],
        "summary": {"total": len(report.findings), "errors": counts["error"],
                    "warnings": counts["warning"], "info": counts["info"]},
        "files_checked": report.files_checked,
        "scopes": report.scopes,
        "notes": report.notes,
    }
    return neutralise_json(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

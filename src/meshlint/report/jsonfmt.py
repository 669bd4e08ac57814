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


def _with_fixes(out: dict, f: Finding, report: Report) -> dict:
    if f.fingerprint in report.fixes:  # filled only when the run was asked for fixes
        from meshlint.fix.report import json_fix

        out["fixes"] = [json_fix(report.fixes[f.fingerprint], lambda p: f.location.path if p == f.abspath else p)]
    return out


def render(report: Report, **_) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in report.findings:
        counts[f.severity] += 1
    doc = {
        "version": __version__,
        "findings": [_with_fixes(finding_dict(f), f, report) for f in report.findings],
        "summary": {"total": len(report.findings), "errors": counts["error"],
                    "warnings": counts["warning"], "info": counts["info"]},
        "files_checked": report.files_checked,
        "scopes": report.scopes,
        "notes": report.notes,
    }
    return neutralise_json(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

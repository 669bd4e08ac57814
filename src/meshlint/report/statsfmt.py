"""`--statistics`: how many findings each rule has, most first (like `ruff --statistics`)."""

from __future__ import annotations

import json
from collections import Counter

from meshlint.findings import Report, Severity
from meshlint.report.safety import neutralise, neutralise_json
from meshlint.report.style import Palette
from meshlint.report.summary import summary_line


def rows(report: Report) -> list[tuple[int, str, str, str]]:
    """(count, code, name, worst severity) per rule, most findings first, then by code."""
    counts = Counter(f.rule for f in report.findings)
    names = {f.rule: f.name for f in report.findings}
    worst: dict[str, Severity] = {}
    for f in report.findings:
        if f.rule not in worst or f.severity.rank > worst[f.rule].rank:
            worst[f.rule] = f.severity
    return sorted(((n, code, names[code], worst[code].value) for code, n in counts.items()),
                  key=lambda r: (-r[0], r[1]))


def render_text(report: Report, palette: Palette) -> str:
    table = rows(report)
    width = max((len(str(n)) for n, *_ in table), default=1)
    lines = [f"{str(n).rjust(width)}  {palette.severity(code, sev)}  {sev:<7}  {name}".rstrip()
             for n, code, name, sev in table]
    lines.append(summary_line(report))
    return neutralise("\n".join(lines) + "\n")


def render_json(report: Report) -> str:
    doc = [{"code": code, "name": name, "count": n, "severity": sev} for n, code, name, sev in rows(report)]
    return neutralise_json(json.dumps(doc, indent=2) + "\n")

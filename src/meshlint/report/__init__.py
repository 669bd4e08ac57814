"""Reporters: the only place that formats findings for people and machines."""

from __future__ import annotations

from meshlint.findings import Report
from meshlint.report import jsonfmt, textfmt

FORMATS = {"text": textfmt.render, "json": jsonfmt.render}


def render(report: Report, fmt: str, **kwargs) -> str:
    return FORMATS[fmt](report, **kwargs)

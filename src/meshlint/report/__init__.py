"""Reporters: the only place that formats findings for people and machines."""

from __future__ import annotations

import os

from meshlint.findings import Report
from meshlint.report import githubfmt, jsonfmt, junitfmt, sarif, textfmt

FORMATS = {"text": textfmt.render, "json": jsonfmt.render, "sarif": sarif.render,
           "github": githubfmt.render, "junit": junitfmt.render}


def resolve_format(fmt: str) -> str:
    """`auto`: GitHub annotations inside GitHub Actions, text elsewhere."""
    if fmt == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return fmt


def render(report: Report, fmt: str, **kwargs) -> str:
    return FORMATS[resolve_format(fmt)](report, **kwargs)

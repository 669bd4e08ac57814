"""Reporters: the only place that formats findings for people and machines."""

from __future__ import annotations

import importlib
import os

from meshlint.findings import Report

# format -> the module that renders it, imported when a run asks for it (start-up time)
FORMATS = {"text": "textfmt", "json": "jsonfmt", "sarif": "sarif", "github": "githubfmt", "junit": "junitfmt"}


def resolve_format(fmt: str) -> str:
    """`auto`: GitHub annotations inside GitHub Actions, text elsewhere."""
    if fmt == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return fmt


def render(report: Report, fmt: str, **kwargs) -> str:
    module = importlib.import_module(f"meshlint.report.{FORMATS[resolve_format(fmt)]}")
    return module.render(report, **kwargs)

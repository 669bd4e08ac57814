"""Checks: one module per rule family; each rule is a small function model -> findings.

A check never opens a file, never parses and never calls the network: it reads the model.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from meshlint import knowledge
from meshlint.findings import Finding, Severity, new_finding
from meshlint.model import Model
from meshlint.values import Location


@dataclass
class CheckContext:
    """What a check may know besides the model: the run's date and options."""

    as_of: _dt.date = field(default_factory=_dt.date.today)
    online: bool = False


CheckFn = Callable[[Model, CheckContext], Iterable[Finding]]
REGISTRY: dict[str, CheckFn] = {}


def rule(code: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise RuntimeError(f"rule {code} registered twice")
        REGISTRY[code] = fn
        return fn
    return register


def finding(code: str, message: str, location: Location, *, object: str, scope: str,
            detail: str = "", fix: str | None = None, severity: str | None = None) -> Finding:
    doc = knowledge.catalog()[code]
    return new_finding(code, doc.name, Severity(severity) if severity else doc.severity, message, location, object=object,
                       scope=scope, detail=detail, fix=fix)


def load_all() -> dict[str, CheckFn]:
    """Import every family module so its rules register."""
    from meshlint.checks import arch, cost, gateways, injection, online, versions  # noqa: F401

    return REGISTRY

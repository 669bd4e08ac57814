"""Checks: one module per rule family; each rule is a small function model -> findings.

A check never opens a file, never parses and never calls the network: it reads the model.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from meshlint import knowledge
from meshlint.findings import Finding, Location
from meshlint.model import Model


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


MAX_TOKEN = 160  # longest run of non-blank characters a message may echo from a file
MAX_MESSAGE = 2000
_LONG_TOKEN = re.compile(r"\S{%d,}" % (MAX_TOKEN + 1))


def excerpt(text: str) -> str:
    """Messages quote names, hosts and images from the checked files: never more than a
    short excerpt of any of them (a hostile change must not get file content printed into
    CI logs or annotations), and never more than MAX_MESSAGE characters in all."""
    text = _LONG_TOKEN.sub(lambda m: m.group()[:MAX_TOKEN] + "…", text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def finding(code: str, message: str, location: Location, *, object: str, scope: str,
            detail: str = "", fix: str | None = None, severity: str | None = None) -> Finding:
    doc = knowledge.catalog()[code]
    return Finding(code, severity or doc.severity, excerpt(message), location, object=excerpt(object),
                   scope=scope, detail=detail, fix=excerpt(fix) if fix else fix, name=doc.name)


def load_all() -> dict[str, CheckFn]:
    """Import every family module so its rules register."""
    from meshlint.checks import arch, cost, gateways, injection, online, versions  # noqa: F401

    return REGISTRY

"""Checks: one module per rule family; each rule is a small function model -> findings,
made by a Reporter bound to the rule's catalog entry.

A check never opens a file, never parses and never calls the network: it reads the model.
"""

from __future__ import annotations

from meshlint.checks import (  # noqa: F401 (importing a family registers its rules)
    arch,
    compat,
    cost,
    gateways,
    injection,
    lifecycle,
    online,
    versions,
)
from meshlint.checks.base import REGISTRY, CheckContext, CheckFn, Reporter, rule

__all__ = ["REGISTRY", "CheckContext", "CheckFn", "Reporter", "rule", "load_all"]


def load_all() -> dict[str, CheckFn]:
    """Every registered rule: code -> check (the family modules register on import)."""
    return REGISTRY

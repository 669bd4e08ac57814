"""Locations and findings: the one currency every layer after parsing trades in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a checked file. Lines and columns are 1-based, end is inclusive-ish
    (the end column points just past the last character, as editors expect)."""

    path: str  # path as discovered (relative to the current directory when possible)
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
        if self.end_line == self.line and self.end_column < self.column:
            object.__setattr__(self, "end_column", self.column)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(slots=True)
class Finding:
    """One problem found by a rule, at one place, about one named object."""

    rule: str  # e.g. MESH401
    severity: str
    message: str
    location: Location
    object: str = ""  # e.g. Namespace/orders, module.vpc
    scope: str = ""
    detail: str = ""  # what makes this finding unique besides rule/scope/object
    fix: str | None = None
    name: str = ""  # rule name, filled from the catalog
    relpath: str = ""  # the file relative to the checked root (stable across checkouts)
    abspath: str = ""  # the file's absolute path (for repository-relative URIs)

    @property
    def fingerprint(self) -> str:
        """Stable across line moves and checkouts: rule, file (relative to the checked
        root), object and detail; never the line."""
        key = "\x1f".join((self.rule, self.relpath or self.location.path, self.object, self.detail))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.message)


@dataclass(slots=True)
class Report:
    """Everything a reporter needs: the surviving findings and the run's counts."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    scopes: list[str] = field(default_factory=list)
    suppressed: int = 0
    baseline_matched: int = 0  # findings hidden because the baseline has them
    baseline_fixed: int = 0  # baseline entries no longer found
    notes: list[str] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)

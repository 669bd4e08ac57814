"""Locations and findings: the one currency every layer after parsing trades in."""

from __future__ import annotations

import hashlib
import re

from msgspec import Struct, field

from meshlint.severity import FAIL_ON, SEVERITIES, FailOn, Severity
from meshlint.values import Location

__all__ = ["FAIL_ON", "SEVERITIES", "FailOn", "Finding", "Report", "Severity",
           "excerpt", "finding_from_record", "finding_record", "new_finding"]


class Finding(Struct):
    """One problem found by a rule, at one place, about one named object."""

    rule: str  # e.g. MESH401
    severity: Severity
    message: str
    location: Location
    object: str = ""  # e.g. Namespace/orders, module.vpc
    scope: str = ""
    detail: str = ""  # what makes this finding unique besides rule/scope/object
    fix: str | None = None
    name: str = ""  # rule name, filled from the catalog
    relpath: str = ""  # the file relative to the checked root (stable across checkouts)
    abspath: str = ""  # the file's absolute path (for repository-relative URIs)

    def __post_init__(self) -> None:
        # callers that still pass the plain text ("error") get the enum member
        self.severity = Severity(self.severity)

    @property
    def fingerprint(self) -> str:
        """Stable across line moves and checkouts: rule, file (relative to the checked
        root), object and detail; never the line."""
        key = "\x1f".join((self.rule, self.relpath or self.location.path, self.object, self.detail))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.message)


class Report(Struct):
    """Everything a reporter needs: the surviving findings and the run's counts."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    scopes: list[str] = field(default_factory=list)
    suppressed: int = 0
    baseline_matched: int = 0  # findings hidden because the baseline has them
    baseline_fixed: int = 0  # baseline entries no longer found
    notes: list[str] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    narrowed_to: list[str] = field(default_factory=list)  # paths the findings are limited to (absolute)
    fixes: dict[str, dict] = field(default_factory=dict)  # fingerprint -> fix.report.fix_record


MAX_TOKEN = 160  # longest run of non-blank characters a message may echo from a file
MAX_MESSAGE = 2000
_LONG_TOKEN = re.compile(r"\S{%d,}" % (MAX_TOKEN + 1))


def excerpt(text: str) -> str:
    """Messages quote names, hosts and images from the checked files: never more than a
    short excerpt of any of them (a hostile change must not get file content printed into
    CI logs or annotations), and never more than MAX_MESSAGE characters in all."""
    text = _LONG_TOKEN.sub(lambda m: m.group()[:MAX_TOKEN] + "…", text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def new_finding(rule: str, name: str, severity: Severity, message: str, location: Location, *,
                object: str, scope: str, detail: str = "", fix: str | None = None) -> Finding:
    """The one way findings are made: whatever a message, object or fix quotes from the
    checked files is cut to a short excerpt."""
    return Finding(rule, Severity(severity), excerpt(message), location, object=excerpt(object), scope=scope,
                   detail=detail, fix=excerpt(fix) if fix else fix, name=name)


def finding_record(f: Finding) -> dict:
    """A finding as plain data (the run cache's JSON, a forked worker's answer); what
    msgspec.to_builtins gives, without its generic walk (a tenth of a big run's bookkeeping)."""
    loc = f.location
    return {"rule": f.rule, "severity": f.severity.value, "message": f.message,
            "location": {"path": loc.path, "line": loc.line, "column": loc.column,
                         "end_line": loc.end_line, "end_column": loc.end_column},
            "object": f.object, "scope": f.scope, "detail": f.detail, "fix": f.fix, "name": f.name,
            "relpath": f.relpath, "abspath": f.abspath}


def finding_from_record(record: dict) -> Finding:
    """The finding `finding_record` wrote (KeyError or TypeError when it is not one)."""
    fields = dict(record)
    return Finding(location=Location(**fields.pop("location")), **fields)

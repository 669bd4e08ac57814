"""How bad a finding is, and how bad one must be to fail a run: the severity levels every
layer and the command line share. A leaf (it imports nothing of meshlint, nor any record
library), so the command line can build its options without loading the findings' records."""

from __future__ import annotations

import enum


class Severity(enum.StrEnum):
    """How bad a finding is. A str, so reports and comparisons see "info", "warning", "error"."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class FailOn(enum.StrEnum):
    """The least severity that makes a run exit 1 (`--fail-on`, `fail-on:`); never: always 0."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"

    @property
    def threshold(self) -> Severity | None:
        return None if self is FailOn.NEVER else Severity(self.value)


SEVERITIES: tuple[Severity, ...] = tuple(Severity)
FAIL_ON: tuple[FailOn, ...] = tuple(FailOn)

"""What every data table shares: how sure a row is, and the table's date and sources."""

from __future__ import annotations

import datetime as _dt
import enum

from msgspec import Struct, field

from meshlint.knowledge.schema import Provenance


class Confidence(enum.StrEnum):
    """How sure a row is: high (primary source read), medium, low (secondary sources)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    def caveat(self, what: str = "this fact") -> str:
        """Words for a message that relies on the row: empty when the row is sure."""
        if self is Confidence.HIGH:
            return ""
        return f"{what} is {self.value}-confidence data"


class Table(Struct, frozen=True):
    """What every table carries: the day its facts were checked, and where they come from."""

    as_of: Provenance[_dt.date]
    sources: Provenance[tuple[str, ...]]

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError("a data table needs sources")

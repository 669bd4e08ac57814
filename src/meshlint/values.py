"""Values every layer trades in: what a file says (YAML nodes with positions), where it
says it (`Location`), and what cannot be known before apply (`Unknown`).

This module is a leaf: it imports nothing of meshlint, so parsers, the evaluator, the model,
the checks and the reporters can all share it without importing each other.
"""

from __future__ import annotations

from msgspec import Struct
from msgspec.structs import force_setattr


class Location(Struct, frozen=True):
    """A place in a checked file. Lines and columns are 1-based, end is inclusive-ish
    (the end column points just past the last character, as editors expect)."""

    path: str  # path as discovered (relative to the current directory when possible)
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            force_setattr(self, "end_line", self.line)
        if self.end_line == self.line and self.end_column < self.column:
            force_setattr(self, "end_column", self.column)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Unknown:
    """A value meshlint cannot know before apply (or chose not to evaluate)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str = ""):
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})" if self.reason else "Unknown"

    def __bool__(self) -> bool:  # guard against accidental truthiness tests
        raise TypeError("Unknown has no truth value; test with is_unknown()")


UNKNOWN = Unknown()


def is_unknown(value) -> bool:
    return isinstance(value, Unknown)


def contains_unknown(value, _depth: int = 0) -> bool:
    if isinstance(value, Unknown):
        return True
    if _depth > 50:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v, _depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v, _depth + 1) for v in value)
    return False


class YMap(dict):
    """A YAML mapping: a dict plus where it and each key stand (1-based line, column)."""

    __slots__ = ("line", "col", "end_line", "keypos", "path")
    line: int
    col: int
    end_line: int
    keypos: dict[str, tuple[int, int]]
    path: str

    def key_line(self, key: str) -> int:
        pos = self.keypos.get(key)
        return pos[0] if pos else self.line

    def key_col(self, key: str) -> int:
        pos = self.keypos.get(key)
        return pos[1] if pos else self.col

    def __reduce__(self):  # fast pickling (parallel parsing, the parse cache)
        return (_make_map, (dict(self), self.line, self.col, self.end_line, self.keypos, self.path))


class YSeq(list):
    """A YAML sequence: a list plus where it and each item stand."""

    __slots__ = ("line", "col", "end_line", "itempos", "path")
    line: int
    col: int
    end_line: int
    itempos: list[tuple[int, int]]
    path: str

    def item_line(self, index: int) -> int:
        return self.itempos[index][0] if index < len(self.itempos) else self.line

    def __reduce__(self):
        return (_make_seq, (list(self), self.line, self.col, self.end_line, self.itempos, self.path))


def _make_map(items, line, col, end_line, keypos, path) -> YMap:
    m = YMap(items)
    m.line, m.col, m.end_line, m.keypos, m.path = line, col, end_line, keypos, path
    return m


def _make_seq(items, line, col, end_line, itempos, path) -> YSeq:
    s = YSeq(items)
    s.line, s.col, s.end_line, s.itempos, s.path = line, col, end_line, itempos, path
    return s


class RawFloat(float):
    """A float that remembers how it was written (`1.10`), for versions."""

    raw: str

    def __new__(cls, raw: str):
        obj = super().__new__(cls, float(raw.replace("_", "")))
        obj.raw = raw
        return obj

    def __str__(self) -> str:
        return self.raw

    def __reduce__(self):
        return (RawFloat, (self.raw,))


def text(value) -> str | None:
    """The text of a scalar as written: versions, labels and names are read this way."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (YMap, YSeq, dict, list)):
        return None
    return str(value)


def get_path(value, *keys):
    """Follow keys/indices through nested YMap/YSeq; None when any step is missing."""
    for k in keys:
        if isinstance(value, dict):
            value = value.get(k)
        elif isinstance(value, list) and isinstance(k, int) and -len(value) <= k < len(value):
            value = value[k]
        else:
            return None
    return value

"""Text edits: a replacement of a span of one file, checked against the text it expects
to replace, so a fix computed from a stale model can never corrupt a file."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable

from msgspec import Struct


class Safety(enum.StrEnum):
    """safe: what gets deployed stays the same (or becomes what the author meant);
    unsafe: the fix changes what gets deployed (applied only with --unsafe-fixes)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class TextEdit(Struct, frozen=True):
    """Replace `old` at (line, column) (1-based, columns in characters) with `new`;
    an insertion has `old == ""`."""

    path: str  # absolute path of the file
    line: int
    column: int
    old: str
    new: str

    @property
    def end(self) -> tuple[int, int]:
        """The (line, column) just past the replaced text."""
        parts = self.old.split("\n")
        if len(parts) == 1:
            return self.line, self.column + len(self.old)
        return self.line + len(parts) - 1, len(parts[-1]) + 1


class Fix(Struct, frozen=True):
    """One finding's automatic fix."""

    rule: str
    title: str  # what the fix does, one line
    safety: Safety
    edits: tuple[TextEdit, ...]


class NoFix(Struct, frozen=True):
    """Why a finding whose rule has a fixer gets no automatic fix."""

    rule: str
    reason: str


class EditConflict(ValueError):
    """Edits that overlap, or a file that no longer says what an edit expects."""


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based (line, column) in `text`."""
    if line < 1:
        raise EditConflict(f"line {line} out of range")
    pos = 0
    for _ in range(line - 1):
        nl = text.find("\n", pos)
        if nl < 0:
            raise EditConflict(f"line {line} out of range")
        pos = nl + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    if column - 1 > end - pos:
        raise EditConflict(f"column {column} out of range on line {line}")
    return pos + column - 1


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """The text with every edit applied; EditConflict when two overlap or one does not
    find the text it expects."""
    spans = []
    for e in edits:
        start = offset_of(text, e.line, e.column)
        if text[start:start + len(e.old)] != e.old:
            raise EditConflict(f"{e.path}:{e.line}:{e.column} no longer reads {e.old!r}")
        spans.append((start, start + len(e.old), e.new))
    spans = sorted(set(spans))
    for (s1, e1, n1), (s2, _e2, n2) in zip(spans, spans[1:]):
        if s2 < e1 or (s2 == e1 == s1 and n1 != n2):
            raise EditConflict("overlapping edits")
    out = text
    for start, stop, new in reversed(spans):
        out = out[:start] + new + out[stop:]
    return out


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))

"""What a fixer may read: the scope's model, the run's date, and the text of the files the
model's locations name (the editor's unsaved buffers first, then the disk)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping

from msgspec import Struct, field

from meshlint.model import Model
from meshlint.parse.hclfront import HclBlock, HclFile, parse_hcl_bytes
from meshlint.values import Location


class FixContext(Struct):
    model: Model
    as_of: _dt.date
    abspath_of: Mapping[str, str]  # display path (as in Location.path) -> absolute path
    read: Callable[[str], str | None]  # absolute path -> text, None when unreadable
    _hcl: dict[str, HclFile | None] = field(default_factory=dict)
    _text: dict[str, str | None] = field(default_factory=dict)  # read once per planning

    def abspath(self, loc: Location) -> str | None:
        return self.abspath_of.get(loc.path)

    def text(self, loc: Location) -> str | None:
        path = self.abspath(loc)
        return None if path is None else self.file_text(path)

    def file_text(self, path: str) -> str | None:
        """A file's text by absolute path, read once (fixers ask for the same file often)."""
        if path not in self._text:
            self._text[path] = self.read(path)
        return self._text[path]

    def line(self, loc: Location, line: int | None = None) -> str | None:
        """One line of the file `loc` is in (its own line by default), without the newline."""
        text = self.text(loc)
        lines = None if text is None else text.split("\n")
        n = loc.line if line is None else line
        return lines[n - 1] if lines is not None and 0 < n <= len(lines) else None

    def span(self, loc: Location) -> str | None:
        """The text a single-line location covers."""
        line = self.line(loc)
        if line is None or loc.end_line != loc.line:
            return None
        return line[loc.column - 1:loc.end_column - 1]

    def hcl(self, loc: Location) -> HclFile | None:
        """The HCL syntax of the file `loc` is in, parsed from its current text."""
        path = self.abspath(loc)
        if path is None:
            return None
        if path not in self._hcl:
            text = self.file_text(path)
            parsed = None if text is None else parse_hcl_bytes(text.encode("utf-8"), loc.path)
            self._hcl[path] = None if parsed is None or parsed.error else parsed
        return self._hcl[path]

    def hcl_block_at(self, loc: Location) -> HclBlock | None:
        """The innermost block that starts on `loc`'s line or encloses it."""
        f = self.hcl(loc)
        if f is None:
            return None
        best = None
        blocks = list(f.body.blocks)
        while blocks:
            b = blocks.pop()
            if b.line <= loc.line <= b.end_line:
                if best is None or b.line >= best.line:
                    best = b
                blocks.extend(b.body.blocks)
        return best

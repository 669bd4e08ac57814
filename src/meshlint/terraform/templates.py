"""Strings: quoted templates (`"a-${x}"`), heredocs and their escapes.

Templates are read from the raw source bytes between their delimiters, because the grammar
leaves whitespace at the edges of literal chunks out of its nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from meshlint.parse.hclcap import MAX_LITERAL_BYTES
from meshlint.values import Unknown

from .budget import MAX_STRING, OverLimit, check_string_length
from .convert import Value, to_string

if TYPE_CHECKING:  # type-only: handlers receive the evaluator that dispatched them
    from .evaluate import Evaluator

_TEMPLATE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def quoted_template(ev: Evaluator, node: Node, depth: int) -> Value:
    return template_parts(ev, node, depth)


def template_parts(ev: Evaluator, node: Node, depth: int) -> Value:
    """A quoted template, read from the raw bytes between its quotes."""
    children = node.children
    start = next((c.end_byte for c in children if c.type == "quoted_template_start"), node.start_byte)
    end = next((c.start_byte for c in children if c.type == "quoted_template_end"), node.end_byte)
    _check_literal_span(start, end)
    _check_capped(ev, start, end)
    pieces = _interpolated(ev, children, start, end, depth, unescape)
    if pieces is None:
        return Unknown("template with unknown parts")
    return "".join(pieces)


def heredoc_template(ev: Evaluator, node: Node, depth: int) -> Value:
    children = node.children
    ids = [c for c in children if c.type == "heredoc_identifier"]
    strip = any(c.type == "heredoc_start" and ev.text(c).startswith("<<-") for c in children)
    if not ids:
        return Unknown("heredoc")
    src = ev.f.src
    newline = src.find(b"\n", ids[0].end_byte)  # (no slice: src may be megabytes)
    start = newline + 1 if newline >= 0 else ids[0].end_byte
    end = ids[-1].start_byte if len(ids) > 1 else node.end_byte
    _check_literal_span(start, end)
    _check_capped(ev, start, end)
    # each value between \x00 and \x01 while the indentation is worked out (removed below)
    pieces = _interpolated(ev, children, start, end, depth, lambda text: text, ("\x00", "\x01"))
    if pieces is None:
        return Unknown("heredoc with unknown parts")
    body = "".join(pieces)
    # the closing marker's own indentation is not content
    lines = body.split("\n")
    if lines and lines[-1].strip() == "":
        lines = lines[:-1]
    if strip:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        lines = [ln[cut:] for ln in lines]
    out = "\n".join(lines) + "\n"
    return out.replace("\x00", "").replace("\x01", "")


def _interpolated(ev: Evaluator, children: list[Node], start: int, end: int, depth: int,
                  literal: Callable[[str], str], marks: tuple[str, str] = ("", "")) -> list[str] | None:
    """The pieces of a template's text between `start` and `end` of the source: its written
    chunks through `literal`, each interpolation's value (between `marks`); None when a value is
    unknown or a directive (`%{ if }`) decides the text. Every part is evaluated either way
    (budget and notes as written), and the text is capped as it grows."""
    src = ev.f.src
    pieces: list[str] = []
    total = 0
    pos = start
    unknown = False
    for child in children:
        if child.type not in ("template_interpolation", "template_directive") or child.start_byte < start:
            continue
        pieces.append(literal(src[pos:child.start_byte].decode("utf-8", "replace")))
        pos = child.end_byte
        if child.type == "template_directive":
            unknown = True
            continue
        inner = [c for c in child.children if c.type == "expression"]
        value = ev.expr(inner[0], depth) if inner else None
        if isinstance(value, Unknown):
            unknown = True
        else:
            pieces.append(marks[0] + to_string(value) + marks[1])
            total += len(pieces[-1]) + len(pieces[-2])
            check_string_length(total)
    pieces.append(literal(src[pos:end].decode("utf-8", "replace")))
    return None if unknown else pieces


def _check_literal_span(start: int, end: int) -> None:
    """A literal over the cap is not decoded at all (a 4 MB heredoc is not read as text)."""
    if end - start > MAX_STRING:
        raise OverLimit(f"a string literal of more than {MAX_STRING // (1024 * 1024)} MB")


def _check_capped(ev: Evaluator, start: int, end: int) -> None:
    """A literal whose text the front-end did not keep (meshlint.parse.hclcap) is over a cap:
    the evaluator's own when it is that long, else the front-end's."""
    written = ev.f.capped_within(start, end)
    if written is not None:
        _check_literal_span(0, written)
        raise OverLimit(f"a string literal of more than {MAX_LITERAL_BYTES // 1024} KB")


def unescape(s: str) -> str:
    if "\\" not in s and "$${" not in s and "%%{" not in s:
        return s
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt in _TEMPLATE_ESCAPES:
                out.append(_TEMPLATE_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "u" and i + 5 < len(s) + 1:
                try:
                    code = int(s[i + 2:i + 6], 16)
                except ValueError:
                    pass
                else:
                    # a lone surrogate is not text (it cannot be encoded): the replacement
                    # character, as Go's strconv gives Terraform
                    out.append("\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code))
                    i += 6
                    continue
        if s.startswith("$${", i) or s.startswith("%%{", i):
            out.append(s[i + 1:i + 3])
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)

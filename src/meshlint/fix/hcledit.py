"""Edits of HCL text: what a literal attribute says, and where a new attribute goes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from tree_sitter import Node

from meshlint.fix.edits import TextEdit
from meshlint.parse.hclfront import HclAttr, HclBlock, HclFile


def literal_kind(attr: HclAttr) -> str | None:
    """`string_lit`, `bool_lit`, `numeric_lit`, `object`, `tuple` when the attribute's
    value is written as a literal; None for references, calls and templates."""
    node = _expr(attr)
    if node.type == "expression" and node.child_count == 1:
        node = node.children[0]
    if node.type in ("literal_value", "collection_value") and node.child_count == 1:
        return str(node.children[0].type)
    return None


def _expr(attr: HclAttr) -> Node:
    return cast(Node, attr.expr)  # the front-end keeps tree-sitter nodes typed as object


def node_of(attr: HclAttr) -> Node:
    node = _expr(attr)
    while node.child_count == 1 and node.type in ("expression", "literal_value", "collection_value"):
        node = node.children[0]
    return node


def replace_value(f: HclFile, path: str, attr: HclAttr, new: str) -> TextEdit:
    node = _expr(attr)
    old = f.text(node)
    return TextEdit(path, node.start_point[0] + 1, char_col(f, node.start_point), old, new)


def char_col(f: HclFile, point) -> int:
    """A tree-sitter (row, byte column) as a 1-based character column."""
    row, byte_col = point
    line = f.src.split(b"\n")[row]
    return len(line[:byte_col].decode("utf-8", "replace")) + 1


def indent_of(f: HclFile, line: int) -> str:
    text = f.src.split(b"\n")[line - 1].decode("utf-8", "replace")
    return text[:len(text) - len(text.lstrip())]


def insert_attribute(f: HclFile, path: str, block: HclBlock, text: str, after: HclAttr | None = None) -> TextEdit:
    """A new line `text` in `block`: after the attribute `after` (indented like it; else
    after the block's first line, indented like the block's attributes), with the file's
    line ending (a CRLF file stays CRLF, `text`'s own line breaks included)."""
    attrs = sorted(block.body.attrs.values(), key=lambda a: a.line)
    if after is not None:
        indent = indent_of(f, after.line)
    else:
        indent = indent_of(f, attrs[0].line) if attrs else indent_of(f, block.line) + "  "
    anchor = after.end_line if after is not None else block.line
    if block.end_line == block.line:
        raise ValueError("a block written on one line")
    eol = line_end(f, anchor)
    return TextEdit(path, anchor, len(line_text(f, anchor)) + 1, "", eol + indent + text.replace("\n", eol))


def line_end(f: HclFile, line: int) -> str:
    """The line ending of a 1-based line: CRLF or LF."""
    return "\r\n" if f.src.split(b"\n")[line - 1].endswith(b"\r") else "\n"


def line_text(f: HclFile, line: int) -> str:
    """One 1-based line of the file, decoded, without a carriage return."""
    return f.src.split(b"\n")[line - 1].decode("utf-8", "replace").rstrip("\r")


_KEY_EQ = re.compile(r'''^("[^"]*"|[\w-]+)\s*[=:]''')


def aligned(f: HclFile, sibling_line: int, key: str, value: str) -> str:
    """`key = value`, with its `=` in the column of the sibling's on `sibling_line` when the
    sibling's key is padded wide enough for `key` (an aligned block stays aligned)."""
    m = _KEY_EQ.match(line_text(f, sibling_line).lstrip())
    if m is not None and m.end() - 1 > len(key):
        return key.ljust(m.end() - 1) + "= " + value
    return f"{key} = {value}"


def node_on_line(f: HclFile, line: int, match: Callable[[Node], bool]) -> Node | None:
    """The first syntax node that `match` accepts among those spanning the 1-based `line`,
    inside the attribute values of the blocks that span it."""
    row = line - 1

    def walk(node: Node) -> Node | None:
        if node.start_point[0] > row or node.end_point[0] < row:
            return None
        if match(node):
            return node
        for child in node.children:
            found = walk(child)
            if found is not None:
                return found
        return None

    bodies = [f.body]
    while bodies:
        body = bodies.pop()
        for attr in body.attrs.values():
            if attr.line <= line <= attr.end_line:
                found = walk(_expr(attr))
                if found is not None:
                    return found
        bodies.extend(b.body for b in body.blocks if b.line <= line <= b.end_line)
    return None


def object_elem_at(f: HclFile, line: int, column: int) -> Node | None:
    """The object element (`key = value` in an object literal) whose key starts at the
    1-based (line, character column)."""
    return node_on_line(f, line, lambda node: node.type == "object_elem"
                        and node.children[0].start_point[0] == line - 1
                        and char_col(f, node.children[0].start_point) == column)


def elem_key(f: HclFile, elem: Node) -> str:
    """An object element's key as written, without quotes."""
    return f.text(elem.children[0]).strip().strip('"')


def elem_value(elem: Node) -> Node:
    """An object element's value, through the `expression`/`collection_value` wrappers."""
    node = elem.children[-1]
    while node.child_count == 1 and node.type in ("expression", "collection_value", "literal_value"):
        node = node.children[0]
    return node


def object_elems(node: Node) -> list[Node]:
    return [c for c in node.children if c.type == "object_elem"]


def insert_after_elem(f: HclFile, path: str, elem: Node, key: str, value: str) -> TextEdit:
    """A new element `key = value` after `elem` in its object: on a line of its own, indented
    and aligned like `elem`, when nothing but a comma or a comment follows `elem` on its last
    line; else right after it on that line (`{ chart = "x", key = value, ... }`)."""
    end_row, end_byte = elem.end_point
    raw = f.src.split(b"\n")[end_row]
    after = raw[end_byte:].decode("utf-8", "replace").strip().lstrip(",").strip()
    if after and not after.startswith(("#", "//")):
        return TextEdit(path, end_row + 1, char_col(f, elem.end_point), "", f", {key} = {value}")
    start = elem.start_point[0] + 1
    text = line_text(f, end_row + 1)
    return TextEdit(path, end_row + 1, len(text) + 1, "",
                    line_end(f, end_row + 1) + indent_of(f, start) + aligned(f, start, key, value))

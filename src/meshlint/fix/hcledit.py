"""Edits of HCL text: what a literal attribute says, and where a new attribute goes."""

from __future__ import annotations

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
    return TextEdit(path, node.start_point[0] + 1, _col(f, node.start_point), old, new)


def _col(f: HclFile, point) -> int:
    """A tree-sitter (row, byte column) as a 1-based character column."""
    row, byte_col = point
    line = f.src.split(b"\n")[row]
    return len(line[:byte_col].decode("utf-8", "replace")) + 1


def indent_of(f: HclFile, line: int) -> str:
    text = f.src.split(b"\n")[line - 1].decode("utf-8", "replace")
    return text[:len(text) - len(text.lstrip())]


def insert_attribute(f: HclFile, path: str, block: HclBlock, text: str, after: HclAttr | None = None) -> TextEdit:
    """A new line `text` in `block`: after the attribute `after` (else after the block's
    first line), indented like the block's attributes."""
    attrs = sorted(block.body.attrs.values(), key=lambda a: a.line)
    indent = indent_of(f, attrs[0].line) if attrs else indent_of(f, block.line) + "  "
    anchor = after.end_line if after is not None else block.line
    if block.end_line == block.line:
        raise ValueError("a block written on one line")
    line_text = f.src.split(b"\n")[anchor - 1].decode("utf-8", "replace")
    return TextEdit(path, anchor, len(line_text) + 1, "", "\n" + indent + text)

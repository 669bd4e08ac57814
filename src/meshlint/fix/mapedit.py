"""A new key in an existing mapping, written in the mapping's own syntax: a YAML block
mapping (new lines at the indentation of its keys), a YAML flow mapping (before its closing
brace), or an HCL object (`yamlencode({...})`, a `kubernetes_manifest`). Values are plain
data (dicts, lists of dicts, strings, booleans) rendered for that syntax."""

from __future__ import annotations

import json
import re

from msgspec import Struct
from tree_sitter import Node

from meshlint.fix.edits import TextEdit
from meshlint.fix.hcledit import node_on_line
from meshlint.parse.hclfront import HclFile

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}


class Refused(ValueError):
    """The mapping is written in a way this module does not edit (the message says why)."""


class Spot(Struct, frozen=True):
    """Where a mapping is written: `line`/`col` (1-based) are its first key (YAML block
    style) or its opening brace (flow style, HCL)."""

    path: str  # absolute path of the file
    line: int
    col: int
    style: str  # block | flow | hcl


def yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    s = str(value)
    return s if _PLAIN.match(s) and s.lower() not in _YAML_WORDS else json.dumps(s)


def yaml_flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    return yaml_scalar(value)


def yaml_block(key: str, value: object, indent: str) -> list[str]:
    if isinstance(value, dict):
        return [f"{indent}{key}:"] + [ln for k, v in value.items() for ln in yaml_block(k, v, indent + "  ")]
    if isinstance(value, list) and all(isinstance(v, dict) and v for v in value):
        lines = [f"{indent}{key}:"]
        for item in value:
            for i, (k, v) in enumerate(item.items()):
                lines.append(f"{indent}{'  - ' if i == 0 else '    '}{k}: {yaml_flow(v)}")
        return lines
    return [f"{indent}{key}: {yaml_flow(value)}"]


def hcl_inline(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {hcl_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(hcl_inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value))


def hcl_block(key: str, value: object, indent: str) -> list[str]:
    if isinstance(value, dict):
        return [f"{indent}{key} = {{"] + [ln for k, v in value.items() for ln in hcl_block(k, v, indent + "  ")] \
            + [f"{indent}}}"]
    if isinstance(value, list):
        return [f"{indent}{key} = ["] + [f"{indent}  {hcl_inline(v)}," for v in value] + [f"{indent}]"]
    return [f"{indent}{key} = {hcl_inline(value)}"]


def insert_entry(text: str, spot: Spot, key: str, value: object, hcl: HclFile | None = None) -> TextEdit:
    """The edit adding `key: value` to the mapping at `spot` in `text` (the file's text)."""
    if spot.style == "flow":
        return flow_insert(text, spot.path, spot.line, spot.col, f"{key}: {yaml_flow(value)}")
    if spot.style == "hcl":
        if hcl is None:
            raise Refused("the Terraform file does not parse")
        return _hcl_insert(hcl, spot, key, value)
    lines = text.split("\n")
    first = lines[spot.line - 1] if 0 < spot.line <= len(lines) else ""
    if first[:spot.col - 1].strip(" "):  # `- name: x`: the first key shares its line
        raise Refused(f"line {spot.line}: the mapping starts on a shared line")
    new = "\n".join(yaml_block(key, value, " " * (spot.col - 1))) + "\n"
    return TextEdit(spot.path, spot.line, 1, "", new)


def flow_insert(text: str, path: str, line: int, col: int, item: str) -> TextEdit:
    """`item` added before the closing brace of the flow mapping opening at (line, col)."""
    lines = text.split("\n")
    depth, row, col = 0, line - 1, col - 1
    while row < len(lines):
        s = lines[row]
        while col < len(s):
            ch = s[col]
            if ch in "\"'":
                end = s.find(ch, col + 1)
                col = len(s) if end < 0 else end
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    before = s[:col].rstrip()
                    sep = "" if before.endswith("{") else ", "
                    return TextEdit(path, row + 1, len(before) + 1, s[len(before):col],
                                    f"{sep}{item}" + (" " if s[len(before):col] else ""))
            col += 1
        row, col = row + 1, 0
    raise Refused("unbalanced flow mapping")


def _hcl_insert(f: HclFile, spot: Spot, key: str, value: object) -> TextEdit:
    node = object_at(f, spot.line, spot.col)
    if node is None:
        raise Refused(f"line {spot.line}: no HCL object literal there")
    src_lines = f.src.split(b"\n")
    (start_row, _), (end_row, end_byte) = node.start_point, node.end_point
    if start_row == end_row:  # `{ a = 1 }` or `{}`: rewrite the whole object on its line
        inner = f.text(node)[1:-1].strip()
        new = "{ " + (inner.rstrip(",") + ", " if inner else "") + f"{key} = {hcl_inline(value)} }}"
        return TextEdit(spot.path, start_row + 1, spot.col, f.text(node), new)
    close_line = src_lines[end_row].decode("utf-8", "replace")
    close_col = len(src_lines[end_row][:end_byte - 1].decode("utf-8", "replace"))
    if close_line[:close_col].strip():
        raise Refused(f"line {end_row + 1}: the object closes on a line with other content")
    elems = [c for c in node.children if c.type == "object_elem"]
    if elems:
        row_text = src_lines[elems[0].start_point[0]].decode("utf-8", "replace")
        indent = row_text[:len(row_text) - len(row_text.lstrip())]
    else:
        indent = close_line[:close_col] + "  "
    new = "\n".join(hcl_block(key, value, indent)) + "\n"
    return TextEdit(spot.path, end_row + 1, 1, "", new)


def object_at(f: HclFile, line: int, col: int) -> Node | None:
    """The HCL object literal whose `{` is at (line, col) (1-based, characters)."""
    row = line - 1
    src_lines = f.src.split(b"\n")
    if not 0 <= row < len(src_lines):
        return None
    byte_col = len(src_lines[row].decode("utf-8", "replace")[:col - 1].encode("utf-8"))

    return node_on_line(f, line, lambda node: node.type == "object" and tuple(node.start_point) == (row, byte_col))


def heredoc_origin(f: HclFile, node: Node) -> tuple[int, int] | None:
    """For a heredoc value (the node of a `values` element), (line offset, column offset)
    from a position in the YAML it holds to the file; None when it is not a literal heredoc
    (interpolations change the columns)."""
    while node.child_count == 1 and node.type in ("expression", "template_expr"):
        node = node.children[0]
    if node.type != "heredoc_template":
        return None
    if any(c.type in ("template_interpolation", "template_directive") for c in node.children):
        return None
    start = node.children[0]
    closing = node.children[-1]
    content = [ln.decode("utf-8", "replace") for ln in f.src.split(b"\n")[start.start_point[0] + 1:closing.start_point[0]]]
    strip = 0
    if f.text(start) == "<<-":
        widths = [len(ln) - len(ln.lstrip(" \t")) for ln in content if ln.strip()]
        strip = min(widths, default=0)
    return start.start_point[0] + 1, strip

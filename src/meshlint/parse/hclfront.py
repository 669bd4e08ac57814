"""HCL front-end: Terraform files -> blocks and attributes with exact positions.

tree-sitter-hcl parses ~25x faster than python-hcl2 and gives every node its line and
column, and it is error-tolerant (broken input yields ERROR/MISSING nodes at exact
positions instead of an exception). Expressions are kept as syntax nodes: the Terraform
evaluator (`meshlint.terraform`) gives them values, so this layer knows nothing of meaning.
python-hcl2 remains the oracle in the differential test (tests/test_hcl_oracle.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

from msgspec import Struct, field

from meshlint.parse.hclcap import cap_literals

# A number with an exponent but no fraction (`1e3`, `2E+5`): tree-sitter-hcl reads only its
# digits and fails on the rest, where Terraform reads 1000. The parser is handed a copy with
# such numbers masked as digits of the same length (`111`), so every offset stays right, and
# `src` keeps the text as written: the evaluator reads the number from there.
_EXPONENT_NUMBER = re.compile(rb"(?<![\w.])\d+[eE][+-]?\d+(?![\w.])")

# tree-sitter-hcl keeps ~75 bytes of tree per byte of real Terraform and up to ~310 per byte of
# dense syntax (`b {}` lines, `[1,1,…]`), for as long as the run holds the file. The largest .tf
# in ../shared/corpus (real repositories included) is 36,703 bytes: a file of more syntax than
# this (long strings and heredocs count only their newlines, see hclcap) is not parsed.
MAX_HCL_BYTES = 256 * 1024
# the most tree nodes tree-sitter-hcl makes per byte of source (measured 2.67, `[[],[],…]`)
MAX_NODES_PER_BYTE = 3


class HclRoomSpent(Exception):
    """The file might not fit in the tree nodes its caller has room for (see parse.hclbudget)."""


class HclAttr(Struct):
    name: str
    expr: object  # tree_sitter.Node of the expression
    file: "HclFile"
    line: int
    col: int
    end_line: int
    end_col: int


class HclBlock(Struct):
    type: str
    labels: list[str]
    body: "HclBody"
    file: "HclFile"
    line: int
    col: int
    end_line: int
    end_col: int


class HclBody(Struct):
    attrs: dict[str, HclAttr] = field(default_factory=dict)
    blocks: list[HclBlock] = field(default_factory=list)

    def blocks_of(self, block_type: str) -> list[HclBlock]:
        return [b for b in self.blocks if b.type == block_type]


class HclFile(Struct):
    path: str
    src: bytes
    body: HclBody = field(default_factory=HclBody)
    error: tuple[int, int, str] | None = None
    # string and heredoc bodies over MAX_LITERAL_BYTES: (start, end) in `src` (where only
    # their newlines remain) and the body's length as written
    capped: tuple[tuple[int, int, int], ...] = ()
    # the syntax tree's root node (None when the file did not parse): suppression comments are
    # told from look-alikes in strings and block labels by the tree's comment nodes
    root: object = None

    def capped_within(self, start: int, end: int) -> int | None:
        """The written length of a capped heredoc body inside [start, end), if any."""
        for c_start, c_end, length in self.capped:
            if start <= c_start and c_end <= end:
                return length
        return None

    def tree_nodes(self) -> int:
        """The nodes of the syntax tree this file keeps alive (its memory, see MAX_HCL_BYTES)."""
        return self.root.descendant_count if self.root is not None else 0  # type: ignore[attr-defined]

    def text(self, node) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "replace")


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter_hcl
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_hcl.language()))


def parse_hcl_bytes(data: bytes, path: str, room: int | None = None) -> HclFile:
    """Parse one .tf/.tfvars file. Syntax errors become `HclFile.error` (line, col, msg).
    `room`: the tree nodes the caller can still keep; HclRoomSpent when the file might make
    more (checked before parsing, from its size)."""
    result = HclFile(path=path, src=data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        result.error = (line, col, f"not valid UTF-8 (byte {exc.start})")
        return result
    data, result.capped = cap_literals(data)  # long strings and heredocs (meshlint.parse.hclcap)
    result.src = data
    if len(data) > MAX_HCL_BYTES:
        result.error = (1, 1, f"file too large for HCL parsing ({len(data):,} bytes; limit {MAX_HCL_BYTES:,})")
        return result
    if room is not None and len(data) * MAX_NODES_PER_BYTE > room:
        raise HclRoomSpent(path)
    tree = _parser().parse(_mask_exponents(data))
    root = tree.root_node
    if root.has_error:
        result.error = _first_error(root, result)
        return result
    result.root = root
    body = next((c for c in root.children if c.type == "body"), None)
    if body is not None:
        result.body = _body(body, result)
    return result


def _mask_exponents(data: bytes) -> bytes:
    """`data` with each fraction-less exponent number replaced by as many `1`s (see
    `_EXPONENT_NUMBER`)."""
    if b"e" not in data and b"E" not in data:
        return data
    return _EXPONENT_NUMBER.sub(lambda m: b"1" * len(m.group()), data)


def _first_error(root, f: HclFile) -> tuple[int, int, str]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            row, col = node.start_point
            return (row + 1, col + 1, f"syntax error: missing {node.type!r}")
        if node.is_error:
            row, col = node.start_point
            snippet = f.text(node).strip().splitlines()[0][:40] if f.text(node).strip() else ""
            return (row + 1, col + 1, "syntax error" + (f" near {snippet!r}" if snippet else ""))
        if node.has_error:
            stack.extend(reversed(node.children))
    row, col = root.start_point
    return (row + 1, col + 1, "syntax error")


def _body(node, f: HclFile) -> HclBody:
    body = HclBody()
    # iterative over nested bodies: (ts body node, HclBody to fill)
    work = [(node, body)]
    while work:
        ts_body, out = work.pop()
        for child in ts_body.children:
            if child.type == "attribute":
                name_node = child.children[0]
                expr = child.child_by_field_name("val") or child.children[-1]
                name = f.text(name_node)
                (sl, sc), (el, ec) = child.start_point, child.end_point
                out.attrs[name] = HclAttr(name, expr, f, sl + 1, sc + 1, el + 1, ec + 1)
            elif child.type == "block":
                labels: list[str] = []
                btype = ""
                inner = None
                for part in child.children:
                    if part.type == "identifier":
                        if not btype:
                            btype = f.text(part)
                        else:
                            labels.append(f.text(part))
                    elif part.type == "string_lit":
                        labels.append(_string_lit_text(part, f))
                    elif part.type == "body":
                        inner = part
                (sl, sc), (el, ec) = child.start_point, child.end_point
                blk = HclBlock(btype, labels, HclBody(), f, sl + 1, sc + 1, el + 1, ec + 1)
                out.blocks.append(blk)
                if inner is not None:
                    work.append((inner, blk.body))
    return body


def _string_lit_text(node, f: HclFile) -> str:
    """A block label's text: the raw bytes between its quotes."""
    kids = node.children
    start = next((c.end_byte for c in kids if c.type == "quoted_template_start"), node.start_byte)
    end = next((c.start_byte for c in kids if c.type == "quoted_template_end"), node.end_byte)
    return f.src[start:end].decode("utf-8", "replace")

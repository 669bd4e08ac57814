"""Where a value is written as a literal: the text after `key =` / `key:` at a model
location, followed through `local.NAME` and `var.NAME` (locals block, tfvars, variable
default) to the one place a fix must edit."""

from __future__ import annotations

import os
import re

from meshlint.fix.context import FixContext
from meshlint.fix.edits import TextEdit
from meshlint.values import Location

_KEY_VALUE = re.compile(r'''^(?P<key>"[^"]*"|'[^']*'|[\w./-]+)\s*[:=]\s*''')
_QUOTED = re.compile(r'''^(?P<q>["'])(?P<v>[^"'\\]*)(?P=q)''')
_BARE = re.compile(r'''^(?P<v>[^\s,}\]#"']+)''')
_REF = re.compile(r"^(local|var)\.([A-Za-z_][\w-]*)\b")
# a version a fix may write: exact, major.minor.patch
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+$")
_TEMPLATE = re.compile(r"\$\{|%\{|\{\{")


class NotLiteral(Exception):
    """The value is not written as one literal (the message says why)."""


def value_edit(ctx: FixContext, loc: Location, expected: str | None, new: str, depth: int = 0) -> TextEdit:
    """The edit writing `new` in place of the literal value of the key at `loc`."""
    path = ctx.abspath(loc)
    line = ctx.line(loc)
    if path is None or line is None:
        raise NotLiteral(f"{loc.path} cannot be read")
    rest = line[loc.column - 1:]
    m = _KEY_VALUE.match(rest)
    if m is None:
        raise NotLiteral(f"no `key = value` at {loc}")
    start = loc.column - 1 + m.end()
    value = line[start:]
    q = _QUOTED.match(value)
    if q is not None:
        literal, offset = q.group("v"), 1
    elif (ref := _REF.match(value)) is not None and _ends_expression(value, ref.end()):
        return _follow(ctx, loc, ref.group(1), ref.group(2), expected, new, depth)
    elif (b := _BARE.match(value)) is not None and _ends_expression(value, b.end()) and \
            not value.startswith(("local.", "var.", "module.", "data.")):
        literal, offset = b.group("v"), 0
    else:
        raise NotLiteral(f"the value at {loc} is computed ({value.strip()[:40]}), not a literal")
    if _TEMPLATE.search(literal):
        raise NotLiteral(f"the value at {loc} is a template, not a literal")
    if expected is not None and literal != expected:
        raise NotLiteral(f"{loc} reads {literal!r}, not {expected!r}")
    return TextEdit(path, loc.line, start + offset + 1, literal, new)


def _ends_expression(value: str, end: int) -> bool:
    tail = value[end:].strip()
    return tail == "" or tail.startswith(("#", "//", ",", "}"))


def _follow(ctx: FixContext, loc: Location, kind: str, name: str, expected: str | None, new: str,
            depth: int) -> TextEdit:
    if depth > 5:
        raise NotLiteral(f"{kind}.{name}: references nest too deep")
    directory = os.path.dirname(ctx.abspath(loc) or "")
    files = sorted((d, a) for d, a in ctx.abspath_of.items() if os.path.dirname(a) == directory)
    if kind == "local":
        for display, _abs in files:
            if not display.endswith(".tf"):
                continue
            at = _block_attr(ctx, Location(display, 1), "locals", None, name)
            if at is not None:
                return value_edit(ctx, at, expected, new, depth + 1)
        raise NotLiteral(f"local.{name} is not defined in {directory}")
    for display, _abs in files:  # tfvars win over the variable's default
        if display.endswith((".tfvars",)) and (display.endswith("terraform.tfvars") or ".auto." in display):
            f = ctx.hcl(Location(display, 1))
            if f is not None and name in f.body.attrs:
                a = f.body.attrs[name]
                return value_edit(ctx, Location(display, a.line, a.col), expected, new, depth + 1)
    for display, _abs in files:
        if display.endswith(".tf"):
            at = _block_attr(ctx, Location(display, 1), "variable", name, "default")
            if at is not None:
                return value_edit(ctx, at, expected, new, depth + 1)
    raise NotLiteral(f"var.{name} has no default and no value in terraform.tfvars: set where it is passed")


def _block_attr(ctx: FixContext, file_loc: Location, block_type: str, label: str | None,
                attr: str) -> Location | None:
    f = ctx.hcl(file_loc)
    if f is None:
        return None
    for blk in f.body.blocks_of(block_type):
        if label is not None and blk.labels[:1] != [label]:
            continue
        a = blk.body.attrs.get(attr)
        if a is not None:
            return Location(file_loc.path, a.line, a.col)
    return None

"""Names and traversals: `local.x`, `var.y`, `module.m.out`, `aws_x.y.attr`, `path.module`,
loop variables, then `.attr` / `[index]` parts applied to what they name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from meshlint.values import UNKNOWN, Unknown

from .convert import EvalError, Value, excerpt, to_int, to_string

if TYPE_CHECKING:  # type-only: handlers receive the evaluator that dispatched them
    from .evaluate import Evaluator


def reference(ev: Evaluator, root: str, parts: list[Node], depth: int) -> Value:
    if root in ev.scope:
        return traverse(ev, ev.scope[root], parts, depth)
    attrs = []
    for p in parts:
        if p.type == "get_attr":
            attrs.append(ev.text(p).lstrip(".").strip())
        else:
            break
    ctx = ev.ctx
    if root == "local" and attrs:
        return traverse(ev, ctx.local(attrs[0]), parts[1:], depth)
    if root == "var" and attrs:
        return traverse(ev, ctx.variable(attrs[0]), parts[1:], depth)
    if root == "path" and attrs:
        if attrs[0] == "module":
            return traverse(ev, ctx.module.directory, parts[1:], depth)
        if attrs[0] == "root":
            root_ctx = ctx
            while root_ctx.parent is not None:
                root_ctx = root_ctx.parent
            return traverse(ev, root_ctx.module.directory, parts[1:], depth)
        return Unknown(f"path.{attrs[0]} depends on where terraform runs")
    if root == "module" and len(attrs) >= 2:
        child = ctx.child(attrs[0])
        if child is None:
            return Unknown(f"output of module.{attrs[0]}")
        out = child.module.outputs.get(attrs[1])
        if out is None:
            raise EvalError(f"module.{attrs[0]} has no output {excerpt(attrs[1])}")
        value = child.eval_attr(out.body.attrs.get("value"))
        return traverse(ev, value, parts[2:], depth)
    if root == "data" and len(attrs) >= 2:
        # only data sources that render files of the checked tree are known (datasources)
        if (attrs[0], attrs[1]) not in ctx.module.data:
            return Unknown(f"data.{attrs[0]}.{attrs[1]} is not declared in this module")
        return traverse(ev, ctx.resource(attrs[0], attrs[1], mode="data"), parts[2:], depth, lenient=True)
    if root in ("count", "each", "self", "terraform"):
        return Unknown(f"{root}.* outside an expanded instance")
    if attrs and (root, attrs[0]) in ctx.module.resources:
        value = ctx.resource(root, attrs[0])
        return traverse(ev, value, parts[1:], depth, lenient=True)
    return Unknown(f"reference {root}")


def traverse(ev: Evaluator, value: Value, parts: list[Node], depth: int, lenient: bool = False) -> Value:
    """Apply .attr / [index] / splat parts. `lenient`: a missing attribute of a
    resource is a computed attribute (unknown), not an error."""
    for p in parts:
        if isinstance(value, Unknown):
            return value
        t = p.type
        if t == "get_attr":
            name = ev.text(p).lstrip(".").strip()
            if isinstance(value, dict):
                if name in value:
                    value = value[name]
                elif lenient:
                    return Unknown(f"computed attribute {name}")
                else:
                    raise EvalError(f"no attribute {excerpt(name)}")
            elif isinstance(value, list) and lenient and len(value) == 1:
                value = value[0].get(name, UNKNOWN) if isinstance(value[0], dict) else UNKNOWN
            else:
                raise EvalError(f"cannot read .{name} of {type(value).__name__}")
        elif t == "index":
            inner = p.children[0]
            idx: Value
            if inner.type == "legacy_index":
                idx = to_int(ev.text(inner).lstrip(".").strip())
            else:
                idx_node = next(c for c in inner.children if c.type == "expression")
                idx = ev.expr(idx_node, depth)
            if isinstance(idx, Unknown):
                return idx
            if isinstance(value, list):
                i = to_int(idx)
                if not 0 <= i < len(value):
                    raise EvalError("index out of range")
                value = value[i]
            elif isinstance(value, dict):
                key = to_string(idx)
                if key not in value:
                    if lenient:
                        return Unknown(f"computed attribute {key}")
                    raise EvalError(f"no key {excerpt(key)}")
                value = value[key]
            else:
                raise EvalError("index into a non-collection")
        else:
            return Unknown("splat expression")
    return value

"""`for` expressions: `[for x in xs : f(x) if p(x)]` and `{for k, v in m : k => v...}`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from meshlint.values import Unknown

from .budget import MAX_COLLECTION
from .convert import EvalError, Scope, Value, excerpt, new_map, new_seq, to_bool, to_string

if TYPE_CHECKING:  # type-only: handlers receive the evaluator that dispatched them
    from .evaluate import Evaluator


def _intro(ev: Evaluator, node: Node, depth: int) -> tuple[list[str], Value]:
    intro = next(c for c in node.children if c.type == "for_intro")
    names = [ev.text(c) for c in intro.children if c.type == "identifier"]
    coll_node = next(c for c in intro.children if c.type == "expression")
    return names, ev.expr(coll_node, depth)


def _bindings(ev: Evaluator, names: list[str], coll: Value) -> list[Scope] | None:
    """One scope per item; None when the collection is unknown or too large."""
    if isinstance(coll, Unknown):
        return None
    pairs: list[tuple[object, object]]
    if isinstance(coll, dict):
        pairs = list(coll.items())
    elif isinstance(coll, list):
        pairs = list(enumerate(coll))
    else:
        raise EvalError("for expression over a non-collection")
    if len(pairs) > MAX_COLLECTION:
        return None
    out = []
    for k, v in pairs:
        bind = dict(ev.scope)
        if len(names) == 1:
            bind[names[0]] = v
        else:
            bind[names[0]], bind[names[1]] = k, v
        out.append(bind)
    return out


def _condition(node: Node) -> Node | None:
    cond = next((c for c in node.children if c.type == "for_cond"), None)
    return None if cond is None else next((x for x in cond.children if x.type == "expression"), None)


def _kept_iterations(ev: Evaluator, node: Node, depth: int) -> list[Evaluator] | Unknown:
    """An evaluator per iteration the `if` clause keeps (each bound to its key and value);
    Unknown when the collection or a condition is not known."""
    names, coll = _intro(ev, node, depth)
    binds = _bindings(ev, names, coll)
    if binds is None:
        return Unknown("for expression over an unknown collection")
    cond = _condition(node)
    kept = []
    for bind in binds:
        sub = ev.with_scope(bind)
        if cond is not None:
            c = sub.expr(cond, depth)
            if isinstance(c, Unknown):
                return Unknown("for expression with an unknown condition")
            if not to_bool(c):
                continue
        kept.append(sub)
    return kept


def for_tuple_expr(ev: Evaluator, node: Node, depth: int) -> Value:
    kept = _kept_iterations(ev, node, depth)
    if isinstance(kept, Unknown):
        return kept
    exprs = [c for c in node.children if c.type == "expression"]
    out = new_seq(ev.f.path)
    out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
    for sub in kept:
        out.append(sub.expr(exprs[0], depth))
        out.itempos.append((out.line, out.col))
    return out


def for_object_expr(ev: Evaluator, node: Node, depth: int) -> Value:
    kept = _kept_iterations(ev, node, depth)
    if isinstance(kept, Unknown):
        return kept
    exprs = [c for c in node.children if c.type == "expression"]
    grouping = any(c.type == "ellipsis" for c in node.children)
    out = new_map(ev.f.path)
    out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
    for sub in kept:
        raw_key = sub.expr(exprs[0], depth)
        if isinstance(raw_key, Unknown):
            return Unknown("for expression with unknown keys")
        key = to_string(raw_key)
        value = sub.expr(exprs[1], depth)
        if grouping:
            out.setdefault(key, []).append(value)
        else:
            if key in out:
                raise EvalError(f"duplicate key {excerpt(key)} in for expression")
            out[key] = value
        out.keypos[key] = (out.line, out.col)
    return out

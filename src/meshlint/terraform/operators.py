"""Operators and conditionals, with Terraform's short-circuits over unknowns:
`false && unknown` is false, `unknown ? x : x` is x."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from meshlint.values import Unknown

from .convert import EvalError, Value, equal, has_unknown, num, same, to_bool, to_number

if TYPE_CHECKING:  # type-only: handlers receive the evaluator that dispatched them
    from .evaluate import Evaluator


def conditional(ev: Evaluator, node: Node, depth: int) -> Value:
    exprs = [c for c in node.children if c.type == "expression"]
    cond = ev.expr(exprs[0], depth)
    if isinstance(cond, Unknown):
        a, b = ev.expr(exprs[1], depth), ev.expr(exprs[2], depth)
        if not has_unknown(a) and same(a, b):
            return a
        return Unknown("condition is not known")
    if not isinstance(cond, bool):
        cond = to_bool(cond)
    return ev.expr(exprs[1] if cond else exprs[2], depth)


def unary_operation(ev: Evaluator, node: Node, depth: int) -> Value:
    op = ev.text(node.children[0])
    value = ev.seq(node.children[1:], depth)
    if isinstance(value, Unknown):
        return value
    if op == "!":
        return not to_bool(value)
    if op == "-":
        return -to_number(value)
    raise EvalError(f"unknown operator {op}")


def binary_operation(ev: Evaluator, node: Node, depth: int) -> Value:
    kids = node.children
    i = next((k for k, c in enumerate(kids) if not c.is_named and k > 0), None)
    if i is None:
        raise EvalError("malformed operation")
    op = ev.text(kids[i])
    left = ev.seq(kids[:i], depth)
    if op == "&&" and left is False:
        return False
    if op == "||" and left is True:
        return True
    right = ev.seq(kids[i + 1:], depth)
    if op in ("&&", "||"):
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            if op == "&&" and right is False:
                return False
            if op == "||" and right is True:
                return True
            return Unknown("logic on unknowns")
        return (to_bool(left) and to_bool(right)) if op == "&&" else (
            to_bool(left) or to_bool(right))
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return Unknown("arithmetic on unknowns")
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    return arithmetic(op, to_number(left), to_number(right))


def arithmetic(op: str, a: int | float, b: int | float) -> Value:
    if op == "+":
        return num(a + b)
    if op == "-":
        return num(a - b)
    if op == "*":
        return num(a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        return num(a / b)
    if op == "%":
        if b == 0:
            raise EvalError("division by zero")
        return num(a % b)
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise EvalError(f"unknown operator {op}")

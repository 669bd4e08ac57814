"""The expression tree walker: one tree-sitter HCL expression node -> a value.

`Evaluator.expr` dispatches on the node type to a handler; the handlers for templates,
operators, `for` expressions and references live in their own modules (they take the
evaluator as their first argument), the structural ones (literals, tuples, objects,
function calls) here. An `Evaluator` is cheap: one per expression and per `for` binding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from meshlint.parse.hclfront import HclFile
from meshlint.values import Unknown, YMap, YSeq

from . import forexpr, operators, references, templates
from .budget import MAX_EVAL_DEPTH, Budget, OverLimit
from .convert import EvalError, Scope, Value, has_unknown, num
from .functions import ARITY, FUNCTIONS

if TYPE_CHECKING:  # type-only: a context creates evaluators and is called back for names
    from .context import ModuleContext


class Evaluator:
    """Walks one expression tree of one file, in one module instance, with `scope` bound."""

    __slots__ = ("ctx", "f", "scope", "budget")

    def __init__(self, ctx: ModuleContext, f: HclFile, scope: Scope, budget: Budget):
        self.ctx, self.f, self.scope, self.budget = ctx, f, scope, budget

    def with_scope(self, scope: Scope) -> Evaluator:
        """The same place with other names bound (one `for` iteration)."""
        return Evaluator(self.ctx, self.f, scope, self.budget)

    def text(self, node: Node) -> str:
        return self.f.text(node)

    def where(self, node: Node) -> str:
        return f"{self.f.path}:{node.start_point[0] + 1}"

    def expr(self, node: Node, depth: int) -> Value:
        if depth > MAX_EVAL_DEPTH:
            raise EvalError("expression nested too deeply")
        self.budget.step()
        handler = _HANDLERS.get(node.type)
        if handler is None:
            return Unknown(f"unsupported expression {node.type}")
        try:
            value = handler(self, node, depth + 1)
            if node.type in _PRODUCERS:
                self.budget.admit(value)
        except OverLimit as exc:
            # this node would produce a value past a cap: it alone becomes Unknown
            self.budget.note(self.where(node), exc.reason)
            return Unknown(exc.reason)
        return value

    def seq(self, nodes: list[Node], depth: int) -> Value:
        """An operand the grammar flattens into siblings: `local.n` is variable_expr +
        get_attr nodes, `f(x)[0]` is function_call + index."""
        nodes = [n for n in nodes if n.type != "comment"]
        if not nodes:
            raise EvalError("missing operand")
        first, rest = nodes[0], nodes[1:]
        if first.type == "(":
            close = next((k for k, n in enumerate(rest) if n.type == ")"), len(rest))
            inner = self.seq(rest[:close], depth)
            return references.traverse(self, inner, rest[close + 1:], depth)
        if first.type == "variable_expr":
            return references.reference(self, self.text(first), rest, depth)
        return references.traverse(self, self.expr(first, depth), rest, depth)


# --- structural nodes ----------------------------------------------------------------------


def _expression(ev: Evaluator, node: Node, depth: int) -> Value:
    # an expression is a sequence: a primary followed by get_attr / index / splat parts
    if not node.children:
        return None
    return ev.seq(node.children, depth)


def _variable_expr(ev: Evaluator, node: Node, depth: int) -> Value:
    return references.reference(ev, ev.text(node), [], depth)


def _literal_value(ev: Evaluator, node: Node, depth: int) -> Value:
    child = node.children[0]
    t = child.type
    if t == "numeric_lit":
        raw = ev.text(child)
        try:
            return int(raw)
        except ValueError:
            pass
        try:
            return num(float(raw))  # `1.0e3` is the whole number 1000, as in Terraform
        except ValueError:
            raise EvalError(f"invalid number {raw[:20]!r}") from None
    if t == "bool_lit":
        return ev.text(child) == "true"
    if t == "null_lit":
        return None
    if t == "string_lit":
        return templates.template_parts(ev, child, depth)
    return Unknown(f"literal {t}")


def _first_child(ev: Evaluator, node: Node, depth: int) -> Value:
    """Wrapper nodes (collection_value, template_expr, operation, for_expr)."""
    return ev.expr(node.children[0], depth)


def _tuple(ev: Evaluator, node: Node, depth: int) -> Value:
    out = YSeq()
    out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
    out.end_line, out.itempos = node.end_point[0] + 1, []
    out.path = ev.f.path
    for child in node.children:
        if child.type == "expression":
            out.append(ev.expr(child, depth))
            out.itempos.append((child.start_point[0] + 1, child.start_point[1] + 1))
    return out


def _object(ev: Evaluator, node: Node, depth: int) -> Value:
    out = YMap()
    out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
    out.end_line, out.keypos = node.end_point[0] + 1, {}
    out.path = ev.f.path
    for child in node.children:
        if child.type != "object_elem":
            continue
        exprs = [c for c in child.children if c.type == "expression"]
        if len(exprs) != 2:
            continue
        knode = exprs[0]
        key = _object_key(ev, knode, depth)
        if isinstance(key, Unknown):
            return Unknown("object with an unknown key")
        out[key] = ev.expr(exprs[1], depth)
        out.keypos[key] = (knode.start_point[0] + 1, knode.start_point[1] + 1)
    return out


def _object_key(ev: Evaluator, knode: Node, depth: int) -> str | Unknown:
    parts = [c for c in knode.children if c.type != "comment"]
    # a bare identifier key is the name itself, not a variable reference
    if len(parts) == 1 and parts[0].type == "variable_expr":
        return ev.text(parts[0])
    value = ev.expr(knode, depth)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise EvalError("object key must be a string")


def _function_call(ev: Evaluator, node: Node, depth: int) -> Value:
    name = ev.text(node.children[0])
    args_node = next((c for c in node.children if c.type == "function_arguments"), None)
    arg_nodes = [c for c in args_node.children if c.type == "expression"] if args_node else []
    expand = bool(args_node and any(c.type == "ellipsis" for c in args_node.children))
    if "::" in name:
        return Unknown(f"provider function {name}")
    if name == "try":
        for a in arg_nodes:
            try:
                value = ev.expr(a, depth)
            except EvalError:
                continue
            return value
        raise EvalError("try: no argument succeeded")
    if name == "can":
        try:
            value = ev.expr(arg_nodes[0], depth) if arg_nodes else None
        except EvalError:
            return False
        return Unknown("can() of an unknown") if has_unknown(value) else True
    fn = FUNCTIONS.get(name)
    if fn is None:
        return Unknown(f"function {name}() is not evaluated")
    args = [ev.expr(a, depth) for a in arg_nodes]
    if expand and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return Unknown(f"{name}() with expanded unknown arguments")
        if not isinstance(last, (list, dict)):
            raise EvalError(f"{name}(): only a list or map can be expanded")
        args.extend(list(last))
    low, high = ARITY[name]
    if not low <= len(args) <= (high if high is not None else len(args)):
        raise EvalError(f"{name}() takes {_arity_text(low, high)}, not {len(args)}")
    return fn(ev, args)


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"


Handler = Callable[[Evaluator, Node, int], Value]

# the nodes that make new values (the others pass a child's value through): what they make
# is checked against the caps and charged to the run's budget
_PRODUCERS = frozenset((
    "literal_value", "tuple", "object", "quoted_template", "heredoc_template", "function_call",
    "unary_operation", "binary_operation", "for_tuple_expr", "for_object_expr",
))

_HANDLERS: dict[str, Handler] = {
    "expression": _expression,
    "variable_expr": _variable_expr,
    "literal_value": _literal_value,
    "collection_value": _first_child,
    "tuple": _tuple,
    "object": _object,
    "template_expr": _first_child,
    "quoted_template": templates.quoted_template,
    "heredoc_template": templates.heredoc_template,
    "function_call": _function_call,
    "conditional": operators.conditional,
    "operation": _first_child,
    "unary_operation": operators.unary_operation,
    "binary_operation": operators.binary_operation,
    "for_expr": _first_child,
    "for_tuple_expr": forexpr.for_tuple_expr,
    "for_object_expr": forexpr.for_object_expr,
}

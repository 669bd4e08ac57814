"""The Terraform evaluator: HCL expressions -> values, or an explicit Unknown.

Rules never look at expressions; they see values (as tflint's runner hands them out).
What is evaluated: literals, templates, heredocs, `local.*`, `var.*` (inputs from a
parent module call, then terraform.tfvars / *.auto.tfvars in a root, then defaults),
`module.<local>.<output>`, configured arguments of resources (`kubernetes_namespace_v1.x.
metadata[0].name`), `path.module`, operators, conditionals, `for` expressions, and the
functions in `_FUNCTIONS`. Anything else is `Unknown` - never a guess.

A list can have a known length and unknown items: `slice(data.x.names, 0, 3)` is a list
of three Unknowns, so `length()` of it (and of a `for` over it) is still known.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from meshlint.parse.hclfront import HclAttr, HclBlock, HclBody, HclFile
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import UNKNOWN, Unknown, YMap, YSeq, contains_unknown

MAX_FILE_READ = 2 * 1024 * 1024
MAX_EVAL_DEPTH = 64
MAX_COLLECTION = 10_000


class EncodedDocument(str):
    """The string `yamlencode(x)`/`jsonencode(x)` produces, remembering `x` itself."""

    data: object

    def __new__(cls, text: str, data):
        obj = super().__new__(cls, text)
        obj.data = data
        return obj


class FileText(str):
    """What `file()` returns: the text, remembering the file it came from, so a YAML file
    already parsed by the parse layer is not parsed again and keeps its positions."""

    source: str  # real path

    def __new__(cls, text: str, source: str):
        obj = super().__new__(cls, text)
        obj.source = source
        return obj


class EvalError(Exception):
    """An evaluation that Terraform itself would reject (caught by try())."""


# --- modules ------------------------------------------------------------------------------


@dataclass
class TfModule:
    """All .tf files of one directory, indexed by what they declare."""

    directory: str  # path as discovered
    files: list[HclFile] = field(default_factory=list)
    tfvars: list[HclFile] = field(default_factory=list)
    variables: dict[str, HclBlock] = field(default_factory=dict)
    locals: dict[str, HclAttr] = field(default_factory=dict)
    outputs: dict[str, HclBlock] = field(default_factory=dict)
    resources: dict[tuple[str, str], HclBlock] = field(default_factory=dict)
    data: dict[tuple[str, str], HclBlock] = field(default_factory=dict)
    module_calls: dict[str, HclBlock] = field(default_factory=dict)
    providers: list[HclBlock] = field(default_factory=list)

    def add_file(self, f: HclFile) -> None:
        self.files.append(f)
        for blk in f.body.blocks:
            t, labels = blk.type, blk.labels
            if t == "variable" and labels:
                self.variables[labels[0]] = blk
            elif t == "locals":
                self.locals.update(blk.body.attrs)
            elif t == "output" and labels:
                self.outputs[labels[0]] = blk
            elif t == "resource" and len(labels) >= 2:
                self.resources[(labels[0], labels[1])] = blk
            elif t == "data" and len(labels) >= 2:
                self.data[(labels[0], labels[1])] = blk
            elif t == "module" and labels:
                self.module_calls[labels[0]] = blk
            elif t == "provider":
                self.providers.append(blk)


def local_module_source(call: HclBlock) -> str | None:
    """The relative path of a local module call (`source = "../x"`), else None."""
    attr = call.body.attrs.get("source")
    if attr is None:
        return None
    node = attr.expr
    text = attr.file.text(node).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "${" not in text:
        src = text[1:-1]
        if src.startswith("./") or src.startswith("../"):
            return src
    return None


def literal_string(attr: HclAttr | None) -> str | None:
    """A plain quoted string attribute's text (module `source`, `version`), else None."""
    if attr is None:
        return None
    text = attr.file.text(attr.expr).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "${" not in text:
        return text[1:-1]
    return None


# --- the evaluator ------------------------------------------------------------------------


class ModuleContext:
    """One instance of a module being evaluated: its inputs, locals and child modules."""

    def __init__(self, module: TfModule, project: "Project", inputs: dict | None = None,
                 parent: "ModuleContext | None" = None, call_name: str = ""):
        self.module = module
        self.project = project
        self.inputs = inputs  # name -> (ModuleContext of caller, HclAttr) or None for a root
        self.parent = parent
        self.call_name = call_name
        self._locals: dict[str, object] = {}
        self._vars: dict[str, object] = {}
        self._in_progress: set[str] = set()
        self._children: dict[str, ModuleContext | None] = {}
        self._tfvars: dict[str, HclAttr] | None = None
        self._resources: dict[tuple[str, str], object] = {}

    # -- names ---------------------------------------------------------------------------
    @property
    def address(self) -> str:
        if self.parent is None:
            return ""
        prefix = self.parent.address
        return f"{prefix}module.{self.call_name}." if prefix else f"module.{self.call_name}."

    def local(self, name: str):
        if name in self._locals:
            return self._locals[name]
        attr = self.module.locals.get(name)
        if attr is None:
            raise EvalError(f"no local {name!r}")
        key = "local." + name
        if key in self._in_progress:
            return Unknown(f"cycle through local.{name}")
        self._in_progress.add(key)
        try:
            value = self.eval(attr.expr, attr.file)
        finally:
            self._in_progress.discard(key)
        self._locals[name] = value
        return value

    def variable(self, name: str):
        if name in self._vars:
            return self._vars[name]
        value = self._variable(name)
        self._vars[name] = value
        return value

    def variable_source(self, name: str) -> HclAttr | None:
        """Where a variable's value is written: caller input, tfvars or default."""
        if self.inputs is not None:
            hit = self.inputs.get(name)
            if hit is not None:
                return hit[1]
        elif name in self.tfvars():
            return self.tfvars()[name]
        blk = self.module.variables.get(name)
        if blk is not None:
            return blk.body.attrs.get("default")
        return None

    def _variable(self, name: str):
        blk = self.module.variables.get(name)
        key = "var." + name
        if key in self._in_progress:
            return Unknown(f"cycle through var.{name}")
        self._in_progress.add(key)
        try:
            if self.inputs is not None:
                hit = self.inputs.get(name)
                if hit is not None:
                    caller, attr = hit
                    return caller.eval(attr.expr, attr.file)
            else:
                tfv = self.tfvars().get(name)
                if tfv is not None:
                    return self.eval(tfv.expr, tfv.file)
            if blk is None:
                raise EvalError(f"no variable {name!r}")
            default = blk.body.attrs.get("default")
            if default is not None:
                return self.eval(default.expr, default.file)
            return Unknown(f"var.{name} has no default and no value in the checked files")
        finally:
            self._in_progress.discard(key)

    def tfvars(self) -> dict[str, HclAttr]:
        if self._tfvars is None:
            merged: dict[str, HclAttr] = {}
            # terraform.tfvars first, then *.auto.tfvars in lexical order (later wins)
            files = sorted(self.module.tfvars, key=lambda f: (
                not f.path.endswith("terraform.tfvars"), os.path.basename(f.path)))
            for f in files:
                merged.update(f.body.attrs)
            self._tfvars = merged
        return self._tfvars

    def child(self, name: str) -> "ModuleContext | None":
        if name in self._children:
            return self._children[name]
        self._children[name] = None  # guards recursion
        call = self.module.module_calls.get(name)
        ctx = None
        if call is not None and "count" not in call.body.attrs and "for_each" not in call.body.attrs:
            src = local_module_source(call)
            if src is not None:
                target = os.path.normpath(os.path.join(self.module.directory, src))
                mod = self.project.modules.get(target)
                if mod is not None and self.depth() < 20:
                    inputs = {k: (self, a) for k, a in call.body.attrs.items()
                              if k not in ("source", "version", "providers", "depends_on")}
                    ctx = ModuleContext(mod, self.project, inputs, self, name)
        self._children[name] = ctx
        return ctx

    def depth(self) -> int:
        return 0 if self.parent is None else 1 + self.parent.depth()

    def resource(self, rtype: str, name: str, mode: str = "resource"):
        key = (mode + ":" + rtype, name)
        if key in self._resources:
            return self._resources[key]
        table = self.module.resources if mode == "resource" else self.module.data
        blk = table.get((rtype, name))
        if blk is None:
            raise EvalError(f"no {mode} {rtype}.{name}")
        self._resources[key] = Unknown("resource under evaluation")
        if mode == "data" or "count" in blk.body.attrs or "for_each" in blk.body.attrs:
            value = Unknown(f"{rtype}.{name} is only known after apply")
        else:
            value = self.eval_body(blk.body, partial=True)
        self._resources[key] = value
        return value

    # -- expressions -----------------------------------------------------------------------
    def eval(self, node, f: HclFile, scope: dict | None = None):
        """Evaluate one expression node; Terraform-level errors become Unknown."""
        try:
            return _Eval(self, f, scope or {}).expr(node, 0)
        except EvalError as exc:
            return Unknown(str(exc))
        except RecursionError:
            return Unknown("expression too deep")
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
            # a value of the wrong type reached an operator or function: Terraform would
            # reject it; meshlint says it cannot know
            return Unknown(f"not evaluated: {type(exc).__name__}")

    def eval_attr(self, attr: HclAttr | None, scope: dict | None = None):
        if attr is None:
            return None
        return self.eval(attr.expr, attr.file, scope)

    def eval_body(self, body: HclBody, scope: dict | None = None, partial: bool = False) -> YMap:
        """A block body as an object: attributes evaluated, nested blocks as lists."""
        out = _new_map()
        for name, attr in body.attrs.items():
            out.path = attr.file.path
            out[name] = self.eval(attr.expr, attr.file, scope)
            out.keypos[name] = (attr.line, attr.col)
        groups: dict[str, YSeq] = {}
        for blk in body.blocks:
            if blk.type == "dynamic":
                continue
            seq = groups.get(blk.type)
            if seq is None:
                seq = groups[blk.type] = _new_seq(blk.file.path)
                seq.line, seq.col, seq.end_line = blk.line, blk.col, blk.end_line
                out[blk.type] = seq
                out.keypos[blk.type] = (blk.line, blk.col)
            inner = self.eval_body(blk.body, scope, partial)
            inner.line, inner.col, inner.end_line = blk.line, blk.col, blk.end_line
            seq.append(inner)
            seq.itempos.append((blk.line, blk.col))
        return out


_TEMPLATE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


class _Eval:
    """Walks one expression tree. Kept separate so state per call stays small."""

    __slots__ = ("ctx", "f", "scope")

    def __init__(self, ctx: ModuleContext, f: HclFile, scope: dict):
        self.ctx, self.f, self.scope = ctx, f, scope

    def text(self, node) -> str:
        return self.f.text(node)

    def expr(self, node, depth: int):
        if depth > MAX_EVAL_DEPTH:
            raise EvalError("expression nested too deeply")
        t = node.type
        method = getattr(self, "e_" + t, None)
        if method is None:
            return Unknown(f"unsupported expression {t}")
        return method(node, depth + 1)

    # expression is a sequence: a primary followed by get_attr / index / splat parts
    def e_expression(self, node, depth):
        if not node.children:
            return None
        return self.seq(node.children, depth)

    def e_variable_expr(self, node, depth):
        return self.reference(self.text(node), [], depth)

    def e_literal_value(self, node, depth):
        child = node.children[0]
        t = child.type
        if t == "numeric_lit":
            raw = self.text(child)
            try:
                return int(raw)
            except ValueError:
                return float(raw)
        if t == "bool_lit":
            return self.text(child) == "true"
        if t == "null_lit":
            return None
        if t == "string_lit":
            return self.template_parts(child, depth)
        return Unknown(f"literal {t}")

    def e_collection_value(self, node, depth):
        return self.expr(node.children[0], depth)

    def e_tuple(self, node, depth):
        out = YSeq()
        out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
        out.end_line, out.itempos = node.end_point[0] + 1, []
        out.path = self.f.path
        for child in node.children:
            if child.type == "expression":
                out.append(self.expr(child, depth))
                out.itempos.append((child.start_point[0] + 1, child.start_point[1] + 1))
        return out

    def e_object(self, node, depth):
        out = YMap()
        out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
        out.end_line, out.keypos = node.end_point[0] + 1, {}
        out.path = self.f.path
        for child in node.children:
            if child.type != "object_elem":
                continue
            exprs = [c for c in child.children if c.type == "expression"]
            if len(exprs) != 2:
                continue
            knode = exprs[0]
            key = self.object_key(knode, depth)
            if isinstance(key, Unknown):
                return Unknown("object with an unknown key")
            out[key] = self.expr(exprs[1], depth)
            out.keypos[key] = (knode.start_point[0] + 1, knode.start_point[1] + 1)
        return out

    def object_key(self, knode, depth):
        parts = [c for c in knode.children if c.type != "comment"]
        # a bare identifier key is the name itself, not a variable reference
        if len(parts) == 1 and parts[0].type == "variable_expr":
            return self.text(parts[0])
        value = self.expr(knode, depth)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float, str)):
            return str(value)
        raise EvalError("object key must be a string")

    def e_template_expr(self, node, depth):
        return self.expr(node.children[0], depth)

    def e_quoted_template(self, node, depth):
        return self.template_parts(node, depth)

    def template_parts(self, node, depth):
        """A quoted template, read from the raw bytes between its quotes (the grammar
        leaves whitespace at the edges of literal chunks out of its nodes)."""
        src = self.f.src
        children = node.children
        start = next((c.end_byte for c in children if c.type == "quoted_template_start"), node.start_byte)
        end = next((c.start_byte for c in children if c.type == "quoted_template_end"), node.end_byte)
        pieces: list[str] = []
        pos = start
        unknown = False
        for child in children:
            if child.type not in ("template_interpolation", "template_directive"):
                continue
            pieces.append(_unescape(src[pos:child.start_byte].decode("utf-8", "replace")))
            pos = child.end_byte
            if child.type == "template_directive":
                unknown = True
                continue
            inner = [c for c in child.children if c.type == "expression"]
            value = self.expr(inner[0], depth) if inner else None
            if isinstance(value, Unknown):
                unknown = True
            else:
                pieces.append(_to_string(value))
        pieces.append(_unescape(src[pos:end].decode("utf-8", "replace")))
        if unknown:
            return Unknown("template with unknown parts")
        return "".join(pieces)

    def e_heredoc_template(self, node, depth):
        children = node.children
        ids = [c for c in children if c.type == "heredoc_identifier"]
        strip = any(c.type == "heredoc_start" and self.text(c).startswith("<<-") for c in children)
        if not ids:
            return Unknown("heredoc")
        src = self.f.src
        start = src.index(b"\n", ids[0].end_byte) + 1 if b"\n" in src[ids[0].end_byte:] else ids[0].end_byte
        end = ids[-1].start_byte if len(ids) > 1 else node.end_byte
        pieces: list[str] = []
        pos = start
        unknown = False
        for child in children:
            if child.type in ("template_interpolation", "template_directive") and child.start_byte >= start:
                pieces.append(src[pos:child.start_byte].decode("utf-8", "replace"))
                pos = child.end_byte
                if child.type == "template_directive":
                    unknown = True
                    continue
                inner = [c for c in child.children if c.type == "expression"]
                value = self.expr(inner[0], depth) if inner else None
                if isinstance(value, Unknown):
                    unknown = True
                else:
                    pieces.append("\x00" + _to_string(value) + "\x01")
        pieces.append(src[pos:end].decode("utf-8", "replace"))
        if unknown:
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

    def e_function_call(self, node, depth):
        name = self.text(node.children[0])
        args_node = next((c for c in node.children if c.type == "function_arguments"), None)
        arg_nodes = [c for c in args_node.children if c.type == "expression"] if args_node else []
        expand = bool(args_node and any(c.type == "ellipsis" for c in args_node.children))
        if "::" in name:
            return Unknown(f"provider function {name}")
        if name == "try":
            for a in arg_nodes:
                try:
                    value = self.expr(a, depth)
                except EvalError:
                    continue
                return value
            raise EvalError("try: no argument succeeded")
        if name == "can":
            try:
                value = self.expr(arg_nodes[0], depth) if arg_nodes else None
            except EvalError:
                return False
            return Unknown("can() of an unknown") if contains_unknown(value) else True
        fn = _FUNCTIONS.get(name)
        if fn is None:
            return Unknown(f"function {name}() is not evaluated")
        args = [self.expr(a, depth) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return Unknown(f"{name}() with expanded unknown arguments")
            args.extend(list(last))
        return fn(self, args)

    def e_conditional(self, node, depth):
        exprs = [c for c in node.children if c.type == "expression"]
        cond = self.expr(exprs[0], depth)
        if isinstance(cond, Unknown):
            a, b = self.expr(exprs[1], depth), self.expr(exprs[2], depth)
            if not contains_unknown(a) and a == b:
                return a
            return Unknown("condition is not known")
        if not isinstance(cond, bool):
            cond = _to_bool(cond)
        return self.expr(exprs[1] if cond else exprs[2], depth)

    def e_operation(self, node, depth):
        return self.expr(node.children[0], depth)

    def seq(self, nodes: list, depth: int):
        """An operand the grammar flattens into siblings: `local.n` is variable_expr +
        get_attr nodes, `f(x)[0]` is function_call + index."""
        nodes = [n for n in nodes if n.type != "comment"]
        if not nodes:
            raise EvalError("missing operand")
        first, rest = nodes[0], nodes[1:]
        if first.type == "(":
            close = next((k for k, n in enumerate(rest) if n.type == ")"), len(rest))
            inner = self.seq(rest[:close], depth)
            return self.traverse(inner, rest[close + 1:], depth)
        if first.type == "variable_expr":
            return self.reference(self.text(first), rest, depth)
        return self.traverse(self.expr(first, depth), rest, depth)

    def e_unary_operation(self, node, depth):
        op = self.text(node.children[0])
        value = self.seq(node.children[1:], depth)
        if isinstance(value, Unknown):
            return value
        if op == "!":
            return not _to_bool(value)
        if op == "-":
            return -_to_number(value)
        raise EvalError(f"unknown operator {op}")

    def e_binary_operation(self, node, depth):
        kids = node.children
        i = next((k for k, c in enumerate(kids) if not c.is_named and k > 0), None)
        if i is None:
            raise EvalError("malformed operation")
        op = self.text(kids[i])
        left = self.seq(kids[:i], depth)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.seq(kids[i + 1:], depth)
        if op in ("&&", "||"):
            if isinstance(left, Unknown) or isinstance(right, Unknown):
                if op == "&&" and right is False:
                    return False
                if op == "||" and right is True:
                    return True
                return Unknown("logic on unknowns")
            return (_to_bool(left) and _to_bool(right)) if op == "&&" else (
                _to_bool(left) or _to_bool(right))
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown("arithmetic on unknowns")
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        a, b = _to_number(left), _to_number(right)
        if op == "+":
            return _num(a + b)
        if op == "-":
            return _num(a - b)
        if op == "*":
            return _num(a * b)
        if op == "/":
            if b == 0:
                raise EvalError("division by zero")
            return _num(a / b)
        if op == "%":
            if b == 0:
                raise EvalError("division by zero")
            return _num(a % b)
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        raise EvalError(f"unknown operator {op}")

    def e_for_expr(self, node, depth):
        return self.expr(node.children[0], depth)

    def _for_intro(self, node, depth):
        intro = next(c for c in node.children if c.type == "for_intro")
        names = [self.text(c) for c in intro.children if c.type == "identifier"]
        coll_node = next(c for c in intro.children if c.type == "expression")
        coll = self.expr(coll_node, depth)
        return names, coll

    def _iterate(self, names, coll):
        if isinstance(coll, Unknown):
            return None
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
            bind = dict(self.scope)
            if len(names) == 1:
                bind[names[0]] = v
            else:
                bind[names[0]], bind[names[1]] = k, v
            out.append(bind)
        return out

    def e_for_tuple_expr(self, node, depth):
        names, coll = self._for_intro(node, depth)
        binds = self._iterate(names, coll)
        if binds is None:
            return Unknown("for expression over an unknown collection")
        exprs = [c for c in node.children if c.type == "expression"]
        cond = next((c for c in node.children if c.type == "for_cond"), None)
        out = _new_seq(self.f.path)
        out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
        for bind in binds:
            sub = _Eval(self.ctx, self.f, bind)
            if cond is not None:
                c = sub.expr(next(x for x in cond.children if x.type == "expression"), depth)
                if isinstance(c, Unknown):
                    return Unknown("for expression with an unknown condition")
                if not _to_bool(c):
                    continue
            out.append(sub.expr(exprs[0], depth))
            out.itempos.append((out.line, out.col))
        return out

    def e_for_object_expr(self, node, depth):
        names, coll = self._for_intro(node, depth)
        binds = self._iterate(names, coll)
        if binds is None:
            return Unknown("for expression over an unknown collection")
        exprs = [c for c in node.children if c.type == "expression"]
        grouping = any(c.type == "ellipsis" for c in node.children)
        cond = next((c for c in node.children if c.type == "for_cond"), None)
        out = _new_map(self.f.path)
        out.line, out.col = node.start_point[0] + 1, node.start_point[1] + 1
        for bind in binds:
            sub = _Eval(self.ctx, self.f, bind)
            if cond is not None:
                c = sub.expr(next(x for x in cond.children if x.type == "expression"), depth)
                if isinstance(c, Unknown):
                    return Unknown("for expression with an unknown condition")
                if not _to_bool(c):
                    continue
            key = sub.expr(exprs[0], depth)
            if isinstance(key, Unknown):
                return Unknown("for expression with unknown keys")
            key = _to_string(key)
            value = sub.expr(exprs[1], depth)
            if grouping:
                out.setdefault(key, []).append(value)
            else:
                if key in out:
                    raise EvalError(f"duplicate key {key!r} in for expression")
                out[key] = value
            out.keypos[key] = (out.line, out.col)
        return out

    # -- references ----------------------------------------------------------------------
    def reference(self, root: str, parts: list, depth: int):
        if root in self.scope:
            return self.traverse(self.scope[root], parts, depth)
        attrs = []
        for p in parts:
            if p.type == "get_attr":
                attrs.append(self.text(p).lstrip(".").strip())
            else:
                break
        ctx = self.ctx
        if root == "local" and attrs:
            return self.traverse(ctx.local(attrs[0]), parts[1:], depth)
        if root == "var" and attrs:
            return self.traverse(ctx.variable(attrs[0]), parts[1:], depth)
        if root == "path" and attrs:
            if attrs[0] == "module":
                return self.traverse(ctx.module.directory, parts[1:], depth)
            if attrs[0] == "root":
                root_ctx = ctx
                while root_ctx.parent is not None:
                    root_ctx = root_ctx.parent
                return self.traverse(root_ctx.module.directory, parts[1:], depth)
            return Unknown(f"path.{attrs[0]} depends on where terraform runs")
        if root == "module" and len(attrs) >= 2:
            child = ctx.child(attrs[0])
            if child is None:
                return Unknown(f"output of module.{attrs[0]}")
            out = child.module.outputs.get(attrs[1])
            if out is None:
                raise EvalError(f"module.{attrs[0]} has no output {attrs[1]!r}")
            value = child.eval_attr(out.body.attrs.get("value"))
            return self.traverse(value, parts[2:], depth)
        if root == "data" and len(attrs) >= 2:
            return Unknown(f"data.{attrs[0]}.{attrs[1]} is read at apply time")
        if root in ("count", "each", "self", "terraform"):
            return Unknown(f"{root}.* outside an expanded instance")
        if attrs and (root, attrs[0]) in ctx.module.resources:
            value = ctx.resource(root, attrs[0])
            return self.traverse(value, parts[1:], depth, lenient=True)
        return Unknown(f"reference {root}")

    def traverse(self, value, parts: list, depth: int, lenient: bool = False):
        """Apply .attr / [index] / splat parts. `lenient`: a missing attribute of a
        resource is a computed attribute (unknown), not an error."""
        for p in parts:
            if isinstance(value, Unknown):
                return value
            t = p.type
            if t == "get_attr":
                name = self.text(p).lstrip(".").strip()
                if isinstance(value, dict):
                    if name in value:
                        value = value[name]
                    elif lenient:
                        return Unknown(f"computed attribute {name}")
                    else:
                        raise EvalError(f"no attribute {name!r}")
                elif isinstance(value, list) and lenient and len(value) == 1:
                    value = value[0].get(name, UNKNOWN) if isinstance(value[0], dict) else UNKNOWN
                else:
                    raise EvalError(f"cannot read .{name} of {type(value).__name__}")
            elif t == "index":
                inner = p.children[0]
                if inner.type == "legacy_index":
                    idx = int(self.text(inner).lstrip(".").strip())
                else:
                    idx_node = next(c for c in inner.children if c.type == "expression")
                    idx = self.expr(idx_node, depth)
                if isinstance(idx, Unknown):
                    return idx
                if isinstance(value, list):
                    try:
                        value = value[int(_to_number(idx))]
                    except (IndexError, ValueError):
                        raise EvalError("index out of range") from None
                elif isinstance(value, dict):
                    key = _to_string(idx)
                    if key not in value:
                        if lenient:
                            return Unknown(f"computed attribute {key}")
                        raise EvalError(f"no key {key!r}")
                    value = value[key]
                else:
                    raise EvalError("index into a non-collection")
            else:
                return Unknown("splat expression")
        return value


# --- value helpers ------------------------------------------------------------------------


def _new_map(path: str = "") -> YMap:
    out = YMap()
    out.keypos, out.line, out.col, out.end_line, out.path = {}, 0, 0, 0, path
    return out


def _new_seq(path: str = "") -> YSeq:
    out = YSeq()
    out.itempos, out.line, out.col, out.end_line, out.path = [], 0, 0, 0, path
    return out


def _unescape(s: str) -> str:
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
                    out.append(chr(int(s[i + 2:i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
        if s.startswith("$${", i) or s.startswith("%%{", i):
            out.append(s[i + 1:i + 3])
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _num(x):
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def _to_number(v):
    if isinstance(v, bool):
        raise EvalError("a bool is not a number")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return _num(float(v)) if any(c in v for c in ".eE") else int(v)
        except ValueError:
            raise EvalError(f"{v!r} is not a number") from None
    raise EvalError("not a number")


def _to_bool(v):
    if isinstance(v, bool):
        return v
    if v == "true":
        return True
    if v == "false":
        return False
    raise EvalError("not a bool")


def _to_string(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        raise EvalError("null in a string template")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (str, int, float)):
        return str(v)
    raise EvalError("a collection is not a string")


def _equal(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not (
            isinstance(a, bool) or isinstance(b, bool)):
        return a == b
    return type(a) is type(b) and a == b if not (
        isinstance(a, dict) and isinstance(b, dict) or isinstance(a, list) and isinstance(b, list)
    ) else a == b


def _any_unknown(args) -> Unknown | None:
    for a in args:
        if isinstance(a, Unknown):
            return a
    return None


def _plain(value, depth: int = 0):
    """A value as plain JSON-able data; raises EvalError when any part is unknown."""
    if depth > 100:
        raise EvalError("value nested too deeply")
    if isinstance(value, Unknown):
        raise EvalError("unknown value")
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, float):
        return _num(value)
    return value


def _fn_length(ev, args):
    (v,) = args
    if isinstance(v, Unknown):
        return Unknown("length of an unknown collection")
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise EvalError("length() of a non-collection")


def _fn_slice(ev, args):
    v, start, end = args
    if isinstance(start, Unknown) or isinstance(end, Unknown):
        return Unknown("slice with unknown bounds")
    start, end = int(_to_number(start)), int(_to_number(end))
    if start < 0 or end < start:
        raise EvalError("invalid slice bounds")
    if isinstance(v, Unknown):
        # Terraform fails when the list is shorter, so a successful slice has exactly
        # end - start items: the length is known, the items are not.
        return [UNKNOWN] * (end - start)
    if not isinstance(v, list) or end > len(v):
        raise EvalError("slice out of range")
    return v[start:end]


def _fn_concat(ev, args):
    if (u := _any_unknown(args)) is not None:
        return u
    out = []
    for a in args:
        if not isinstance(a, list):
            raise EvalError("concat() of a non-list")
        out.extend(a)
    return out


def _fn_merge(ev, args):
    if (u := _any_unknown(args)) is not None:
        return u
    out = _new_map()
    for a in args:
        if a is None:
            continue
        if not isinstance(a, dict):
            raise EvalError("merge() of a non-map")
        out.update(a)
        if isinstance(a, YMap):
            out.keypos.update(a.keypos)
            if not out.line:
                out.line, out.col, out.end_line, out.path = a.line, a.col, a.end_line, a.path
    return out


def _fn_encode(kind):
    def encode(ev, args):
        (v,) = args
        try:
            data = _plain(v)
        except EvalError:
            # keep what is known, for rules that read the structure
            return Unknown(f"{kind}encode of a partly unknown value")
        if kind == "json":
            text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        else:
            text = json.dumps(data, indent=2, sort_keys=True)  # JSON is YAML
        return EncodedDocument(text, v)
    return encode


def _fn_decode(kind):
    def decode(ev, args):
        (v,) = args
        if isinstance(v, Unknown):
            return v
        if isinstance(v, EncodedDocument):
            return v.data
        if not isinstance(v, str):
            raise EvalError(f"{kind}decode of a non-string")
        if kind == "yaml" and isinstance(v, FileText):
            docs = ev.ctx.project.parsed_documents(v.source)
            if docs is not None and len(docs) == 1:
                return docs[0]
        if kind == "json":
            try:
                return json.loads(v)
            except ValueError:
                raise EvalError("invalid JSON") from None
        parsed = parse_yaml_bytes(v.encode("utf-8"), "<yamldecode>")
        if parsed.error or len(parsed.documents) != 1:
            raise EvalError("invalid YAML for yamldecode")
        return parsed.documents[0].value
    return decode


def _fn_file(ev, args):
    (path,) = args
    if isinstance(path, Unknown):
        return path
    project = ev.ctx.project
    data = project.read_file(str(path), ev.ctx.module.directory)
    if data is None:
        return Unknown("file() outside the checked tree or unreadable")
    try:
        return FileText(data.decode("utf-8"), project.resolve(str(path), ev.ctx.module.directory))
    except UnicodeDecodeError:
        raise EvalError("file() of a non-UTF-8 file") from None


def _fn_templatefile(ev, args):
    path, variables = args
    if isinstance(path, Unknown) or isinstance(variables, Unknown):
        return Unknown("templatefile with unknown arguments")
    data = ev.ctx.project.read_file(str(path), ev.ctx.module.directory)
    if data is None:
        return Unknown("templatefile() outside the checked tree or unreadable")
    text = data.decode("utf-8", "replace")
    if "%{" in text:
        return Unknown("templatefile() with directives is not evaluated")

    def sub(m):
        name = m.group(1)
        if not isinstance(variables, dict) or name not in variables:
            raise EvalError(f"templatefile: no variable {name}")
        val = variables[name]
        if isinstance(val, Unknown):
            raise _TemplateUnknown
        return _to_string(val)

    try:
        return re.sub(r"(?<!\$)\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}", sub, text).replace("$${", "${")
    except _TemplateUnknown:
        return Unknown("templatefile() with unknown variables")


class _TemplateUnknown(Exception):
    pass


def _fn_lookup(ev, args):
    if len(args) < 2:
        raise EvalError("lookup() needs two arguments")
    m, k = args[0], args[1]
    if isinstance(m, Unknown) or isinstance(k, Unknown):
        return Unknown("lookup on unknowns")
    if not isinstance(m, dict):
        raise EvalError("lookup() of a non-map")
    key = _to_string(k)
    if key in m:
        return m[key]
    if len(args) > 2:
        return args[2]
    raise EvalError(f"lookup(): no key {key!r}")


def _fn_coalesce(ev, args):
    for a in args:
        if isinstance(a, Unknown):
            return a
        if a is not None and a != "":
            return a
    raise EvalError("coalesce(): no non-null argument")


def _fn_element(ev, args):
    lst, idx = args
    if isinstance(lst, Unknown) or isinstance(idx, Unknown):
        return Unknown("element of unknowns")
    if not isinstance(lst, list) or not lst:
        raise EvalError("element() of an empty or non-list")
    return lst[int(_to_number(idx)) % len(lst)]


def _fn_keys(ev, args):
    (m,) = args
    if isinstance(m, Unknown):
        return m
    if not isinstance(m, dict):
        raise EvalError("keys() of a non-map")
    return sorted(m.keys())


def _fn_values(ev, args):
    (m,) = args
    if isinstance(m, Unknown):
        return m
    if not isinstance(m, dict):
        raise EvalError("values() of a non-map")
    return [m[k] for k in sorted(m.keys())]


def _fn_toset(ev, args):
    (v,) = args
    if isinstance(v, Unknown) or not isinstance(v, list):
        return v
    if any(isinstance(x, Unknown) for x in v):
        return Unknown("set of unknown items")
    out = []
    for x in v:
        if x not in out:
            out.append(x)
    return out


def _fn_flatten(ev, args):
    (v,) = args
    if isinstance(v, Unknown):
        return v
    out = []
    stack = [iter(v if isinstance(v, list) else [v])]
    while stack:
        for x in stack[-1]:
            if isinstance(x, Unknown):
                return Unknown("flatten of unknown items")
            if isinstance(x, list):
                stack.append(iter(x))
                break
            out.append(x)
        else:
            stack.pop()
    return out


def _string_fn(fn):
    def wrapped(ev, args):
        if (u := _any_unknown(args)) is not None:
            return u
        return fn(*args)
    return wrapped


def _fn_cidrsubnet(ev, args):
    if (u := _any_unknown(args)) is not None:
        return u
    prefix, newbits, netnum = args
    try:
        net = ipaddress.ip_network(str(prefix), strict=False)
        new_prefix = net.prefixlen + int(newbits)
        subnets = net.subnets(new_prefix=new_prefix)
        size = 2 ** int(newbits)
        n = int(netnum)
        if not 0 <= n < size:
            raise EvalError("cidrsubnet: netnum out of range")
        first = int(net.network_address) + n * (2 ** (net.max_prefixlen - new_prefix))
        del subnets
        return f"{ipaddress.ip_address(first)}/{new_prefix}"
    except (ValueError, TypeError):
        raise EvalError("invalid cidrsubnet arguments") from None


def _fn_format(ev, args):
    if (u := _any_unknown(args)) is not None:
        return u
    fmt, rest = str(args[0]), list(args[1:])
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            spec = fmt[i + 1]
            if spec == "%":
                out.append("%")
            elif spec in "sdvq":
                if not rest:
                    raise EvalError("format(): too few arguments")
                val = rest.pop(0)
                out.append(json.dumps(_to_string(val)) if spec == "q" else _to_string(val))
            else:
                return Unknown("format() verb not evaluated")
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _fn_join(ev, args):
    sep, *lists = args
    if isinstance(sep, Unknown):
        return sep
    items = []
    for lst in lists:
        if isinstance(lst, Unknown):
            return lst
        for x in lst:
            if isinstance(x, Unknown):
                return x
            items.append(_to_string(x))
    return str(sep).join(items)


def _fn_range(ev, args):
    if (u := _any_unknown(args)) is not None:
        return u
    nums = [int(_to_number(a)) for a in args]
    r = range(*nums)
    if len(r) > MAX_COLLECTION:
        return Unknown("range too large")
    return list(r)


def _fn_zipmap(ev, args):
    ks, vs = args
    if isinstance(ks, Unknown) or isinstance(vs, Unknown) or any(isinstance(k, Unknown) for k in ks):
        return Unknown("zipmap of unknowns")
    return dict(zip((_to_string(k) for k in ks), vs))


def _fn_contains(ev, args):
    lst, v = args
    if isinstance(lst, Unknown) or isinstance(v, Unknown) or any(isinstance(x, Unknown) for x in lst):
        return Unknown("contains on unknowns")
    return v in lst


def _fn_minmax(fn):
    def wrapped(ev, args):
        if (u := _any_unknown(args)) is not None:
            return u
        if not args:
            raise EvalError("min/max of nothing")
        return fn(_to_number(a) for a in args)
    return wrapped


def _fn_tonumber(ev, args):
    (v,) = args
    if isinstance(v, Unknown) or v is None:
        return v
    return _to_number(v)


def _fn_tostring(ev, args):
    (v,) = args
    if isinstance(v, Unknown) or v is None:
        return v
    return _to_string(v)


def _fn_identity(ev, args):
    return args[0] if args else None


def _fn_distinct(ev, args):
    return _fn_toset(ev, args)


def _fn_one(ev, args):
    (v,) = args
    if isinstance(v, Unknown):
        return v
    if not v:
        return None
    if len(v) == 1:
        return v[0]
    raise EvalError("one() of more than one item")


def _fn_compact(ev, args):
    (v,) = args
    if isinstance(v, Unknown):
        return v
    if any(isinstance(x, Unknown) for x in v):
        return Unknown("compact of unknown items")
    return [x for x in v if x not in (None, "")]


def _fn_split(ev, args):
    if (u := _any_unknown(args)) is not None:
        return u
    sep, s = args
    return str(s).split(str(sep))


_FUNCTIONS = {
    "length": _fn_length,
    "slice": _fn_slice,
    "concat": _fn_concat,
    "merge": _fn_merge,
    "yamlencode": _fn_encode("yaml"),
    "jsonencode": _fn_encode("json"),
    "yamldecode": _fn_decode("yaml"),
    "jsondecode": _fn_decode("json"),
    "file": _fn_file,
    "templatefile": _fn_templatefile,
    "lookup": _fn_lookup,
    "coalesce": _fn_coalesce,
    "element": _fn_element,
    "keys": _fn_keys,
    "values": _fn_values,
    "toset": _fn_toset,
    "tolist": _fn_identity,
    "tomap": _fn_identity,
    "tonumber": _fn_tonumber,
    "tostring": _fn_tostring,
    "tobool": lambda ev, a: a[0] if isinstance(a[0], (Unknown, type(None))) else _to_bool(a[0]),
    "distinct": _fn_distinct,
    "flatten": _fn_flatten,
    "one": _fn_one,
    "compact": _fn_compact,
    "join": _fn_join,
    "split": _fn_split,
    "format": _fn_format,
    "lower": _string_fn(lambda s: str(s).lower()),
    "upper": _string_fn(lambda s: str(s).upper()),
    "trimspace": _string_fn(lambda s: str(s).strip()),
    "trimprefix": _string_fn(lambda s, p: str(s)[len(p):] if str(s).startswith(p) else str(s)),
    "trimsuffix": _string_fn(lambda s, p: str(s)[: -len(p)] if p and str(s).endswith(p) else str(s)),
    "replace": _string_fn(lambda s, a, b: str(s).replace(str(a), str(b))
                          if not (str(a).startswith("/") and str(a).endswith("/")) else UNKNOWN),
    "basename": _string_fn(lambda s: os.path.basename(str(s).rstrip("/"))),
    "dirname": _string_fn(lambda s: os.path.dirname(str(s))),
    "substr": _string_fn(lambda s, o, n: str(s)[int(o):] if int(n) < 0 else str(s)[int(o):int(o) + int(n)]),
    "cidrsubnet": _fn_cidrsubnet,
    "range": _fn_range,
    "zipmap": _fn_zipmap,
    "contains": _fn_contains,
    "max": _fn_minmax(max),
    "min": _fn_minmax(min),
    "abs": _string_fn(lambda x: abs(_to_number(x))),
    "sensitive": _fn_identity,
    "nonsensitive": _fn_identity,
}


# --- the project: all modules of a scope, and the safe file reader ------------------------


class Project:
    """All Terraform modules that were discovered, and the checked tree's root for file()."""

    def __init__(self, modules: dict[str, TfModule], tree_roots: list[str], yaml_files: dict | None = None):
        self.modules = modules
        self.tree_roots = [os.path.realpath(r) for r in tree_roots]
        self._file_cache: dict[str, bytes | None] = {}
        self._yaml = yaml_files or {}  # real path -> YamlFile parsed by the parse layer

    @staticmethod
    def resolve(path: str, module_dir: str) -> str:
        return os.path.realpath(path if os.path.isabs(path) else os.path.join(module_dir, path))

    def parsed_documents(self, real_path: str) -> list | None:
        """The documents of a YAML file the parse layer already read (None if it did not,
        or it did not parse)."""
        y = self._yaml.get(real_path)
        if y is None or y.error:
            return None
        return [d.value for d in y.documents]

    def read_file(self, path: str, module_dir: str) -> bytes | None:
        """file()/templatefile(): only regular files inside the checked tree, size-capped."""
        real = self.resolve(path, module_dir)
        if real in self._file_cache:
            return self._file_cache[real]
        data = None
        if any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.tree_roots):
            try:
                p = Path(real)
                if p.is_file() and p.stat().st_size <= MAX_FILE_READ:
                    data = p.read_bytes()
            except OSError:
                data = None
        self._file_cache[real] = data
        return data

    def root_context(self, directory: str) -> ModuleContext:
        return ModuleContext(self.modules[directory], self)


def expand_instances(ctx: ModuleContext, blk: HclBlock) -> list[dict] | None:
    """Bindings for each instance of a block with count/for_each; [{}] for one instance,
    None when the number of instances is unknown."""
    attrs = blk.body.attrs
    if "count" in attrs:
        n = ctx.eval_attr(attrs["count"])
        if isinstance(n, Unknown):
            return None
        try:
            n = int(_to_number(n))
        except EvalError:
            return None
        return [{"count": {"index": i}} for i in range(min(n, MAX_COLLECTION))]
    if "for_each" in attrs:
        coll = ctx.eval_attr(attrs["for_each"])
        if isinstance(coll, Unknown):
            return None
        if isinstance(coll, dict):
            return [{"each": {"key": k, "value": v}} for k, v in coll.items()]
        if isinstance(coll, list):
            if any(isinstance(x, Unknown) for x in coll):
                return None
            return [{"each": {"key": _to_string(x), "value": x}} for x in coll]
        return None
    return [{}]

"""Module instances: what one call of a module knows (inputs, locals, variables, children,
resources), each name evaluated once and remembered.

A root module reads its variables from terraform.tfvars / *.auto.tfvars then defaults; a
called module reads them from the caller's arguments, evaluated in the caller's context.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from msgspec import Struct, field
from tree_sitter import Node

from meshlint.parse.hclfront import HclAttr, HclBlock, HclBody, HclFile
from meshlint.values import Location, Unknown, YMap, YSeq

from .budget import MAX_COLLECTION, OverBudget
from .convert import EvalError, Scope, Value, new_map, new_seq, to_int, to_string
from .datasources import data_source
from .evaluate import Evaluator
from .modules import TfModule, called_module_dir

if TYPE_CHECKING:  # type-only: the project creates root contexts
    from .project import Project



class CallerInput(Struct, frozen=True):
    """One argument of a module call: written in the caller's module block, evaluated in the
    caller's context with the call instance's `count`/`each` bound."""

    caller: ModuleContext
    attr: HclAttr
    scope: Scope = field(default_factory=dict)


class InstanceProblem(Struct, frozen=True):
    """`count` / `for_each` of a value Terraform refuses (`count = 1e999`, `for_each = [["a"]]`):
    the block has no instances meshlint can read, and the model reports why."""

    location: Location
    block: str  # the block's address in its module: resource.x.y, module.z
    argument: str  # count | for_each
    expected: str
    found: str


Inputs = dict[str, CallerInput]
_NOT_INPUTS = ("source", "version", "providers", "depends_on", "count", "for_each")

MAX_MODULE_DEPTH = 20
MAX_BLOCK_DEPTH = 32  # nested blocks evaluated into one object (real schemas nest fewer than 10)
_INT64 = 2**63 - 1  # Terraform reads `count` into a 64-bit integer


def expr_node(attr: HclAttr) -> Node:
    """The tree-sitter node of an attribute's expression."""
    node = attr.expr
    assert isinstance(node, Node)
    return node


class ModuleContext:
    """One instance of a module being evaluated: its inputs, locals and child modules."""

    def __init__(self, module: TfModule, project: Project, inputs: Inputs | None = None,
                 parent: ModuleContext | None = None, call_name: str = "", instance_key: str = ""):
        self.module = module
        self.project = project
        self.inputs = inputs  # None for a root module
        self.parent = parent
        self.call_name = call_name
        self.instance_key = instance_key  # `[0]` or `["a"]` for a call with count / for_each
        self._instances: dict[str, list[ModuleContext] | None] = {}
        self._locals: dict[str, Value] = {}
        self._vars: dict[str, Value] = {}
        self._in_progress: set[str] = set()
        self._children: dict[str, ModuleContext | None] = {}
        self._tfvars: dict[str, HclAttr] | None = None
        self._resources: dict[tuple[str, str], Value] = {}
        self._meta: dict[int, Value] = {}  # count / for_each, by id of the attribute
        self._refused: dict[int, InstanceProblem] = {}  # count / for_each Terraform refuses, by id
        for blk in module.unknown_blocks:  # never silent: what meshlint does not read, and why
            project.budget.note(f"{blk.file.path}:{blk.line}", f"`{blk.type}` is not a Terraform block type "
                                "(Terraform rejects the file, unless the type is newer than meshlint)")

    # -- names ---------------------------------------------------------------------------
    @property
    def address(self) -> str:
        if self.parent is None:
            return ""
        return f"{self.parent.address}module.{self.call_name}{self.instance_key}."

    def local(self, name: str) -> Value:
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
            value = self.eval_attr(attr)
        finally:
            self._in_progress.discard(key)
        self._locals[name] = value
        return value

    def variable(self, name: str) -> Value:
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
                return hit.attr
        elif name in self.tfvars():
            return self.tfvars()[name]
        blk = self.module.variables.get(name)
        if blk is not None:
            return blk.body.attrs.get("default")
        return None

    def _variable(self, name: str) -> Value:
        blk = self.module.variables.get(name)
        key = "var." + name
        if key in self._in_progress:
            return Unknown(f"cycle through var.{name}")
        self._in_progress.add(key)
        try:
            if self.inputs is not None:
                hit = self.inputs.get(name)
                if hit is not None:
                    return hit.caller.eval_attr(hit.attr, hit.scope)
            else:
                tfv = self.tfvars().get(name)
                if tfv is not None:
                    return self.eval_attr(tfv)
            if blk is None:
                raise EvalError(f"no variable {name!r}")
            default = blk.body.attrs.get("default")
            if default is not None:
                return self.eval_attr(default)
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

    def child(self, name: str) -> ModuleContext | None:
        """The instance of a module call read from the checked tree (memoised); None when it
        has count/for_each, its source is not in the checked tree, it calls one of its own
        callers (a cycle) or passes the run's limits."""
        if name in self._children:
            return self._children[name]
        self._children[name] = None  # guards recursion
        call = self.module.module_calls.get(name)
        ctx = None
        if call is not None and "count" not in call.body.attrs and "for_each" not in call.body.attrs:
            target = called_module_dir(call, self.module.directory, self.project.tree_roots)
            if target is not None:
                mod = self.project.modules.get(target)
                if mod is not None and self._may_call(mod, call.file.path, call.line, name):
                    inputs = {k: CallerInput(self, a) for k, a in call.body.attrs.items()
                              if k not in _NOT_INPUTS}
                    ctx = ModuleContext(mod, self.project, inputs, self, name)
        self._children[name] = ctx
        return ctx

    def instances(self, name: str) -> list[ModuleContext] | None:
        """Every instance of a local module call, each with its own inputs: one per `count`
        index or `for_each` key (none when an enable flag sets count to 0), one for a plain
        call. None when the call is not local, its instances are not known, or it passes
        the run's limits (memoised)."""
        if name in self._instances:
            return self._instances[name]
        self._instances[name] = None  # guards recursion
        call = self.module.module_calls.get(name)
        found = None
        if call is not None and (target := called_module_dir(
                call, self.module.directory, self.project.tree_roots)) is not None:
            mod = self.project.modules.get(target)
            binds = self.instance_bindings(call)
            if binds == [{}]:  # a plain call: the instance `child()` gives
                plain = self.child(name)
                found = None if plain is None else [plain]
            elif mod is not None and binds is not None:
                found = []
                for bind in binds:
                    if not self._may_call(mod, call.file.path, call.line, name):
                        found = None
                        break
                    inputs = {k: CallerInput(self, a, bind) for k, a in call.body.attrs.items()
                              if k not in _NOT_INPUTS}
                    found.append(ModuleContext(mod, self.project, inputs, self, name, instance_key(bind)))
        self._instances[name] = found
        return found

    def instance_bindings(self, blk: HclBlock) -> list[Scope] | None:
        """Bindings for each instance of a block with count/for_each; [{}] for one instance,
        None when the number of instances is unknown."""
        attrs = blk.body.attrs
        if "count" in attrs:
            n = self.meta_argument(attrs["count"])
            if isinstance(n, Unknown):
                return None
            count = _whole_number(n)
            if count is None or count < 0:
                self._refuse(blk, attrs["count"], "a non-negative whole number", _shape_of(n))
                return None
            if count > MAX_COLLECTION:
                attr = attrs["count"]
                self.project.budget.note(f"{attr.file.path}:{attr.line}", f"count = {count:,} is past the limit of "
                                         f"{MAX_COLLECTION:,} instances: only the first {MAX_COLLECTION:,} are read")
            return [{"count": {"index": i}} for i in range(min(count, MAX_COLLECTION))]
        if "for_each" in attrs:
            coll = self.meta_argument(attrs["for_each"])
            if isinstance(coll, Unknown):
                return None
            if isinstance(coll, dict):
                return [{"each": {"key": k, "value": v}} for k, v in coll.items()]
            if isinstance(coll, list):
                if any(isinstance(x, Unknown) for x in coll):
                    return None
                try:
                    return [{"each": {"key": to_string(x), "value": x}} for x in coll]
                except EvalError:  # a set of collections (or of nulls): Terraform rejects it
                    odd = next(x for x in coll if isinstance(x, (dict, list)) or x is None)
                    self._refuse(blk, attrs["for_each"], "a map or a set of strings", f"a list of {_shape_of(odd, plural=True)}")
                    return None
            self._refuse(blk, attrs["for_each"], "a map or a set of strings", _shape_of(coll))
            return None
        return [{}]

    def refused_instances(self) -> list[InstanceProblem]:
        """The blocks of this instance whose `count` / `for_each` Terraform refuses (so far)."""
        return list(self._refused.values())

    def _refuse(self, blk: HclBlock, attr: HclAttr, expected: str, found: str) -> None:
        kind = {"resource": "", "data": "data.", "module": "module."}.get(blk.type, blk.type + ".")
        self._refused.setdefault(id(attr), InstanceProblem(
            Location(attr.file.path, attr.line, attr.col, attr.end_line, attr.end_col),
            f"{self.address}{kind}{'.'.join(blk.labels)}", attr.name, expected, found))

    def _may_call(self, mod: TfModule, path: str, line: int, name: str) -> bool:
        budget = self.project.budget
        where = f"{path}:{line}"
        if any(c.module is mod for c in self.lineage()):
            budget.note(where, f"module.{name} calls one of its own callers (a cycle)")
            return False
        if self.depth() >= MAX_MODULE_DEPTH:
            budget.note(where, f"module.{name} is nested more than {MAX_MODULE_DEPTH} deep")
            return False
        if not budget.module_instance():
            budget.note(where, "too many module instances in this run")
            return False
        return True

    def lineage(self) -> list[ModuleContext]:
        """This instance and its callers, up to the root."""
        out: list[ModuleContext] = []
        ctx: ModuleContext | None = self
        while ctx is not None:
            out.append(ctx)
            ctx = ctx.parent
        return out

    def depth(self) -> int:
        return len(self.lineage()) - 1

    def meta_argument(self, attr: HclAttr) -> Value:
        """`count` / `for_each` of a block: evaluated once, whatever the number of instances
        (they cannot refer to `each` or `count` themselves)."""
        key = id(attr)
        if key not in self._meta:
            self._meta[key] = self.eval_attr(attr)
        return self._meta[key]

    def resource(self, rtype: str, name: str, mode: str = "resource") -> Value:
        key = (mode + ":" + rtype, name)
        if key in self._resources:
            return self._resources[key]
        table = self.module.resources if mode == "resource" else self.module.data
        blk = table.get((rtype, name))
        if blk is None:
            raise EvalError(f"no {mode} {rtype}.{name}")
        self._resources[key] = Unknown("resource under evaluation")
        value: Value
        if mode == "data":
            value = data_source(self, rtype, blk)  # known only where it renders checked files
        elif "count" in blk.body.attrs or "for_each" in blk.body.attrs:
            value = Unknown(f"{rtype}.{name} is only known after apply")
        else:
            value = self.eval_body(blk.body, partial=True)
        self._resources[key] = value
        return value

    # -- expressions -----------------------------------------------------------------------
    def eval(self, node: Node, f: HclFile, scope: Scope | None = None) -> Value:
        """Evaluate one expression node; Terraform-level errors become Unknown."""
        try:
            return Evaluator(self, f, scope or {}, self.project.budget).expr(node, 0)
        except EvalError as exc:
            return Unknown(str(exc))
        except RecursionError:
            return Unknown("expression too deep")
        except OverBudget as exc:
            self.project.budget.note(f"{f.path}:{node.start_point[0] + 1}", exc.reason)
            return Unknown(exc.reason)
        # anything else is a bug of the evaluator, not a property of the input: it raises

    def eval_attr(self, attr: HclAttr | None, scope: Scope | None = None) -> Value:
        if attr is None:
            return None
        return self.eval(expr_node(attr), attr.file, scope)

    def eval_body(self, body: HclBody, scope: Scope | None = None, partial: bool = False) -> YMap:
        """A block body as an object: attributes evaluated, nested blocks as lists."""
        return self._eval_body(body, scope, partial, top=True)

    def _eval_body(self, body: HclBody, scope: Scope | None, partial: bool, top: bool, depth: int = 0) -> YMap:
        out = new_map()
        for name, attr in body.attrs.items():
            out.path = attr.file.path
            if top and name in ("count", "for_each"):
                out[name] = self.meta_argument(attr)
            else:
                out[name] = self.eval_attr(attr, scope)
            out.keypos[name] = (attr.line, attr.col)
        groups: dict[str, YSeq] = {}
        for blk in body.blocks:
            if blk.type == "dynamic":
                continue
            seq = groups.get(blk.type)
            if seq is None:
                seq = groups[blk.type] = new_seq(blk.file.path)
                seq.line, seq.col, seq.end_line = blk.line, blk.col, blk.end_line
                out[blk.type] = seq
                out.keypos[blk.type] = (blk.line, blk.col)
            if depth >= MAX_BLOCK_DEPTH:  # past the cap: the block is not read, and a note says where
                self.project.budget.note(f"{blk.file.path}:{blk.line}",
                                         f"blocks nested more than {MAX_BLOCK_DEPTH} deep")
                seq.append(Unknown(f"blocks nested more than {MAX_BLOCK_DEPTH} deep"))
                seq.itempos.append((blk.line, blk.col))
                continue
            inner = self._eval_body(blk.body, scope, partial, top=False, depth=depth + 1)
            inner.line, inner.col, inner.end_line = blk.line, blk.col, blk.end_line
            seq.append(inner)
            seq.itempos.append((blk.line, blk.col))
        return out


def _whole_number(value: Value) -> int | None:
    """`count` as Terraform reads it: a whole number (a numeric string converts), else None."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    try:
        n = to_int(value)
    except (EvalError, ValueError, OverflowError):
        return None
    if isinstance(value, float) and not value.is_integer() or abs(n) > _INT64:
        return None
    return n


def _shape_of(value: object, plural: bool = False) -> str:
    """A value's shape in words, for a message ("infinity", "a list", "lists")."""
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "infinity"
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return "a negative number"
    words = {bool: ("a boolean", "booleans"), int: ("a number", "numbers"), float: ("a fraction", "fractions"),
             str: ("a string", "strings"), dict: ("a map", "maps"), list: ("a list", "lists")}
    for kind, (one, many) in words.items():
        if isinstance(value, kind):
            return many if plural else one
    return "nulls" if plural else "null"


def instance_key(bind: Scope) -> str:
    """How Terraform writes an instance in an address: `[0]`, `["key"]`, or nothing."""
    count, each = bind.get("count"), bind.get("each")
    if isinstance(count, dict):
        return f"[{count['index']}]"
    if isinstance(each, dict):
        return f'["{each["key"]}"]'
    return ""

"""Typed reads of raw documents: "a list at this key", "a mapping at this key".

A repository is hostile or broken input: `containers: 5`, `http: 5`, `set = 5`. The model
builders read every list and mapping they walk through these accessors, which give an
empty value for a wrong shape, so nothing crashes, and record the problem with the key's
file and line, so nothing is silently dropped either. A problem is recorded once, however
many builders read the key.

Where the tool that applies the file certainly rejects the wrong shape (kubectl and the API
server for the kinds whose schema meshlint knows, Helm for Chart.yaml / Chart.lock,
Terraform for a provider's typed arguments and for `count` / `for_each`), the problem is a
MESH001 error: the file cannot be applied, as a file that does not parse cannot. Where
nobody certainly rejects it (a module input of type `any`, Helm values), meshlint merely
cannot read it, and the run's report carries a note naming file and line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from msgspec import Struct

from meshlint.findings import Finding, Severity
from meshlint.locate import key_location
from meshlint.model.placeholders import has_placeholder
from meshlint.model.types import K8sObject
from meshlint.values import Location, Unknown

MAX_NOTES = 20  # shape notes kept per scope (the first ones say where to look)


class Where(Struct, frozen=True):
    """The mapping being read: its dotted path in the document (`spec.template.spec`), the
    object it belongs to, where to point when a key has no position of its own, and who
    rejects a wrong shape in it (None: nobody certainly does; a note, not a finding)."""

    field: str
    object: str
    fallback: Location
    rejected_by: str | None

    def at(self, key: str | int) -> Where:
        """The mapping under `key` of this one."""
        return Where(_join(self.field, key), self.object, self.fallback, self.rejected_by)


class ShapeProblem(Struct, frozen=True):
    """A value of the wrong shape at one key: a finding when `rejected_by` is known, else a note."""

    location: Location
    field: str
    expected: str  # "a list", "a mapping", "a non-negative whole number"
    found: str  # "an integer", "infinity"
    object: str
    rejected_by: str | None

    @property
    def message(self) -> str:
        text = f"{self.field} must be {self.expected}, not {self.found}"
        if self.rejected_by is not None:
            return f"{text} ({self.rejected_by} rejects this {_what(self.rejected_by)})"
        return f"{text}: meshlint cannot read it and checks the rest without it"

    @property
    def note(self) -> str:
        loc = self.location
        return f"{loc.path}:{loc.line}: {self.message}"


class Shapes:
    """The shape problems of one scope, recorded by the typed accessors, each once."""

    __slots__ = ("_problems",)

    def __init__(self) -> None:
        self._problems: dict[tuple, ShapeProblem] = {}

    # -- accessors ---------------------------------------------------------------------------
    def seq(self, node: Mapping, key: str, where: Where, of_mappings: bool = False) -> Sequence:
        """The list at `node[key]`; empty when absent, unknown or of another shape (recorded).
        `of_mappings`: its items must be mappings (containers, ports, servers); an item of
        another shape is recorded at its own line, and the caller skips it."""
        value = node.get(key)
        if isinstance(value, (list, tuple)):
            if of_mappings:
                self._check_items(value, where.at(key), key_location(node, key, where.fallback))
            return value
        self._check(node, key, value, where, "a list")
        return ()

    def _check_items(self, items: Sequence, where: Where, fallback: Location) -> None:
        positions = getattr(items, "itempos", None) or ()
        for i, item in enumerate(items):
            if isinstance(item, Mapping) or _absent(item):
                continue
            line, col = positions[i] if i < len(positions) else (fallback.line, fallback.column)
            self.add(ShapeProblem(Location(fallback.path, line, col), _join(where.field, i), "a mapping",
                                  describe(item), where.object, where.rejected_by))

    def mapping(self, node: Mapping, key: str, where: Where) -> Mapping:
        """The mapping at `node[key]`; empty when absent, unknown or of another shape (recorded)."""
        value = node.get(key)
        if isinstance(value, Mapping):
            return value
        self._check(node, key, value, where, "a mapping")
        return {}

    def find_mapping(self, node: Mapping, key: str, where: Where) -> Mapping | None:
        """The mapping at `node[key]`, or None when there is none (a wrong shape recorded)."""
        value = node.get(key)
        if isinstance(value, Mapping):
            return value
        self._check(node, key, value, where, "a mapping")
        return None

    def items(self, value: object, where: Where) -> Sequence:
        """`value` itself as a list (a value read elsewhere, e.g. a Terraform block's `set`)."""
        if isinstance(value, (list, tuple)):
            return value
        if not _absent(value):
            self.add(ShapeProblem(where.fallback, where.field, "a list", describe(value), where.object,
                                  where.rejected_by))
        return ()

    # -- the log -----------------------------------------------------------------------------
    def add(self, problem: ShapeProblem) -> None:
        loc = problem.location
        self._problems.setdefault((loc.path, loc.line, loc.column, problem.field), problem)

    def problems(self) -> list[ShapeProblem]:
        return list(self._problems.values())

    def findings(self, scope: str) -> list[Finding]:
        """MESH001 for every shape the applying tool rejects."""
        return [Finding("MESH001", Severity.ERROR, p.message, p.location, object=p.object or p.location.path,
                        scope=scope, detail=f"shape:{p.field}", name="parse-error")
                for p in self._problems.values() if p.rejected_by is not None]

    def notes(self) -> list[str]:
        """A note for every shape meshlint cannot read and nobody certainly rejects."""
        return [p.note for p in self._problems.values() if p.rejected_by is None][:MAX_NOTES]

    def _check(self, node: Mapping, key: str, value: object, where: Where, expected: str) -> None:
        if _absent(value):
            return
        location = key_location(node, key, where.fallback)
        self.add(ShapeProblem(location, _join(where.field, key), expected, describe(value), where.object,
                              where.rejected_by))


# API groups whose served schema types every field the model reads: the API server rejects a
# wrong shape there (Argo Rollouts is left out: its CRD keeps the pod template schemaless)
_TYPED_GROUPS = ("apps/", "batch/", "networking.istio.io/", "gateway.networking.k8s.io/", "karpenter.sh/",
                 "argoproj.io/")
_POD_SPEC = {"Pod": "spec", "CronJob": "spec.jobTemplate.spec.template.spec"}


def object_where(obj: K8sObject) -> Where:
    """An object's document, read from its top: a wrong shape is rejected when the API
    server types the field (built-in kinds and the CRDs above), else a note."""
    typed = (obj.api_version == "v1" or obj.api_version.startswith(_TYPED_GROUPS)) and obj.kind != "Rollout"
    rejected_by = None
    if typed:
        rejected_by = "kubectl" if obj.origin == "manifest" else "the Kubernetes API server"
    return Where("", obj.ref, obj.location, rejected_by)


def pod_spec_where(obj: K8sObject) -> Where:
    """A workload's pod spec (`spec.template.spec` for most kinds)."""
    top = object_where(obj)
    return Where(_POD_SPEC.get(obj.kind, "spec.template.spec"), top.object, top.fallback, top.rejected_by)


def _absent(value: object) -> bool:
    """Nothing to report: no value, a value known only at apply, or a template placeholder
    (`${CONTAINERS}`) that a tool fills in before anything applies it."""
    return value is None or isinstance(value, Unknown) or has_placeholder(value)


def _join(field: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{field}[{key}]"
    return f"{field}.{key}" if field else str(key)


def _what(rejected_by: str) -> str:
    return "block" if rejected_by == "Terraform" else "file" if rejected_by == "Helm" else "object"


def describe(value: object) -> str:
    """A value's shape in words, for a message."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "infinity"
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__

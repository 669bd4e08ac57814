"""Typed scheduling records: node pools and the architectures they offer, pods with their
scheduling constraints (an `ArchSubject` per workload or Helm release), image platforms,
and where a pod can land. Built by `meshlint.model.extract_node_pools` and
`meshlint.model.derive_arch`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from msgspec import Struct

from meshlint.values import Location, text

ARCH_LABELS = ("kubernetes.io/arch", "beta.kubernetes.io/arch")
ARCHS = frozenset(("amd64", "arm64"))

WELL_KNOWN_PREFIXES = ("kubernetes.io/", "topology.kubernetes.io/", "node.kubernetes.io/",
                       "karpenter.sh/capacity-type", "eks.amazonaws.com/capacity-type",
                       "beta.kubernetes.io/", "failure-domain.beta.kubernetes.io/")


class Taint(NamedTuple):
    key: str | None
    value: str | None
    effect: str | None  # Kubernetes spelling (NoSchedule, ...)


class Toleration(NamedTuple):
    key: str | None
    operator: str  # Equal | Exists
    value: str | None
    effect: str | None

    @classmethod
    def from_raw(cls, raw: Mapping) -> Toleration:
        return cls(text(raw.get("key")), text(raw.get("operator")) or "Equal",
                   text(raw.get("value")), text(raw.get("effect")))

    def tolerates(self, taint: Taint) -> bool:
        if self.effect and self.effect != taint.effect:
            return False
        if self.key is None and self.operator == "Exists":
            return True
        if self.key != taint.key:
            return False
        return self.operator == "Exists" or self.value == taint.value


class ImageUse(NamedTuple):
    image: str
    location: Location


class FargateSelector(Struct, frozen=True):
    namespace: str
    labels: Mapping


class NodePool(Struct, frozen=True):
    name: str
    kind: str  # managed | self-managed | fargate | karpenter | auto-mode
    archs: frozenset[str] | None  # None: not known
    labels: Mapping
    taints: tuple[Taint, ...]
    location: Location
    object: str
    why: str = ""  # how the architecture was decided
    fargate_selectors: tuple[FargateSelector, ...] = ()


class ArchSubject(Struct, frozen=True):
    """Pods of one workload (or one Helm release's values), their scheduling constraints and
    the images they run."""

    name: str  # Deployment/shop/api, helm_release.kiali
    namespace: str | None
    pod_labels: Mapping
    node_selector: Mapping[str, str | None]
    required_archs: frozenset[str] | None  # from nodeSelector / required node affinity
    tolerations: tuple[Toleration, ...]
    images: tuple[ImageUse, ...]
    location: Location
    constrained: bool  # has an explicit arch constraint
    complete: bool = True  # False when scheduling inputs are partly unknown


class ImageArchs(Struct, frozen=True):
    archs: frozenset[str] | None
    source: str  # "meshlint data (...)", "registry", or why unknown


def _tolerated(tolerations: tuple[Toleration, ...], taint: Taint) -> bool:
    if taint.effect not in ("NoSchedule", "NoExecute"):
        return True
    return any(t.tolerates(taint) for t in tolerations)


def candidate_pools(subject: ArchSubject, pools: list[NodePool]) -> list[NodePool] | None:
    """The node pools the pods can land on; None when that cannot be known."""
    fargate = [p for p in pools if p.kind == "fargate"]
    for p in fargate:
        if p.archs is None:
            return None
        for sel in p.fargate_selectors:
            if subject.namespace == sel.namespace and all(
                    text(subject.pod_labels.get(k)) == text(v) for k, v in sel.labels.items()):
                return [p]  # the Fargate scheduler takes matching pods
    out = []
    for p in pools:
        if p.kind == "fargate":
            continue
        if not all(_tolerated(subject.tolerations, t) for t in p.taints):
            continue
        fits = True
        for key, value in subject.node_selector.items():
            if key in ARCH_LABELS:
                continue
            if key in p.labels:
                fits = text(p.labels[key]) == value
            elif key.startswith(WELL_KNOWN_PREFIXES):
                fits = True  # present on every node (zone, os, instance type, ...)
            elif p.kind == "karpenter" or any(key in q.labels for q in pools):
                fits = False  # declared elsewhere, not on this pool
            else:
                return None  # a label meshlint cannot see (node group names, user data)
            if not fits:
                break
        if fits:
            out.append(p)
    return out

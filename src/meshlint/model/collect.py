"""What one scope's files declare, gathered by the extractors before anything is derived.

Extractors append records to a `Collector`; `ScopeSources` is its finished, read-only form,
the input of `build_model`. Kubernetes objects are sorted here by what they declare: Argo CD
applications become Helm releases, Namespaces namespace declarations, workload kinds
workloads with their pod template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from meshlint.locate import key_location
from meshlint.model.extract_argocd import argocd_releases
from meshlint.model.nodes import NodePool
from meshlint.model.types import (
    WORKLOAD_KINDS,
    Component,
    HelmRelease,
    K8sObject,
    Namespace,
    NatGateways,
    Workload,
    as_mapping,
)
from meshlint.values import Location, YMap


@dataclass
class Collector:
    objects: list[K8sObject] = field(default_factory=list)
    namespaces: dict[str, list[Namespace]] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)
    releases: list[HelmRelease] = field(default_factory=list)
    nat_gateways: list[NatGateways] = field(default_factory=list)
    cluster_versions: list[Component] = field(default_factory=list)  # kind "kubernetes"
    node_pools: list[NodePool] = field(default_factory=list)
    region: str | None = None

    def add_namespace(self, ns: Namespace) -> None:
        self.namespaces.setdefault(ns.name, []).append(ns)

    def add_object(self, obj: K8sObject, declared_as: str | None = None) -> None:
        """A Kubernetes object; `declared_as` names the Terraform resource that declares it."""
        self.objects.append(obj)
        if obj.kind in ("Application", "ApplicationSet") and obj.api_version.startswith("argoproj.io/"):
            self.releases.extend(argocd_releases(obj))
            return
        if obj.kind == "Namespace" and obj.name:
            location = obj.location
            meta = obj.body.get("metadata")
            if obj.origin == "manifest" and isinstance(meta, YMap) and "name" in getattr(meta, "keypos", {}):
                location = key_location(meta, "name", location)
                location = Location(location.path, location.line, location.column, location.line,
                                    location.column + len("name: ") + len(obj.name))
            self.add_namespace(Namespace(obj.name, obj.labels, location,
                                         declared_as or f"Namespace/{obj.name}", obj.origin))
            return
        if obj.kind in WORKLOAD_KINDS:
            template = pod_template(obj.kind, obj.body)
            if template is not None:
                meta, spec = template
                self.workloads.append(Workload(
                    obj, spec, as_mapping(meta.get("labels")), as_mapping(meta.get("annotations")),
                    obj.location))

    def finish(self, scope: str) -> ScopeSources:
        return ScopeSources(scope, self.objects, self.namespaces, self.workloads, self.releases,
                            self.nat_gateways, self.cluster_versions, self.node_pools, self.region)


def pod_template(kind: str, body: Mapping) -> tuple[Mapping, Mapping] | None:
    """(metadata, spec) of a workload's pod template; None when it has none."""
    spec = body.get("spec")
    if not isinstance(spec, Mapping):
        return None
    if kind == "Pod":
        return as_mapping(body.get("metadata")), spec
    if kind == "CronJob":
        job = spec.get("jobTemplate")
        spec = job.get("spec") if isinstance(job, Mapping) else None
        if not isinstance(spec, Mapping):
            return None
    template = spec.get("template")
    if not isinstance(template, Mapping):
        return None
    return as_mapping(template.get("metadata")), as_mapping(template.get("spec"))


@dataclass(frozen=True, slots=True)
class ScopeSources:
    """One scope's declarations (objects, releases, Terraform facts), not yet derived."""

    scope: str
    objects: list[K8sObject]
    namespaces: dict[str, list[Namespace]]
    workloads: list[Workload]
    releases: list[HelmRelease]
    nat_gateways: list[NatGateways]
    cluster_versions: list[Component]
    node_pools: list[NodePool]
    region: str | None

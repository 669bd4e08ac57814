"""What one scope's files declare, gathered by the extractors before anything is derived.

Extractors append records to a `Collector`; `ScopeSources` is its finished, read-only form,
the input of `build_model`. Kubernetes objects are sorted here by what they declare: Argo CD
applications become Helm releases, Namespaces namespace declarations, workload kinds
workloads with their pod template.
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct, field

from meshlint.locate import key_location
from meshlint.model.extract_argocd import argocd_releases
from meshlint.model.nodes import NodePool
from meshlint.model.shapes import Shapes, object_where
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


class Collector(Struct):
    objects: list[K8sObject] = field(default_factory=list)
    namespaces: dict[str, list[Namespace]] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)
    releases: list[HelmRelease] = field(default_factory=list)
    nat_gateways: list[NatGateways] = field(default_factory=list)
    cluster_versions: list[Component] = field(default_factory=list)  # kind "kubernetes"
    node_pools: list[NodePool] = field(default_factory=list)
    region: str | None = None
    shapes: Shapes = field(default_factory=Shapes)  # wrong shapes met while reading, each once

    def add_namespace(self, ns: Namespace) -> None:
        self.namespaces.setdefault(ns.name, []).append(ns)

    def add_object(self, obj: K8sObject, declared_as: str | None = None) -> None:
        """A Kubernetes object; `declared_as` names the Terraform resource that declares it."""
        self.objects.append(obj)
        if obj.kind in ("Application", "ApplicationSet") and obj.api_version.startswith("argoproj.io/"):
            self.releases.extend(argocd_releases(obj, self.shapes))
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
            template = pod_template(obj, self.shapes)
            if template is not None:
                meta, spec = template
                self.workloads.append(Workload(
                    obj, spec, as_mapping(meta.get("labels")), as_mapping(meta.get("annotations")),
                    obj.location))

    def finish(self, scope: str) -> ScopeSources:
        return ScopeSources(scope, self.objects, self.namespaces, self.workloads, self.releases,
                            self.nat_gateways, self.cluster_versions, self.node_pools, self.region,
                            self.shapes)


def pod_template(obj: K8sObject, shapes: Shapes) -> tuple[Mapping, Mapping] | None:
    """(metadata, spec) of a workload's pod template; None when it has none (a wrong shape
    on the way is recorded in `shapes`)."""
    where = object_where(obj)
    spec = shapes.find_mapping(obj.body, "spec", where)
    if spec is None:
        return None
    where = where.at("spec")
    if obj.kind == "Pod":
        return shapes.mapping(obj.body, "metadata", object_where(obj)), spec
    if obj.kind == "CronJob":
        job = shapes.find_mapping(spec, "jobTemplate", where)
        spec = shapes.find_mapping(job, "spec", where.at("jobTemplate")) if job is not None else None
        if spec is None:
            return None
        where = where.at("jobTemplate").at("spec")
    template = shapes.find_mapping(spec, "template", where)
    if template is None:
        return None
    where = where.at("template")
    return shapes.mapping(template, "metadata", where), shapes.mapping(template, "spec", where)


class ScopeSources(Struct, frozen=True):
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
    # the shape log: `build_model` goes on writing to it as it derives (the engine reports it)
    shapes: Shapes = field(default_factory=Shapes)

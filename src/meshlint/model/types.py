"""The model's core records: one `Model` per scope, the facts every rule reads.

Every record carries a `Location` so a finding can point at the exact line. Values that
could not be known before apply are `Unknown`, never guesses. The model reads raw
documents (dicts); past the model, checks read these typed fields. Built by
`meshlint.model.build`.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from msgspec import Struct, field

from meshlint.model.istio import Gateway, KialiInstall, VirtualService
from meshlint.model.nodes import ArchSubject, ImageArchs, NodePool
from meshlint.values import Location, Unknown
from meshlint.versioning import IGNORED, classify_chart_version

_MISSING = object()

SYSTEM_NAMESPACES = frozenset(("kube-system", "kube-public", "kube-node-lease", "istio-system"))

WORKLOAD_KINDS = frozenset(
    ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet", "Rollout"))

# Kubernetes kinds ("Kind" or "Kind/name") some part of the model reads beyond their
# metadata; the engine tells the parser, which converts only apiVersion/kind/metadata of the
# others (CRDs, Secrets, most ConfigMaps, ...).
FULL_KINDS = WORKLOAD_KINDS | frozenset((
    "Namespace", "Service", "Gateway", "VirtualService", "ServiceEntry", "IstioOperator", "Kiali",
    "Application", "ApplicationSet", "NodePool", "Provisioner", "List", "ConfigMap/kiali",
    "HelmRelease", "HelmRepository"))


def as_mapping(value: object) -> Mapping:
    """A raw document node as a mapping: itself when it is one, else empty."""
    return value if isinstance(value, Mapping) else {}


def as_sequence(value: object) -> Sequence:
    """A raw document node as a list: itself when it is one, else empty (a scalar where a
    list belongs, `containers: 5`, is hostile or broken input: skipped, never a crash)."""
    return value if isinstance(value, (list, tuple)) else ()


class K8sObject(Struct, frozen=True):
    """A Kubernetes object from a manifest or from Terraform (kubernetes_manifest ...)."""

    kind: str
    api_version: str
    name: str
    namespace: str | None  # resolved; None for cluster-scoped kinds
    body: Mapping
    location: Location
    origin: str = "manifest"  # manifest | terraform

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"

    @property
    def metadata(self) -> Mapping:
        return as_mapping(self.body.get("metadata"))

    @property
    def spec(self) -> Mapping:
        return as_mapping(self.body.get("spec"))

    @property
    def labels(self) -> Mapping:
        return as_mapping(self.metadata.get("labels"))


class Namespace(Struct, frozen=True):
    """One declaration of a namespace. Labels may be Unknown (Terraform values)."""

    name: str
    labels: Mapping | Unknown
    location: Location
    object: str  # Namespace/orders or kubernetes_namespace_v1.orders
    origin: str  # manifest | terraform

    def label_location(self, label: str) -> Location:
        """Where a label is written, else the declaration itself."""
        labels = self.labels
        pos = getattr(labels, "keypos", {}).get(label) if isinstance(labels, Mapping) else None
        path = getattr(labels, "path", "") or self.location.path
        if pos:
            return Location(path, pos[0], pos[1], pos[0], pos[1] + len(label))
        return self.location


class Workload(Struct, frozen=True):
    """Something that runs pods: a workload object with its pod template."""

    object: K8sObject
    pod_spec: Mapping
    pod_labels: Mapping
    pod_annotations: Mapping
    location: Location

    @property
    def namespace(self) -> str:
        return self.object.namespace or "default"


# the key that pins a release's chart, by where the release is declared (HelmRelease.origin)
PIN_KEYS = {"helm_release": "version", "eks-blueprints-addons": "chart_version", "argocd": "targetRevision",
            "flux": "version", "kustomize": "version", "chart-dependency": "version"}


class HelmRelease(Struct, frozen=True):
    """A Helm chart release, wherever it is declared."""

    name: str | Unknown
    chart: str | Unknown
    repository: str | Unknown | None
    version: str | Unknown | None
    version_key: str | None  # the key the version was read from ("version", "chart_version")
    version_location: Location | None
    namespace: str | Unknown
    values: list  # values documents in merge order (dicts) or Unknown entries
    location: Location
    object: str  # helm_release.istiod, module.addons.helm_releases["istiod"], ...
    origin: str  # helm_release | eks-blueprints-addons | chart-dependency | argocd
    sets: list = field(default_factory=list)  # (dotted name, value) from `set` / `--set`
    ignored_keys: dict = field(default_factory=dict)  # key -> Location, keys the consumer ignores
    ignored_values: dict = field(default_factory=dict)  # key -> the value written there
    available: builtins.object = None  # online.ChartVersions from the chart repository (--online)
    repository_location: Location | None = None  # where the repository (URL) is written
    local_chart: LocalChart | None = None  # the Chart.yaml of a chart folder in the repository

    @property
    def pin(self) -> str:
        """How the version pins what gets installed (versioning.PINNED, RANGE, ...);
        `ignored-key` when the only version sits under a key the consumer ignores."""
        if self.version is None and "version" in self.ignored_keys:
            return IGNORED
        return classify_chart_version(self.version)

    @property
    def pin_key(self) -> str | None:
        """The key that pins the chart where the release is declared (`chart_version` in
        eks-blueprints-addons, `targetRevision` in Argo CD); None for a source not known."""
        return PIN_KEYS.get(self.origin)

    @property
    def pin_location(self) -> Location:
        """Where the version is (or should be) written."""
        if self.pin == "ignored-key":
            return self.ignored_keys["version"]
        return self.version_location or self.location

    def value(self, dotted: str) -> builtins.object:
        """The effective value at a dotted path (`set` wins over values documents, later
        documents over earlier ones); None when surely absent, Unknown when it may be set
        by something meshlint cannot read."""
        for name, val in reversed(self.sets):
            if isinstance(name, Unknown):
                return name
            if name == dotted:
                return val
        keys = dotted.split(".")
        for doc in reversed(self.values):
            if isinstance(doc, Unknown):
                return doc
            node = doc
            for k in keys:
                if isinstance(node, Unknown):
                    return node
                if not isinstance(node, Mapping) or k not in node:
                    node = _MISSING
                    break
                node = node[k]
            if node is not _MISSING:
                return node
        return None

    @property
    def chart_name(self) -> str | None:
        """The bare chart name: `istio/istiod`, `.../istiod-1.20.0.tgz` -> `istiod`."""
        if not isinstance(self.chart, str):
            return None
        name = self.chart.rstrip("/").rsplit("/", 1)[-1]
        if name.endswith(".tgz"):
            base = name[:-4]
            parts = base.rsplit("-", 1)
            name = parts[0] if len(parts) == 2 and parts[1][:1].isdigit() else base
        return name

    @property
    def is_local_chart(self) -> bool:
        """A chart directory in the repository (not from a chart repository)."""
        chart = self.chart
        if not isinstance(chart, str):
            return False
        if chart.startswith(("./", "../", "/")) or chart.startswith("file://"):
            return True
        repository = self.repository
        if isinstance(repository, str) and repository and (
                repository.startswith(("./", "../", "/", "file://")) or (
                self.origin == "helm_release" and "://" not in repository
                and not repository.startswith("oci:") and "." not in repository.split("/")[0])):
            # `repository = "charts"` + `chart = "x"`: Terraform's helm provider takes a URL or
            # a local path there, so a value without a scheme or a host is a folder of the
            # repository (Argo CD's OCI repoURLs have no scheme but start with a host)
            return True
        # a bare relative path with no repository is a chart directory in the repository
        return "/" in chart and not self.repository and "://" not in chart and not chart.startswith("oci:")

    @property
    def chart_ref(self) -> tuple[str, str] | None:
        """(repository, chart) to ask a chart repository about; None when not both known."""
        if isinstance(self.repository, str) and isinstance(self.chart, str):
            return self.repository, self.chart_name or self.chart
        return None


class IstioInstall(Struct, frozen=True):
    """An Istio control plane the scope installs (istiod), with the revision it serves."""

    revision: str | Unknown  # "" for the default revision
    revision_tags: list | Unknown
    location: Location
    object: str
    origin: str  # helm | manifest | istiooperator

    def provides(self) -> set[str] | None:
        """The `istio.io/rev` values this install answers, or None when not known."""
        if isinstance(self.revision, Unknown) or isinstance(self.revision_tags, Unknown):
            return None
        names = {self.revision or "default"}
        names.update(str(t) for t in self.revision_tags)
        return names


class NatGateways(Struct, frozen=True):
    """NAT gateways that one VPC module instance or one aws_nat_gateway resource creates."""

    count: int | None  # None: not known before apply
    reason: str  # which inputs decided the count
    location: Location
    object: str
    region: str | None
    vpc: str | None = None  # aws_nat_gateway resources: the VPC their subnet is in, when known
    regional: bool = False  # regional NAT gateways (one spans every AZ of its VPC), not zonal


class GatewayWorkload(Struct, frozen=True):
    """An Envoy gateway deployment an Istio Gateway can select (see model.derive_gateways)."""

    name: str
    namespace: str | Unknown
    labels: Mapping | Unknown  # pod labels
    service_ports: list | None  # (port, targetPort or None, name); None: not known
    location: Location
    object: str
    origin: str  # helm | istiooperator | manifest | gateway-api

    def describe(self) -> str:
        if isinstance(self.labels, Unknown):
            labels = "labels unknown"
        else:
            items = sorted(self.labels.items())
            labels = ", ".join(f"{k}={v}" for k, v in items if k in ("app", "istio")) or \
                ", ".join(f"{k}={v}" for k, v in items)
        ns = self.namespace if isinstance(self.namespace, str) else "?"
        return f"{ns}/{self.name} ({labels}) from {self.object}"


class Component(Struct, frozen=True):
    """One versioned piece of the mesh (an Istio chart, Kiali, a proxy image, Kubernetes)."""

    kind: str  # istio-base | istiod | gateway | cni | ztunnel | proxy | kiali | kubernetes
    name: str  # release name, image or resource name
    version: str | Unknown | None  # as written
    pin: str  # pinned | range | latest | absent | ignored-key | unknown | floating-tag
    location: Location  # where the version is (or should be) written
    object: str
    origin: str  # helm_release | eks-blueprints-addons | chart-dependency | argocd | image | ...
    revision: str | Unknown | None = None
    effective: str | None = None  # the version that will run, as far as it can be known
    effective_note: str = ""  # how `effective` was found when it is not the written version
    available: builtins.object = None  # online.ChartVersions of the release it came from (--online)

    @property
    def is_istio(self) -> bool:
        return self.kind in ("istio-base", "istiod", "gateway", "cni", "ztunnel", "proxy")


class LookupFailure(NamedTuple):
    """An image whose platforms the registry did not answer (--online)."""

    location: Location
    image: str
    message: str


class Model(Struct, frozen=True):
    scope: str
    objects: list[K8sObject] = field(default_factory=list)
    namespaces: dict[str, list[Namespace]] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)
    releases: list[HelmRelease] = field(default_factory=list)
    istio: list[IstioInstall] = field(default_factory=list)
    nat_gateways: list[NatGateways] = field(default_factory=list)
    region: str | None = None
    components: list[Component] = field(default_factory=list)
    gateway_workloads: list[GatewayWorkload] = field(default_factory=list)
    gateways: list[Gateway] = field(default_factory=list)  # Istio and Gateway API Gateways
    virtual_services: list[VirtualService] = field(default_factory=list)
    kiali: list[KialiInstall] = field(default_factory=list)
    opaque_kinds: frozenset[str] = frozenset()  # kinds declared in unrendered templates
    node_pools: list[NodePool] = field(default_factory=list)
    arch_subjects: list[ArchSubject] = field(default_factory=list)
    image_archs: dict[str, ImageArchs] = field(default_factory=dict)
    lookup_failures: list[LookupFailure] = field(default_factory=list)  # --online
    notes: list[str] = field(default_factory=list)

    def objects_of(self, kind: str, api_prefix: str = "") -> list[K8sObject]:
        return [o for o in self.objects if o.kind == kind and o.api_version.startswith(api_prefix)]

    def components_of(self, *kinds: str) -> list[Component]:
        return [c for c in self.components if c.kind in kinds]

    @property
    def installs_istio(self) -> bool:
        return bool(self.istio)

    @property
    def installs_ambient(self) -> bool:
        """Istio's ambient data plane is installed here: a ztunnel, or the `ambient` profile."""
        return any(c.kind == "ztunnel" for c in self.components) or any(
            r.value("profile") == "ambient" for r in self.releases
            if r.chart_name in ("istiod", "base", "cni", "ztunnel")) or any(
            o.kind == "IstioOperator" and o.spec.get("profile") == "ambient" for o in self.objects)

    @property
    def istio_gateways(self) -> list[Gateway]:
        return [g for g in self.gateways if not g.is_gateway_api]

    def istiod_namespace(self) -> str | None:
        """The namespace the istiod chart is installed into, when a release says it."""
        return next((r.namespace for r in self.releases
                     if r.chart_name == "istiod" and isinstance(r.namespace, str)), None)

    def istiod_namespace_for(self, kiali: KialiInstall) -> str:
        """Where Kiali is to look for istiod: the namespace a release installs it into, else
        the one Kiali's own settings name, else Istio's default."""
        return (self.istiod_namespace() or next((e.namespace for e in kiali.expectations if e.namespace), None)
                or "istio-system")

    def known_gateway_workloads(self) -> list[GatewayWorkload] | None:
        """The scope's gateway workloads, or None when they cannot all be known."""
        if self.opaque_kinds & {"gateway-workload", "*"}:
            return None  # a chart in this scope deploys gateways meshlint cannot render
        if any(isinstance(g.labels, Unknown) for g in self.gateway_workloads):
            return None
        return self.gateway_workloads

    def namespace_labels(self, name: str) -> Mapping | Unknown | None:
        """Labels of a declared namespace (all declarations merged); None if undeclared."""
        decls = self.namespaces.get(name)
        if not decls:
            return None
        merged: dict = {}
        for d in decls:
            if isinstance(d.labels, Unknown):
                return d.labels
            merged.update(d.labels)
        return merged

    def revisions_provided(self) -> set[str] | None:
        """Every `istio.io/rev` value the scope's Istio installs answer; None if unknown."""
        names: set[str] = set()
        for inst in self.istio:
            provided = inst.provides()
            if provided is None:
                return None
            names |= provided
        return names


class LocalChart(Struct, frozen=True):
    """What a chart folder in the repository says about itself (its Chart.yaml): a release
    of a local chart installs exactly this, so its version is known without a repository."""

    directory: str  # real path of the chart folder
    name: str
    version: str | None
    app_version: str | None  # the version of the software the chart installs
    location: Location  # the Chart.yaml's version line (or its start)
    about_istio: bool  # the chart says it is Istio's (keywords, sources, home)

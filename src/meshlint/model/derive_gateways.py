"""Gateway workloads: every Envoy that an Istio `Gateway` can select, wherever it comes from.

* `gateway` chart releases (any release source), labelled as the chart does:
  `app=<name>`, `istio=<name without "istio-">`, then `labels` values on top; Service
  ports from `service.ports` or the chart's defaults (15021, 80, 443);
* the legacy `istio-ingress` / `istio-egress` charts and IstioOperator gateways
  (`istio-ingressgateway`, `istio-egressgateway`, components.ingressGateways[]);
* plain manifests: Deployments/DaemonSets/Pods that run a standalone proxy
  (`inject.istio.io/templates: gateway`, an only container `istio-proxy`, `proxyv2` or
  `image: auto`; an `istio: <x>` label alone is not enough), with the Services that select them;
* Kubernetes Gateway API `Gateway`s of an Istio class: Istio deploys those itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from meshlint import knowledge
from meshlint.images import parse_image
from meshlint.model.istio import GATEWAY_API_GROUP
from meshlint.model.shapes import Shapes, object_where, pod_spec_where
from meshlint.model.types import (
    GatewayWorkload,
    HelmRelease,
    K8sObject,
    Workload,
    as_mapping,
    as_sequence,
)
from meshlint.values import Unknown, contains_unknown, text

CHART_DEFAULT_PORTS = ((15021, 15021, "status-port"), (80, 80, "http2"), (443, 443, "https"))
LEGACY_PORTS = ((15021, 15021, "status-port"), (80, 8080, "http2"), (443, 8443, "https"))
ISTIO_GATEWAY_CLASSES = ("istio", "istio-remote", "istio-east-west")


def gateway_workloads(objects: list[K8sObject], releases: list[HelmRelease],
                      workloads: list[Workload], shapes: Shapes) -> list[GatewayWorkload]:
    out = []
    for rel in releases:
        if not rel.is_local_chart:
            gw = _from_release(rel)
            if gw is not None:
                out.append(gw)
    # every Service read once, whether or not it selects a gateway (a wrong shape is recorded)
    services = [(o, _selector(o), shapes.seq(o.spec, "ports", object_where(o).at("spec"), of_mappings=True))
                for o in objects if o.kind == "Service"]
    for obj in objects:
        if obj.kind == "IstioOperator" and obj.api_version.startswith("install.istio.io/"):
            out.extend(_from_istio_operator(obj))
        elif obj.kind == "Gateway" and obj.api_version.startswith(GATEWAY_API_GROUP):
            api_gw = _from_gateway_api(obj, shapes)
            if api_gw is not None:
                out.append(api_gw)
    for w in workloads:
        if _is_gateway_workload(w, shapes):
            out.append(GatewayWorkload(
                w.object.name, w.namespace, dict(w.pod_labels), _service_ports(w, services),
                w.location, f"{w.object.kind}/{w.namespace}/{w.object.name}", "manifest"))
    return out


def _from_release(rel: HelmRelease) -> GatewayWorkload | None:
    chart = rel.chart_name
    if chart is None or knowledge.istio_releases().charts.get(chart) != "gateway":
        return None  # only Istio's gateway charts (rules/data/istio-releases.yaml `charts`)
    namespace = rel.namespace
    if chart == "gateway":
        name = rel.value("name")
        if name is None or name == "":
            name = rel.name
        if isinstance(name, Unknown):
            labels: dict | Unknown = name
        else:
            name = text(name) or "istio-ingressgateway"
            labels = {"app": name, "istio": name[len("istio-"):] if name.startswith("istio-") else name}
            extra = rel.value("labels")
            if isinstance(extra, Unknown):
                labels = extra
            elif isinstance(extra, dict):
                labels.update({str(k): text(v) if not isinstance(v, Unknown) else v for k, v in extra.items()})
        ports = _values_ports(rel.value("service.ports"), CHART_DEFAULT_PORTS)
        display = name if isinstance(name, str) else rel.object
    else:
        kind = "ingress" if chart == "istio-ingress" else "egress"
        gw_name = rel.value(f"gateways.istio-{kind}gateway.name")
        gw_name = gw_name if isinstance(gw_name, str) else f"istio-{kind}gateway"
        labels = {"app": f"istio-{kind}gateway", "istio": f"{kind}gateway"}
        ports = None
        display = gw_name
    if isinstance(labels, dict) and any(isinstance(v, Unknown) for v in labels.values()):
        labels = Unknown("gateway labels set by values not known before apply")
    return GatewayWorkload(display, namespace, labels, ports, rel.location, rel.object, "helm")


def _values_ports(raw, default) -> list | None:
    if raw is None:
        return [tuple(p) for p in default]
    if isinstance(raw, Unknown) or not isinstance(raw, list) or contains_unknown(raw):
        return None
    out = []
    for p in raw:
        if isinstance(p, dict) and isinstance(p.get("port"), int):
            target = p.get("targetPort")
            out.append((p["port"], target if isinstance(target, int) else None, text(p.get("name"))))
    return out


def _from_istio_operator(obj: K8sObject) -> list[GatewayWorkload]:
    spec = obj.spec
    profile = text(spec.get("profile")) or "default"
    components = as_mapping(spec.get("components"))
    out = []
    for kind, default_on in (("ingress", profile in ("default", "demo", "")), ("egress", profile == "demo")):
        entries = components.get(f"{kind}Gateways")
        if not isinstance(entries, list):
            entries = [{"name": f"istio-{kind}gateway", "enabled": default_on}] if default_on else []
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("enabled") is False:
                continue
            if entry.get("enabled") is None and not default_on:
                continue
            name = text(entry.get("name")) or f"istio-{kind}gateway"
            labels: dict[str, str | None] = {"app": f"istio-{kind}gateway", "istio": f"{kind}gateway"}
            if isinstance(entry.get("label"), dict):
                labels.update({str(k): text(v) for k, v in entry["label"].items()})
            namespace = text(entry.get("namespace")) or text(spec.get("namespace")) or "istio-system"
            k8s = as_mapping(entry.get("k8s"))
            svc = as_mapping(k8s.get("service"))
            ports = _values_ports(svc.get("ports"), LEGACY_PORTS)
            out.append(GatewayWorkload(name, namespace, labels, ports, obj.location,
                                       f"IstioOperator/{obj.name}", "istiooperator"))
    return out


def _from_gateway_api(obj: K8sObject, shapes: Shapes) -> GatewayWorkload | None:
    spec = obj.spec
    if text(spec.get("gatewayClassName")) not in ISTIO_GATEWAY_CLASSES:
        return None
    ports = []
    for listener in shapes.seq(spec, "listeners", object_where(obj).at("spec"), of_mappings=True):
        if isinstance(listener, dict) and isinstance(listener.get("port"), int):
            ports.append((listener["port"], listener["port"], text(listener.get("name"))))
    labels = {"gateway.networking.k8s.io/gateway-name": obj.name, "istio.io/gateway-name": obj.name}
    return GatewayWorkload(obj.name, obj.namespace or "default", labels, ports, obj.location,
                           f"Gateway/{obj.namespace}/{obj.name}", "gateway-api")


def _is_gateway_workload(w: Workload, shapes: Shapes) -> bool:
    if w.object.kind not in ("Deployment", "DaemonSet", "StatefulSet", "Pod", "ReplicaSet", "Rollout"):
        return False
    templates = text(w.pod_annotations.get("inject.istio.io/templates")) or ""
    if "gateway" in templates.split(","):
        return True
    # an `istio:` label alone proves nothing: applications carry `istio: monitor` for a
    # PodMonitor; a gateway is a pod that runs a standalone proxy
    containers = [c for c in shapes.seq(w.pod_spec, "containers", pod_spec_where(w.object), of_mappings=True) if isinstance(c, dict)]
    if len(containers) == 1 and containers[0].get("name") == "istio-proxy":
        return True
    for c in containers:
        image = text(c.get("image")) or ""
        if image == "auto" and c.get("name") == "istio-proxy":
            return True
        if image and parse_image(image).repository.rsplit("/", 1)[-1] == "proxyv2" and (
                len(containers) == 1 or "router" in [text(a) for a in as_sequence(c.get("args"))]):
            return True
    return False


def _selector(svc: K8sObject) -> Mapping:
    selector = svc.spec.get("selector")
    return selector if isinstance(selector, dict) else {}


def _service_ports(w: Workload, services: list[tuple[K8sObject, Mapping, Sequence]]) -> list | None:
    """Ports of the Services that select this workload's pods; None when none is declared."""
    ports = []
    found = False
    for svc, selector, svc_ports in services:
        if svc.namespace != w.namespace or not selector:
            continue
        if all(text(w.pod_labels.get(k)) == text(v) for k, v in selector.items()):
            found = True
            for p in svc_ports:
                if not isinstance(p, dict) or not isinstance(p.get("port"), int):
                    continue
                if (text(p.get("protocol")) or "TCP") != "TCP":
                    continue
                target = p.get("targetPort")
                ports.append((p["port"], target if isinstance(target, int) else None, text(p.get("name"))))
    return ports if found else None

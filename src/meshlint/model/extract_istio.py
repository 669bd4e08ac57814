"""Istio from Kubernetes objects and releases: control-plane installs (istiod charts,
IstioOperator, istiod Deployments), and typed Gateways and VirtualServices."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from meshlint.locate import item_location, key_location
from meshlint.model.collect import pod_template
from meshlint.model.istio import (
    GATEWAY_API_GROUP,
    ISTIO_NET,
    Gateway,
    GatewayRef,
    Host,
    Server,
    VirtualService,
)
from meshlint.model.placeholders import has_placeholder, mapping_has_placeholder
from meshlint.model.shapes import Shapes, Where, object_where, pod_spec_where
from meshlint.model.types import HelmRelease, IstioInstall, K8sObject, as_mapping
from meshlint.values import Location, Unknown, text

ISTIOD_CHARTS = frozenset(("istiod", "istio-discovery"))


# --- control planes ------------------------------------------------------------------------


def istio_installs(objects: list[K8sObject], releases: list[HelmRelease], shapes: Shapes) -> list[IstioInstall]:
    out = []
    for obj in objects:
        if obj.kind == "IstioOperator":
            rev = text(obj.spec.get("revision")) or ""
            out.append(IstioInstall(rev, [], obj.location, f"IstioOperator/{obj.name}", "istiooperator"))
        elif obj.kind == "Deployment" and _is_istiod_deployment(obj, shapes):
            rev = text(obj.labels.get("istio.io/rev")) or ""
            if rev == "default":
                rev = ""
            out.append(IstioInstall(rev, [], obj.location, f"Deployment/{obj.namespace}/{obj.name}",
                                    "manifest"))
    for rel in releases:
        if rel.chart_name not in ISTIOD_CHARTS:
            continue
        raw_rev, raw_tags = rel.value("revision"), rel.value("revisionTags")
        revision: str | Unknown = raw_rev if isinstance(raw_rev, Unknown) else (
            "" if raw_rev is None else text(raw_rev) or "")
        tags: list | Unknown
        if raw_tags is None:
            tags = []
        elif isinstance(raw_tags, (list, Unknown)):
            tags = raw_tags
        else:
            tags = Unknown("revisionTags is not a list")
        out.append(IstioInstall(revision, tags, rel.location, rel.object, "helm"))
    return out


def _is_istiod_deployment(obj: K8sObject, shapes: Shapes) -> bool:
    name = obj.name or ""
    if name == "istiod" or (name.startswith("istiod-") and obj.labels.get("app") == "istiod"):
        return True
    template = pod_template(obj, shapes)
    if template is None:
        return False
    for c in shapes.seq(template[1], "containers", pod_spec_where(obj), of_mappings=True):
        image = text(c.get("image")) if isinstance(c, Mapping) else None
        if image and ("/pilot:" in image or image.rsplit("/", 1)[-1].startswith("pilot:")):
            return True
    return False


# --- Gateways and VirtualServices ----------------------------------------------------------


def gateways(objects: list[K8sObject], shapes: Shapes) -> list[Gateway]:
    """Istio Gateways, then Gateway API Gateways (each in declaration order)."""
    istio = [_istio_gateway(o, shapes) for o in objects
             if o.kind == "Gateway" and o.api_version.startswith(ISTIO_NET)]
    api = [_gateway_api_gateway(o, shapes) for o in objects
           if o.kind == "Gateway" and o.api_version.startswith(GATEWAY_API_GROUP)]
    return istio + api


def _istio_gateway(obj: K8sObject, shapes: Shapes) -> Gateway:
    spec = obj.spec
    where = object_where(obj).at("spec")
    raw_selector = shapes.find_mapping(spec, "selector", where)
    selector = None
    selector_location = obj.location
    if raw_selector and not mapping_has_placeholder(raw_selector):
        selector = {str(k): text(v) for k, v in raw_selector.items()}
        selector_location = key_location(raw_selector, next(iter(raw_selector)), obj.location)
    servers = tuple(_server(obj, s, shapes, where.at("servers").at(i))
                    for i, s in enumerate(shapes.seq(spec, "servers", where, of_mappings=True)) if isinstance(s, Mapping))
    return Gateway(obj.name, obj.namespace or "default", obj.api_version, selector, selector_location,
                   servers, None, obj.location, obj.ref)


def _server(obj: K8sObject, server: Mapping, shapes: Shapes, where: Where) -> Server:
    port = shapes.find_mapping(server, "port", where)
    number = port.get("number") if port is not None else None
    port_location = key_location(port, "number", key_location(server, "port", obj.location))
    raw_hosts = shapes.seq(server, "hosts", where)
    hosts_location = key_location(server, "hosts", obj.location)
    hosts = tuple(_host(raw_hosts, i, hosts_location) for i in range(len(raw_hosts)))
    return Server(number if isinstance(number, int) else None, port_location,
                  text(as_mapping(port).get("protocol")), text(server.get("bind")) or "", hosts,
                  text(as_mapping(server.get("tls")).get("mode")))


def _host(seq: Sequence, index: int, fallback: Location) -> Host:
    written = text(seq[index])
    namespace, name = None, written or ""
    if "/" in name:
        namespace, _, name = name.partition("/")
    return Host(written, namespace, name, item_location(seq, index, fallback))


def _gateway_api_gateway(obj: K8sObject, shapes: Shapes) -> Gateway:
    return Gateway(obj.name, obj.namespace or "default", obj.api_version, None, obj.location, (),
                   _listener_hostnames(obj, shapes), obj.location, obj.ref)


def _listener_hostnames(obj: K8sObject, shapes: Shapes) -> tuple[str, ...] | None:
    """Every listener's hostname; None when a listener has none (it takes any host)."""
    hostnames = []
    for listener in shapes.seq(obj.spec, "listeners", object_where(obj).at("spec"), of_mappings=True):
        if not isinstance(listener, Mapping):
            continue
        hostname = text(listener.get("hostname"))
        if not hostname:
            return None
        hostnames.append(hostname)
    return tuple(hostnames)


def virtual_services(objects: list[K8sObject], shapes: Shapes) -> list[VirtualService]:
    out = []
    for obj in objects:
        if obj.kind != "VirtualService" or not obj.api_version.startswith(ISTIO_NET):
            continue
        ns = obj.namespace or "default"
        where = object_where(obj).at("spec")
        hosts = tuple(h for h in (text(h) for h in shapes.seq(obj.spec, "hosts", where)) if h)
        out.append(VirtualService(obj.name, ns, hosts, tuple(_gateway_refs(obj, ns, shapes, where)),
                                  obj.location, obj.ref))
    return out


def _gateway_refs(vs: K8sObject, namespace: str, shapes: Shapes, where: Where) -> Iterator[GatewayRef]:
    """spec.gateways, then every route's match[].gateways; `ns/name` or a bare name (the
    VirtualService's own namespace). A reference holding a template placeholder is unknown
    and left out, and so are bare names when the namespace itself is a placeholder."""
    spec = vs.spec
    if has_placeholder(namespace):
        namespace = ""
    seq = shapes.seq(spec, "gateways", where)
    if seq:
        for i, name in enumerate(seq):
            if isinstance(name, str) and not has_placeholder(name):
                ref = _ref(name, item_location(seq, i, vs.location), True, namespace)
                if ref is not None:
                    yield ref
    for route_kind in ("http", "tls", "tcp"):
        for r, route in enumerate(shapes.seq(spec, route_kind, where, of_mappings=True)):
            if not isinstance(route, Mapping):
                continue
            route_where = where.at(route_kind).at(r)
            for m, match in enumerate(shapes.seq(route, "match", route_where, of_mappings=True)):
                if isinstance(match, Mapping):
                    mseq = shapes.seq(match, "gateways", route_where.at("match").at(m))
                    for i, name in enumerate(mseq):
                        if isinstance(name, str) and not has_placeholder(name):
                            ref = _ref(name, item_location(mseq, i, vs.location), False, namespace)
                            if ref is not None:
                                yield ref


def _ref(written: str, location: Location, top_level: bool, namespace: str) -> GatewayRef | None:
    if "/" not in written and not namespace:
        return None
    if "/" in written:
        ns, _, short = written.partition("/")
        return GatewayRef(written, location, top_level, ns, short)
    return GatewayRef(written, location, top_level, namespace, written)

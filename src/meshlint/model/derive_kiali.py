"""Kiali installs: each Kiali component with its server configuration (chart values, a
Kiali CR, or the `kiali` ConfigMap) and the gateways it expects to find, by how its version
detects gateways (rules/data/kiali-gateway-detection.yaml)."""

from __future__ import annotations

from collections.abc import Mapping

from meshlint import knowledge
from meshlint.model.istio import KialiExpectation, KialiInstall
from meshlint.model.types import Component, HelmRelease, K8sObject
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import Unknown, get_path, text
from meshlint.versioning import parse_version


def detection_for(version: str) -> str | None:
    v = parse_version(version)
    if v is None:
        return None
    for era in knowledge.kiali_gateway_detection().eras:
        if era.below is None or v < era.below.parsed:
            return era.detection
    return None


def kiali_namespace(kiali: Component | KialiInstall) -> str:
    """Where an image- or CR-based Kiali runs (its Istio namespace by default)."""
    parts = kiali.object.split("/")
    if len(parts) >= 3 and parts[0] in ("Deployment", "Kiali"):
        return parts[1]
    return "istio-system"


def kiali_installs(components: list[Component], objects: list[K8sObject],
                   releases: list[HelmRelease]) -> list[KialiInstall]:
    out = []
    for kiali in components:
        if kiali.kind != "kiali":
            continue
        config = _kiali_config(objects, releases, kiali)
        detection, expected = _expectations(kiali, config)
        out.append(KialiInstall(kiali.name, kiali.object, kiali.location, kiali.effective, config,
                                detection, expected))
    return out


def _expectations(kiali: Component, config: Mapping | None) -> tuple[str | None, tuple[KialiExpectation, ...]]:
    """(how it detects gateways, what it looks for); (None, ()) when not known or when its
    component status is off."""
    if kiali.effective is None or parse_version(kiali.effective) is None or config is None:
        return None, ()
    if get_path(config, "external_services", "istio", "component_status", "enabled") is False:
        return None, ()
    istio_ns = text(config.get("istio_namespace")) or (
        text(get_path(config, "deployment", "namespace")) or kiali_namespace(kiali))
    components = get_path(config, "external_services", "istio", "component_status", "components")
    if isinstance(components, list) and components:
        return "static", tuple(
            KialiExpectation(f"app={text(c['app_label'])}", text(c.get("namespace")) or istio_ns,
                             "app", text(c["app_label"]), bool(c.get("is_core")))
            for c in components if isinstance(c, Mapping) and c.get("is_proxy") and text(c.get("app_label")))
    detection = detection_for(kiali.effective)
    if detection == "app-label":
        return detection, (
            KialiExpectation("app=istio-ingressgateway", istio_ns, "app", "istio-ingressgateway", True),
            KialiExpectation("app=istio-egressgateway", istio_ns, "app", "istio-egressgateway", False))
    if detection == "label":
        labels = get_path(config, "istio_labels") or {}
        ing = text(labels.get("ingress_gateway_label")) if isinstance(labels, Mapping) else None
        egr = text(labels.get("egress_gateway_label")) if isinstance(labels, Mapping) else None
        ing_ns = text(get_path(config, "external_services", "istio", "ingress_gateway_namespace")) or istio_ns
        egr_ns = text(get_path(config, "external_services", "istio", "egress_gateway_namespace")) or istio_ns
        expected = []
        for desc, ns, core in ((ing or "istio=ingressgateway", ing_ns, True),
                               (egr or "istio=egressgateway", egr_ns, False)):
            key, _, value = desc.partition("=")
            expected.append(KialiExpectation(desc, ns, key, value, core))
        return detection, tuple(expected)
    return detection, ()


def _kiali_config(objects: list[K8sObject], releases: list[HelmRelease], kiali: Component) -> Mapping | None:
    """Kiali's server configuration: chart values, a Kiali CR, or the `kiali` ConfigMap
    (whose config.yaml is a YAML document inside a string)."""
    rel = next((r for r in releases if r.object == kiali.object), None)
    if rel is not None:
        if rel.chart_name == "kiali-operator":
            cr = rel.value("cr.spec")
            return cr if isinstance(cr, Mapping) else ({} if cr is None else None)
        parts: dict[str, object] = {}
        for key in ("istio_namespace", "external_services", "istio_labels", "deployment"):
            v = rel.value(key)
            if isinstance(v, Unknown):
                return None
            if v is not None:
                parts[key] = v
        return parts
    if kiali.origin == "kiali-cr":
        for obj in objects:
            if obj.kind == "Kiali" and obj.api_version.startswith("kiali.io/") and \
                    f"Kiali/{obj.namespace}/{obj.name}" == kiali.object:
                return obj.spec
    for cm in objects:
        if cm.kind == "ConfigMap" and cm.name == "kiali" and cm.namespace == kiali_namespace(kiali):
            raw = get_path(cm.body, "data", "config.yaml")
            if isinstance(raw, str):
                parsed = parse_yaml_bytes(raw.encode("utf-8"), cm.location.path)
                if parsed.documents and isinstance(parsed.documents[0].value, Mapping):
                    return parsed.documents[0].value
            return None
    return {}

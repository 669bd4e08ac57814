"""Compatibility of what a repository installs next to Istio: Kiali settings its major no
longer reads (MESH108), and Gateway API CRDs older than the installed Istio reads (MESH208)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint import knowledge
from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.findings import Finding
from meshlint.locate import key_location
from meshlint.model import Component, KialiInstall, Model
from meshlint.model.derive_kiali import kiali_namespace
from meshlint.values import Location, text
from meshlint.versioning import minor_of, parse_version

# --- MESH108 -------------------------------------------------------------------------------


def _lookup(config: dict, dotted: str) -> tuple[dict, str] | None:
    """(the mapping holding the last key, that key) when `dotted` is set in `config`."""
    keys = dotted.split(".")
    node: object = config
    for k in keys[:-1]:
        node = node.get(k) if isinstance(node, dict) else None
    if isinstance(node, dict) and keys[-1] in node:
        return node, keys[-1]
    return None


def _config_location(model: Model, kiali: KialiInstall, holder: dict, key: str) -> Location:
    """Where a Kiali setting is written: in chart values or the Kiali CR at the key; in the
    kiali ConfigMap at its config.yaml (the setting sits inside that string)."""
    from_release = any(r.object == kiali.object for r in model.releases)
    if from_release or kiali.object.startswith("Kiali/"):
        return key_location(holder, key, kiali.location)
    for cm in model.objects_of("ConfigMap"):
        if cm.name == "kiali" and cm.namespace == kiali_namespace(kiali):
            data = cm.body.get("data")
            return key_location(data, "config.yaml", cm.location) if isinstance(data, dict) else cm.location
    return kiali.location


@rule("MESH108")
def kiali_removed_setting(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    for kiali in model.kiali:
        version = parse_version(kiali.version)
        if version is None or not isinstance(kiali.config, dict):
            continue
        for setting in knowledge.kiali_compat().removed_settings:
            if version < setting.kiali_from.parsed:
                continue
            found = _lookup(kiali.config, setting.key)
            if found is None:
                continue
            holder, key = found
            value = holder[key]
            if value == ["**"]:
                continue  # Kiali 1's "every namespace": what Kiali 2 does anyway
            shown = ", ".join(text(v) or "?" for v in value) if isinstance(value, list) else text(value)
            caveat = setting.confidence.caveat()
            message = (f"Kiali {kiali.version} ({kiali.name}) is configured with `{setting.key}: "
                       f"[{shown}]`, which Kiali {setting.kiali_from.parsed.major} no longer reads (since "
                       f"{setting.kiali_from}): the setting is ignored and Kiali does not limit itself to "
                       f"those namespaces{' (' + caveat + ')' if caveat else ''}. Use "
                       f"{setting.replacement}.")
            yield report(message, _config_location(model, kiali, holder, key), object=kiali.object,
                         detail=setting.key, fix=f"replace {setting.key} with {setting.replacement}")


# --- MESH208 -------------------------------------------------------------------------------


def _istio_minor(model: Model) -> tuple[str, Component] | None:
    """The control plane's minor (else any Istio chart's): it decides which CRDs it reads."""
    for kinds in (("istiod",), ("istio-base", "gateway", "cni", "ztunnel")):
        versioned = [(v, c) for c in model.components_of(*kinds) if (v := parse_version(c.effective))]
        if versioned:
            best = max(versioned, key=lambda vc: vc[0])[1]
            minor = minor_of(best.effective)
            return (minor, best) if minor else None
    return None


@rule("MESH208")
def gateway_api_crds_too_old(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    istio = _istio_minor(model)
    if istio is None:
        return
    minor, comp = istio
    table = knowledge.gateway_api()
    row = table.for_istio(minor)
    if row is None:
        return
    caveat = row.confidence.caveat(f"Istio {minor}'s minimums")
    caveat = f" ({caveat})" if caveat else ""
    for crd in model.objects_of("CustomResourceDefinition", "apiextensions.k8s.io/"):
        plural = crd.name.split(".", 1)[0]
        if not crd.name.endswith(".gateway.networking.k8s.io") or plural not in row.crds:
            continue
        kind = table.kinds[plural]
        used = model.objects_of(kind, "gateway.networking.k8s.io/")
        if not used:
            continue
        minimum = row.crds[plural]
        metadata = crd.body.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        bundle = text(annotations.get(table.annotation)) if isinstance(annotations, dict) else None
        parsed = parse_version(bundle)
        if parsed is not None and parsed.release >= minimum.parsed.release:
            continue  # a release candidate of the minimum counts (istiod rounds it up)
        where = key_location(annotations, table.annotation, crd.location) if bundle else \
            key_location(metadata, "name", crd.location)
        have = f"bundle version {bundle}" if bundle else f"no `{table.annotation}` annotation"
        routes = ", ".join(o.ref for o in used[:3]) + (f" and {len(used) - 3} more" if len(used) > 3 else "")
        message = (f"{crd.name} has {have}, but Istio {comp.effective} ({minor}) reads {kind} only from "
                   f"Gateway API CRDs {minimum} or newer{caveat}: istiod ignores this CRD, so {routes} "
                   f"{'is' if len(used) == 1 else 'are'} silently not programmed. Install the Gateway API CRDs {minimum} or newer.")
        yield report(message, where, object=f"CustomResourceDefinition/{crd.name}", detail=f"{plural}<{minimum}",
                     fix=f"install Gateway API CRDs {minimum} or newer")

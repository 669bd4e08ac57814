"""The mesh inventory: which versioned components a scope runs, and at which version.

Components come from Helm releases of every source (Istio charts, Kiali charts), from
images in workloads (istio/pilot, istio/proxyv2, quay.io/kiali/kiali), from IstioOperator
and Kiali custom resources, and from the EKS Kubernetes version. Each gets an *effective*
version: the written one when pinned, else what Helm would install on the run's date
(`--as-of`), from the release table in rules/data. Nothing newer than the table is invented.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Mapping

from msgspec.structs import replace
from packaging.version import Version

from meshlint import knowledge
from meshlint.images import parse_image
from meshlint.locate import key_location
from meshlint.model.shapes import Shapes, pod_spec_where
from meshlint.model.types import Component, HelmRelease, K8sObject, Workload, as_mapping
from meshlint.values import Location, Unknown, text
from meshlint.versioning import (
    ABSENT,
    FLOATING,
    IGNORED,
    LATEST,
    PINNED,
    RANGE,
    helm_constraint,
    parse_version,
)

KIALI_CHARTS = {"kiali-server": "kiali", "kiali-operator": "kiali"}
_TAG_SUFFIX = re.compile(r"-(distroless|debug)$")


def derive_components(objects: list[K8sObject], releases: list[HelmRelease], workloads: list[Workload],
                      cluster_versions: list[Component], as_of: _dt.date, shapes: Shapes) -> list[Component]:
    """Every versioned component, with its effective version as of the run's date."""
    components = list(cluster_versions)
    # the chart table is read only when there are releases to name (start-up time)
    charts = knowledge.data("istio-releases")["charts"] if releases else {}
    for rel in releases:
        if rel.is_local_chart:
            local = _from_local_chart(rel, charts)
            if local is not None:
                components.append(local)
            continue
        kind = charts.get(rel.chart_name) or KIALI_CHARTS.get(rel.chart_name or "")
        if kind is None:
            continue
        components.append(_from_release(rel, kind))
    for w in workloads:
        where = pod_spec_where(w.object)
        app_containers = [c for c in shapes.seq(w.pod_spec, "containers", where, of_mappings=True)
                          if isinstance(c, Mapping) and c.get("name") != "istio-proxy"]
        for key in ("containers", "initContainers"):
            for c in shapes.seq(w.pod_spec, key, where, of_mappings=True):
                if not isinstance(c, Mapping):
                    continue
                image = text(c.get("image"))
                if c.get("name") == "istio-proxy" and app_containers:
                    continue  # an already-injected sidecar (cluster state), not a component
                comp = _from_image(image, w.object.ref, key_location(c, "image", w.location)) if image else None
                if comp is not None:
                    components.append(comp)
    for obj in objects:
        spec = obj.body.get("spec")
        if not isinstance(spec, Mapping):
            continue
        if obj.kind == "IstioOperator" and spec.get("tag") is not None:
            tag = _TAG_SUFFIX.sub("", text(spec["tag"]) or "")
            loc = key_location(spec, "tag", obj.location)
            # an IstioOperator profile often has no metadata.name: name it by its file
            name = obj.name or os.path.basename(obj.location.path)
            components.append(Component("istiod", name, tag, _image_pin(tag), loc,
                                        f"IstioOperator/{obj.name}", "istiooperator",
                                        revision=text(spec.get("revision")) or ""))
        elif obj.kind == "Kiali" and obj.api_version.startswith("kiali.io/"):
            dep = as_mapping(spec.get("deployment"))
            version = text(dep.get("image_version"))
            if version and version not in ("operator_version", "default"):
                loc = key_location(dep, "image_version", obj.location)
                v = version.lstrip("v")
                components.append(Component("kiali", obj.name, v, _image_pin(v), loc,
                                            f"Kiali/{obj.namespace}/{obj.name}", "kiali-cr"))
    out = []
    for comp in components:
        if comp.effective is None:
            repository = next((r.repository for r in releases if r.object == comp.object), None)
            effective, note = effective_version(comp, as_of, repository)
            comp = replace(comp, effective=effective, effective_note=note)
        out.append(comp)
    return out


def _from_release(rel: HelmRelease, kind: str) -> Component:
    version = rel.version if not isinstance(rel.version, str) else rel.version.strip().lstrip("v")
    return Component(kind, _name(rel), version, rel.pin, rel.pin_location, rel.object, rel.origin,
                     _revision(rel, kind), available=rel.available)


def _name(rel: HelmRelease) -> str:
    return rel.name if isinstance(rel.name, str) else rel.object


def _revision(rel: HelmRelease, kind: str) -> str | Unknown | None:
    """The Istio revision a control plane or gateway release installs ("": the default);
    None for the other charts."""
    if kind not in ("istiod", "gateway"):
        return None
    raw = rel.value("revision")
    return "" if raw is None else (raw if isinstance(raw, Unknown) else text(raw))


def _from_local_chart(rel: HelmRelease, charts: Mapping[str, str]) -> Component | None:
    """A release of a chart folder in the repository installs what its Chart.yaml says: the
    software's version (`appVersion`, else the chart's `version`), exactly (a folder does not
    float). Only Istio's own charts (named and described as Istio's) and Kiali's count."""
    local = rel.local_chart
    if local is None:
        return None
    kind = KIALI_CHARTS.get(local.name)
    if kind is None and local.about_istio:
        kind = charts.get(local.name)
    version = local.app_version or local.version
    if kind is None or not version or parse_version(version) is None:
        return None
    where = local.location.path.rsplit("/", 1)[0] if "/" in local.location.path else local.location.path
    return Component(kind, _name(rel), version, PINNED, rel.location, rel.object, rel.origin, _revision(rel, kind),
                     effective=version,
                     effective_note=f"from the local chart {where}, "
                                    f"{'appVersion' if local.app_version else 'version'} {version}")


def _image_pin(tag: str | None) -> str:
    if not tag or tag == "latest":
        return LATEST
    v = parse_version(tag)
    if v is None:
        return PINNED
    return PINNED if len(tag.lstrip("v").split("-")[0].split(".")) >= 3 else FLOATING


def _from_image(image: str, owner: str, loc: Location) -> Component | None:
    if image == "auto":
        return None
    ref = parse_image(image)
    registry, repo, tag = ref.registry, ref.repository, ref.tag
    base = repo.rsplit("/", 1)[-1]
    if base in ("pilot", "proxyv2") and ("istio" in repo or "istio" in registry):
        kind = "istiod" if base == "pilot" else "proxy"
    elif base == "kiali" and ("kiali" in repo.split("/")[0] or registry == "quay.io"):
        kind = "kiali"
    else:
        return None
    version = _TAG_SUFFIX.sub("", tag).lstrip("v") if tag else None
    return Component(kind, image, version, _image_pin(tag and _TAG_SUFFIX.sub("", tag)), loc,
                     owner, "image")


# --- effective versions --------------------------------------------------------------------


def released_minors(as_of: _dt.date) -> list[tuple[str, _dt.date]]:
    rows = knowledge.data("istio-releases")["releases"]
    out = []
    for r in rows:
        day = r.get("released")
        if isinstance(day, str):
            day = _dt.date.fromisoformat(day)
        if isinstance(day, _dt.date) and day <= as_of:
            out.append((str(r["minor"]), day))
    return sorted(out, key=lambda x: parse_version(x[0]) or Version("0"))


def data_as_of(name: str) -> _dt.date:
    return _dt.date.fromisoformat(str(knowledge.data(name)["as_of"]))


def effective_version(comp: Component, as_of: _dt.date, repository: object = None) -> tuple[str | None, str]:
    """(version that will run, how it was decided). None when it cannot be known. A chart
    repository that stopped receiving releases (artifact-hosts) caps what it resolves to."""
    if comp.pin in (PINNED, FLOATING):
        return (comp.version if isinstance(comp.version, str) else None), ""
    available = getattr(comp.available, "versions", None)
    if available and comp.pin in (RANGE, ABSENT, IGNORED, LATEST):
        return _from_index(comp, available, as_of)
    if not comp.is_istio:
        return None, ""  # no release table for other charts: no guess
    released = released_minors(as_of)
    last = knowledge.artifact_hosts().last_minor_published(repository)
    if last is not None:
        released = [(m, d) for m, d in released if (v := parse_version(m)) is not None and v <= last.parsed]
    if not released:
        return None, f"no Istio release is known before {as_of}"
    stale = ""
    if as_of > data_as_of("istio-releases"):
        stale = (f" (release data as of {data_as_of('istio-releases')}; a newer release may "
                 "exist)")
    if comp.pin == RANGE:
        admits = helm_constraint(str(comp.version))
        if admits is None:
            return None, f'range "{comp.version}" is not readable'
        minors = {m for m, _ in released}
        candidates = [parse_version(f"{m}.0") for m in minors]
        candidates += [v for v in admits.lower_bounds if f"{v.major}.{v.minor}" in minors]
        ok = [v for v in candidates if v is not None and admits(v)]
        patch = knowledge.istio_patches().newest(
            lambda v: admits(v) and f"{v.major}.{v.minor}" in minors, as_of, knowledge.istio_releases().ended)
        if patch is not None and (not ok or patch.version >= max(ok)):
            return str(patch.version), f'range "{comp.version}": {patch.describe(as_of)}{stale}'
        if not ok:
            return None, f'range "{comp.version}" admits no Istio release known as of {as_of}'
        best = max(ok)
        return str(best), (f'range "{comp.version}": resolves to {best} or a newer '
                           f"{best.major}.{best.minor} patch as of {as_of}{stale}")
    if comp.pin in (ABSENT, IGNORED, LATEST):
        minor, day = released[-1]
        patch = knowledge.istio_patches().newest(lambda v: f"{v.major}.{v.minor}" == minor, as_of,
                                                 knowledge.istio_releases().ended)
        if patch is not None:
            return str(patch.version), f"unpinned: {patch.describe(as_of)}{stale}"
        return f"{minor}.0", (f"unpinned: resolves to {minor}.0 or a newer {minor} patch as of "
                              f"{as_of} ({minor}.0 released {day}){stale}")
    return None, ""


def _from_index(comp: Component, available, as_of: _dt.date) -> tuple[str | None, str]:
    """Resolve with the chart repository's own index (--online): the newest non-pre-release
    version published by the run's date (that a range admits)."""
    admits = helm_constraint(str(comp.version)) if comp.pin == RANGE else None
    best = None
    for raw, created in available:
        v = parse_version(raw)
        if v is None or v.is_prerelease or (created is not None and created > as_of):
            continue
        if admits is not None and not admits(v):
            continue
        if best is None or v > best[0]:
            best = (v, raw)
    if best is None:
        return None, f"no published version fits as of {as_of} (repository index)"
    what = f'range "{comp.version}"' if comp.pin == RANGE else "unpinned"
    return best[1].lstrip("v"), f"{what}: resolves to {best[1]} as of {as_of} (repository index)"

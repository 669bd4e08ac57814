"""Helm releases that Flux installs: `HelmRelease` (helm.toolkit.fluxcd.io) with the chart
repository its `HelmRepository` (source.toolkit.fluxcd.io) names."""

from __future__ import annotations

from meshlint.locate import key_location
from meshlint.model.placeholders import has_placeholder
from meshlint.model.types import HelmRelease, K8sObject, as_mapping
from meshlint.values import Location, Unknown, text

FLUX_HELM = "helm.toolkit.fluxcd.io/"
FLUX_SOURCE = "source.toolkit.fluxcd.io/"


def _known(value: str | None) -> str | Unknown | None:
    """Flux post-build substitution (`${CLUSTER_DOMAIN}`) is filled in at apply time."""
    return Unknown("set by Flux post-build substitution") if has_placeholder(value) else value


def flux_releases(objects: list[K8sObject]) -> list[HelmRelease]:
    helm_repositories = {(o.namespace or "", o.name): o for o in objects
                         if o.kind == "HelmRepository" and o.api_version.startswith(FLUX_SOURCE)}
    repositories = {key: text(o.spec.get("url")) for key, o in helm_repositories.items()}
    out = []
    for obj in objects:
        if obj.kind != "HelmRelease" or not obj.api_version.startswith(FLUX_HELM):
            continue
        spec = obj.spec
        chart_spec = as_mapping(as_mapping(spec.get("chart")).get("spec"))
        chart = text(chart_spec.get("chart"))
        if not chart:
            continue  # chartRef to an OCIRepository or HelmChart: not read here
        source = as_mapping(chart_spec.get("sourceRef"))
        repository: str | Unknown | None = None
        repository_location: Location | None = None
        if text(source.get("kind")) == "HelmRepository":
            key = (text(source.get("namespace")) or obj.namespace or "", text(source.get("name")) or "")
            repository = repositories.get(key) or Unknown(f"HelmRepository {key[0]}/{key[1]} is not in this scope")
            if key in helm_repositories and "url" in helm_repositories[key].spec:
                repo_obj = helm_repositories[key]
                repository_location = key_location(repo_obj.spec, "url", repo_obj.location)
        elif text(source.get("kind")) == "GitRepository":
            repository = None  # a chart folder of a Git repository
        version = text(chart_spec.get("version"))
        values: list = [spec["values"]] if isinstance(spec.get("values"), dict) else []
        if spec.get("valuesFrom"):
            values.append(Unknown("valuesFrom ConfigMaps/Secrets"))
        out.append(HelmRelease(
            name=_known(text(spec.get("releaseName")) or obj.name) or obj.name,
            chart=_known(chart) or chart,
            repository=repository,
            version=_known(version),
            version_key="version" if version is not None else None,
            version_location=key_location(chart_spec, "version", obj.location) if version is not None else None,
            namespace=_known(text(spec.get("targetNamespace")) or obj.namespace or "default") or "default",
            values=values, location=key_location(chart_spec, "chart", obj.location),
            object=f"HelmRelease/{obj.namespace or 'default'}/{obj.name}", origin="flux",
            repository_location=repository_location))
    return out

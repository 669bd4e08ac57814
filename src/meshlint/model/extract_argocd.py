"""Helm releases from Argo CD `Application` / `ApplicationSet` sources that name a chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import overload

from meshlint.locate import key_location
from meshlint.model.shapes import Shapes, object_where
from meshlint.model.types import HelmRelease, K8sObject, as_mapping
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import Unknown, text


@overload
def _templated(value: str) -> str | Unknown: ...
@overload
def _templated(value: str | None) -> str | Unknown | None: ...
def _templated(value: str | None) -> str | Unknown | None:
    """ApplicationSet template strings ({{...}}) are only known per generated app."""
    if isinstance(value, str) and "{{" in value:
        return Unknown("templated by an ApplicationSet")
    return value


def argocd_releases(obj: K8sObject, shapes: Shapes) -> list[HelmRelease]:
    where = object_where(obj).at("spec")
    spec = obj.spec
    if obj.kind == "ApplicationSet":
        spec = as_mapping(as_mapping(spec.get("template")).get("spec"))
        where = where.at("template").at("spec")
    sources: list[tuple[Mapping, str]] = [(spec["source"], "source")] if isinstance(spec.get("source"), Mapping) else []
    sources += [(s, f"sources[{i}]") for i, s in enumerate(shapes.seq(spec, "sources", where, of_mappings=True))
                if isinstance(s, Mapping)]
    dest_ns = _templated(text(as_mapping(spec.get("destination")).get("namespace"))) or "default"
    out = []
    for i, (src, field) in enumerate(sources):
        chart = src.get("chart")
        if not isinstance(chart, str):
            continue  # a git path, not a chart from a Helm repository
        helm = shapes.mapping(src, "helm", where.at(field))
        values: list = []
        if isinstance(helm.get("values"), str):
            parsed = parse_yaml_bytes(helm["values"].encode("utf-8"), obj.location.path)
            values.extend(d.value for d in parsed.documents if isinstance(d.value, dict))
            if parsed.error:
                values.append(Unknown("helm.values is not YAML"))
        if isinstance(helm.get("valuesObject"), dict):
            values.append(helm["valuesObject"])
        sets = [(text(p.get("name")), p.get("value"))
                for p in shapes.seq(helm, "parameters", where.at(field).at("helm"), of_mappings=True) if isinstance(p, dict)]
        version = src.get("targetRevision")
        fallback = obj.location
        out.append(HelmRelease(
            name=_templated(text(helm.get("releaseName"))) or obj.name,
            chart=_templated(chart),
            repository=_templated(text(src.get("repoURL"))),
            version=_templated(text(version)) if version is not None else None,
            version_key="targetRevision" if version is not None else None,
            version_location=key_location(src, "targetRevision", fallback) if version is not None else None,
            namespace=dest_ns,
            values=values, sets=sets, location=key_location(src, "chart", fallback),
            object=f"{obj.kind}/{obj.name}" + (f".sources[{i}]" if len(sources) > 1 else ""),
            origin="argocd",
            repository_location=key_location(src, "repoURL", fallback) if "repoURL" in src else None))
    return out

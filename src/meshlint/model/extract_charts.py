"""Helm releases from umbrella charts: a `Chart.yaml`'s `dependencies:` (Chart.lock pins
ranges; the umbrella's values.yaml holds each dependency's values under its alias)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from meshlint.discover import CHART, VALUES
from meshlint.locate import key_location
from meshlint.model.extract_manifests import yaml_location
from meshlint.model.types import HelmRelease, as_sequence
from meshlint.parse import ParsedFile
from meshlint.values import Unknown, text


def _first_mapping(pf: ParsedFile | None) -> Mapping | None:
    if pf is None or pf.yaml is None or not pf.yaml.documents:
        return None
    doc = pf.yaml.documents[0].value
    return doc if isinstance(doc, Mapping) else None


def chart_dependency_releases(files: list[ParsedFile]) -> list[HelmRelease]:
    by_dir: dict[str, dict[str, ParsedFile]] = {}
    for pf in files:
        if pf.entry.kind in (CHART, VALUES) and pf.entry.chart_dir and pf.yaml is not None:
            by_dir.setdefault(pf.entry.chart_dir, {})[os.path.basename(pf.entry.abspath)] = pf
    out = []
    for chart_dir, chart_files in sorted(by_dir.items()):
        chart_yaml = chart_files.get("Chart.yaml")
        doc = _first_mapping(chart_yaml)
        if chart_yaml is None or doc is None:
            continue
        deps = doc.get("dependencies")
        if not isinstance(deps, list):
            continue
        locked = {}
        lock = _first_mapping(chart_files.get("Chart.lock"))
        if lock is not None:
            for d in as_sequence(lock.get("dependencies")):
                if isinstance(d, Mapping):
                    locked[text(d.get("name"))] = text(d.get("version"))
        defaults = _first_mapping(chart_files.get("values.yaml")) or {}
        umbrella = text(doc.get("name")) or os.path.basename(chart_dir)
        for dep in deps:
            if not isinstance(dep, Mapping) or not isinstance(dep.get("name"), str):
                continue
            name = dep["name"]
            alias = text(dep.get("alias")) or name
            version = text(dep.get("version"))
            if name in locked and locked[name]:
                version = locked[name]  # what `helm dependency build` downloaded
            loc = yaml_location(chart_yaml.entry.path, dep)
            sub_values = defaults.get(alias)
            out.append(HelmRelease(
                name=alias, chart=name, repository=text(dep.get("repository")), version=version,
                version_key="version" if dep.get("version") is not None else None,
                version_location=key_location(dep, "version", loc) if "version" in dep else None,
                namespace=Unknown("the umbrella chart's release namespace"),
                values=[sub_values if isinstance(sub_values, Mapping) else {}],
                location=key_location(dep, "name", loc),
                object=f"{umbrella}/dependencies/{alias}", origin="chart-dependency"))
    return out

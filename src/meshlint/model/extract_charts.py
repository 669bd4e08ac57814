"""Helm releases from umbrella charts: a `Chart.yaml`'s `dependencies:` (Chart.lock pins
ranges; the umbrella's values.yaml holds each dependency's values under its alias)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from meshlint.discover import CHART, VALUES
from meshlint.locate import key_location
from meshlint.model.extract_manifests import yaml_location
from meshlint.model.shapes import Shapes, Where
from meshlint.model.types import HelmRelease, LocalChart, as_sequence
from meshlint.parse import ParsedFile
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import Location, Unknown, text


def _first_mapping(pf: ParsedFile | None) -> Mapping | None:
    if pf is None or pf.yaml is None or not pf.yaml.documents:
        return None
    doc = pf.yaml.documents[0].value
    return doc if isinstance(doc, Mapping) else None


def _helm_where(pf: ParsedFile, doc: Mapping) -> Where:
    """Chart.yaml / Chart.lock, read from the top: Helm rejects a wrong shape in them."""
    return Where("", pf.entry.path, yaml_location(pf.entry.path, doc), "Helm")


def chart_dependency_releases(files: list[ParsedFile], shapes: Shapes) -> list[HelmRelease]:
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
        locked = {}
        lock_file = chart_files.get("Chart.lock")
        lock = _first_mapping(lock_file)
        if lock_file is not None and lock is not None:
            for d in shapes.seq(lock, "dependencies", _helm_where(lock_file, lock), of_mappings=True):
                if isinstance(d, Mapping):
                    locked[text(d.get("name"))] = text(d.get("version"))
        deps = shapes.seq(doc, "dependencies", _helm_where(chart_yaml, doc), of_mappings=True)
        if not deps:
            continue
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
            local = None
            repository = text(dep.get("repository")) or ""
            if repository.startswith("file://"):
                target = os.path.normpath(os.path.join(chart_dir, repository[len("file://"):]))
                local = _parsed_local_chart(target, by_dir.get(target, {}).get("Chart.yaml"))
            out.append(HelmRelease(
                name=alias, chart=name, repository=text(dep.get("repository")), version=version,
                version_key="version" if dep.get("version") is not None else None,
                version_location=key_location(dep, "version", loc) if "version" in dep else None,
                namespace=Unknown("the umbrella chart's release namespace"),
                values=[sub_values if isinstance(sub_values, Mapping) else {}],
                location=key_location(dep, "name", loc),
                object=f"{umbrella}/dependencies/{alias}", origin="chart-dependency",
                repository_location=key_location(dep, "repository", loc) if "repository" in dep else None,
                local_chart=local))
    return out


def _parsed_local_chart(directory: str, chart_yaml: ParsedFile | None) -> LocalChart | None:
    """A `file://` dependency's chart, from its Chart.yaml when the scope read it."""
    doc = _first_mapping(chart_yaml)
    return local_chart_of(directory, doc, chart_yaml.entry.path) if chart_yaml and doc is not None else None


def local_chart_dirs(chart: str, repository: str | None, bases: list[str]) -> list[str]:
    """The folders a local chart reference may name, most likely first: `chart` alone or
    below a local `repository` folder, against each base folder (the calling module, then the
    root Terraform runs in); `file://` prefixes dropped."""
    def bare(p: str) -> str:
        return p[len("file://"):] if p.startswith("file://") else p
    rel = bare(chart) if not repository else os.path.join(bare(repository), chart)
    if os.path.isabs(rel):
        return [os.path.normpath(rel)]
    out: list[str] = []
    for base in bases:
        d = os.path.normpath(os.path.join(base, rel))
        if d not in out:
            out.append(d)
    return out


def parse_local_chart(directory: str, data: bytes, display: str) -> LocalChart | None:
    """A local chart from the bytes of its Chart.yaml (`display`: the path findings show)."""
    parsed = parse_yaml_bytes(data, display)
    if parsed.error or not parsed.documents or not isinstance(parsed.documents[0].value, Mapping):
        return None
    return local_chart_of(directory, parsed.documents[0].value, display)


def local_chart_of(directory: str, doc: Mapping, display: str) -> LocalChart | None:
    name = text(doc.get("name"))
    if not name:
        return None
    version = text(doc.get("version"))
    app_version = text(doc.get("appVersion"))
    start = yaml_location(display, doc)
    location = key_location(doc, "version", start) if "version" in doc else \
        Location(display, start.line, start.column)
    told = [doc.get("home"), *as_sequence(doc.get("keywords")), *as_sequence(doc.get("sources"))]
    about_istio = any(isinstance(t, str) and "istio" in t.lower() for t in told)
    return LocalChart(directory, name, version.lstrip("v") if version else None,
                      app_version.lstrip("v") if app_version else None, location, about_istio)

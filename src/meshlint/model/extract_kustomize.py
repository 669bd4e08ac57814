"""Kustomizations: which namespaces they put the objects of the files they include in, and
the Helm charts they inflate (`helmCharts:`)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from meshlint.discover import KUSTOMIZATION
from meshlint.locate import key_location
from meshlint.model.types import HelmRelease
from meshlint.parse import ParsedFile
from meshlint.values import Location, Unknown, text


def kustomize_namespaces(files: list[ParsedFile]) -> dict[str, list[str]]:
    """File -> namespaces the kustomizations that include it put its objects in.
    The outermost kustomization with a `namespace:` wins, as kustomize does."""
    kustomizations: dict[str, tuple[str | None, list[str]]] = {}
    for pf in files:
        if pf.entry.kind != KUSTOMIZATION or pf.yaml is None or not pf.yaml.documents:
            continue
        doc = pf.yaml.documents[0].value
        if not isinstance(doc, Mapping):
            continue
        base = os.path.dirname(pf.entry.abspath)
        ns = text(doc.get("namespace"))
        refs = []
        for key in ("resources", "bases", "components"):
            items = doc.get(key)
            if isinstance(items, list):
                for item in items:
                    item = text(item)
                    if item and "://" not in item and not item.startswith("github.com/"):
                        refs.append(os.path.normpath(os.path.join(base, item)))
        kustomizations[base] = (ns, refs)
    if not kustomizations:
        return {}
    referenced = {r for _, refs in kustomizations.values() for r in refs}
    roots = [d for d in kustomizations if d not in referenced]
    out: dict[str, list[str]] = {}
    for root in roots:
        stack: list[tuple[str, str | None]] = [(root, None)]
        seen = set()
        while stack:
            d, outer = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            ns, refs = kustomizations[d]
            effective = outer or ns
            for r in refs:
                if r in kustomizations:
                    stack.append((r, effective))
                elif effective:
                    out.setdefault(r, [])
                    if effective not in out[r]:
                        out[r].append(effective)
    return out


def kustomization_refs(pf: ParsedFile) -> tuple[list[str], list[str]]:
    """(resources, patches) a kustomization names, as absolute paths: `resources`, `bases`
    and `components` bring objects (files or folders); `patches` (with a `path`),
    `patchesStrategicMerge` and `patchesJson6902` (with a `path`) only change them."""
    if pf.entry.kind != KUSTOMIZATION or pf.yaml is None or not pf.yaml.documents:
        return [], []
    doc = pf.yaml.documents[0].value
    if not isinstance(doc, Mapping):
        return [], []
    base = os.path.dirname(pf.entry.abspath)

    def local(item: object) -> str | None:
        ref = text(item)
        if not ref or "://" in ref or ref.startswith("github.com/") or "\n" in ref:
            return None  # remote, or an inline patch
        return os.path.normpath(os.path.join(base, ref))

    resources = [p for key in ("resources", "bases", "components")
                 for item in _items(doc.get(key)) if (p := local(item))]
    patches = []
    for key in ("patches", "patchesJson6902", "patchesStrategicMerge"):
        for item in _items(doc.get(key)):
            ref = local(item.get("path")) if isinstance(item, Mapping) else local(item)
            if ref:
                patches.append(ref)
    return resources, patches


def _items(value: object) -> list:
    return list(value) if isinstance(value, list) else []


def patch_files(files: list[ParsedFile]) -> set[str]:
    """Files the kustomizations name only as patches: they change objects, they are none."""
    resources: set[str] = set()
    patches: set[str] = set()
    for pf in files:
        res, pat = kustomization_refs(pf)
        resources.update(res)
        patches.update(pat)
    return patches - resources


def kustomize_helm_releases(files: list[ParsedFile]) -> list[HelmRelease]:
    """`helmCharts:` entries (kustomize's Helm inflator) as Helm releases, with their inline
    values and their values file when it is among the checked files."""
    yaml_docs = {pf.entry.abspath: pf.yaml for pf in files if pf.yaml is not None}
    out = []
    for pf in files:
        if pf.entry.kind != KUSTOMIZATION or pf.yaml is None or not pf.yaml.documents:
            continue
        doc = pf.yaml.documents[0].value
        if not isinstance(doc, Mapping) or not isinstance(doc.get("helmCharts"), list):
            continue
        base = os.path.dirname(pf.entry.abspath)
        location = pf.yaml.documents[0]
        for i, entry in enumerate(doc["helmCharts"]):
            if not isinstance(entry, Mapping) or not text(entry.get("name")):
                continue
            chart = text(entry.get("name")) or ""
            values: list = []
            values_file = text(entry.get("valuesFile"))
            if values_file:
                parsed = yaml_docs.get(os.path.normpath(os.path.join(base, values_file)))
                if parsed is not None and not parsed.error:
                    values.extend(d.value for d in parsed.documents if isinstance(d.value, dict))
                else:
                    values.append(Unknown(f"valuesFile {values_file} not read"))
            if isinstance(entry.get("valuesInline"), dict):
                values.append(entry["valuesInline"])
            version = text(entry.get("version"))
            fallback = _doc_location(pf, location.line)
            out.append(HelmRelease(
                name=text(entry.get("releaseName")) or chart, chart=chart,
                repository=text(entry.get("repo")),
                version=version, version_key="version" if version is not None else None,
                version_location=key_location(entry, "version", fallback) if version is not None else None,
                namespace=text(entry.get("namespace")) or text(doc.get("namespace")) or "default",
                values=values, location=key_location(entry, "name", fallback),
                object=f"kustomization {pf.entry.path} helmCharts[{i}]", origin="kustomize",
                repository_location=key_location(entry, "repo", fallback) if "repo" in entry else None))
    return out


def _doc_location(pf: ParsedFile, line: int) -> Location:
    return Location(pf.entry.path, line, 1)

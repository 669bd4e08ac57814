"""Scopes, cut before any model is built: the scopes the configuration names (`scopes:`),
else discovery's scopes with folders of alternative manifests split into one scope per file.
Parse errors (MESH001) get the scope of their file here."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace

from meshlint.config import matches_any
from meshlint.discover import (
    KUSTOMIZATION,
    MANIFEST,
    TERRAFORM,
    TFVARS,
    FileEntry,
    Scope,
    module_calls,
)
from meshlint.findings import Finding
from meshlint.model.types import as_mapping
from meshlint.parse import ParsedFile


def cut_scopes(discovered: list[Scope], all_files: list[FileEntry], parsed: Mapping[str, ParsedFile],
               configured: dict[str, list[str]], relative: Callable[[FileEntry], str]) -> list[Scope]:
    """The scopes of the run: the configured ones when there are any, else discovery's,
    with alternatives split."""
    if configured:
        return explicit_scopes(all_files, configured, relative)
    identities = {path: manifest_identities(pf) for path, pf in parsed.items()}
    return [part for scope in discovered for part in split_alternatives(scope, identities)]


def manifest_identities(pf: ParsedFile) -> set[tuple]:
    """(kind, namespace, name) of every object a manifest file defines."""
    out: set[tuple] = set()
    if pf.entry.kind != MANIFEST or pf.yaml is None:
        return out
    for doc in pf.yaml.documents:
        items = [doc.value]
        if isinstance(doc.value, dict) and doc.value.get("kind") == "List":
            items = doc.value.get("items") or []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                continue
            meta = as_mapping(item.get("metadata"))
            name = meta.get("name")
            if isinstance(name, str) and item["kind"] != "Namespace":
                out.add((item["kind"], str(meta.get("namespace") or ""), name))
    return out


def parse_error_findings(parsed: Mapping[str, ParsedFile], scopes: list[Scope]) -> list[Finding]:
    """MESH001 for every file that did not parse, in the (first) scope of the file."""
    scope_of: dict[str, str] = {}
    for scope in scopes:
        for e in scope.files:
            scope_of.setdefault(e.abspath, scope.name)
    return [replace(pf.error, scope=scope_of.get(pf.entry.abspath, ""), name="parse-error")
            for pf in parsed.values() if pf.error is not None]


def split_alternatives(scope: Scope, identities: dict[str, set[tuple]]) -> list[Scope]:
    """A folder of plain manifests (no Terraform root, no kustomization) in which several
    files define the same object cannot be applied as a whole: `kubectl apply` would let
    the last file overwrite the others. Such a folder is a collection of alternatives
    (examples, test fixtures, per-environment copies), so each of its files is checked as
    a scope of its own. `identities` maps a file's abspath to the (kind, namespace, name)
    it defines."""
    if scope.roots or any(f.kind == KUSTOMIZATION for f in scope.files):
        return [scope]
    owners: dict[tuple, set[str]] = {}
    for f in scope.files:
        for ident in identities.get(f.abspath, ()):
            owners.setdefault(ident, set()).add(f.abspath)
    clashing = {p for files in owners.values() if len(files) > 1 for p in files}
    if not clashing:
        return [scope]
    return [Scope(f.path, [], [f]) for f in scope.files]


def explicit_scopes(all_files: list[FileEntry], scopes: dict[str, list[str]],
                    relative: Callable[[FileEntry], str]) -> list[Scope]:
    """Scopes named in the configuration: each takes the files its globs match (relative
    to the configuration file); its Terraform roots are the matched module directories
    that no other matched module calls."""
    out = []
    for name, patterns in scopes.items():
        files = [f for f in all_files if matches_any(patterns, relative(f))]
        dirs = {os.path.dirname(f.abspath) for f in files if f.kind == TERRAFORM}
        calls = module_calls([f for f in files if f.kind == TERRAFORM])
        called = {t for targets in calls.values() for t in targets}
        roots = sorted(d for d in dirs if d not in called)
        # the local modules the roots call belong to the scope even if no glob names them
        for entry in all_files:
            d = os.path.dirname(entry.abspath)
            if entry not in files and entry.kind in (TERRAFORM, TFVARS) and d in called:
                files.append(entry)
        out.append(Scope(name, roots, files))
    return out

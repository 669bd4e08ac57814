"""Scopes, cut before any model is built: the scopes the configuration names (`scopes:`),
else discovery's scopes with folders of alternative manifests split into one scope per file.
Parse errors (MESH001) get the scope of their file here."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping

from msgspec.structs import replace

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
from meshlint.model.extract_kustomize import kustomization_refs, patch_files
from meshlint.model.types import as_mapping
from meshlint.parse import ParsedFile
from meshlint.project import within


def cut_scopes(discovered: list[Scope], all_files: list[FileEntry], parsed: Mapping[str, ParsedFile],
               configured: dict[str, list[str]], relative: Callable[[FileEntry], str]) -> list[Scope]:
    """The scopes of the run: the configured ones when there are any, else discovery's,
    without what deploys nothing (kustomize patches, live dumps), with alternatives split."""
    if configured:
        return explicit_scopes(all_files, configured, relative)
    out = []
    for scope in join_referenced(discovered, all_files, parsed):
        scope = deployed_only(scope, parsed)
        for overlay in split_overlays(scope, parsed):
            out.extend(split_alternatives(overlay, parsed))
    return out


def join_referenced(scopes: list[Scope], all_files: list[FileEntry],
                    parsed: Mapping[str, ParsedFile]) -> list[Scope]:
    """Folders outside every root's scope that an Argo CD Application (`source.path`,
    `sources[].path`) or a kustomization (`resources:`) of a scope names join that scope:
    what references them applies them. Their files leave the root-less scope they were put
    in by layout alone (or come back from being set aside); a folder a root's scope holds
    stays where it is."""
    in_root_scope = {e.abspath for s in scopes if s.roots for e in s.files}
    movable = {e.abspath: e for e in all_files if e.abspath not in in_root_scope}
    own = [{e.abspath for e in s.files} for s in scopes]
    extra: list[dict[str, FileEntry]] = [{} for _ in scopes]
    reasons: list[dict[str, str]] = [{} for _ in scopes]
    for i, scope in enumerate(scopes):
        todo = list(scope.files)  # each file's references are read once: what joins is read next
        while todo:
            joined: list[FileEntry] = []
            for folder, why in referenced_folders(todo, parsed):
                for path, e in movable.items():
                    if within(path, folder) and path not in own[i] and path not in extra[i]:
                        extra[i][path] = e
                        joined.append(e)
                        reasons[i].setdefault(e.path.rsplit("/", 1)[0] if "/" in e.path else ".", why)
            todo = joined
    if not any(extra):
        return scopes
    claimed = {path for moved in extra for path in moved}
    out = []
    for i, scope in enumerate(scopes):
        kept = scope.files if scope.roots else [e for e in scope.files if e.abspath not in claimed]
        files = kept + list(extra[i].values())
        if files:
            out.append(replace(scope, files=files, reasons={**scope.reasons, **{
                folder: why for folder, why in reasons[i].items() if folder not in scope.reasons}}))
    return out


def referenced_folders(files: list[FileEntry], parsed: Mapping[str, ParsedFile]) -> Iterator[tuple[str, str]]:
    """(folder or file, why) for what the Argo CD Applications and kustomizations among
    `files` apply. An Application's path is relative to its repository's root: it is read
    against the nearest folder above the Application where it exists (never `.`, never a
    template)."""
    for e in files:
        pf = parsed.get(e.abspath)
        if pf is None:
            continue
        if e.kind == KUSTOMIZATION:
            for ref in kustomization_refs(pf)[0]:
                yield ref, f"named by a kustomization's resources ({e.path})"
            continue
        for obj in _objects(pf):
            if obj.get("kind") != "Application" or not str(obj.get("apiVersion", "")).startswith("argoproj.io/"):
                continue
            spec = as_mapping(obj.get("spec"))
            listed = spec.get("sources")
            sources: list[object] = [spec.get("source"), *(listed if isinstance(listed, list) else [])]
            for source in sources:
                path = as_mapping(source).get("path")
                folder = _repository_path(e.abspath, path) if isinstance(path, str) else None
                if folder is not None:
                    yield folder, f"named by an Argo CD Application's source path ({e.path})"


def _repository_path(app_file: str, path: str) -> str | None:
    """The folder an Application's `source.path` names, looking upwards from its file."""
    path = path.strip().strip("/")
    if not path or path == "." or "{{" in path or "$" in path or "://" in path or ".." in path.split("/"):
        return None
    current = os.path.dirname(app_file)
    while True:
        candidate = os.path.normpath(os.path.join(current, path))
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def deployed_only(scope: Scope, parsed: Mapping[str, ParsedFile]) -> Scope:
    """The scope without the files that deploy nothing: files its kustomizations name only
    as patches (they change objects, they are none), and live dumps (`kubectl get -o yaml`
    output, an IstioOperator's `installed-state`: what a cluster ran, not what is applied)
    unless the root's Terraform names them."""
    files = [parsed[e.abspath] for e in scope.files if e.abspath in parsed]
    patches = patch_files(files)
    named = {folder for folder, why in scope.reasons.items() if why.startswith("named by")}
    kept = []
    for e in scope.files:
        pf = parsed.get(e.abspath)
        if e.abspath in patches:
            continue
        if pf is not None and is_live_dump(pf) and not any(
                e.path.startswith(folder + "/") for folder in named):
            continue
        kept.append(e)
    return replace(scope, files=kept) if len(kept) != len(scope.files) else scope


def is_live_dump(pf: ParsedFile) -> bool:
    """Is every object of the manifest what a cluster reported (server-set metadata: `uid`,
    `resourceVersion`, `managedFields`), or the IstioOperator istioctl keeps as its record
    of an installation (`installed-state`)?"""
    objects = list(_objects(pf))
    return bool(objects) and all(_reported(o) for o in objects)


def _reported(obj: Mapping) -> bool:
    meta = as_mapping(obj.get("metadata"))
    name = meta.get("name")
    if obj.get("kind") == "IstioOperator" and isinstance(name, str) and name.startswith("installed-state"):
        return True
    return any(key in meta for key in ("uid", "resourceVersion", "managedFields"))


def _objects(pf: ParsedFile) -> Iterator[Mapping]:
    if pf.entry.kind != MANIFEST or pf.yaml is None:
        return
    for doc in pf.yaml.documents:
        items = [doc.value]
        if isinstance(doc.value, dict) and doc.value.get("kind") == "List":
            items = doc.value.get("items") or []
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("kind"), str):
                yield item


def split_overlays(scope: Scope, parsed: Mapping[str, ParsedFile]) -> list[Scope]:
    """Kustomizations that no other kustomization includes are each applied alone
    (`kubectl apply -k overlays/dev`). When two of them include a common file (overlays of
    one base, lab folders patching one application), they are alternatives: each becomes a
    scope with the files it includes; files no kustomization includes stay together."""
    if scope.roots:
        return [scope]
    refs = {os.path.dirname(pf.entry.abspath): kustomization_refs(pf)
            for e in scope.files if e.kind == KUSTOMIZATION and (pf := parsed.get(e.abspath))}
    included = {r for res, pat in refs.values() for r in res + pat}
    tops = sorted(d for d in refs if d not in included)
    if len(tops) < 2:
        return [scope]
    by_dir: dict[str, list[FileEntry]] = {}
    for e in scope.files:
        by_dir.setdefault(os.path.dirname(e.abspath), []).append(e)
    reach = {top: _included(top, refs, by_dir, scope.files) for top in tops}
    seen: dict[str, int] = {}
    for files in reach.values():
        for path in files:
            seen[path] = seen.get(path, 0) + 1
    if not any(n > 1 for n in seen.values()):
        return [scope]
    out = []
    for top in tops:
        name = display_path_of(top, scope)
        out.append(Scope(name, [], [e for e in scope.files if e.abspath in reach[top]],
                         {name: "a kustomization applied alone (an alternative to its siblings)"}))
    rest = [e for e in scope.files if e.abspath not in seen]
    if rest:
        out.append(replace(scope, files=rest))
    return out


def _included(top: str, refs: Mapping[str, tuple[list[str], list[str]]],
              by_dir: Mapping[str, list[FileEntry]], files: list[FileEntry]) -> set[str]:
    """Files a kustomization includes, through the kustomizations it includes."""
    out: set[str] = set()
    todo, done = [top], set()
    while todo:
        d = todo.pop()
        if d in done:
            continue
        done.add(d)
        out.update(e.abspath for e in by_dir.get(d, ()) if e.kind == KUSTOMIZATION)
        resources, patches = refs.get(d, ([], []))
        for ref in resources + patches:
            if ref in refs:
                todo.append(ref)
            else:
                out.add(ref)
    return out


def display_path_of(directory: str, scope: Scope) -> str:
    """A folder's display path, from the display and absolute paths of a file of the scope."""
    for e in scope.files:
        if e.abspath.startswith(directory + os.sep):
            rel = os.path.relpath(e.abspath, directory).replace(os.sep, "/")
            if e.path.endswith("/" + rel):
                return e.path[: -len(rel) - 1]
            if e.path == rel:
                return "."
    return directory


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


def parse_error_findings(parsed: Mapping[str, ParsedFile], scopes: list[Scope],
                         read_errors: Iterable[Finding] = ()) -> list[Finding]:
    """MESH001 for every file that did not parse, and for the YAML Terraform read (file(),
    templatefile(), ...) that did not (`read_errors`), each in the (first) scope of the file."""
    scope_of: dict[str, str] = {}
    for scope in scopes:
        for e in scope.files:
            scope_of.setdefault(e.abspath, scope.name)
            scope_of.setdefault(e.path, scope.name)  # read errors carry the display path
    errors = [(pf.error, pf.entry.abspath) for pf in parsed.values() if pf.error is not None]
    errors += [(f, f.location.path) for f in read_errors]
    return [replace(error, scope=scope_of.get(key, ""), name="parse-error") for error, key in errors]


def split_alternatives(scope: Scope, parsed: Mapping[str, ParsedFile]) -> list[Scope]:
    """A folder of plain manifests (no Terraform root, no kustomization) in which several
    files define the same object cannot be applied as a whole: `kubectl apply` would let
    the last file overwrite the others. Such a folder is a collection of alternatives
    (examples, test fixtures, per-environment copies), so each of its files is checked as
    a scope of its own."""
    if scope.roots or any(f.kind == KUSTOMIZATION for f in scope.files):
        return [scope]
    owners: dict[tuple, set[str]] = {}
    for f in scope.files:
        pf = parsed.get(f.abspath)
        for ident in manifest_identities(pf) if pf is not None else ():
            owners.setdefault(ident, set()).add(f.abspath)
    clashing = {p for files in owners.values() if len(files) > 1 for p in files}
    if not clashing:
        return [scope]
    # decided folder by folder: a folder in which two files clash is a collection of
    # alternatives, split into its files; a folder that clashes only with another folder
    # is an alternative as a whole; the other folders stay together
    split_dirs: set[str] = set()
    folders: set[str] = set()
    for paths in owners.values():
        if len(paths) > 1:
            dirs = [os.path.dirname(p) for p in paths]
            if len(set(dirs)) < len(dirs):
                split_dirs.update(d for d in dirs if dirs.count(d) > 1)
            folders.update(dirs)
    folders -= split_dirs
    alone = {f.abspath for f in scope.files if os.path.dirname(f.abspath) in split_dirs}
    out = [Scope(f.path, [], [f]) for f in scope.files if f.abspath in alone]
    grouped: dict[str, list[FileEntry]] = {}
    rest = []
    for f in scope.files:
        d = os.path.dirname(f.abspath)
        if f.abspath in alone:
            continue
        if d in folders:
            grouped.setdefault(d, []).append(f)
        else:
            rest.append(f)
    for members in grouped.values():
        name = members[0].path.rsplit("/", 1)[0] if "/" in members[0].path else "."
        out.append(Scope(name, [], members, {name: "a folder of alternatives to its siblings"}))
    if rest:
        out.append(replace(scope, files=rest))
    return out


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

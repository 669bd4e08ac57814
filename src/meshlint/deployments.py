"""Layers of one deployment: Terraform roots applied one after the other against the same
cluster, which rules must see together (issue 11, cause 1).

* numbered siblings (`1-eks/`, `2-istio/`, `3_apps/`): the numbers say the order they are
  applied in;
* roots tied by `terraform_remote_state`: one reads the state another writes (a local `path`,
  the same S3 (or GCS, azurerm...) bucket and key, the same Terraform Cloud workspace).

Read from the raw text, before any evaluation (cheap, like the rest of discovery).

And what is not a deployment at all (issue 11, cause 9): vendored upstream release trees,
rendered output kept for reading, other tools' test fixtures (`set_aside_dir`)."""

from __future__ import annotations

import os
import re

from meshlint.project import within
from meshlint.tfrefs import read_tf

# `1-eks`, `02_istio`: the numbered layers of one deployment, applied in order
LAYER_NAME = re.compile(r"^\d+[-_]")
_BACKEND = re.compile(rb'\bbackend\s+"(\w+)"\s*\{')
_REMOTE_STATE = re.compile(rb'\bdata\s+"terraform_remote_state"\s+"[^"]*"\s*\{')
_STATE_FIELD = re.compile(rb'\b(bucket|key|path|organization|name|prefix|workspace_key_prefix)\s*=\s*"([^"$\n]*)"')
_REMOTE_BACKEND = re.compile(rb'\bbackend\s*=\s*"(\w+)"')

StateId = tuple[str, ...]
RENDERED_DIRS = frozenset(("output", "outputs", "rendered"))
FIXTURE_DIRS = frozenset(("tests", "test", "testdata", "fixtures", "test-fixtures"))


def layer_groups(roots: list[str], tf_files: dict[str, list[str]]) -> list[list[str]]:
    """The roots, grouped into deployments (each group sorted; groups in root order).
    `tf_files` maps a module folder to its .tf files."""
    parent = {r: r for r in roots}

    def find(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    layers: dict[str, list[str]] = {}
    for r in roots:
        if LAYER_NAME.match(os.path.basename(r)):
            layers.setdefault(os.path.dirname(r), []).append(r)
    for siblings in layers.values():
        for r in siblings[1:]:
            union(siblings[0], r)
    writes, reads = _states(roots, tf_files)
    for r, wanted in reads.items():
        for other, written in writes.items():
            if other != r and wanted & written:
                union(r, other)
    groups: dict[str, list[str]] = {}
    for r in roots:
        groups.setdefault(find(r), []).append(r)
    return [sorted(g) for g in groups.values()]


def _states(roots: list[str], tf_files: dict[str, list[str]]) -> tuple[dict[str, set[StateId]], dict[str, set[StateId]]]:
    """Per root: the states it writes (its backend; a root without one writes
    `terraform.tfstate` in its folder) and the states its `terraform_remote_state` reads."""
    writes: dict[str, set[StateId]] = {r: set() for r in roots}
    reads: dict[str, set[StateId]] = {r: set() for r in roots}
    for r in roots:
        has_backend = False
        for path in tf_files.get(r, ()):
            data = read_tf(path)
            if data is None:
                continue
            for m in _BACKEND.finditer(data):
                has_backend = True
                writes[r].add(_state_id(m.group(1), _block_text(data, m.end() - 1), r))
            for m in _REMOTE_STATE.finditer(data):
                body = _block_text(data, m.end() - 1)
                kind = _REMOTE_BACKEND.search(body)
                reads[r].add(_state_id(kind.group(1) if kind else b"local", body, r))
        if not has_backend:
            writes[r].add(("local", os.path.join(r, "terraform.tfstate")))
    return writes, reads


def _state_id(backend: bytes, body: bytes, module_dir: str) -> StateId:
    """Where a backend keeps a state: ("local", path), ("remote", organization, workspace),
    (type, bucket, key) for the object stores."""
    fields = {k.decode(): v.decode("utf-8", "replace") for k, v in _STATE_FIELD.findall(body)}
    kind = backend.decode()
    if kind == "local":
        return ("local", os.path.normpath(os.path.join(module_dir, fields.get("path", "terraform.tfstate"))))
    if kind in ("remote", "cloud"):
        return ("remote", fields.get("organization", ""), fields.get("name", fields.get("prefix", "")))
    return (kind, fields.get("bucket", ""), fields.get("key", fields.get("prefix", "")))


def _block_text(data: bytes, brace: int) -> bytes:
    """The text of the `{ ... }` block whose opening brace is at `brace` (capped at 20 kB)."""
    depth = 0
    for i in range(brace, min(len(data), brace + 20000)):
        c = data[i:i + 1]
        if c == b"{":
            depth += 1
        elif c == b"}":
            depth -= 1
            if depth == 0:
                return data[brace:i + 1]
    return data[brace:brace + 20000]


def set_aside_dir(d: str, top: str) -> tuple[str, str] | None:
    """(folder, why) when the folder `d` sits in something that is not a deployment:

    * an upstream release tree vendored into the repository, recognised by the layout of
      a release (`manifests/profiles/` beside `samples/` or `manifests/charts/`, as Istio
      ships it): its profiles and samples are read only when the Terraform names them;
    * rendered output kept for reading (an `output/` or `rendered/` folder);
    * the test fixtures of another tool (`tests/`, `testdata/`, `fixtures/` inside a Helm
      chart or an Ansible role).
    Only folders below the checked path count: a path named on the command line is checked."""
    current = d
    while within(current, top) and current != top:
        name = os.path.basename(current).lower()
        parent = os.path.dirname(current)
        if os.path.isdir(os.path.join(current, "manifests", "profiles")) and \
                (os.path.isdir(os.path.join(current, "samples")) or
                 os.path.isdir(os.path.join(current, "manifests", "charts"))):
            return current, "a vendored upstream release tree (manifests/profiles with samples/ or charts)"
        if name in RENDERED_DIRS:
            return current, "rendered output kept for reading"
        if name in FIXTURE_DIRS and (os.path.isfile(os.path.join(parent, "Chart.yaml")) or
                                     os.path.isdir(os.path.join(parent, "tasks"))):
            return current, "test fixtures of a chart or an Ansible role"
        current = parent
    return None

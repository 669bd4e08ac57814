"""Duplicate mapping keys are MESH001 (kubectl's strict decoding rejects the file) in every part
of a manifest, also where the YAML front-end converts an object only up to its metadata
(ConfigMaps, CRDs and other kinds no rule reads in full: `needs_full`). Issue 15."""

from __future__ import annotations

import pytest
from conftest import check, hits, write_tree

from meshlint.model.types import FULL_KINDS
from meshlint.parse import full_conversion
from meshlint.parse.yamlfront import parse_yaml_bytes

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: app}\n"
CRD = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
       "metadata: {name: widgets.example.com}\n")


def _partial(text: str):
    """Parsed as the engine parses a manifest: the kinds the model does not read stay partial."""
    return parse_yaml_bytes(text.encode(), "m.yaml", full_conversion(FULL_KINDS))


def test_configmap_and_crd_are_read_partially() -> None:
    """The premise: these kinds are the ones `needs_full` leaves unconverted."""
    assert _partial(HEAD + "data: {a: '1'}\n").documents[0].partial
    assert _partial(CRD + "spec: {group: example.com}\n").documents[0].partial


@pytest.mark.parametrize("text, line, key", [
    (HEAD + "data:\n  k: '1'\n  k: '2'\n", 6, "k"),  # ConfigMap data
    (HEAD + "data:\n  k: '1'\n  \"k\": '2'\n", 6, "k"),  # quoting style alone: one key to kubectl
    (HEAD + "data:\n  'k': '1'\n  \"k\": '2'\n", 6, "k"),
    (HEAD + "data: {k: '1', k: '2'}\n", 4, "k"),  # flow style
    (HEAD + "data: {}\ndata: {}\n", 5, "data"),  # at the top of the object
    (CRD + "spec:\n  group: example.com\n  group: other.example.com\n", 6, "group"),  # CRD spec
    (CRD + "spec:\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n"
           "        properties:\n          size: {type: integer}\n          size: {type: string}\n", 11, "size"),
    (HEAD + "x: &a {k: 1, k: 2}\ndata:\n  <<: *a\n", 4, "k"),  # inside an anchored mapping
])
def test_a_duplicate_key_in_an_unconverted_part_is_an_error(text: str, line: int, key: str) -> None:
    parsed = _partial(text)
    assert parsed.error is not None, text
    assert parsed.error[0] == line and f"duplicate key {key!r}" in parsed.error[2]


@pytest.mark.parametrize("text", [
    HEAD + "data:\n  a: {k: '1'}\n  b: {k: '2'}\n",  # the same key in sibling mappings
    HEAD + "data:\n- {k: '1'}\n- {k: '2'}\n",  # ... in items of a list
    HEAD + "base: &b {k: '1'}\ndata:\n  <<: *b\n  k: '2'\n",  # a merge key overridden
    HEAD + "a: &a {x: '1'}\nb: &b {y: '2'}\ndata:\n  <<: *a\n  <<: *b\n",  # two merge keys
    HEAD + "data:\n  1: a\n  \"1\": b\n",  # an int and a string: two keys to the strict decoder
    HEAD + "data:\n  true: a\n  \"true\": b\n",  # a bool and a string
    HEAD + "data:\n  k: '1'\n  k2: '1'\n  K: '1'\n",  # alike, not equal
    CRD + "spec:\n  names: {kind: Widget, plural: widgets}\n  group: example.com\n",
])
def test_look_alikes_are_not_duplicates(text: str) -> None:
    assert _partial(text).error is None, text


def test_an_alias_bomb_in_an_unconverted_part_is_walked_once_per_node() -> None:
    lines = ["a0: &a0 {k: v}"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]  # 9^11 paths
    parsed = _partial(HEAD + "\n".join(lines) + "\n")
    assert parsed.error is None and parsed.documents[0].partial


def test_a_configmap_with_a_duplicate_key_is_reported_and_the_rest_is_checked(tmp_path) -> None:
    root = write_tree(tmp_path, {
        "k8s/cm.yaml": HEAD + "data:\n  mode: a\n  mode: b\n",
        "k8s/app.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: app}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "gcr.io/istio-release/proxyv2:1.20.0"}]
            """,
    })
    result = check(root)
    assert hits(result, "MESH001") == [("MESH001", "cm.yaml", 6)]
    assert hits(result, "MESH107") == [("MESH107", "app.yaml", 9)]

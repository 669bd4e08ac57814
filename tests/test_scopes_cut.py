"""Cutting scopes (issue 11, causes 1 and 9): kustomize patches are patches, live dumps
are not installations, kustomizations applied alone are alternatives, and a folder of
alternative files is split folder by folder."""

from conftest import write_tree
from meshlint.discover import discover
from meshlint.engine import Options, parse_all
from meshlint.scoping import cut_scopes

DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ui
  namespace: default
spec:
  template:
    spec:
      containers: [{name: ui, image: ui}]
"""


def _cut(root):
    disc = discover([str(root)], cwd=str(root))
    parsed = parse_all(disc, Options(paths=[str(root)], jobs=1))
    scopes = cut_scopes(disc.scopes, disc.files, parsed, {}, lambda e: e.path)
    return {s.name: sorted(f.path for f in s.files) for s in scopes}


def test_kustomize_patches_are_not_objects(tmp_path):
    write_tree(tmp_path, {
        "app/kustomization.yaml": """
            resources: [deploy.yaml]
            patches:
              - path: arm.yaml
              - patch: |-
                  - op: remove
            patchesStrategicMerge: [old.yaml]
            patchesJson6902:
              - path: json.yaml
                target: {kind: Deployment, name: ui}
        """,
        "app/deploy.yaml": DEPLOY, "app/arm.yaml": DEPLOY, "app/old.yaml": DEPLOY,
        "app/json.yaml": "- op: add\n  path: /x\n  value: 1\n",
    })
    assert _cut(tmp_path) == {".": ["app/deploy.yaml", "app/kustomization.yaml"]}


def test_live_dumps_are_not_installations(tmp_path):
    write_tree(tmp_path, {
        "k8s/deploy.yaml": DEPLOY,
        "dump/live.yaml": """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istiod, namespace: istio-system, uid: 1f, resourceVersion: "42"}
                status: {replicas: 1}
        """,
        "dump/installed.yaml": """
            apiVersion: install.istio.io/v1alpha1
            kind: IstioOperator
            metadata: {name: installed-state-control-plane, namespace: istio-system}
            spec: {tag: 1.11.0}
        """,
        # one authored object beside a dumped one: the file is applied
        "mixed/both.yaml": DEPLOY.replace("name: ui", "name: web") + "---\nkind: Service\nmetadata: {name: c, uid: x}\n",
    })
    assert _cut(tmp_path) == {".": ["k8s/deploy.yaml", "mixed/both.yaml"]}


def test_overlays_of_one_base_are_each_applied_alone(tmp_path):
    write_tree(tmp_path, {
        "base/kustomization.yaml": "resources: [deploy.yaml]\n", "base/deploy.yaml": DEPLOY,
        "labs/a/kustomization.yaml": "resources: [../../base]\npatches: [{path: p.yaml}]\n",
        "labs/a/p.yaml": DEPLOY,
        "labs/b/kustomization.yaml": "resources: [../../base, extra.yaml]\n",
        "labs/b/extra.yaml": "kind: ConfigMap\nmetadata: {name: c}\n",
        "loose/ns.yaml": "kind: Namespace\nmetadata: {name: x}\n",
    })
    assert _cut(tmp_path) == {
        "labs/a": ["base/deploy.yaml", "base/kustomization.yaml", "labs/a/kustomization.yaml"],
        "labs/b": ["base/deploy.yaml", "base/kustomization.yaml", "labs/b/extra.yaml",
                   "labs/b/kustomization.yaml"],
        ".": ["loose/ns.yaml"],
    }


def test_independent_kustomizations_stay_together(tmp_path):
    write_tree(tmp_path, {
        "a/kustomization.yaml": "resources: [d.yaml]\n", "a/d.yaml": DEPLOY,
        "b/kustomization.yaml": "resources: [c.yaml]\n", "b/c.yaml": "kind: ConfigMap\nmetadata: {name: c}\n",
    })
    assert list(_cut(tmp_path)) == ["."]


def test_alternatives_are_decided_folder_by_folder(tmp_path):
    other = DEPLOY.replace("name: ui", "name: web")
    write_tree(tmp_path, {
        # two folders each deploying ui: alternatives as whole folders
        "v1/deploy.yaml": DEPLOY, "v1/svc.yaml": "kind: Service\nmetadata: {name: ui}\n",
        "v2/deploy.yaml": DEPLOY,
        # one folder whose files clash with each other: split into all its files
        "examples/a.yaml": other, "examples/b.yaml": other, "examples/c.yaml": "kind: Service\nmetadata: {name: c}\n",
        # the rest still correlates
        "base/ns.yaml": "kind: Namespace\nmetadata: {name: x}\n",
        "base/cm.yaml": "kind: Service\nmetadata: {name: d}\n",
    })
    assert _cut(tmp_path) == {
        "examples/a.yaml": ["examples/a.yaml"], "examples/b.yaml": ["examples/b.yaml"],
        "examples/c.yaml": ["examples/c.yaml"],
        "v1": ["v1/deploy.yaml", "v1/svc.yaml"], "v2": ["v2/deploy.yaml"],
        ".": ["base/cm.yaml", "base/ns.yaml"],
    }

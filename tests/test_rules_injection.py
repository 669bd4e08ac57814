"""MESH401 namespace-injection-missing and MESH402 injection-label-conflict."""

import pytest

from conftest import ISTIOD_TF, check, hits, only, write_tree

DEPLOY = '''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: {ns}
spec:
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
        - name: api
          image: example/api:1.0
'''


def _ns(name, labels=None):
    body = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
    if labels:
        body += "  labels:\n" + "".join(f"    {k}: {v}\n" for k, v in labels.items())
    return body


def _repo(tmp_path, ns_yaml, deploy_ns="orders", pod_labels="{app: api}", istio=True):
    files = {"k8s/ns.yaml": ns_yaml, "k8s/deploy.yaml": DEPLOY.format(ns=deploy_ns, labels=pod_labels)}
    if istio:
        files["infra/istio.tf"] = ISTIOD_TF
    return write_tree(tmp_path, files)


def test_fires_on_manifest_namespace_without_label(tmp_path):
    root = _repo(tmp_path, _ns("orders", {"team": "orders"}))
    result = check(root)
    assert hits(result, "MESH401") == [("MESH401", "ns.yaml", 4)]
    f = only(result, "MESH401")
    assert f.location.column == 3
    assert "namespace orders" in f.message and "Deployment/api" in f.message
    assert "kubectl label namespace orders istio-injection=enabled" in f.message
    assert f.object == "Namespace/orders"


def test_fires_on_terraform_namespace_and_says_the_wrong_value(tmp_path):
    write_tree(tmp_path, {
        "infra/main.tf": ISTIOD_TF + '''
resource "kubernetes_namespace_v1" "orders" {
  metadata {
    name   = "orders"
    labels = { "istio-injection" = "true" }
  }
}
''',
        "k8s/deploy.yaml": DEPLOY.format(ns="orders", labels="{app: api}"),
    })
    result = check(tmp_path)
    assert hits(result, "MESH401") == [("MESH401", "main.tf", 9)]
    f = only(result, "MESH401")
    assert f.object == "kubernetes_namespace_v1.orders"
    assert 'istio-injection="true" is not a value Istio knows' in f.message


def test_terraform_workload_and_for_each_namespaces(tmp_path):
    write_tree(tmp_path, {"main.tf": ISTIOD_TF + '''
resource "kubernetes_namespace" "apps" {
  for_each = toset(["a", "b"])
  metadata {
    name   = each.key
    labels = each.key == "a" ? { "istio-injection" = "enabled" } : {}
  }
}

resource "kubernetes_deployment_v1" "a" {
  metadata {
    name      = "a"
    namespace = "a"
  }
  spec {
    template {
      metadata { labels = { app = "a" } }
      spec {
        container {
          name  = "a"
          image = "example/a:1"
        }
      }
    }
  }
}

resource "kubernetes_deployment_v1" "b" {
  metadata {
    name      = "b"
    namespace = "b"
  }
  spec {
    template {
      metadata { labels = { app = "b" } }
      spec {
        container {
          name  = "b"
          image = "example/b:1"
        }
      }
    }
  }
}
'''})
    result = check(tmp_path)
    assert hits(result, "MESH401") == [("MESH401", "main.tf", 9)]
    assert only(result, "MESH401").object == 'kubernetes_namespace.apps["b"]'


@pytest.mark.parametrize("labels, deploy_ns, pod_labels, istio", [
    ({"istio-injection": "enabled"}, "orders", "{app: api}", True),      # labelled
    ({"istio.io/rev": "default"}, "orders", "{app: api}", True),         # revision label
    ({"istio-injection": "disabled"}, "orders", "{app: api}", True),     # opted out
    ({"istio.io/dataplane-mode": "ambient"}, "orders", "{app: api}", True),  # ambient
    ({"team": "orders"}, "orders", "{app: api, sidecar.istio.io/inject: 'true'}", True),  # pods opt in
    ({"team": "orders"}, "orders", "{app: api}", False),                 # no Istio in scope
    ({"team": "orders"}, "elsewhere", "{app: api}", True),               # namespace has no workloads
])
def test_look_alikes_do_not_fire(tmp_path, labels, deploy_ns, pod_labels, istio):
    root = _repo(tmp_path, _ns("orders", labels), deploy_ns, pod_labels, istio)
    assert hits(check(root), "MESH401") == []


def test_system_and_undeclared_namespaces_are_left_alone(tmp_path):
    write_tree(tmp_path, {
        "infra/istio.tf": ISTIOD_TF,
        "k8s/sys.yaml": _ns("kube-system"),
        "k8s/deploy.yaml": DEPLOY.format(ns="kube-system", labels="{app: x}") + "---\n" +
        DEPLOY.format(ns="undeclared", labels="{app: x}"),
    })
    assert hits(check(tmp_path), "MESH401") == []


def test_kustomization_namespace_applies_to_its_resources(tmp_path):
    write_tree(tmp_path, {
        "infra/istio.tf": ISTIOD_TF,
        "k8s/ns.yaml": _ns("shop"),
        "k8s/app/deploy.yaml": DEPLOY.format(ns="default", labels="{app: x}"),
        "k8s/app/kustomization.yaml": "namespace: shop\nresources:\n  - deploy.yaml\n",
    })
    assert hits(check(tmp_path), "MESH401") == [("MESH401", "ns.yaml", 4)]


def test_istio_from_manifests_counts(tmp_path):
    istiod = '''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istiod
  namespace: istio-system
spec:
  template:
    spec:
      containers:
        - name: discovery
          image: docker.io/istio/pilot:1.22.3
'''
    write_tree(tmp_path, {"istio.yaml": istiod, "ns.yaml": _ns("orders"),
                          "deploy.yaml": DEPLOY.format(ns="orders", labels="{app: x}")})
    assert hits(check(tmp_path), "MESH401") == [("MESH401", "ns.yaml", 4)]


# --- MESH402 ---------------------------------------------------------------------------

def test_both_labels_fire_at_the_revision_label(tmp_path):
    root = write_tree(tmp_path, {"ns.yaml": _ns("pay", {"istio-injection": "enabled", "istio.io/rev": "canary"})})
    result = check(root)
    assert hits(result, "MESH402") == [("MESH402", "ns.yaml", 7)]


def test_unknown_revision_fires_only_when_istio_is_installed_here(tmp_path):
    ns = _ns("cat", {"istio.io/rev": "stable"})
    write_tree(tmp_path, {"ns.yaml": ns})
    assert hits(check(tmp_path), "MESH402") == []  # Istio installed elsewhere: no guess
    write_tree(tmp_path, {"istio.tf": ISTIOD_TF})
    result = check(tmp_path)
    assert hits(result, "MESH402") == [("MESH402", "ns.yaml", 6)]
    assert "provides only: default" in only(result, "MESH402").message


def test_revisions_and_tags_from_helm_values_are_provided(tmp_path):
    tf = '''
resource "helm_release" "istiod_canary" {
  name      = "istiod-canary"
  chart     = "istiod"
  namespace = "istio-system"
  values    = [yamlencode({ revision = "canary", revisionTags = ["prod-stable"] })]
}
'''
    write_tree(tmp_path, {"istio.tf": tf,
                          "ns.yaml": _ns("a", {"istio.io/rev": "canary"}) + "---\n" +
                          _ns("b", {"istio.io/rev": "prod-stable"}) + "---\n" +
                          _ns("c", {"istio.io/rev": "default"})})
    assert hits(check(tmp_path), "MESH402") == [("MESH402", "ns.yaml", 20)]


def test_disabled_with_revision_is_not_a_conflict(tmp_path):
    write_tree(tmp_path, {"ns.yaml": _ns("x", {"istio-injection": "disabled", "istio.io/rev": "canary"})})
    assert hits(check(tmp_path), "MESH402") == []


def test_revision_unknown_when_values_are_unknown(tmp_path):
    tf = '''
variable "rev" {}
resource "helm_release" "istiod" {
  name   = "istiod"
  chart  = "istiod"
  values = [yamlencode({ revision = var.rev })]
}
'''
    write_tree(tmp_path, {"istio.tf": tf, "ns.yaml": _ns("a", {"istio.io/rev": "whatever"})})
    assert hits(check(tmp_path), "MESH402") == []

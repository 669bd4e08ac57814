"""`meshlint versions` lists every Helm release of a scope, not only the mesh: a shared wrapper
module called once per add-on (EKS Blueprints v4's `helm-addon`) shows each call's release."""

import json

from conftest import meshlint_cli, write_tree

WRAPPER = '''variable "helm_config" { type = any }
resource "helm_release" "addon" {
  name       = var.helm_config.name
  chart      = var.helm_config.chart
  repository = var.helm_config.repository
  version    = var.helm_config.version
}
'''

ROOT = '''module "istio_base" {
  source      = "./helm-addon"
  count       = var.enable_istio ? 1 : 0
  helm_config = { name = "istio-base", chart = "base", version = "1.29.2",
                  repository = "https://blob.istio.io/istio-release/charts" }
}
module "istiod" {
  source      = "./helm-addon"
  count       = var.enable_istio ? 1 : 0
  helm_config = { name = "istiod", chart = "istiod", version = "1.29.2",
                  repository = "https://blob.istio.io/istio-release/charts" }
}
module "metrics_server" {
  source      = "./helm-addon"
  helm_config = { name = "metrics-server", chart = "metrics-server", version = "3.8.2",
                  repository = "https://kubernetes-sigs.github.io/metrics-server/" }
}
module "karpenter" {
  source      = "./helm-addon"
  count       = var.enable_karpenter ? 1 : 0
  helm_config = { name = "karpenter", chart = "karpenter", version = "0.27.3",
                  repository = "oci://public.ecr.aws/karpenter" }
}
variable "enable_istio" { default = true }
variable "enable_karpenter" { default = false }
'''


def test_each_call_of_a_wrapper_module_is_a_release(tmp_path):
    write_tree(tmp_path, {"main.tf": ROOT, "helm-addon/main.tf": WRAPPER})
    proc = meshlint_cli("versions", ".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (scope,) = json.loads(proc.stdout)["scopes"]
    mesh = {(c["component"], c["version"]) for c in scope["components"]}
    assert mesh == {("istio-base", "1.29.2"), ("istiod", "1.29.2")}
    releases = {(r["chart"], r["version"], r["pinning"]) for r in scope["releases"]}
    # karpenter's enable flag is off: no instance, no release
    assert releases == {("metrics-server", "3.8.2", "pinned")}
    text = meshlint_cli("versions", ".", cwd=tmp_path).stdout
    assert "RELEASE" in text and "module.metrics_server.helm_release.addon" in text
    assert "karpenter" not in text

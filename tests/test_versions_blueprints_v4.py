"""Issue 11, "Must hold": the EKS Blueprints v4 `kubernetes-addons` module (the real one, from
../shared/corpus/real/eks-blueprints-v4.32.1) shows its Istio (tetrate) and other
`helm-addon` releases in `meshlint versions`. No example of that tree enables tetrate, so a
small root calling a copy of the module does (the corpus is read-only, and the evaluator
reads module files inside the checked tree only)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS
from test_fix_cli import meshlint

V4 = CORPUS / "real" / "eks-blueprints-v4.32.1"
ADDONS = V4 / "modules" / "kubernetes-addons"
AS_OF = "2026-11-27"

ROOT_TF = '''module "eks_blueprints_kubernetes_addons" {
  source = "./modules/kubernetes-addons"

  eks_cluster_id       = "demo"
  eks_cluster_endpoint = "https://demo.example.com"
  eks_oidc_provider    = "oidc.eks.us-east-1.amazonaws.com/id/DEMO"
  eks_cluster_version  = "1.27"

  enable_tetrate_istio      = true
  %s
  enable_metrics_server     = true
  enable_cluster_autoscaler = true
}
'''

pytestmark = pytest.mark.skipif(not ADDONS.is_dir(), reason="the real EKS Blueprints v4 corpus is not here")


def _versions(path: Path) -> dict:
    code, out, err = meshlint("versions", str(path), "--format", "json", "--as-of", AS_OF)
    assert code == 0, err
    return json.loads(out)


def _root(tmp_path: Path, extra: str = "") -> Path:
    shutil.copytree(ADDONS, tmp_path / "modules" / "kubernetes-addons")
    (tmp_path / "main.tf").write_text(ROOT_TF % extra)
    return tmp_path


@pytest.mark.parametrize("extra, version", [("", "1.12.2"),  # the module's default
                                            ('tetrate_istio_version = "1.18.2"', "1.18.2")])
def test_tetrate_istio_and_helm_addon_releases_are_listed(tmp_path: Path, extra: str, version: str) -> None:
    doc = _versions(_root(tmp_path, extra))
    (scope,) = doc["scopes"]
    istio = {(c["component"], c["name"]): c for c in scope["components"] if c["component"] != "kubernetes"}
    assert sorted(istio) == [("cni", "istio-cni"), ("gateway", "istio-ingressgateway"),
                             ("istio-base", "istio-base"), ("istiod", "istio-istiod")]
    for (kind, _name), comp in istio.items():
        assert comp["version"] == version and comp["pinning"] == "pinned" and comp["effective"] == version
        module = {"istio-base": "base"}.get(kind, kind)
        assert comp["object"] == (f"module.eks_blueprints_kubernetes_addons.module.tetrate_istio[0]"
                                  f".module.{module}[0].helm_release.addon[0]")  # tetrate-istio calls ../helm-addon
        assert comp["path"].endswith("modules/kubernetes-addons/helm-addon/main.tf")
    others = {r["chart"]: r for r in scope["releases"]}
    assert others["metrics-server"]["version"] == "3.8.2"  # metrics-server/locals.tf
    assert others["cluster-autoscaler"]["version"] == "9.21.0"
    assert all(r["release"].endswith(".module.helm_addon.helm_release.addon[0]") for r in others.values())


def test_the_v4_examples_list_their_helm_addon_releases() -> None:
    scopes = {Path(s["scope"]).name: s for s in _versions(V4)["scopes"]}
    assert [r["chart"] for r in scopes["karpenter"]["releases"]] == ["karpenter"]
    assert {"agones", "cluster-autoscaler", "metrics-server"} <= {
        r["chart"] for r in scopes["agones-game-controller"]["releases"]}

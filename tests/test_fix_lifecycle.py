"""MESH107's fix: a chart repository on a retired host becomes the replacement its publisher
names (safe: the same artifacts), where the URL is one literal; a re-check is clean."""

import shutil
from pathlib import Path

from conftest import meshlint_cli, write_tree

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop-platform"
AS_OF = "2026-11-27"


def _mesh107(root: Path) -> int:
    out = meshlint_cli("check", ".", "--select", "MESH107", "--as-of", AS_OF, "--format", "json", cwd=root)
    return out.stdout.count('"rule": "MESH107"')


def test_a_shared_local_is_edited_once_and_the_recheck_is_clean(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root)
    assert _mesh107(root) == 3
    proc = meshlint_cli("fix", ".", "--select", "MESH107", "--as-of", AS_OF, cwd=root)
    assert proc.returncode == 0, proc.stderr
    tf = (root / "infra" / "main.tf").read_text()
    assert 'istio_chart_url     = "https://blob.istio.io/istio-release/charts"' in tf
    assert "storage.googleapis.com" not in tf
    assert _mesh107(root) == 0
    again = meshlint_cli("fix", ".", "--select", "MESH107", "--as-of", AS_OF, "--diff", cwd=root)
    assert again.returncode == 0  # idempotent: nothing left to fix


def test_argo_cd_repo_url_in_yaml(tmp_path):
    write_tree(tmp_path, {"istiod.yaml": """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: istiod
  namespace: argocd
spec:
  source:
    repoURL: https://istio-release.storage.googleapis.com/charts
    chart: istiod
    targetRevision: 1.29.2
  destination:
    namespace: istio-system
"""})
    proc = meshlint_cli("fix", ".", "--select", "MESH107", "--as-of", AS_OF, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "repoURL: https://blob.istio.io/istio-release/charts\n" in (tmp_path / "istiod.yaml").read_text()
    assert _mesh107(tmp_path) == 0


def test_a_computed_repository_gets_no_fix(tmp_path):
    write_tree(tmp_path, {"main.tf": """variable "host" {}
resource "helm_release" "istiod" {
  name       = "istiod"
  chart      = "istiod"
  version    = "1.29.2"
  repository = "https://${var.host}/charts"
}
"""})
    before = (tmp_path / "main.tf").read_text()
    meshlint_cli("fix", ".", "--select", "MESH107", "--as-of", AS_OF, cwd=tmp_path)
    assert (tmp_path / "main.tf").read_text() == before

"""MESH103 for a chart with no version at all (issue 14: "unpinned/range chart → the exact
version it resolves to on the run's date — unsafe"): a version key inserted right after the
key that names the chart, in every source a release is declared in; a NoFix that says why
where the version is not knowable or one line would pin more than this release."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest

from test_fix_cli import AS_OF, findings, meshlint, snapshot

GOOGLEAPIS = "https://istio-release.storage.googleapis.com/charts"
# Istio's newest patch published there by AS_OF: the host stops after 1.30
# (rules/data/artifact-hosts.yaml), 1.30.5 is its newest 1.30 patch (rules/data/istio-patches.yaml)
PINNED = "1.30.5"

MAIN_TF = f'''resource "helm_release" "istiod" {{
  name       = "istiod"
  repository = "{GOOGLEAPIS}"
  chart      = "istiod"
  namespace  = "istio-system"
}}

resource "helm_release" "cni" {{
  name = "istio-cni"
  repository = "{GOOGLEAPIS}"
  chart = "cni" # the CNI node agent
  namespace = "istio-system"
}}

module "eks_blueprints_addons" {{
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.0"

  cluster_name      = "demo"
  cluster_endpoint  = "https://demo.example.com"
  cluster_version   = "1.28"
  oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/demo"

  helm_releases = {{
    istio-base = {{
      chart      = "base"
      repository = "{GOOGLEAPIS}"
      namespace  = "istio-system"
    }}
    istio-ingress = {{ chart = "gateway", repository = "{GOOGLEAPIS}" }}
  }}
}}
'''

APPS_YAML = f'''apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: istio-cni
  namespace: argocd
spec:
  project: default
  source:
    repoURL: {GOOGLEAPIS}
    chart: cni
  destination:
    server: https://kubernetes.default.svc
    namespace: istio-system
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ztunnel
  namespace: argocd
spec:
  project: default
  source: {{repoURL: "{GOOGLEAPIS}", chart: ztunnel}}
  destination: {{server: "https://kubernetes.default.svc", namespace: istio-system}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: istio
  namespace: istio-system
spec:
  url: {GOOGLEAPIS}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: istiod
  namespace: istio-system
spec:
  interval: 10m
  chart:
    spec:
      chart: istiod
      sourceRef:
        kind: HelmRepository
        name: istio
'''

KUSTOMIZATION = f'''apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
helmCharts:
  - name: base
    repo: {GOOGLEAPIS}
    releaseName: istio-base
    namespace: istio-system
'''

CHART = f'''apiVersion: v2
name: mesh
version: 0.1.0
dependencies:
  - name: istiod
    repository: {GOOGLEAPIS}
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "kust").mkdir(parents=True)
    (root / "charts" / "mesh").mkdir(parents=True)
    (root / "main.tf").write_text(MAIN_TF)
    (root / "apps.yaml").write_text(APPS_YAML)
    (root / "kust" / "kustomization.yaml").write_text(KUSTOMIZATION)
    (root / "charts" / "mesh" / "Chart.yaml").write_text(CHART)
    return root


def _unpinned(root: Path) -> list[dict]:
    return [f for f in findings(root, "--select", "MESH103") if "without a version" in f["message"]]


def test_every_source_gets_the_version_inserted_after_its_chart(project: Path) -> None:
    assert len(_unpinned(project)) == 9
    code, _, err = meshlint("fix", str(project), "--select", "MESH103", "--as-of", AS_OF)
    assert code == 0 and "9 more fixable with --unsafe-fixes" in err  # unsafe: left out by default
    code, _, err = meshlint("fix", str(project), "--unsafe-fixes", "--select", "MESH103", "--as-of", AS_OF)
    assert code == 0 and "fixed 9 findings in 4 files" in err and "not fixed" not in err, err
    tf = (project / "main.tf").read_text()
    # helm_release: a new attribute line after `chart`, aligned with the block's `=`s
    assert f'  chart      = "istiod"\n  version    = "{PINNED}"\n  namespace  = "istio-system"\n' in tf
    assert f'  chart = "cni" # the CNI node agent\n  version = "{PINNED}"\n  namespace = ' in tf
    # eks-blueprints-addons `helm_releases`: `chart_version`, on its own line or in a one-line object
    assert f'      chart      = "base"\n      chart_version = "{PINNED}"\n      repository = ' in tf
    assert f'istio-ingress = {{ chart = "gateway", chart_version = "{PINNED}", repository = ' in tf
    apps = (project / "apps.yaml").read_text()
    assert f'    chart: cni\n    targetRevision: "{PINNED}"\n  destination:\n' in apps  # block style
    assert f'chart: ztunnel, targetRevision: "{PINNED}"}}\n' in apps  # flow style
    # Flux: the HelmRepository is googleapis too
    assert f'      chart: istiod\n      version: "{PINNED}"\n      sourceRef:\n' in apps
    assert f'  - name: base\n    version: "{PINNED}"\n    repo: ' in (project / "kust" / "kustomization.yaml").read_text()
    assert f'  - name: istiod\n    version: "{PINNED}"\n    repository: ' in (
        project / "charts" / "mesh" / "Chart.yaml").read_text()
    after = findings(project)
    assert not [f for f in after if f["rule"] in ("MESH103", "MESH001")], after  # re-check; all parse
    before_second = snapshot(project)
    assert meshlint("fix", str(project), "--unsafe-fixes", "--select", "MESH103", "--as-of", AS_OF)[0] == 0
    assert snapshot(project) == before_second  # idempotent


def test_diff_shows_the_insertions_and_changes_nothing(project: Path) -> None:
    before = snapshot(project)
    code, out, _ = meshlint("fix", str(project), "--diff", "--unsafe-fixes", "--select", "MESH103",
                            "--as-of", AS_OF)
    assert code == 1 and snapshot(project) == before
    assert f'+  version    = "{PINNED}"' in out and f'+    targetRevision: "{PINNED}"' in out


WRAPPER = '''resource "helm_release" "addon" {
  name       = var.name
  repository = var.repository
  chart      = var.chart
  namespace  = "istio-system"
}

variable "name" {}
variable "repository" {}
variable "chart" {}
'''

ROOT = f'''module "istiod" {{
  source     = "./modules/addon"
  name       = "istiod"
  repository = "{GOOGLEAPIS}"
  chart      = "istiod"
}}
'''


def test_a_wrapper_modules_computed_chart_is_not_pinned_in_the_module(tmp_path: Path) -> None:
    (tmp_path / "modules" / "addon").mkdir(parents=True)
    (tmp_path / "modules" / "addon" / "main.tf").write_text(WRAPPER)
    (tmp_path / "main.tf").write_text(ROOT)
    assert _unpinned(tmp_path)
    before = snapshot(tmp_path)
    _, _, err = meshlint("fix", str(tmp_path), "--unsafe-fixes", "--select", "MESH103", "--as-of", AS_OF)
    assert snapshot(tmp_path) == before
    assert "MESH103 not fixed: the chart of module.istiod.helm_release.addon is computed (var.chart)" in err


OTHER_CHARTS = '''resource "helm_release" "metrics" {
  name       = "metrics-server"
  repository = "https://kubernetes-sigs.github.io/metrics-server"
  chart      = "metrics-server"
}

resource "helm_release" "kiali" {
  name       = "kiali-server"
  repository = "https://kiali.org/helm-charts"
  chart      = "kiali-server"
}
'''


def test_charts_without_release_data_say_why_they_are_not_pinned(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(OTHER_CHARTS)
    assert len(_unpinned(tmp_path)) == 2
    _, _, err = meshlint("fix", str(tmp_path), "--unsafe-fixes", "--select", "MESH103", "--as-of", AS_OF)
    assert (tmp_path / "main.tf").read_text() == OTHER_CHARTS
    assert "meshlint does not know which version of the metrics-server chart is newest on " + AS_OF in err
    assert "an online run reads the chart repository's index" in err
    assert "meshlint does not know which exact version of the kiali-server chart is newest" in err
    assert "no automatic fix for this case" not in err


INDEX = b'''apiVersion: v1
entries:
  metrics-server:
    - {version: 3.12.1, created: "2024-04-05T10:00:00Z"}
    - {version: 3.11.0, created: "2023-08-01T10:00:00Z"}
    - {version: 3.13.0, created: "2099-01-01T10:00:00Z"}
'''


class _Index(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - stdlib API
        ok = self.path == "/charts/index.yaml"
        body = INDEX if ok else b"nope"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_online_any_chart_is_pinned_to_its_indexs_newest_by_the_runs_date(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(tmp_path / "cache"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        repo = f"http://127.0.0.1:{server.server_address[1]}/charts"
        (tmp_path / "p").mkdir()
        (tmp_path / "p" / "main.tf").write_text(OTHER_CHARTS.split("\n\n")[0].replace(
            "https://kubernetes-sigs.github.io/metrics-server", repo) + "\n")
        code, out, err = meshlint("check", str(tmp_path / "p"), "--online", "--show-fixes", "--format", "json",
                                  "--as-of", AS_OF, "--no-cache", "--select", "MESH103")
        # `meshlint fix` is online when the user's own configuration says so
        (tmp_path / "xdg" / "meshlint").mkdir(parents=True)
        (tmp_path / "xdg" / "meshlint" / "config.yaml").write_text("online: true\n")
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
        fixed = meshlint("fix", str(tmp_path / "p"), "--diff", "--unsafe-fixes", "--as-of", AS_OF,
                         "--select", "MESH103")
    finally:
        server.shutdown()
    (finding,) = json.loads(out)["findings"]
    (fix,) = finding["fixes"]
    assert fix["safety"] == "unsafe" and fix["title"].startswith('pin metrics-server with version "3.12.1"')
    (edit,) = fix["edits"]
    assert edit["old"] == "" and edit["new"] == '\n  version    = "3.12.1"'
    assert fixed[0] == 1 and '+  version    = "3.12.1"' in fixed[1], fixed

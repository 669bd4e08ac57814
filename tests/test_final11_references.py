"""Folders that only an Argo CD Application or a kustomization names join the scope of
what names them (issue 11, cause 1), and `--verbose` says why."""

from click.testing import CliRunner
from conftest import write_tree
from meshlint.cli import cli
from meshlint.discover import discover
from meshlint.engine import Options, parse_all
from meshlint.scoping import cut_scopes

DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
spec:
  template:
    spec:
      containers: [{name: shop, image: shop}]
"""

# a root deeper down is a project of its own: by layout alone, `apps/` would be a scope
ROOT = {"platform/terraform/main.tf": 'resource "null_resource" "x" {}\n'}


def _cut(root):
    disc = discover([str(root)], cwd=str(root))
    parsed = parse_all(disc, Options(paths=[str(root)], jobs=1))
    return cut_scopes(disc.scopes, disc.files, parsed, {}, lambda e: e.path)


def _files(scopes):
    return {s.name: sorted(f.path for f in s.files) for s in scopes}


def test_a_folder_an_argo_application_names_joins_the_root_scope(tmp_path):
    write_tree(tmp_path, {**ROOT,
        "platform/terraform/argocd/shop.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: shop, namespace: argocd}
            spec:
              source: {repoURL: "https://example.com/repo.git", path: apps/shop}
              destination: {namespace: shop}
        """,
        "apps/shop/deploy.yaml": DEPLOY,
    })
    scopes = _cut(tmp_path)
    files = _files(scopes)
    assert "apps" not in files and "apps/shop" not in files
    assert "apps/shop/deploy.yaml" in files["platform/terraform"]
    root = next(s for s in scopes if s.name == "platform/terraform")
    assert "Argo CD Application" in root.reasons["apps/shop"]
    assert "platform/terraform/argocd/shop.yaml" in root.reasons["apps/shop"]


def test_sources_paths_count_and_templates_do_not(tmp_path):
    write_tree(tmp_path, {**ROOT,
        "platform/terraform/argocd/apps.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: shop, namespace: argocd}
            spec:
              sources:
                - {repoURL: "https://example.com/repo.git", path: apps/shop}
                - {repoURL: "https://example.com/repo.git", path: "apps/{{name}}"}
        """,
        "apps/shop/deploy.yaml": DEPLOY,
        "other/deploy.yaml": DEPLOY.replace("shop", "other"),
    })
    files = _files(_cut(tmp_path))
    assert "apps/shop/deploy.yaml" in files["platform/terraform"]
    assert files["other"] == ["other/deploy.yaml"]  # nothing names it: its own scope


def test_a_folder_a_kustomization_names_joins_its_scope(tmp_path):
    write_tree(tmp_path, {**ROOT,
        "gitops/prod/kustomization.yaml": "resources: [../../shared/base]\n",
        "shared/base/kustomization.yaml": "resources: [deploy.yaml]\n",
        "shared/base/deploy.yaml": DEPLOY,
    })
    scopes = _cut(tmp_path)
    files = _files(scopes)
    assert "shared" not in files
    assert files["gitops"] == ["gitops/prod/kustomization.yaml", "shared/base/deploy.yaml",
                               "shared/base/kustomization.yaml"]
    gitops = next(s for s in scopes if s.name == "gitops")
    assert gitops.reasons["shared/base"] == "named by a kustomization's resources (gitops/prod/kustomization.yaml)"


def test_a_folder_in_a_root_scope_stays_there(tmp_path):
    write_tree(tmp_path, {**ROOT,
        "platform/terraform/k8s/deploy.yaml": DEPLOY,
        "gitops/kustomization.yaml": "resources: [../platform/terraform/k8s]\n",
    })
    files = _files(_cut(tmp_path))
    assert "platform/terraform/k8s/deploy.yaml" in files["platform/terraform"]
    assert files["gitops"] == ["gitops/kustomization.yaml"]


def test_verbose_says_why(tmp_path, monkeypatch):
    write_tree(tmp_path, {**ROOT,
        "platform/terraform/argocd/shop.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: shop, namespace: argocd}
            spec:
              source: {repoURL: "https://example.com/repo.git", path: apps/shop}
        """,
        "apps/shop/deploy.yaml": DEPLOY,
    })
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["check", ".", "--verbose", "--no-cache"])
    assert "  apps/shop: named by an Argo CD Application's source path " \
           "(platform/terraform/argocd/shop.yaml)" in out.stderr

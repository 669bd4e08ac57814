"""Issue 11, cause 1: layered roots of one deployment share one scope: numbered siblings
(`1-eks/`, `2-istio/`) and roots tied by `terraform_remote_state`; unrelated roots do not."""

from conftest import check, write_tree

ISTIOD = '''
resource "helm_release" "istiod" {{
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "{version}"
  namespace  = "istio-system"
}}
'''
BASE = ISTIOD.replace("\"istiod\"", "\"base\"")


def _roots(result) -> list[list[str]]:
    return sorted(sorted(r.rsplit("/", 1)[-1] for r in s.roots) for s in result.discovery.scopes if s.roots)


def test_numbered_siblings_are_one_deployment(tmp_path):
    root = write_tree(tmp_path, {
        "deploy/1-eks/main.tf": 'resource "aws_eks_cluster" "c" {\n  name = "c"\n  version = "1.29"\n}\n',
        "deploy/2-istio/main.tf": BASE.format(version="1.22.0") + ISTIOD.format(version="1.23.0"),
        "deploy/3_apps/main.tf": 'resource "kubernetes_namespace_v1" "shop" {\n  metadata {\n    name = "shop"\n  }\n}\n',
        "deploy/k8s/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: shop\n",
    })
    result = check(root)
    assert _roots(result) == [["1-eks", "2-istio", "3_apps"]]
    (scope,) = result.discovery.scopes
    assert any(e.path.endswith("k8s/app.yaml") for e in scope.files)


def test_remote_state_ties_roots(tmp_path):
    root = write_tree(tmp_path, {
        "cluster/main.tf": 'resource "aws_eks_cluster" "c" {\n  name = "c"\n}\n',
        "mesh/main.tf": 'data "terraform_remote_state" "eks" {\n  backend = "local"\n  config = {\n'
                        '    path = "../cluster/terraform.tfstate"\n  }\n}\n' + ISTIOD.format(version="1.23.0"),
        "s3a/main.tf": 'terraform {\n  backend "s3" {\n    bucket = "st"\n    key    = "net/terraform.tfstate"\n  }\n}\n',
        "s3b/main.tf": 'data "terraform_remote_state" "net" {\n  backend = "s3"\n  config = {\n'
                       '    bucket = "st"\n    key    = "net/terraform.tfstate"\n  }\n}\n',
        "other/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    })
    assert _roots(check(root)) == [["cluster", "mesh"], ["other"], ["s3a", "s3b"]]


def test_unnumbered_unrelated_siblings_stay_apart(tmp_path):
    root = write_tree(tmp_path, {
        "a/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n',
        "b/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.1.0.0/16"\n}\n',
        "1-only/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.2.0.0/16"\n}\n',
    })
    assert _roots(check(root)) == [["1-only"], ["a"], ["b"]]

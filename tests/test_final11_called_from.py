"""A finding on a line of a module shared by several roots names the root that called it
(issue 11, cause 14); the fingerprint is unchanged by the message."""

from conftest import check, write_tree
from meshlint.checks.base import Reporter
from meshlint.values import Location

MODULE = """
variable "kubernetes_version" { type = string }
module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 19.0"
  cluster_name    = "c"
  cluster_version = var.kubernetes_version
}
"""


def _root(version: str) -> str:
    return f"""
provider "aws" {{ region = "eu-west-1" }}
module "cluster" {{
  source             = "../modules/cluster"
  kubernetes_version = "{version}"
}}
"""


def test_a_shared_module_line_names_each_caller(tmp_path, monkeypatch):
    write_tree(tmp_path, {"modules/cluster/main.tf": MODULE,
                          "blue/main.tf": _root("1.26"), "green/main.tf": _root("1.27")})
    monkeypatch.chdir(tmp_path)
    result = check(tmp_path, select=["MESH502"], as_of="2026-11-27")
    found = {f.scope: f for f in result.report.findings if f.location.path.endswith("modules/cluster/main.tf")}
    assert set(found) == {"blue", "green"}
    assert "1.26" in found["blue"].message and found["blue"].message.endswith(" (called from blue)")
    assert "1.27" in found["green"].message and found["green"].message.endswith(" (called from green)")


def _report(scope: str, path: str) -> str:
    return Reporter("MESH502", scope)("message.", Location(path, 3), object="module.eks").message


def test_only_terraform_outside_the_root_folder_says_its_caller():
    assert _report("envs/dev", "modules/eks/main.tf") == "message. (called from envs/dev)"
    assert _report("envs/dev", "envs/dev/main.tf") == "message."
    assert _report("envs/dev", "envs/dev/modules/x/main.tf") == "message."
    assert _report("envs/dev", "k8s/deploy.yaml") == "message."  # applied by layout, not called
    assert _report(".", "modules/eks/main.tf") == "message."


def test_the_fingerprint_does_not_change_with_the_caller():
    a = Reporter("MESH502", "blue")("m", Location("modules/eks/main.tf", 3), object="module.eks")
    b = Reporter("MESH502", "green")("m", Location("modules/eks/main.tf", 3), object="module.eks")
    assert a.message != b.message and a.fingerprint == b.fingerprint

"""EKS cluster modules from rules/data/eks-modules.yaml: EKS Blueprints v4's root module
(called by its Git address) sets the cluster's Kubernetes version with `cluster_version`,
read for MESH502 (and MESH104); a submodule of it is no cluster."""

from __future__ import annotations

from conftest import check, hits, only, write_tree

from meshlint import knowledge

BLUEPRINTS = ('module "eks_blueprints" {{\n  source = "github.com/aws-ia/terraform-aws-eks-blueprints?ref=v4.32.1"\n'
              '  cluster_name    = "main"\n  cluster_version = "{v}"\n}}\n')
IRSA = ('module "irsa" {\n  source = "github.com/aws-ia/terraform-aws-eks-blueprints//modules/irsa?ref=v4.32.1"\n'
        '  cluster_version = "1.23"\n}\n')
ISTIOD = ('resource "helm_release" "istiod" {\n  name = "istiod"\n  repository = "https://blob.istio.io/istio-release/charts"\n'
          '  chart = "istiod"\n  version = "1.30.2"\n  namespace = "istio-system"\n}\n')


def test_eks_blueprints_v4_cluster_version_is_read_for_mesh502(tmp_path):
    write_tree(tmp_path, {"main.tf": BLUEPRINTS.format(v="1.26")})
    result = check(tmp_path, select=["MESH502"], as_of="2026-11-27")
    assert hits(result) == [("MESH502", "main.tf", 4)]
    f = only(result, "MESH502")
    assert f.severity == "error" and f.object == "module.eks_blueprints"


def test_eks_blueprints_v4_cluster_version_is_read_for_mesh104(tmp_path):
    write_tree(tmp_path, {"main.tf": BLUEPRINTS.format(v="1.31") + ISTIOD})
    f = only(check(tmp_path, select=["MESH104"], as_of="2026-11-27"), "MESH104")
    assert "the cluster runs 1.31 (module.eks_blueprints at main.tf:4)" in f.message


def test_a_submodule_of_eks_blueprints_is_no_cluster(tmp_path):
    write_tree(tmp_path, {"main.tf": IRSA})
    assert hits(check(tmp_path, select=["MESH502"], as_of="2026-11-27")) == []


def test_module_sources_are_data():
    table = knowledge.eks_modules()
    assert table.cluster_module("terraform-aws-modules/eks/aws") is not None
    assert table.cluster_module("terraform-aws-modules/eks/aws//modules/karpenter") is None
    assert table.is_node_group_submodule("terraform-aws-modules/eks/aws//modules/eks-managed-node-group")
    assert all(m.source for m in table.cluster_modules)

"""MESH301-303 offline: node pools from every source, images from every source."""

import pytest

from conftest import check, hits, only, write_tree
from meshlint.model.aws_arch import instance_arch

HELLO = "docker.io/istio/examples-helloworld-v1"


def _eks(groups: str, extra: str = "") -> str:
    return ('module "eks" {\n  source  = "terraform-aws-modules/eks/aws"\n  version = "~> 20.0"\n'
            f"  eks_managed_node_groups = {{\n{groups}  }}\n{extra}}}\n")


GRAVITON = '    graviton = {\n      instance_types = ["m7g.large"]\n      ami_type       = "AL2023_ARM_64_STANDARD"\n    }\n'
X86 = '    x86 = {\n      instance_types = ["m5.large"]\n    }\n'


def _deploy(image, ns="apps", extra_spec="", init=False):
    key = "initContainers" if init else "containers"
    return f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: {ns}
spec:
  template:
    metadata:
      labels: {{app: hello}}
    spec:{extra_spec}
      {key}:
        - name: hello
          image: {image}
'''


@pytest.mark.parametrize("family, arch", [
    ("t4g.large", "arm64"), ("m7gd.xlarge", "arm64"), ("a1.medium", "arm64"), ("g5g.xlarge", "arm64"),
    ("c8gn.large", "arm64"), ("m5.large", "amd64"), ("g5.xlarge", "amd64"), ("g6e.xlarge", "amd64"),
    ("c7i-flex.large", "amd64"), ("m8azn.large", "amd64"), ("u-6tb1.metal", None),
])
def test_instance_families(family, arch):
    assert instance_arch(family) == arch


def test_amd64_only_image_on_graviton_only_nodes_by_date(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": _eks(GRAVITON), "k8s/hello.yaml": _deploy(HELLO)})
    result = check(tmp_path, select=["MESH3"], as_of="2023-11-28")
    f = only(result, "MESH301")
    assert (f.location.path.endswith("hello.yaml"), f.location.line, f.severity) == (True, 13, "error")
    assert "provides only amd64" in f.message and 'eks_managed_node_groups["graviton"]' in f.message
    assert "exec format error" in f.message
    # rebuilt multi-arch on 2024-03-16: judged as of a later date, no finding
    assert hits(check(tmp_path, select=["MESH3"], as_of="2024-06-01")) == []
    # the pinned multi-arch tag is fine at any date
    write_tree(tmp_path, {"k8s/hello.yaml": _deploy(HELLO + ":1.0")})
    assert hits(check(tmp_path, select=["MESH3"], as_of="2023-11-28")) == []


def test_graviton_instance_types_alone_keep_the_x86_default_ami(tmp_path):
    groups = '    g = {\n      instance_types = ["t4g.large"]\n    }\n'
    write_tree(tmp_path, {"main.tf": _eks(groups), "hello.yaml": _deploy(HELLO)})
    assert hits(check(tmp_path, select=["MESH3"], as_of="2023-11-28")) == []


def test_init_containers_count(tmp_path):
    write_tree(tmp_path, {"main.tf": _eks(GRAVITON), "hello.yaml": _deploy("kennethreitz/httpbin", init=True)})
    assert hits(check(tmp_path, select=["MESH301"])) == [("MESH301", "hello.yaml", 13)]


def test_mixed_cluster_risk_and_its_fix(tmp_path):
    write_tree(tmp_path, {"main.tf": _eks(GRAVITON + X86), "h.yaml": _deploy("kennethreitz/httpbin")})
    f = only(check(tmp_path, select=["MESH3"]), "MESH302")
    assert f.severity == "warning" and "kubernetes.io/arch: amd64" in f.message
    pinned = _deploy("kennethreitz/httpbin", extra_spec="\n      nodeSelector: {kubernetes.io/arch: amd64}")
    write_tree(tmp_path, {"h.yaml": pinned})
    assert hits(check(tmp_path, select=["MESH3"])) == []


def test_taints_decide_where_pods_can_go(tmp_path):
    tainted = GRAVITON.replace('      ami_type', '      taints = { arm = { key = "arch", value = "arm64", effect = "NO_SCHEDULE" } }\n      ami_type')
    write_tree(tmp_path, {"main.tf": _eks(tainted + X86), "h.yaml": _deploy("kennethreitz/httpbin")})
    assert hits(check(tmp_path, select=["MESH3"])) == []  # only the x86 group is usable
    tolerating = _deploy("kennethreitz/httpbin", extra_spec="\n      tolerations: [{key: arch, operator: Exists}]")
    write_tree(tmp_path, {"h.yaml": tolerating})
    assert hits(check(tmp_path, select=["MESH3"])) == [("MESH302", "h.yaml", 14)]


def test_unsatisfiable_arch_selector_and_fargate(tmp_path):
    arm = _deploy("nginx:1.27", extra_spec="\n      nodeSelector: {kubernetes.io/arch: arm64}")
    write_tree(tmp_path, {"main.tf": _eks(X86), "a.yaml": arm})
    f = only(check(tmp_path, select=["MESH3"]), "MESH303")
    assert f.location.line == 1 and f.severity == "error"
    write_tree(tmp_path, {"main.tf": _eks(GRAVITON + X86)})
    assert hits(check(tmp_path, select=["MESH3"])) == []
    fargate = ('module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  fargate_profiles = {\n'
               '    apps = {\n      selectors = [{ namespace = "apps" }]\n    }\n  }\n'
               '  eks_managed_node_groups = {\n' + GRAVITON + '  }\n}\n')
    write_tree(tmp_path, {"main.tf": fargate})
    assert hits(check(tmp_path, select=["MESH3"])) == [("MESH303", "a.yaml", 1)]  # Fargate is x86


def test_karpenter_nodepools_and_self_managed_groups(tmp_path):
    pool = '''apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: graviton
spec:
  template:
    spec:
      requirements:
        - {key: kubernetes.io/arch, operator: In, values: [arm64]}
'''
    write_tree(tmp_path, {"pool.yaml": pool, "h.yaml": _deploy("kennethreitz/httpbin")})
    assert hits(check(tmp_path, select=["MESH3"])) == [("MESH301", "h.yaml", 13)]
    any_arch = pool.replace("        - {key: kubernetes.io/arch, operator: In, values: [arm64]}\n",
                            "        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}\n")
    write_tree(tmp_path, {"pool.yaml": any_arch})
    assert hits(check(tmp_path, select=["MESH3"])) == [("MESH302", "h.yaml", 13)]
    self_managed = ('module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  self_managed_node_groups = {\n'
                    '    arm = {\n      instance_type = "c7g.large"\n      ami_type = "AL2023_ARM_64_STANDARD"\n    }\n  }\n}\n')
    write_tree(tmp_path / "sm", {"main.tf": self_managed, "h.yaml": _deploy("kennethreitz/httpbin")})
    assert hits(check(tmp_path / "sm", select=["MESH3"])) == [("MESH301", "h.yaml", 13)]


def test_aws_eks_node_group_and_helm_values_images(tmp_path):
    tf = '''
resource "aws_eks_node_group" "arm" {
  cluster_name   = "c"
  instance_types = ["t4g.medium"]
  ami_type       = "AL2_ARM_64"
}
resource "helm_release" "demo" {
  name       = "demo"
  repository = "https://example.com/charts"
  chart      = "demo"
  version    = "1.0.0"
  namespace  = "demo"
  values = [yamlencode({
    image = { repository = "docker.io/kennethreitz/httpbin", tag = "latest" }
    sidecar = { image = "docker.io/istio/examples-bookinfo-ratings-v1:1.16.2" }
  })]
}
'''
    write_tree(tmp_path, {"main.tf": tf})
    result = check(tmp_path, select=["MESH301"])
    assert [f.object for f in result.report.findings] == ["helm_release.demo", "helm_release.demo"]
    assert {f.detail.split(":")[0] for f in result.report.findings} == {
        "docker.io/kennethreitz/httpbin", "docker.io/istio/examples-bookinfo-ratings-v1"}


def test_terraform_kubernetes_deployment_images(tmp_path):
    tf = _eks(GRAVITON) + '''
resource "kubernetes_deployment_v1" "hello" {
  metadata {
    name      = "hello"
    namespace = "apps"
  }
  spec {
    template {
      metadata { labels = { app = "hello" } }
      spec {
        container {
          name  = "hello"
          image = "docker.io/kennethreitz/httpbin"
        }
      }
    }
  }
}
'''
    write_tree(tmp_path, {"main.tf": tf})
    assert hits(check(tmp_path, select=["MESH301"])) == [("MESH301", "main.tf", 12)]


def test_no_node_pools_or_unknown_images_say_nothing(tmp_path):
    write_tree(tmp_path, {"h.yaml": _deploy("kennethreitz/httpbin")})
    assert hits(check(tmp_path, select=["MESH3"])) == []
    write_tree(tmp_path, {"main.tf": _eks(GRAVITON), "h.yaml": _deploy("example.com/unknown/app:1.0")})
    assert hits(check(tmp_path, select=["MESH3"])) == []
    unknown_groups = 'variable "groups" {}\nmodule "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  eks_managed_node_groups = var.groups\n}\n'
    write_tree(tmp_path, {"main.tf": unknown_groups, "h.yaml": _deploy("kennethreitz/httpbin")})
    assert hits(check(tmp_path, select=["MESH3"])) == []


def test_values_files_read_with_file_keep_their_lines(tmp_path):
    tf = _eks(GRAVITON) + '''
resource "helm_release" "demo" {
  name       = "demo"
  repository = "https://example.com/charts"
  chart      = "demo"
  version    = "1.0.0"
  namespace  = "demo"
  values     = [file("${path.module}/values/demo.yaml")]
}
'''
    write_tree(tmp_path, {"main.tf": tf, "values/demo.yaml": "replicas: 2\nimage:\n  repository: docker.io/kennethreitz/httpbin\n  tag: latest\n"})
    f = only(check(tmp_path, select=["MESH301"]), "MESH301")
    assert f.location.path.endswith("values/demo.yaml") and f.location.line == 2

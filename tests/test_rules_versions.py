"""MESH101-105: versions from every source, judged on the run's date (--as-of)."""

import json

import pytest

from conftest import KIALI, check, hits, meshlint_cli, only, write_tree

REPO = "https://istio-release.storage.googleapis.com/charts"


def _rel(name, chart, version=None, extra=""):
    v = f'  version    = "{version}"\n' if version else ""
    return (f'resource "helm_release" "{name}" {{\n  name       = "{name}"\n  repository = "{REPO}"\n'
            f'  chart      = "{chart}"\n{v}  namespace  = "istio-system"\n{extra}}}\n')



# --- MESH101 -------------------------------------------------------------------------------


def test_skew_across_minors_is_an_error_at_the_odd_component(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istio-base", "base", "1.22.3") + _rel("istiod", "istiod", "1.22.3")
                          + _rel("istio-ingress", "gateway", "1.23.0")})
    result = check(tmp_path, select=["MESH101"])
    assert hits(result) == [("MESH101", "main.tf", 19)]
    f = only(result, "MESH101")
    assert f.severity == "error"
    assert "gateway istio-ingress is 1.23.0 while istiod is 1.22.3" in f.message
    assert "must never be newer than istiod" in f.message


def test_skew_across_patches_is_a_warning(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istio-base", "base", "1.22.2") + _rel("istiod", "istiod", "1.22.3")})
    f = only(check(tmp_path, select=["MESH101"]), "MESH101")
    assert f.severity == "warning" and f.location.line == 5


def test_unpinned_chart_next_to_a_pinned_one_resolves_by_date(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istio-base", "base", "1.18.1") + _rel("istiod", "istiod")})
    result = check(tmp_path, select=["MESH101"], as_of="2023-11-28")
    f = only(result, "MESH101")
    assert f.location.line == 5 and "istio-base is 1.18.1 while istiod is 1.20.0" in f.message
    assert "resolves to 1.20.0" in f.message


@pytest.mark.parametrize("files", [
    {"main.tf": _rel("istio-base", "base", "1.22.3") + _rel("istiod", "istiod", "1.22.3")},
    # a canary upgrade: two istiod revisions on purpose, each with its own gateway
    {"main.tf": _rel("istiod", "istiod", "1.21.0") + _rel("istiod-canary", "istiod", "1.22.3",
                     '  set {\n    name  = "revision"\n    value = "canary"\n  }\n')
     + _rel("gw-canary", "gateway", "1.22.3", '  set {\n    name  = "revision"\n    value = "canary"\n  }\n')},
    # all unpinned: they resolve together (MESH103 reports the pinning)
    {"main.tf": _rel("istio-base", "base") + _rel("istiod", "istiod")},
])
def test_skew_look_alikes(tmp_path, files):
    write_tree(tmp_path, files)
    assert hits(check(tmp_path, select=["MESH101"])) == []


def test_skew_from_manifests_and_istiooperator(tmp_path):
    gateway = KIALI.replace("kiali", "istio-ingressgateway").replace(
        "quay.io/istio-ingressgateway/istio-ingressgateway:{tag}", "docker.io/istio/proxyv2:1.21.2")
    iop = ("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: main\n"
           "  namespace: istio-system\nspec:\n  tag: 1.22.3\n")
    write_tree(tmp_path, {"gw.yaml": gateway, "iop.yaml": iop})
    result = check(tmp_path, select=["MESH101"])
    assert hits(result) == [("MESH101", "gw.yaml", 11)]
    assert only(result, "MESH101").severity == "error"


# --- MESH102 -------------------------------------------------------------------------------


def test_registry_endpoint_break_with_unpinned_istio(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": _rel("istio-base", "base") + _rel("istiod", "istiod"),
                          "k8s/kiali.yaml": KIALI.format(tag="v1.67")})
    result = check(tmp_path, select=["MESH102"], as_of="2023-11-28")
    f = only(result, "MESH102")
    assert (f.location.path.endswith("kiali.yaml"), f.location.line, f.severity) == (True, 11, "error")
    assert "RegistryEndpoint" in f.message and "1.75.0" in f.message
    assert "resolves to 1.20.0" in f.message


def test_same_pair_before_istio_1_20_existed_is_fine(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": _rel("istiod", "istiod"), "k8s/kiali.yaml": KIALI.format(tag="v1.72")})
    # on 2023-10-01 the newest Istio was 1.19, which Kiali 1.72 is tested with
    assert hits(check(tmp_path, select=["MESH102"], as_of="2023-10-01")) == []


@pytest.mark.parametrize("tag, expected", [
    ("v1.73.4", "error"),   # 1.73 line before the backport
    ("v1.73.5", None),      # backport fixed the RegistryEndpoint break... but untested:
    ("v1.76.0", None),      # tested with 1.20, no ServiceEntry here
    ("v1.73", None),        # floating tag on the patched line: not judged
])
def test_backports_and_floating_tags(tmp_path, tag, expected):
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.20.2"), "kiali.yaml": KIALI.format(tag=tag)})
    result = check(tmp_path, select=["MESH102"])
    errors = [f for f in result.report.findings if f.severity == "error"]
    assert (errors[0].severity if errors else None) == expected


def test_serviceentry_exportto_break_needs_the_serviceentry(tmp_path):
    se = ("apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata:\n  name: ext\n"
          "spec:\n  hosts: [api.example.com]\n  exportTo: [\".\"]\n")
    kiali_release = ('resource "helm_release" "kiali" {\n  name       = "kiali"\n'
                     '  repository = "https://kiali.org/helm-charts"\n  chart      = "kiali-server"\n'
                     '  version    = "1.76.0"\n}\n')
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.20.2") + kiali_release})
    assert hits(check(tmp_path, select=["MESH102"])) == []
    write_tree(tmp_path, {"se.yaml": se})
    f = only(check(tmp_path, select=["MESH102"]), "MESH102")
    assert f.location.line == 12 and "exportTo" in f.message and "1.77.1" in f.message


def test_untested_pair_is_a_warning(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.18.3"), "kiali.yaml": KIALI.format(tag="v1.76.0")})
    f = only(check(tmp_path, select=["MESH102"]), "MESH102")
    assert f.severity == "warning" and "1.67.0 – 1.73.0" in f.message


def test_kiali_from_argocd_application_and_istio_from_chart_dependency(tmp_path):
    app = '''apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: kiali
  namespace: argocd
spec:
  destination:
    namespace: istio-system
  source:
    repoURL: https://kiali.org/helm-charts
    chart: kiali-server
    targetRevision: 1.70.0
'''
    chart = ('apiVersion: v2\nname: mesh\nversion: 0.1.0\ndependencies:\n  - name: istiod\n'
             '    alias: control-plane\n    version: 1.21.1\n    repository: https://istio-release.storage.googleapis.com/charts\n')
    write_tree(tmp_path, {"apps/kiali.yaml": app, "charts/mesh/Chart.yaml": chart})
    result = check(tmp_path, select=["MESH102"])
    f = only(result, "MESH102")
    assert f.location.path.endswith("apps/kiali.yaml") and f.location.line == 12
    assert f.severity == "error" and f.object == "Application/kiali"


# --- MESH103 -------------------------------------------------------------------------------


ADDONS = '''
locals {
  istio_version = "1.18.1"
}
module "addons" {
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.0"
  helm_releases = {
    istiod = {
      chart      = "istiod"
      repository = "https://istio-release.storage.googleapis.com/charts"
      version    = local.istio_version
    }
    fixed = {
      chart         = "base"
      repository    = "https://istio-release.storage.googleapis.com/charts"
      chart_version = local.istio_version
    }
  }
}
'''


def test_ignored_version_key_in_addons_helm_releases(tmp_path):
    write_tree(tmp_path, {"main.tf": ADDONS})
    result = check(tmp_path, select=["MESH103"], as_of="2023-11-28")
    f = only(result, "MESH103")
    assert f.location.line == 11
    assert 'sets `version = "1.18.1"`' in f.message and "chart_version" in f.message
    assert "resolves to 1.20.0 or a newer 1.20 patch as of 2023-11-28" in f.message


@pytest.mark.parametrize("version, fires", [
    (None, True), ('"*"', True), ('"^1.20"', True), ('"1.21.*"', True), ('"latest"', True),
    ('">= 1.20"', True), ('"1.x"', True), ('"1.20.2"', False), ('"v0.5.7"', False),
])
def test_helm_release_pinning(tmp_path, version, fires):
    v = f"  version    = {version}\n" if version else ""
    write_tree(tmp_path, {"main.tf": f'resource "helm_release" "x" {{\n  name       = "x"\n'
                                     f'  repository = "https://example.com/charts"\n  chart      = "x"\n{v}}}\n'})
    got = hits(check(tmp_path, select=["MESH103"]))
    assert got == ([("MESH103", "main.tf", 5 if version else 1)] if fires else [])


def test_local_charts_and_argocd_git_paths_are_not_judged(tmp_path):
    app = ('apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n'
           '  source:\n    repoURL: https://github.com/x/y\n    path: charts/a\n    targetRevision: HEAD\n')
    write_tree(tmp_path, {"main.tf": 'resource "helm_release" "demo" {\n  name  = "demo"\n  chart = "./charts/demo"\n}\n',
                          "app.yaml": app})
    assert hits(check(tmp_path, select=["MESH103"])) == []


def test_argocd_range_and_chart_dependency_without_lock(tmp_path):
    app = ('apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: istiod\nspec:\n'
           '  source:\n    repoURL: https://istio-release.storage.googleapis.com/charts\n    chart: istiod\n'
           '    targetRevision: 1.22.*\n')
    chart = ('apiVersion: v2\nname: mesh\nversion: 0.1.0\ndependencies:\n  - name: base\n'
             '    version: ~1.22.0\n    repository: https://istio-release.storage.googleapis.com/charts\n')
    write_tree(tmp_path, {"app.yaml": app, "mesh/Chart.yaml": chart})
    assert sorted(hits(check(tmp_path, select=["MESH103"]))) == [("MESH103", "Chart.yaml", 6),
                                                                 ("MESH103", "app.yaml", 9)]
    write_tree(tmp_path, {"mesh/Chart.lock": "dependencies:\n  - name: base\n    version: 1.22.3\n"})
    assert hits(check(tmp_path, select=["MESH103"])) == [("MESH103", "app.yaml", 9)]


# --- MESH104 / MESH105 ---------------------------------------------------------------------


EKS = '''
module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.0"
  cluster_version = var.k8s
}
variable "k8s" { default = "1.28" }
'''


def test_kubernetes_outside_istio_support_through_tfvars(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.20.2") + EKS,
                          "terraform.tfvars": 'k8s = "1.30"\n'})
    f = only(check(tmp_path, select=["MESH104"]), "MESH104")
    assert f.location.line == 5  # istiod's version
    assert "supports Kubernetes 1.25–1.29, but the cluster runs 1.30" in f.message


def test_kubernetes_inside_support_and_aws_eks_cluster(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.20.2") + EKS})
    assert hits(check(tmp_path, select=["MESH104"])) == []
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.20.2") +
                          'resource "aws_eks_cluster" "c" {\n  name    = "c"\n  version = "1.24"\n}\n'})
    assert hits(check(tmp_path, select=["MESH104"])) == [("MESH104", "main.tf", 5)]


def test_end_of_life_depends_on_the_date(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.20.2")})
    assert hits(check(tmp_path, select=["MESH105"], as_of="2024-06-24")) == []
    result = check(tmp_path, select=["MESH105"], as_of="2024-06-26")
    f = only(result, "MESH105")
    assert f.location.line == 5 and "2024-06-25" in f.message
    assert "1.21, 1.22" in f.message


def test_end_of_life_after_the_data_says_so(tmp_path):
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.20.2")})
    f = only(check(tmp_path, select=["MESH105"], as_of="2028-01-01"), "MESH105")
    assert "release data as of 2026-11-27" in f.message  # the table's as_of (facts re-checked on 2026-11-27)
    # a release whose end of life is not in the data is never declared dead
    write_tree(tmp_path, {"main.tf": _rel("istiod", "istiod", "1.30.0")})
    assert hits(check(tmp_path, select=["MESH105"], as_of="2030-01-01")) == []


# --- sources through the evaluator and `meshlint versions` ------------------------------


def test_versions_flow_through_local_module_inputs(tmp_path):
    write_tree(tmp_path, {
        "envs/dev/main.tf": 'module "mesh" {\n  source = "../../modules/mesh"\n  istio = "1.22.3"\n}\n',
        "envs/prod/main.tf": 'module "mesh" {\n  source = "../../modules/mesh"\n  istio = "1.21.4"\n}\n',
        "modules/mesh/main.tf": 'variable "istio" {}\n' + _rel("istiod", "istiod", None).replace(
            '  namespace', '  version    = var.istio\n  namespace'),
    })
    proc = meshlint_cli("versions", str(tmp_path), "--format", "json")
    doc = json.loads(proc.stdout)
    by_scope = {s["scope"].rsplit("/", 2)[-2] + "/" + s["scope"].rsplit("/", 1)[-1]:
                [c["effective"] for c in s["components"] if c["component"] == "istiod"] for s in doc["scopes"]}
    assert by_scope == {"envs/dev": ["1.22.3"], "envs/prod": ["1.21.4"]}
    assert doc["drift"][0]["component"] == "istiod"
    text = meshlint_cli("versions", str(tmp_path)).stdout
    assert "drift between scopes" in text and "istiod:" in text


def test_applicationset_and_kiali_cr_sources(tmp_path):
    appset = '''apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: istio
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: 'istiod-{{name}}'
    spec:
      destination:
        namespace: istio-system
        name: '{{name}}'
      source:
        repoURL: https://istio-release.storage.googleapis.com/charts
        chart: istiod
        targetRevision: 1.21.2
'''
    kiali_cr = '''apiVersion: kiali.io/v1alpha1
kind: Kiali
metadata:
  name: kiali
  namespace: istio-system
spec:
  deployment:
    image_version: v1.74.0
'''
    write_tree(tmp_path, {"appset.yaml": appset, "kiali.yaml": kiali_cr})
    result = check(tmp_path, select=["MESH102"])
    f = only(result, "MESH102")
    assert (f.location.path.endswith("kiali.yaml"), f.location.line) == (True, 8)
    assert "Istio 1.21.2" in f.message and f.severity == "error"

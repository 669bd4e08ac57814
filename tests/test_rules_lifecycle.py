"""MESH107 (retired chart repository / image registry) and MESH502 (EKS version support and
cost), through every source they read, with look-alikes that must stay quiet."""

from __future__ import annotations

import pytest
from conftest import check, hits, only, write_tree

OLD = "https://istio-release.storage.googleapis.com/charts"
BLOB = "https://blob.istio.io/istio-release/charts"


def _helm_release(repository: str, version: str = "1.28.3", extra: str = "") -> str:
    return (f'resource "helm_release" "istiod" {{\n  name       = "istiod"\n  repository = "{repository}"\n'
            f'  chart      = "istiod"\n  version    = "{version}"\n{extra}}}\n')


def _addons(repository: str) -> str:
    return ('module "addons" {\n  source  = "aws-ia/eks-blueprints-addons/aws"\n  version = "~> 1.16"\n'
            '  helm_releases = {\n    istiod = {\n      chart         = "istiod"\n'
            f'      repository    = "{repository}"\n      chart_version = "1.28.3"\n    }}\n  }}\n}}\n')


def _argocd(repository: str) -> str:
    return ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: istiod\n"
            "  namespace: argocd\nspec:\n  source:\n    chart: istiod\n"
            f"    repoURL: {repository}\n    targetRevision: 1.28.3\n"
            "  destination:\n    namespace: istio-system\n")


def _umbrella(repository: str) -> str:
    return ("apiVersion: v2\nname: mesh\nversion: 0.1.0\ndependencies:\n  - name: istiod\n"
            f"    version: 1.28.3\n    repository: {repository}\n")


def _deployment(image: str) -> str:
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: shop\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: app\n"
            f"          image: {image}\n")


# The finding points at the line that names the retired repository (`repository`, `repoURL`),
# the line to edit, not the release's first line as it first did (issue 12 follow-up).
SOURCES = {
    "helm_release": (lambda repo: {"main.tf": _helm_release(repo)}, "main.tf", 3),
    "eks-blueprints-addons": (lambda repo: {"main.tf": _addons(repo)}, "main.tf", 7),
    "argocd": (lambda repo: {"app.yaml": _argocd(repo)}, "app.yaml", 9),
    "umbrella": (lambda repo: {"mesh/Chart.yaml": _umbrella(repo)}, "Chart.yaml", 7),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_retired_chart_repository_through_every_source(tmp_path, source):
    files, path, line = SOURCES[source]
    write_tree(tmp_path, files(OLD))
    result = check(tmp_path, select=["MESH107"], as_of="2026-11-27")
    assert hits(result) == [("MESH107", path, line)]
    f = only(result, "MESH107")
    assert f.severity == "warning"
    assert BLOB in f.message and "December 2026 (the exact day is not announced)" in f.message
    assert "2026-12-08 15:00 to 2026-12-09 15:00" in f.message


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_the_replacement_repository_is_quiet(tmp_path, source):
    files, _, _ = SOURCES[source]
    write_tree(tmp_path, files(BLOB))
    assert hits(check(tmp_path, select=["MESH107"], as_of="2026-11-27")) == []


def test_before_the_announcement_it_is_quiet(tmp_path):
    write_tree(tmp_path, {"main.tf": _helm_release(OLD)})
    assert hits(check(tmp_path, select=["MESH107"], as_of="2026-08-20")) == []
    assert hits(check(tmp_path, select=["MESH107"], as_of="2026-08-21")) == [("MESH107", "main.tf", 3)]


def test_a_version_never_published_there_is_an_error(tmp_path):
    write_tree(tmp_path, {"main.tf": _helm_release(OLD, "1.31.1")})
    f = only(check(tmp_path, select=["MESH107"], as_of="2026-11-27"), "MESH107")
    assert f.severity == "error" and "not there at all" in f.message


def test_oci_charts_on_gcr(tmp_path):
    write_tree(tmp_path, {"main.tf": _helm_release("oci://gcr.io/istio-release/charts")})
    f = only(check(tmp_path, select=["MESH107"], as_of="2026-11-27"), "MESH107")
    assert "oci://ghcr.io/istio/release/charts" in f.message


@pytest.mark.parametrize("image, fires", [
    ("gcr.io/istio-release/proxyv2:1.28.3", True),
    ("registry.istio.io/release/pilot:1.30.1", True),
    ("docker.io/istio/proxyv2:1.28.3", False),
    ("registry.istio.io/testing/app:1.0", False),   # only registry.istio.io/release is announced
    ("gcr.io/istio-releases/x:1", False),           # another project, not a prefix match
])
def test_images(tmp_path, image, fires):
    write_tree(tmp_path, {"app.yaml": _deployment(image)})
    result = check(tmp_path, select=["MESH107"], as_of="2026-11-27")
    assert hits(result) == ([("MESH107", "app.yaml", 11)] if fires else [])
    if fires:
        assert "docker.io/istio" in only(result, "MESH107").message


def test_hub_value_of_an_istio_chart(tmp_path):
    values = 'global:\n  hub: gcr.io/istio-release\n'
    extra = '  values     = [file("istiod-values.yaml")]\n'
    write_tree(tmp_path, {"main.tf": _helm_release(BLOB, extra=extra), "istiod-values.yaml": values})
    result = check(tmp_path, select=["MESH107"], as_of="2026-11-27")
    assert hits(result) == [("MESH107", "istiod-values.yaml", 2)]
    write_tree(tmp_path, {"istiod-values.yaml": 'global:\n  hub: docker.io/istio\n'})
    assert hits(check(tmp_path, select=["MESH107"], as_of="2026-11-27")) == []


# --- MESH502 -------------------------------------------------------------------------------

EKS_RESOURCE = 'resource "aws_eks_cluster" "main" {{\n  name    = "main"\n  version = "{v}"\n}}\n'
EKS_V20 = ('module "eks" {{\n  source          = "terraform-aws-modules/eks/aws"\n  version         = "~> 20.0"\n'
           '  cluster_name    = "main"\n  cluster_version = "{v}"\n}}\n')
EKS_V21 = ('module "eks" {{\n  source             = "terraform-aws-modules/eks/aws"\n  version            = "~> 21.0"\n'
           '  name               = "main"\n  kubernetes_version = "{v}"\n}}\n')


@pytest.mark.parametrize("template, line", [(EKS_RESOURCE, 3), (EKS_V20, 5), (EKS_V21, 5)])
def test_extended_support_costs_365_a_month(tmp_path, template, line):
    write_tree(tmp_path, {"main.tf": template.format(v="1.33")})
    result = check(tmp_path, select=["MESH502"], as_of="2026-11-27")
    assert hits(result) == [("MESH502", "main.tf", line)]
    f = only(result, "MESH502")
    assert f.severity == "warning" and "$365/month more" in f.message
    assert "standard support ended 2026-07-29" in f.message and "1.34 or newer" in f.message


@pytest.mark.parametrize("template", [EKS_RESOURCE, EKS_V20, EKS_V21])
def test_past_extended_support_is_an_error(tmp_path, template):
    write_tree(tmp_path, {"main.tf": template.format(v="1.30")})
    f = only(check(tmp_path, select=["MESH502"], as_of="2026-11-27"), "MESH502")
    assert f.severity == "error" and "ended on 2026-07-23" in f.message


@pytest.mark.parametrize("version, as_of", [
    ("1.34", "2026-11-27"),   # standard support until 2026-12-02
    ("1.33", "2026-07-28"),   # the day before standard support ends
    ("1.35", "2025-12-01"),   # not yet on EKS on that day: the row is not used
    ("1.19", "2026-11-27"),   # not in the calendar: no guess
])
def test_look_alikes(tmp_path, version, as_of):
    write_tree(tmp_path, {"main.tf": EKS_V20.format(v=version)})
    assert hits(check(tmp_path, select=["MESH502"], as_of=as_of)) == []


def test_standard_support_ends_on_its_day(tmp_path):
    write_tree(tmp_path, {"main.tf": EKS_V20.format(v="1.34")})
    assert hits(check(tmp_path, select=["MESH502"], as_of="2026-12-02")) == [("MESH502", "main.tf", 5)]

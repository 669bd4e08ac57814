"""MESH107 points at the line naming the retired repository for every source (kustomize
`helmCharts` and Flux `HelmRepository` too), turns into an error once the announced month
of the switch-off is over (an inferred, low-confidence day, said in the message); MESH502
and MESH208 messages read right."""

from __future__ import annotations

from conftest import check, hits, only, write_tree

OLD = "https://istio-release.storage.googleapis.com/charts"


def _kustomization(repo: str) -> str:
    return ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nhelmCharts:\n"
            "  - name: istiod\n    releaseName: istiod\n    version: 1.28.3\n"
            f"    repo: {repo}\n    namespace: istio-system\n")


def _flux(repo: str) -> str:
    return ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: istio\n"
            f"  namespace: flux-system\nspec:\n  interval: 1h\n  url: {repo}\n---\n"
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: istiod\n"
            "  namespace: flux-system\nspec:\n  interval: 1h\n  targetNamespace: istio-system\n"
            "  chart:\n    spec:\n      chart: istiod\n      version: 1.28.3\n"
            "      sourceRef:\n        kind: HelmRepository\n        name: istio\n")


def _helm_release(repo: str) -> str:
    return (f'resource "helm_release" "istiod" {{\n  name       = "istiod"\n  chart      = "istiod"\n'
            f'  version    = "1.28.3"\n  repository = "{repo}"\n}}\n')


def test_kustomize_helm_charts_point_at_repo(tmp_path):
    write_tree(tmp_path, {"kustomization.yaml": _kustomization(OLD)})
    result = check(tmp_path, select=["MESH107"], as_of="2026-11-27")
    assert hits(result) == [("MESH107", "kustomization.yaml", 7)]
    assert "helmCharts[0]" in only(result, "MESH107").object


def test_flux_points_at_the_helm_repository_url(tmp_path):
    write_tree(tmp_path, {"flux.yaml": _flux(OLD)})
    assert hits(check(tmp_path, select=["MESH107"], as_of="2026-11-27")) == [("MESH107", "flux.yaml", 8)]


def test_repository_attribute_is_the_line_not_the_block(tmp_path):
    write_tree(tmp_path, {"main.tf": _helm_release(OLD)})
    f = only(check(tmp_path, select=["MESH107"], as_of="2026-11-27"), "MESH107")
    assert (f.location.line, f.location.column) == (5, 3)


def test_still_a_warning_on_the_last_day_of_the_announced_month(tmp_path):
    write_tree(tmp_path, {"main.tf": _helm_release(OLD)})
    f = only(check(tmp_path, select=["MESH107"], as_of="2026-12-31"), "MESH107")
    assert f.severity == "warning" and "December 2026" in f.message


def test_after_the_announced_month_it_is_an_error_with_an_inferred_date(tmp_path):
    write_tree(tmp_path, {"main.tf": _helm_release(OLD)})
    for as_of in ("2027-01-01", "2027-06-30"):
        f = only(check(tmp_path, select=["MESH107"], as_of=as_of), "MESH107")
        assert f.severity == "error"
        assert "by 2027-01-01" in f.message and "low-confidence" in f.message
        assert "inferred from the announced month, December 2026" in f.message
        assert "test switch-offs" not in f.message


def test_images_after_the_switch_off_are_errors(tmp_path):
    write_tree(tmp_path, {"app.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  containers:\n"
        "    - name: c\n      image: gcr.io/istio-release/proxyv2:1.28.3\n")})
    assert only(check(tmp_path, select=["MESH107"], as_of="2026-12-30"), "MESH107").severity == "warning"
    assert only(check(tmp_path, select=["MESH107"], as_of="2027-01-02"), "MESH107").severity == "error"


def test_mesh502_cost_formula_has_its_parentheses(tmp_path):
    write_tree(tmp_path, {"main.tf": 'resource "aws_eks_cluster" "m" {\n  name = "m"\n  version = "1.33"\n}\n'})
    f = only(check(tmp_path, select=["MESH502"], as_of="2026-11-27"), "MESH502")
    assert "($0.60 − $0.10) × 730 h = $365/month" in f.message


CRD = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
       "  name: tlsroutes.gateway.networking.k8s.io\n  annotations:\n"
       "    gateway.networking.k8s.io/bundle-version: v1.4.0\nspec:\n  group: gateway.networking.k8s.io\n")
ISTIOD = ('resource "helm_release" "istiod" {\n  name = "istiod"\n  repository = "https://blob.istio.io/istio-release/charts"\n'
          '  chart = "istiod"\n  version = "1.30.2"\n  namespace = "istio-system"\n}\n')


def _route(name: str) -> str:
    return (f"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata:\n  name: {name}\n"
            "  namespace: shop\nspec:\n  parentRefs:\n    - name: gw\n")


def test_mesh208_grammar_one_route_is(tmp_path):
    write_tree(tmp_path, {"crd.yaml": CRD, "main.tf": ISTIOD, "route.yaml": _route("db")})
    f = only(check(tmp_path, select=["MESH208"], as_of="2026-11-27"), "MESH208")
    assert "TLSRoute/shop/db is silently not programmed" in f.message
    write_tree(tmp_path, {"route2.yaml": _route("cache")})
    f = only(check(tmp_path, select=["MESH208"], as_of="2026-11-27"), "MESH208")
    assert " are silently not programmed" in f.message

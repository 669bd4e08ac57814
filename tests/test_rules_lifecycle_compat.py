"""MESH108 (Kiali 1 settings on Kiali 2) and MESH208 (Gateway API CRDs older than Istio
reads), through every source they read, with look-alikes."""

from __future__ import annotations

import pytest
from conftest import KIALI, check, hits, only, write_tree

# --- MESH108 -------------------------------------------------------------------------------

KIALI_RELEASE = ('resource "helm_release" "kiali" {{\n  name       = "kiali"\n'
                 '  repository = "https://kiali.org/helm-charts"\n  chart      = "kiali-server"\n'
                 '  version    = "{v}"\n  namespace  = "istio-system"\n'
                 '  values     = [file("kiali-values.yaml")]\n}}\n')
KIALI_CR = ("apiVersion: kiali.io/v1alpha1\nkind: Kiali\nmetadata:\n  name: kiali\n  namespace: istio-system\n"
            "spec:\n  deployment:\n    image_version: {v}\n    {setting}\n")
CONFIGMAP = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kiali\n  namespace: istio-system\n"
             "data:\n  config.yaml: |\n    deployment:\n      {setting}\n")
OLD = "accessible_namespaces: [shop, payments]"


def _files(source: str, version: str, setting: str) -> dict[str, str]:
    if source == "helm-values":
        return {"main.tf": KIALI_RELEASE.format(v=version), "kiali-values.yaml": f"deployment:\n  {setting}\n"}
    if source == "kiali-cr":
        return {"kiali.yaml": KIALI_CR.format(v=f"v{version}", setting=setting)}
    return {"kiali.yaml": KIALI.format(tag=f"v{version}"), "cm.yaml": CONFIGMAP.format(setting=setting)}


WHERE = {"helm-values": ("kiali-values.yaml", 2), "kiali-cr": ("kiali.yaml", 9), "configmap": ("cm.yaml", 7)}


@pytest.mark.parametrize("source", sorted(WHERE))
def test_accessible_namespaces_on_kiali_2(tmp_path, source):
    write_tree(tmp_path, _files(source, "2.4.0", OLD))
    result = check(tmp_path, select=["MESH108"])
    assert hits(result) == [("MESH108", *WHERE[source])]
    f = only(result, "MESH108")
    assert "shop, payments" in f.message and "discovery_selectors" in f.message


@pytest.mark.parametrize("source", sorted(WHERE))
@pytest.mark.parametrize("version, setting", [
    ("1.89.0", OLD),                                          # Kiali 1 reads it
    ("2.4.0", 'accessible_namespaces: ["**"]'),               # "every namespace": what Kiali 2 does
    ("2.4.0", "discovery_selectors: {default: [{matchLabels: {team: shop}}]}"),
])
def test_look_alikes(tmp_path, source, version, setting):
    write_tree(tmp_path, _files(source, version, setting))
    assert hits(check(tmp_path, select=["MESH108"])) == []


# --- MESH208 -------------------------------------------------------------------------------

ISTIOD = ('resource "helm_release" "istiod" {{\n  name       = "istiod"\n'
          '  repository = "https://blob.istio.io/istio-release/charts"\n  chart      = "istiod"\n'
          '  version    = "{v}"\n  namespace  = "istio-system"\n}}\n')


def _crd(plural: str, bundle: str | None) -> str:
    annotations = f"  annotations:\n    gateway.networking.k8s.io/bundle-version: {bundle}\n" if bundle else ""
    return (f"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
            f"  name: {plural}.gateway.networking.k8s.io\n{annotations}spec:\n  group: gateway.networking.k8s.io\n")


TLSROUTE = ("apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata:\n  name: passthrough\n"
            "  namespace: shop\nspec:\n  parentRefs: [{name: gw}]\n")


def test_tlsroute_crds_older_than_istio_1_30_reads(tmp_path):
    write_tree(tmp_path, {"main.tf": ISTIOD.format(v="1.30.2"), "crds.yaml": _crd("tlsroutes", "v1.4.0"),
                          "route.yaml": TLSROUTE})
    result = check(tmp_path, select=["MESH208"])
    assert hits(result) == [("MESH208", "crds.yaml", 6)]
    f = only(result, "MESH208")
    assert "1.5.0 or newer" in f.message and "TLSRoute/shop/passthrough" in f.message


def test_a_crd_without_the_annotation_is_ignored_by_istiod(tmp_path):
    write_tree(tmp_path, {"main.tf": ISTIOD.format(v="1.30.2"), "crds.yaml": _crd("tlsroutes", None),
                          "route.yaml": TLSROUTE})
    f = only(check(tmp_path, select=["MESH208"]), "MESH208")
    assert "no `gateway.networking.k8s.io/bundle-version` annotation" in f.message and f.location.line == 4


@pytest.mark.parametrize("istio, bundle, route", [
    ("1.30.2", "v1.5.1", TLSROUTE),          # new enough
    ("1.30.2", "v1.5.0-rc.1", TLSROUTE),     # istiod rounds release candidates up
    ("1.29.3", "v1.4.0", TLSROUTE),          # Istio 1.29 has no TLSRoute minimum
    ("1.30.2", "v1.4.0", ""),                # the CRD is installed but no TLSRoute is used
])
def test_gateway_api_look_alikes(tmp_path, istio, bundle, route):
    files = {"main.tf": ISTIOD.format(v=istio), "crds.yaml": _crd("tlsroutes", bundle)}
    if route:
        files["route.yaml"] = route
    write_tree(tmp_path, files)
    assert hits(check(tmp_path, select=["MESH208"])) == []

"""MESH201-206 and MESH403/404: gateway workloads from every source, exact lines."""

import pytest

from conftest import KIALI, check, hits, only, write_tree

ISTIOD = '''
resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.27.1"
  namespace  = "istio-system"
}
'''


def _gw_release(name="istio-ingress", values=""):
    v = f"  values = [yamlencode({values})]\n" if values else ""
    return (f'resource "helm_release" "gw" {{\n  name       = "{name}"\n'
            f'  repository = "https://istio-release.storage.googleapis.com/charts"\n'
            f'  chart      = "gateway"\n  version    = "1.27.1"\n  namespace  = "istio-ingress"\n{v}}}\n')


def _gateway(name="public", selector="istio: ingressgateway", port=80, hosts='"*"', ns="istio-ingress"):
    return f'''apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    {selector}
  servers:
    - port:
        number: {port}
        name: http
        protocol: HTTP
      hosts: [{hosts}]
'''


# --- MESH201 -------------------------------------------------------------------------------


def test_gateway_chart_labels_do_not_match_the_usual_selector(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": ISTIOD + _gw_release(), "k8s/gw.yaml": _gateway()})
    result = check(tmp_path, select=["MESH201"])
    f = only(result, "MESH201")
    assert (f.location.path.endswith("gw.yaml"), f.location.line, f.severity) == (True, 8, "error")
    assert "istio-ingress/istio-ingress (app=istio-ingress, istio=ingress)" in f.message
    assert "Did you mean `istio: ingress`" in f.message


@pytest.mark.parametrize("values", ['{ labels = { istio = "ingressgateway" } }', '{ name = "istio-ingressgateway" }'])
def test_labels_and_name_values_are_applied_as_the_chart_does(tmp_path, values):
    write_tree(tmp_path, {"infra/main.tf": ISTIOD + _gw_release(values=values), "k8s/gw.yaml": _gateway()})
    assert hits(check(tmp_path, select=["MESH201"])) == []


def test_gateway_from_eks_blueprints_addons_and_argocd(tmp_path):
    addons = '''
module "addons" {
  source = "aws-ia/eks-blueprints-addons/aws"
  helm_releases = {
    istio-ingress = {
      chart         = "gateway"
      chart_version = "1.27.1"
      repository    = "https://istio-release.storage.googleapis.com/charts"
      namespace     = "istio-ingress"
      values        = [yamlencode({ labels = { istio = "ingressgateway" } })]
    }
  }
}
'''
    write_tree(tmp_path, {"infra/main.tf": ISTIOD + addons, "k8s/gw.yaml": _gateway() + "---\n" +
                          _gateway("other", "istio: egress")})
    assert hits(check(tmp_path, select=["MESH201"])) == [("MESH201", "gw.yaml", 23)]


def test_gateway_from_argocd_application(tmp_path):
    app = '''apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ingress
spec:
  destination: {namespace: istio-ingress}
  source:
    repoURL: https://istio-release.storage.googleapis.com/charts
    chart: gateway
    targetRevision: 1.27.1
    helm:
      releaseName: istio-ingressgateway
'''
    write_tree(tmp_path, {"app.yaml": app, "gw.yaml": _gateway()})
    assert hits(check(tmp_path, select=["MESH201"])) == []  # name -> istio=ingressgateway
    write_tree(tmp_path, {"gw.yaml": _gateway(selector="istio: ingress")})
    assert hits(check(tmp_path, select=["MESH201"])) == [("MESH201", "gw.yaml", 8)]


def test_istiooperator_default_profile_has_an_ingress_gateway(tmp_path):
    iop = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: x\n  namespace: istio-system\nspec:\n  profile: default\n"
    write_tree(tmp_path, {"iop.yaml": iop, "gw.yaml": _gateway() + "---\n" + _gateway("egress", "istio: egressgateway")})
    assert hits(check(tmp_path, select=["MESH201"])) == [("MESH201", "gw.yaml", 23)]  # demo has egress


def test_manifest_gateway_deployment_and_gateway_api(tmp_path):
    deploy = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress
  namespace: gateways
spec:
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels:
        app: my-ingress
    spec:
      containers:
        - name: istio-proxy
          image: auto
'''
    api = '''apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: waypoint
  namespace: apps
spec:
  gatewayClassName: istio
  listeners:
    - {name: http, port: 80, protocol: HTTP}
'''
    write_tree(tmp_path, {"d.yaml": deploy, "api.yaml": api,
                          "gw.yaml": _gateway(selector="app: my-ingress") + "---\n" +
                          _gateway("w", "gateway.networking.k8s.io/gateway-name: waypoint") + "---\n" +
                          _gateway("typo", "app: my-ingres")})
    assert hits(check(tmp_path, select=["MESH201"])) == [("MESH201", "gw.yaml", 38)]


def test_not_judged_without_gateways_or_istio_or_with_unknown_labels(tmp_path):
    write_tree(tmp_path, {"gw.yaml": _gateway()})
    assert hits(check(tmp_path, select=["MESH201"])) == []  # gateways managed elsewhere
    write_tree(tmp_path, {"main.tf": 'variable "labels" {}\n' + ISTIOD +
                          _gw_release(values="{ labels = var.labels }")})
    assert hits(check(tmp_path, select=["MESH201"])) == []  # labels only known at apply


# --- MESH202 -------------------------------------------------------------------------------

VS = '''apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shop
  namespace: shop
spec:
  hosts: ["shop.example.com"]
  gateways:
    - {ref}
    - mesh
  http:
    - match:
        - gateways: [{match_ref}]
      route:
        - destination: {{host: shop}}
'''


def test_bare_name_resolves_in_the_virtualservice_namespace(tmp_path):
    write_tree(tmp_path, {"gw.yaml": _gateway(hosts='"shop.example.com"'),
                          "vs.yaml": VS.format(ref="public", match_ref="istio-ingress/publik")})
    result = check(tmp_path, select=["MESH202"])
    assert hits(result) == [("MESH202", "vs.yaml", 9), ("MESH202", "vs.yaml", 13)]
    assert "resolved as shop/public" in result.report.findings[0].message
    assert "istio-ingress/public" in result.report.findings[0].message


def test_existing_references_and_gateway_api_gateways_count(tmp_path):
    api = ("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: api\n"
           "  namespace: shop\nspec:\n  gatewayClassName: istio\n  listeners:\n    - {name: h, port: 80, protocol: HTTP}\n")
    write_tree(tmp_path, {"gw.yaml": _gateway(hosts='"shop.example.com"'), "api.yaml": api,
                          "vs.yaml": VS.format(ref="istio-ingress/public", match_ref="api")})
    assert hits(check(tmp_path, select=["MESH202"])) == []


def test_no_gateway_in_scope_means_managed_elsewhere(tmp_path):
    write_tree(tmp_path, {"vs.yaml": VS.format(ref="istio-ingress/public", match_ref="x")})
    assert hits(check(tmp_path, select=["MESH202"])) == []


# --- MESH204 / MESH205 / MESH206 -----------------------------------------------------------


def test_conflicting_gateways_and_distinct_hosts(tmp_path):
    write_tree(tmp_path, {"a.yaml": _gateway("a", hosts='"x.example.com"'),
                          "b.yaml": _gateway("b", hosts='"x.example.com"'),
                          "c.yaml": _gateway("c", hosts='"y.example.com"')})
    result = check(tmp_path, select=["MESH204"])
    assert hits(result) == [("MESH204", "a.yaml", 11), ("MESH204", "b.yaml", 11)]


def test_port_not_exposed_by_the_chart_service(tmp_path):
    write_tree(tmp_path, {"main.tf": ISTIOD + _gw_release(values='{ labels = { istio = "ingressgateway" } }'),
                          "gw.yaml": _gateway(port=8080) + "---\n" + _gateway("tls", port=443)})
    result = check(tmp_path, select=["MESH205"])
    assert hits(result) == [("MESH205", "gw.yaml", 11)]
    assert "15021, 80, 443" in only(result, "MESH205").message


def test_service_ports_values_and_unknown_services(tmp_path):
    values = '{ labels = { istio = "ingressgateway" }, service = { ports = [{ name = "http", port = 8080, targetPort = 8080 }] } }'
    write_tree(tmp_path, {"main.tf": ISTIOD + _gw_release(values=values), "gw.yaml": _gateway(port=8080)})
    assert hits(check(tmp_path, select=["MESH205"])) == []
    # a manifest gateway without a Service in the scope: ports unknown, no finding
    deploy = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: gw\n  labels: {istio: ingressgateway}\n"
              "spec:\n  containers:\n    - name: istio-proxy\n      image: docker.io/istio/proxyv2:1.27.1\n")
    write_tree(tmp_path / "b", {"pod.yaml": deploy, "gw.yaml": _gateway(port=9999)})
    assert hits(check(tmp_path / "b", select=["MESH205"])) == []


@pytest.mark.parametrize("gw_hosts, vs_hosts, fires", [
    ('"shop.example.com"', '"api.example.com"', True),
    ('"*.example.com"', '"api.example.com"', False),
    ('"*"', '"api.example.com"', False),
    ('"shop/api.example.com"', '"api.example.com"', False),     # namespace prefix matches
    ('"other/api.example.com"', '"api.example.com"', True),     # another namespace's host
    ('"./api.example.com"', '"api.example.com"', True),         # gateway's own namespace only
])
def test_virtualservice_hosts_against_gateway_hosts(tmp_path, gw_hosts, vs_hosts, fires):
    vs = VS.format(ref="istio-ingress/public", match_ref="istio-ingress/public").replace(
        '["shop.example.com"]', f"[{vs_hosts}]")
    write_tree(tmp_path, {"gw.yaml": _gateway(hosts=gw_hosts), "vs.yaml": vs})
    assert hits(check(tmp_path, select=["MESH206"])) == ([("MESH206", "vs.yaml", 9)] if fires else [])


# --- MESH203 -------------------------------------------------------------------------------



def test_kiali_1_76_looks_for_app_istio_ingressgateway(tmp_path):
    write_tree(tmp_path, {"main.tf": ISTIOD + _gw_release(values='{ labels = { istio = "ingressgateway" } }'),
                          "kiali.yaml": KIALI.format(tag="v1.76")})
    f = only(check(tmp_path, select=["MESH203"]), "MESH203")
    assert f.location.line == 11
    assert "app=istio-ingressgateway in istio-system (core)" in f.message
    assert "app_label: istio-ingress, is_core: true, is_proxy: true, namespace: istio-ingress" in f.message


def test_kiali_1_89_looks_in_the_configured_namespace(tmp_path):
    write_tree(tmp_path, {"main.tf": ISTIOD + _gw_release(values='{ labels = { istio = "ingressgateway" } }'),
                          "kiali.yaml": KIALI.format(tag="v1.89.0")})
    f = only(check(tmp_path, select=["MESH203"]), "MESH203")
    assert "istio=ingressgateway in istio-system" in f.message
    assert "ingress_gateway_namespace: istio-ingress" in f.message


def test_kiali_configured_or_new_enough_is_quiet(tmp_path):
    kiali_release = '''
resource "helm_release" "kiali" {
  name       = "kiali"
  repository = "https://kiali.org/helm-charts"
  chart      = "kiali-server"
  version    = "1.76.0"
  namespace  = "istio-system"
  values = [yamlencode({
    external_services = { istio = { component_status = { components = [
      { app_label = "istiod", is_core = true },
      { app_label = "istio-ingress", is_core = true, is_proxy = true, namespace = "istio-ingress" },
    ] } } }
  })]
}
'''
    write_tree(tmp_path, {"main.tf": ISTIOD + _gw_release() + kiali_release})
    assert hits(check(tmp_path, select=["MESH203"])) == []
    write_tree(tmp_path / "b", {"main.tf": ISTIOD + _gw_release(), "kiali.yaml": KIALI.format(tag="v2.4.0")})
    assert hits(check(tmp_path / "b", select=["MESH203"])) == []


# --- MESH403 / MESH404 ---------------------------------------------------------------------

AUTO = '''apiVersion: apps/v1
kind: {kind}
metadata:
  name: gw
  namespace: {ns}
spec:
  template:
    metadata:
      annotations: {{inject.istio.io/templates: gateway}}
      labels: {{istio: ingressgateway}}
    spec:
      containers:
        - name: istio-proxy
          image: auto
'''


@pytest.mark.parametrize("ns_labels, fires", [
    ("{}", True), ("{istio-injection: disabled}", True),
    ("{istio-injection: enabled}", False), ("{istio.io/rev: default}", False),
])
def test_image_auto_needs_injection(tmp_path, ns_labels, fires):
    ns = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gws\n  labels: {ns_labels}\n"
    write_tree(tmp_path, {"main.tf": ISTIOD, "ns.yaml": ns, "d.yaml": AUTO.format(kind="Deployment", ns="gws")})
    result = check(tmp_path, select=["MESH403"])
    assert hits(result) == ([("MESH403", "d.yaml", 14)] if fires else [])
    if fires:
        assert only(result, "MESH403").severity == "warning"


def test_image_auto_on_a_bare_pod_is_an_error(tmp_path):
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: x\n  labels: {sidecar.istio.io/inject: \"false\"}\n"
           "spec:\n  containers:\n    - name: istio-proxy\n      image: auto\n")
    write_tree(tmp_path, {"pod.yaml": pod})
    f = only(check(tmp_path, select=["MESH403"]), "MESH403")
    assert (f.location.line, f.severity) == (10, "error")


def test_port_names(tmp_path):
    svc = '''apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports:
    - name: web
      port: 80
    - name: http-web
      port: 8080
    - name: metrics
      port: 9090
      appProtocol: http
    - port: 9443
'''
    write_tree(tmp_path, {"main.tf": ISTIOD, "svc.yaml": svc})
    assert hits(check(tmp_path, select=["MESH404"])) == [("MESH404", "svc.yaml", 8), ("MESH404", "svc.yaml", 15)]
    write_tree(tmp_path / "b", {"svc.yaml": svc})  # no Istio in scope: nothing to say
    assert hits(check(tmp_path / "b", select=["MESH404"])) == []


def test_gateways_hidden_in_chart_templates_keep_the_checks_quiet(tmp_path):
    chart_gateway = ("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: {{ .Release.Name }}\n"
                     "spec:\n  selector:\n    istio: ingressgateway\n")
    files = {"gw.yaml": _gateway(hosts='"shop.example.com"'),
             "vs.yaml": VS.format(ref="shop/chart-gateway", match_ref="istio-ingress/public"),
             "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
             "charts/shop/values.yaml": "replicas: 1\n"}
    write_tree(tmp_path, files)
    assert hits(check(tmp_path, select=["MESH202"])) == [("MESH202", "vs.yaml", 9)]
    write_tree(tmp_path, {"charts/shop/templates/gateway.yaml": chart_gateway})
    assert hits(check(tmp_path, select=["MESH202"])) == []


def test_gateway_from_an_umbrella_chart_dependency_and_istiooperator_components(tmp_path):
    chart = ("apiVersion: v2\nname: mesh\nversion: 0.1.0\ndependencies:\n  - name: gateway\n    alias: edge\n"
             "    version: 1.27.1\n    repository: https://istio-release.storage.googleapis.com/charts\n")
    write_tree(tmp_path / "a", {"mesh/Chart.yaml": chart, "mesh/values.yaml": "edge:\n  labels:\n    istio: edge\n",
                                "infra/main.tf": ISTIOD, "gw.yaml": _gateway(selector="istio: edge") + "---\n" +
                                _gateway("b", selector="istio: ingressgateway")})
    # the dependency's pods: app=edge (its alias), istio=edge (values under the alias)
    assert hits(check(tmp_path / "a", select=["MESH201"])) == [("MESH201", "gw.yaml", 23)]
    iop = '''apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: x, namespace: istio-system}
spec:
  profile: minimal
  components:
    ingressGateways:
      - name: public-gw
        namespace: edge
        enabled: true
        label: {istio: public}
'''
    write_tree(tmp_path / "b", {"iop.yaml": iop, "gw.yaml": _gateway(selector="istio: public") + "---\n" +
                                _gateway("c", selector="istio: ingressgateway")})
    assert hits(check(tmp_path / "b", select=["MESH201"])) == [("MESH201", "gw.yaml", 23)]


def test_legacy_gateway_charts(tmp_path):
    legacy = ('resource "helm_release" "legacy" {\n  name       = "istio-ingress"\n'
              '  repository = "https://istio-release.storage.googleapis.com/charts"\n'
              '  chart      = "istio-ingress"\n  version    = "1.16.0"\n  namespace  = "istio-system"\n}\n')
    write_tree(tmp_path, {"main.tf": ISTIOD + legacy, "gw.yaml": _gateway() + "---\n" + _gateway("e", "istio: egressgateway")})
    assert hits(check(tmp_path, select=["MESH201"])) == [("MESH201", "gw.yaml", 23)]

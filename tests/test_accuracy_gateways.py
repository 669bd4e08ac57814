"""Issue 11, causes 3 and 4: a gateway workload is one that runs a standalone proxy (not
any pod with an `istio:` label), and template placeholders in names, selectors and
gateway references are unknown values, not literal strings."""

from conftest import ISTIOD_TF, check, hits, write_tree

GATEWAY = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: istio-ingress
spec:
  selector:
    istio: {selector}
  servers:
    - port: {{number: 80, name: http, protocol: HTTP}}
      hosts: ["shop.example.com"]
"""

APP_WITH_ISTIO_LABEL = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: istio-ingress
spec:
  template:
    metadata:
      labels: {app: orders, istio: monitor}
    spec:
      containers:
        - name: orders
          image: example/orders:1.0
"""


def test_istio_label_alone_does_not_make_a_gateway(tmp_path):
    root = write_tree(tmp_path, {"infra/istio.tf": ISTIOD_TF,
                                 "k8s/gw.yaml": GATEWAY.format(selector="ingressgateway"),
                                 "k8s/app.yaml": APP_WITH_ISTIO_LABEL})
    result = check(root)
    found = [f for f in result.report.findings if f.rule == "MESH201"]
    assert len(found) == 1
    assert "monitor" not in found[0].message and "orders" not in found[0].message


def test_virtualservice_bound_to_a_placeholder_gateway_is_not_judged(tmp_path):
    vs = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: web
          namespace: shop
        spec:
          hosts: ["shop.example.com"]
          gateways: ["${ARGOCD_ENV_GATEWAY_NS}/gateway", "{{ .Values.gateway }}"]
          http:
            - route: [{destination: {host: web}}]
        """
    root = write_tree(tmp_path, {"k8s/gw.yaml": GATEWAY.format(selector="ingressgateway"),
                                 "k8s/vs.yaml": vs})
    assert hits(check(root), "MESH202") == []


def test_virtualservice_in_a_placeholder_namespace_is_not_judged(tmp_path):
    vs = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: web
          namespace: ${APP_NAMESPACE}
        spec:
          hosts: ["shop.example.com"]
          gateways: [public]
          http:
            - route: [{destination: {host: web}}]
        """
    root = write_tree(tmp_path, {"k8s/gw.yaml": GATEWAY.format(selector="ingressgateway"),
                                 "k8s/vs.yaml": vs})
    assert hits(check(root), "MESH202") == []


def test_gateway_selector_with_a_placeholder_is_not_judged(tmp_path):
    root = write_tree(tmp_path, {"infra/istio.tf": ISTIOD_TF,
                                 "k8s/gw.yaml": GATEWAY.format(selector="${CLUSTER_GATEWAY}")})
    assert hits(check(root), "MESH201") == []

"""Issue 11, cause 14 (and 3): messages name things once and never print an empty name or
`None`; MESH203's fix names a real gateway (a Gateway API one when it is the only one)."""

from conftest import KIALI as KIALI_DEPLOYMENT
from conftest import check, helm_release_tf, write_tree

KIALI = KIALI_DEPLOYMENT.format(tag="v1.89.0")

APP_AND_GATEWAY_API = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-frontend
  namespace: shop
spec:
  template:
    metadata:
      labels:
        app: shop-frontend
        istio: monitor
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: edge
spec:
  gatewayClassName: istio
  listeners:
    - name: http
      port: 80
      protocol: HTTP
"""


def test_mesh203_fix_names_the_gateway_api_gateway_and_no_app(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": helm_release_tf("istiod", "istiod", "1.27.1"),
        "infra/k8s/kiali.yaml": KIALI,
        "infra/k8s/apps.yaml": APP_AND_GATEWAY_API,
    })
    found = [f for f in check(root).report.findings if f.rule == "MESH203"]
    assert len(found) == 1
    finding = found[0]
    assert "None" not in finding.message and "None" not in (finding.fix or "")
    assert "shop-frontend" not in finding.message and "istio: monitor" not in (finding.fix or "")
    assert "istio=monitor" not in (finding.fix or "")
    assert "edge" in (finding.fix or "")


def test_skew_message_names_a_component_once(tmp_path):
    root = write_tree(tmp_path, {"infra/main.tf": helm_release_tf("istio-base", "base", "1.26.1")
                                 + helm_release_tf("istiod", "istiod", "1.27.1")})
    messages = [f.message for f in check(root).report.findings if f.rule == "MESH101"]
    assert messages
    for m in messages:
        assert "istio-base istio-base" not in m and "istiod istiod" not in m and "  " not in m

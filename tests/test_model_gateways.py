"""MESH207 and the typed Istio records it reads: exact host positions, look-alikes that
must stay silent, and host matching that moved into the model."""

import pytest

from conftest import check, hits, only, write_tree
from meshlint.model import hosts_overlap


def _gateway(hosts: str, selector: str = "istio: ingressgateway", name: str = "public",
             protocol: str = "HTTPS", tls: str = "") -> str:
    return f'''apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: {name}
  namespace: istio-ingress
spec:
  selector:
    {selector}
  servers:
    - port:
        number: 443
        name: https
        protocol: {protocol}
      hosts:
        - shop.example.com
        - {hosts}
{tls}'''


@pytest.mark.parametrize("host", ['"*"', "'*/*'", '"istio-ingress/*"', "./*"])
def test_ingress_server_accepting_every_host_fires_at_the_host(tmp_path, host):
    write_tree(tmp_path, {"gw.yaml": _gateway(host)})
    f = only(check(tmp_path, select=["MESH207"]), "MESH207")
    assert (f.location.path.endswith("gw.yaml"), f.location.line, f.location.column) == (True, 16, 11)
    assert f.severity == "info" and f.object == "Gateway/istio-ingress/public"
    assert "istio-ingress/public port 443 accepts every host" in f.message


@pytest.mark.parametrize("host, selector", [
    ("api.example.com", "istio: ingressgateway"),         # a specific host
    ('"*.example.com"', "istio: ingressgateway"),         # a domain wildcard
    ('"istio-ingress/*.example.com"', "istio: ingressgateway"),
    ('"*"', "istio: egressgateway"),                       # an egress gateway
    ('"*"', "app: istio-egressgateway"),
])
def test_look_alikes_stay_silent(tmp_path, host, selector):
    write_tree(tmp_path, {"gw.yaml": _gateway(host, selector)})
    assert hits(check(tmp_path, select=["MESH207"])) == []


@pytest.mark.parametrize("protocol, tls", [
    ("TCP", ""),                                               # no Host header on plain TCP
    ("TLS", "      tls:\n        mode: PASSTHROUGH\n"),          # SNI routing, not Host headers
    ("HTTPS", "      tls:\n        mode: AUTO_PASSTHROUGH\n"),
])
def test_servers_that_do_not_route_by_host_header_stay_silent(tmp_path, protocol, tls):
    write_tree(tmp_path, {"gw.yaml": _gateway('"*"', protocol=protocol, tls=tls)})
    assert hits(check(tmp_path, select=["MESH207"])) == []


@pytest.mark.parametrize("protocol", ["HTTP", "http2", "GRPC"])
def test_http_family_servers_fire(tmp_path, protocol):
    write_tree(tmp_path, {"gw.yaml": _gateway('"*"', protocol=protocol)})
    assert hits(check(tmp_path, select=["MESH207"])) == [("MESH207", "gw.yaml", 16)]


def test_every_wildcard_server_is_reported(tmp_path):
    write_tree(tmp_path, {"a.yaml": _gateway('"*"', name="a"), "b.yaml": _gateway('"*"', name="b")})
    assert hits(check(tmp_path, select=["MESH207"])) == [("MESH207", "a.yaml", 16), ("MESH207", "b.yaml", 16)]


@pytest.mark.parametrize("a, b, overlap", [
    ("shop.example.com", "shop.example.com", True),
    ("*.example.com", "shop.example.com", True),
    ("*", "shop.example.com", True),
    ("*.example.com", "*.shop.example.com", True),
    ("api.example.com", "shop.example.com", False),
    ("*.example.org", "shop.example.com", False),
])
def test_host_matching(a, b, overlap):
    assert hosts_overlap(a, b) is overlap
    assert hosts_overlap(b, a) is overlap

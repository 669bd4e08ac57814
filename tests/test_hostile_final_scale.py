"""Quadratic checks on hostile input (issue 15 #8): MESH206 over a Gateway and a
VirtualService with 20,000 hosts each, and MESH204 over 2,000 Gateways on one selector,
finish in seconds. The old pairwise comparisons took 85 s and 25 s; the bound is loose for a
loaded machine. Generated here, nothing large in git."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import check, hits


def _gateway(name: str, hosts: list[str], ports: tuple[int, ...] = (443,)) -> str:
    listed = "".join(f"        - {h}\n" for h in hosts)
    servers = "".join(f"    - port:\n        number: {port}\n        name: p{port}\n        protocol: HTTPS\n"
                      f"      hosts:\n{listed}" for port in ports)
    return (f"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: {name}\n"
            f"  namespace: edge\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n{servers}")


def test_twenty_thousand_hosts_on_each_side_take_seconds(tmp_path: Path) -> None:
    gateway_hosts = [f"svc{i}.gw.example.com" for i in range(20_000)] + ['"*.wild.example.com"']
    vs_hosts = "".join(f"    - app{i}.vs.example.com\n" for i in range(20_000))
    (tmp_path / "gw.yaml").write_text(_gateway("public", gateway_hosts))
    vs = ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {name}\n"
          "  namespace: edge\nspec:\n  gateways: [public]\n  hosts:\n{hosts}  http:\n"
          "    - route:\n        - destination:\n            host: app\n")
    (tmp_path / "vs.yaml").write_text(vs.format(name="nowhere", hosts=vs_hosts) + "---\n"
                                      + vs.format(name="matched", hosts=vs_hosts + "    - a.wild.example.com\n"))
    started = time.monotonic()
    result = check(tmp_path, select=["MESH206"])
    assert time.monotonic() - started < 10
    # the VirtualService with no host the Gateway accepts is reported; the one whose last host
    # falls under the Gateway's wildcard is not
    assert hits(result) == [("MESH206", "vs.yaml", 7)]


def test_two_thousand_gateways_take_seconds(tmp_path: Path) -> None:
    ports = (443, 8443, 9443)
    docs = [_gateway(f"gw{i}", [f"h{i}.example.com", f"h{i}.example.org"], ports) for i in range(2_000)]
    docs.append(_gateway("dup", ["h7.example.com"], (443,)))  # the one real clash: with gw7
    (tmp_path / "gws.yaml").write_text("---\n".join(docs))
    started = time.monotonic()
    result = check(tmp_path, select=["MESH204"])
    assert time.monotonic() - started < 10
    clashes = sorted(f.message.split(" and ")[0] for f in result.report.findings if f.rule == "MESH204")
    assert clashes == ["Gateway edge/dup", "Gateway edge/gw7"]

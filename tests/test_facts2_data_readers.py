"""Facts that were hard-coded now come from rules/data: a changed table changes the answer
(Karpenter's default architectures, the AMI types of unknown CPU, Istio's gateway charts)."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from meshlint import knowledge
from meshlint.model import aws_arch


@pytest.fixture
def patched(monkeypatch):
    def patch(name: str, **changes):
        original = getattr(knowledge, name)()
        monkeypatch.setattr(knowledge, name, lambda: replace(original, **changes))
        aws_arch.instance_arch.cache_clear()
    return patch


def test_karpenter_default_archs_come_from_the_data(patched):
    from meshlint.model.extract_node_pools import _karpenter_archs
    assert _karpenter_archs([], legacy=False)[0] == frozenset({"amd64", "arm64"})
    patched("aws_arch", karpenter_default_archs=("arm64",))
    assert _karpenter_archs([], legacy=False)[0] == frozenset({"arm64"})


def test_ami_types_of_unknown_cpu_come_from_the_data(patched):
    assert aws_arch.ami_arch("AL2_ARM_64") == "arm64"
    ami_types = knowledge.aws_arch().ami_types
    patched("aws_arch", ami_types=replace(ami_types, unknown=("CUSTOM", "AL2_ARM_64")))
    assert aws_arch.ami_arch("AL2_ARM_64") is None


def test_gateway_charts_come_from_istio_releases_charts(patched):
    from meshlint.model.derive_gateways import _from_release
    from meshlint.model.types import HelmRelease
    from meshlint.values import Location

    def release(chart: str) -> HelmRelease:
        return HelmRelease(name="istio-ingressgateway", chart=chart, repository=None, version="1.30.2",
                           version_key="version", version_location=None, namespace="istio-ingress",
                           values=[], location=Location("main.tf", 1, 1), object="helm_release.gw",
                           origin="helm_release")
    assert _from_release(release("gateway")) is not None
    assert _from_release(release("mesh-gateway")) is None
    patched("istio_releases", charts=dict(knowledge.istio_releases().charts, **{"mesh-gateway": "gateway"}))
    found = _from_release(release("mesh-gateway"))
    assert found is not None

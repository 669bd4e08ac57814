"""Issue 11, cause 7: a chart version range that admits the version the other components
run is not skew (MESH101); a range that does not admit it still is."""

from conftest import check, helm_release_tf, write_tree


def _tree(tmp_path, istiod_version: str, others: str):
    releases = "".join(helm_release_tf(name, chart, version) for name, chart, version in (("istio-base", "base", others), ("istiod", "istiod", istiod_version),
                                          ("istio-ingress", "gateway", others)))
    return write_tree(tmp_path, {"infra/main.tf": releases})


def test_a_range_that_covers_the_others_is_not_skew(tmp_path):
    result = check(_tree(tmp_path, "1.21.*", "1.21.2"), as_of="2024-09-01")
    assert [f for f in result.report.findings if f.rule == "MESH101"] == []


def test_a_range_that_does_not_cover_the_others_is_skew(tmp_path):
    result = check(_tree(tmp_path, "1.21.*", "1.22.1"), as_of="2024-09-01")
    found = sorted(f.object for f in result.report.findings if f.rule == "MESH101")
    assert found == ["helm_release.istio-base", "helm_release.istio-ingress"]


def test_pinned_versions_that_differ_are_still_skew(tmp_path):
    result = check(_tree(tmp_path, "1.21.4", "1.21.2"), as_of="2024-09-01")
    assert len([f for f in result.report.findings if f.rule == "MESH101"]) == 2

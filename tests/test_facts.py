"""The corrected facts of 2026-11-27, pinned through the rules that use them."""

from __future__ import annotations

import pytest
from conftest import KIALI, check, hits, only, write_tree

from meshlint import knowledge
from meshlint.knowledge.tables import TABLES

BLOB = "https://blob.istio.io/istio-release/charts"


def _istiod(version: str | None, repository: str = BLOB) -> str:
    v = f'  version    = "{version}"\n' if version else ""
    return (f'resource "helm_release" "istiod" {{\n  name       = "istiod"\n  repository = "{repository}"\n'
            f'  chart      = "istiod"\n{v}  namespace  = "istio-system"\n}}\n')


EKS = 'resource "aws_eks_cluster" "main" {{\n  name    = "main"\n  version = "{v}"\n}}\n'


def test_every_row_and_table_says_where_it_comes_from():
    for name in TABLES:
        table = knowledge.table(name)
        assert table.as_of and table.sources, name
    rows = [*knowledge.istio_releases().releases, *knowledge.istio_patches().patches,
            *knowledge.kiali_compat().tested, *knowledge.eks_versions().versions,
            *knowledge.artifact_hosts().hosts, *knowledge.gateway_api().minimums,
            *knowledge.nat_gateway_prices().regions]
    assert rows and all(r.source and r.confidence for r in rows)


@pytest.mark.parametrize("as_of, fires", [("2026-06-15", False), ("2026-07-15", True)])
def test_istio_1_28_end_of_life_is_july_first(tmp_path, as_of, fires):
    write_tree(tmp_path, {"main.tf": _istiod("1.28.3")})
    found = hits(check(tmp_path, select=["MESH105"], as_of=as_of))
    assert found == ([("MESH105", "main.tf", 5)] if fires else [])
    if fires:
        assert "end of life on 2026-07-01" in only(check(tmp_path, select=["MESH105"], as_of=as_of), "MESH105").message


@pytest.mark.parametrize("minor, eol", [("1.27", "2026-04-07"), ("1.28", "2026-07-01"), ("1.29", "2026-10-15")])
def test_end_of_life_dates(minor, eol):
    assert str(knowledge.istio_releases().release(minor).eol) == eol


@pytest.mark.parametrize("k8s, fires", [("1.31", True), ("1.32", False), ("1.36", False)])
def test_istio_1_30_supports_kubernetes_1_32_to_1_36(tmp_path, k8s, fires):
    write_tree(tmp_path, {"main.tf": _istiod("1.30.2") + EKS.format(v=k8s)})
    result = check(tmp_path, select=["MESH104"], as_of="2026-11-27")
    assert bool(hits(result)) is fires
    if fires:
        assert "supports Kubernetes 1.32–1.36" in only(result, "MESH104").message


@pytest.mark.parametrize("istio, kiali, expected", [
    ("1.30.2", "v2.22.0", "warning"),   # 2.22 predates 1.30; kiali's maintainers name 2.26 for 1.30
    ("1.30.2", "v2.26.0", None),
    ("1.23.1", "v2.4.0", None),         # kiali.io lists 2.4 as tested with 1.22 and 1.23 (a set)
    ("1.22.3", "v2.4.1", None),
    ("1.23.1", "v2.3.0", "warning"),    # 2.1-2.3 are not in the 1.23 set
    ("1.21.2", "v1.86.1", "error"),     # Kiali >= 1.86.1 requires Istio 1.22
    ("1.22.0", "v1.86.1", None),
])
def test_kiali_istio_pairs(tmp_path, istio, kiali, expected):
    write_tree(tmp_path, {"main.tf": _istiod(istio), "kiali.yaml": KIALI.format(tag=kiali)})
    result = check(tmp_path, select=["MESH102"], as_of="2026-11-27")
    if expected is None:
        assert hits(result) == []
        return
    f = only(result, "MESH102")
    assert f.severity == expected
    if istio.startswith("1.30"):
        assert "2.26.0 or newer" in f.message and "low-confidence" in f.message
    if expected == "error":
        assert "requires Istio 1.22 or newer" in f.message


@pytest.mark.parametrize("version, as_of, resolved", [
    ("~1.21.0", "2024-08-01", "1.21.5"),
    ("1.21.*", "2026-11-27", "1.21.6"),
    (None, "2026-11-27", "1.31.1"),
    (None, "2024-08-01", "1.22.3"),
])
def test_ranges_resolve_to_the_newest_patch_published_by_the_run_date(tmp_path, version, as_of, resolved):
    base = ('resource "helm_release" "base" {\n  name = "base"\n  repository = "' + BLOB +
            '"\n  chart = "base"\n  version = "1.18.1"\n}\n')
    write_tree(tmp_path, {"main.tf": base + _istiod(version)})
    f = only(check(tmp_path, select=["MESH101"], as_of=as_of), "MESH101")
    assert f"istiod is {resolved}" in f.message or f"is 1.18.1 while istiod is {resolved}" in f.message


def test_a_retired_repository_offers_nothing_newer_than_its_last_minor(tmp_path):
    old = "https://istio-release.storage.googleapis.com/charts"
    base = ('resource "helm_release" "base" {\n  name = "base"\n  repository = "' + old +
            '"\n  chart = "base"\n  version = "1.18.1"\n}\n')
    write_tree(tmp_path, {"main.tf": base + _istiod(None, old)})
    f = only(check(tmp_path, select=["MESH101"], as_of="2026-11-27"), "MESH101")
    assert "istiod is 1.30.5" in f.message  # 1.31 was never published there


def test_stale_facts_are_named_in_the_notes(tmp_path):
    write_tree(tmp_path, {"main.tf": _istiod("1.28.3")})
    assert not any("may be stale" in n for n in check(tmp_path, as_of="2026-12-15").report.notes)
    notes = [n for n in check(tmp_path, as_of="2027-06-01").report.notes if "may be stale" in n]
    assert len(notes) == 1
    assert "istio-releases (as of 2026-11-27)" in notes[0] and "meshlint data update" in notes[0]

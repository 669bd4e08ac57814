"""The catalog and the data tables: complete, consistent, shipped."""

import zipfile
import subprocess
import sys

import pytest

from conftest import REPO
from meshlint import checks, knowledge
from meshlint.parse.yamlfront import text
from meshlint.versioning import parse_version


def test_every_rule_in_code_has_a_catalog_entry_and_back():
    registered = set(checks.load_all())
    documented = set(knowledge.catalog())
    engine_rules = {"MESH001", "MESH002"}  # parse layer and suppressions, not checks
    assert registered | engine_rules == documented


def test_catalog_entries_are_complete():
    for doc in knowledge.catalog().values():
        assert doc.summary and doc.description and doc.fix and doc.example, doc.id
        assert doc.severity in ("info", "warning", "error")


@pytest.mark.parametrize("name", knowledge.data_names())
def test_data_tables_have_sources_and_as_of(name):
    table = knowledge.data(name)
    assert parse_version("1") and text(table["as_of"])
    assert table["sources"]


def test_nat_prices_are_sorted_and_parse():
    regions = knowledge.data("nat-gateway-prices")["regions"]
    names = [r["region"] for r in regions]
    assert names == sorted(names) and len(set(names)) == len(names)
    for r in regions:
        assert 0 < float(r["hourly"]) < 1


def test_vpc_formula_rows_are_ordered_and_contiguous():
    rows = knowledge.data("vpc-module")["max_subnet_length"]
    for a, b in zip(rows, rows[1:]):
        assert parse_version(str(a["below"])) == parse_version(str(b["from"]))
    assert rows[-1]["below"] is None
    known = [parse_version(str(v)) for v in knowledge.data("vpc-module")["known_versions"]]
    assert known == sorted(known)


@pytest.mark.slow
def test_wheel_ships_the_rules(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("meshlint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "meshlint/rules/catalog/MESH401.yaml" in names
    assert "meshlint/rules/data/nat-gateway-prices.yaml" in names


def _date(v):
    import datetime as dt
    return v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v))


def test_istio_release_rows_parse_and_are_sorted():
    rows = knowledge.data("istio-releases")["releases"]
    minors = [parse_version(text(r["minor"])) for r in rows]
    assert None not in minors and minors == sorted(minors) and len(set(minors)) == len(minors)
    previous = None
    for r in rows:
        released, eol = _date(r.get("released")), _date(r.get("eol"))
        if released and eol:
            assert released < eol, r["minor"]
        if released and previous:
            assert released > previous, r["minor"]
        previous = released or previous
        k8s = [parse_version(text(v)) for v in r.get("kubernetes") or []]
        assert None not in k8s and k8s == sorted(k8s), r["minor"]
        assert r["confidence"] in ("high", "medium", "low")


def test_kiali_compat_rows_parse_and_are_sorted():
    table = knowledge.data("kiali-compat")
    istio = [parse_version(text(r["istio"])) for r in table["tested"]]
    assert None not in istio and istio == sorted(istio)
    for r in table["tested"]:  # tested Kiali versions are sets of spans ("1.82.0 - 1.86", "2.4", "2.0.0+")
        for item in r["kiali"]:
            lo_text, _, hi_text = text(item).rstrip("+").partition(" - ")
            lo = parse_version(lo_text)
            hi = parse_version(hi_text) if hi_text else None
            assert lo is not None and (hi is None or lo <= hi), r["istio"]
    for inc in table["incompatibilities"]:
        assert parse_version(text(inc["istio_from"])) and parse_version(text(inc["kiali_below"]))
        for bp in inc.get("fixed_backports") or []:
            assert parse_version(text(bp["fixed"])) < parse_version(text(inc["kiali_below"]))

"""Typed knowledge: every data table loads into its records, strictly, and every fact
in a table is read by some code."""

from __future__ import annotations

import ast
import typing

import msgspec
import pytest
from conftest import REPO

from meshlint import knowledge
from meshlint.knowledge.schema import KnowledgeError, build, is_provenance, key_of
from meshlint.knowledge.tables import TABLES, IstioReleases, NatGatewayPrices, VpcModule
from meshlint.parse.yamlfront import parse_yaml_bytes

SRC = REPO / "src" / "meshlint"


def _yaml(source: str) -> object:
    parsed = parse_yaml_bytes(source.encode(), "t.yaml")
    assert parsed.error is None
    return parsed.documents[0].value


def test_every_data_file_has_a_schema_and_loads():
    assert sorted(TABLES) == knowledge.data_names()
    for name in knowledge.data_names():
        loaded = knowledge.table(name)
        assert isinstance(loaded, TABLES[name]) and loaded.sources


def test_tables_are_frozen():
    table = knowledge.nat_gateway_prices()
    with pytest.raises(AttributeError, match="immutable"):
        table.monthly_hours = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        knowledge.istio_releases().charts["x"] = "y"  # type: ignore[index]


PRICES = """as_of: "2026-01-01"
sources: [somewhere]
monthly_hours: 730
regions:
  - {region: eu-west-1, hourly: 0.048, per_gb: 0.048, confidence: low, source: a guide}
  - {region: us-east-1, hourly: 0.045, per_gb: 0.045, confidence: high, source: AWS}
"""


def test_a_good_table_builds():
    table = build(NatGatewayPrices, _yaml(PRICES), "t")
    assert table.price("us-east-1").hourly == 0.045 and table.as_of.year == 2026


@pytest.mark.parametrize("broken, complaint", [
    (PRICES.replace("monthly_hours", "monthly_hour"), "unknown key monthly_hour"),
    (PRICES.replace("per_gb: 0.048, ", "per_gb: 0.048, regoin: x, "), "unknown key regoin"),
    (PRICES.replace('"2026-01-01"', '"2026-13-01"'), "not a date"),
    (PRICES.replace("sources: [somewhere]\n", ""), "missing key sources"),
    (PRICES.replace("sources: [somewhere]", "sources: []"), "needs sources"),
    (PRICES.replace("confidence: low", "confidence: sure"), "not one of high, medium, low"),
    (PRICES.replace("eu-west-1", "zz-west-1"), "sorted"),
    (PRICES.replace("730", '"730"'), "expected int"),
])
def test_a_broken_table_is_an_error(broken, complaint):
    with pytest.raises(KnowledgeError, match=complaint):
        build(NatGatewayPrices, _yaml(broken), "t")


def test_versions_must_parse_and_rows_stay_ordered():
    text = (REPO / "rules/data/istio-releases.yaml").read_text()
    with pytest.raises(KnowledgeError, match="not a version"):
        build(IstioReleases, _yaml(text.replace('minor: "1.7"', 'minor: "one.seven"')), "t")
    with pytest.raises(KnowledgeError, match="sorted"):
        build(IstioReleases, _yaml(text.replace('minor: "1.7"', 'minor: "1.9"')), "t")
    vpc = (REPO / "rules/data/vpc-module.yaml").read_text()
    with pytest.raises(KnowledgeError, match="contiguous"):
        build(VpcModule, _yaml(vpc.replace('{from: "4.0.1"', '{from: "4.0.2"')), "t")


# --- every fact in a table is read somewhere ------------------------------------------------

# Facts whose reader is due in a module another change owns: (table, key) -> that module.
# The test fails when one of these becomes read, so the list only shrinks.
PENDING_READERS = {
    ("image-arch", "confidence"): "arch.py offline_archs (how sure the offline answer is)",
    ("eks-blueprints-addons", "version_key"): "checks/versions.py MESH106 (hard-codes chart_version)",
    ("istio-releases", "helm_repository"): "checks/versions.py / inventory.py (Istio repository URL)",
}


def _row_classes(cls: type) -> list[type]:
    """The dataclass and every dataclass its fields hold."""
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        if c in out:
            continue
        out.append(c)
        for tp in typing.get_type_hints(c).values():
            for arg in (tp, *typing.get_args(tp), *(a for t in typing.get_args(tp) for a in typing.get_args(t))):
                if isinstance(arg, type) and issubclass(arg, msgspec.Struct):
                    todo.append(arg)
    return out


def _units() -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """Every top-level statement (function, class, ...) of the source files outside the
    knowledge package, as (file, attribute names read, string constants)."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        if "knowledge" in path.relative_to(SRC).parts:
            continue
        for stmt in ast.parse(path.read_text(), str(path)).body:
            nodes = list(ast.walk(stmt))
            attrs = frozenset(n.attr for n in nodes if isinstance(n, ast.Attribute))
            strings = frozenset(n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str))
            out.append((str(path), attrs, strings))
    return out


def _method_reads() -> dict[str, dict[str, set[str]]]:
    """Per table class in knowledge/tables.py: method name -> the fields it reads from self
    (validation in __post_init__ reads every field and does not count)."""
    out: dict[str, dict[str, set[str]]] = {}
    for path in sorted((SRC / "knowledge").glob("*.py")):  # tables and their row classes
        tree = ast.parse(path.read_text())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name != "__post_init__"):
                out.setdefault(cls.name, {})[fn.name] = {
                    n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)}
    return out


def _unread() -> set[tuple[str, str]]:
    """(table, key) pairs no code reads. Typed readers call knowledge.<accessor>() and read
    attributes (or call a table method that does); legacy readers call knowledge.data("<name>")
    and subscript keys. A key counts as read by a function that names its table, or by a
    helper naming no table at all in a file that names it (rows passed down)."""
    units = _units()
    methods = _method_reads()

    def names(attrs: frozenset[str], strings: frozenset[str]) -> set[str]:
        return {t for t in TABLES if t.replace("-", "_") in attrs or t in strings}

    files_naming: dict[str, set[str]] = {}
    for path, attrs, strings in units:
        files_naming.setdefault(path, set()).update(names(attrs, strings))
    unread = set()
    for name, cls in TABLES.items():
        readers = [(attrs, strings) for path, attrs, strings in units if name in files_naming[path]
                   and (name in names(attrs, strings) or not names(attrs, strings))]
        for c in _row_classes(cls):
            for f in msgspec.structs.fields(c):
                if is_provenance(c, f.name):
                    continue
                via = {m for per_class in methods.values() for m, read in per_class.items() if f.name in read}
                if not any(f.name in attrs or via & attrs or key_of(f) in strings for attrs, strings in readers):
                    unread.add((name, key_of(f)))
    return unread


def test_every_data_key_is_read_by_code():
    unread = _unread()
    assert unread - set(PENDING_READERS) == set(), "data keys no code reads (use them or drop them)"
    assert set(PENDING_READERS) - unread == set(), "now read: remove from PENDING_READERS"


def test_stale_notes_name_the_tables_stale_tables_names_without_loading_them():
    """The run's note reads a table's date from its shipped `as_of` line (a run loads only
    the tables its checks use); it names exactly the tables that loading them would."""
    import datetime as _dt

    from meshlint import knowledge
    from meshlint.knowledge.store import stale_notes, stale_tables

    for day in (_dt.date(2026, 11, 27), _dt.date(2027, 3, 1), _dt.date(2030, 1, 1)):
        knowledge.reload()
        notes = stale_notes(day)
        named = {t.name for t in stale_tables(day)}
        if not named:
            assert notes == []
            continue
        assert len(notes) == 1
        listed = notes[0].split("may be stale: ", 1)[1].split(". ", 1)[0]
        assert {item.split(" (as of ")[0] for item in listed.split(", ")} == named

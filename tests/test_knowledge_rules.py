"""Rules register against the catalog and report through a Reporter bound to their entry."""

import ast
import re

import pytest
from conftest import REPO

from meshlint import checks, knowledge
from meshlint.checks import CheckContext, Reporter, rule
from meshlint.findings import Severity
from meshlint.model import Model
from meshlint.values import Location

HERE = Location("a.yaml", 3, 5)


def test_a_reporter_fills_code_name_severity_and_scope():
    report = Reporter("MESH501", "envs/dev")
    f = report("two NAT gateways", HERE, object="module.vpc", detail="d", fix="one")
    assert (f.rule, f.name, f.severity, f.scope) == ("MESH501", "multi-nat-gateway", Severity.WARNING, "envs/dev")
    assert (f.message, f.location, f.object, f.detail, f.fix) == ("two NAT gateways", HERE, "module.vpc", "d", "one")
    assert report("m", HERE, object="o", severity=Severity.ERROR).severity is Severity.ERROR


def test_a_code_missing_from_the_catalog_fails_at_registration():
    with pytest.raises(KeyError, match="MESH999"):
        rule("MESH999")


def test_a_check_reports_with_the_scope_of_the_model():
    registry = checks.load_all()
    model = Model(scope="envs/dev")
    assert list(registry["MESH501"](model, CheckContext())) == []  # reporting check, nothing to say
    saved = dict(checks.REGISTRY)
    try:
        checks.REGISTRY.pop("MESH404")

        @rule("MESH404")
        def new_style(model, ctx, report):
            yield report("m", HERE, object="o")

        (found,) = checks.REGISTRY["MESH404"](model, CheckContext())
        assert (found.rule, found.scope, found.name) == ("MESH404", "envs/dev", "service-port-name-convention")
    finally:
        checks.REGISTRY.clear()
        checks.REGISTRY.update(saved)


def test_every_rule_code_in_the_source_is_in_the_catalog():
    """The catalog is the one list of codes: a code written anywhere in src/ (a check's
    @rule, the engine's MESH001/MESH002, a filter) must have its entry."""
    written = set()
    for path in (REPO / "src" / "meshlint").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                written.update(re.findall(r"\bMESH[0-9]{3}\b", node.value))
    assert written, "the scan found no codes: it is broken"
    assert written - set(knowledge.catalog()) == set()
    assert set(checks.load_all()) <= set(knowledge.catalog())

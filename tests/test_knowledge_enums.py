"""Severities, fail-on levels, pin kinds and origins: one definition each, read as the
strings reports print."""

import json

from conftest import REPO

from meshlint import config, filters
from meshlint.findings import FAIL_ON, SEVERITIES, FailOn, Finding, Severity
from meshlint.knowledge import catalog
from meshlint.values import Location
from meshlint.versioning import PinKind, classify_chart_version


def _finding(severity: str) -> Finding:
    return Finding("MESH401", severity, "m", Location("a.yaml", 1, 1))  # type: ignore[arg-type]


def test_severities_rank_and_print_as_their_names():
    assert [s.rank for s in Severity] == [0, 1, 2]
    assert Severity.ERROR.rank > Severity.WARNING.rank > Severity.INFO.rank
    assert f"{Severity.WARNING:<8}|" == "warning |" and json.dumps(Severity.ERROR) == '"error"'
    assert _finding("error").severity is Severity.ERROR  # plain text becomes the enum


def test_fail_on_thresholds():
    found = [_finding("warning")]
    assert [filters.exit_code(found, level) for level in FailOn] == [0, 1, 1, 0]
    assert FailOn.NEVER.threshold is None and FailOn.INFO.threshold is Severity.INFO


def test_one_definition_of_severities_and_fail_on():
    assert config.SEVERITIES is SEVERITIES and config.FAIL_ON is FAIL_ON and filters.FAIL_ON is FAIL_ON
    schema = json.loads((REPO / "src/meshlint/schema/meshlint-config.schema.json").read_text())
    props = schema["properties"]
    assert props["severity"]["additionalProperties"]["enum"] == [s.value for s in Severity]
    assert props["fail-on"]["enum"] == [level.value for level in FailOn]
    assert {type(doc.severity) for doc in catalog().values()} == {Severity}


def test_pin_kinds_are_the_strings_reports_print():
    assert classify_chart_version("1.22.1") is PinKind.PINNED and PinKind.PINNED == "pinned"
    assert classify_chart_version("~1.22") is PinKind.RANGE and classify_chart_version(None) is PinKind.ABSENT
    assert [k.value for k in PinKind] == ["pinned", "range", "latest", "absent", "ignored-key", "unknown",
                                          "floating-tag"]

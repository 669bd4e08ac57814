"""Output formats: SARIF validated against the official schema, GitHub annotations that
cannot be injected into, JUnit, and the same exit codes everywhere."""

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from conftest import REPO, SHARED, meshlint_cli, write_tree

EXAMPLE = REPO / "examples" / "shop-platform"
SCHEMA = SHARED / "reference" / "sarif-schema-2.1.0.json"


@pytest.mark.skipif(not SCHEMA.is_file(), reason="../shared/reference not present")
def test_sarif_validates_and_points_at_real_lines():
    proc = meshlint_cli("check", str(EXAMPLE), "--format", "sarif")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"MESH001", "MESH401", "MESH501"}
    for r in rules:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["helpUri"]
    assert run["results"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert uri.startswith("examples/shop-platform/")  # repository-relative
        line = (REPO / uri).read_text().splitlines()[loc["region"]["startLine"] - 1]
        assert line.strip(), (uri, loc)
        assert res["partialFingerprints"]["meshlintFingerprint/v1"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    ns_line = (REPO / by_rule["MESH402"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).read_text()
    assert "istio.io/rev" in ns_line.splitlines()[by_rule["MESH402"]["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]


def test_github_annotations_escape_hostile_text(tmp_path):
    evil = "evil\n::error file=x::injected %0A"
    write_tree(tmp_path, {"ns.yaml": f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"{evil.encode('unicode_escape').decode()}\"\n"
                                     "  labels:\n    istio-injection: enabled\n    istio.io/rev: canary\n"})
    proc = meshlint_cli("check", str(tmp_path), "--format", "github")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::warning file=")
    assert sum(1 for ln in lines if ln.startswith("::")) == 1
    assert "%0A::error file=x::injected %250A" in lines[0]


def test_auto_format_follows_github_actions():
    assert meshlint_cli("check", str(EXAMPLE), "--format", "auto", env={"GITHUB_ACTIONS": "true"}).stdout.startswith("::")
    assert not meshlint_cli("check", str(EXAMPLE), "--format", "auto", env={"GITHUB_ACTIONS": ""}).stdout.startswith("::")


def test_junit(tmp_path):
    proc = meshlint_cli("check", str(EXAMPLE), "--format", "junit")
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    suite = root.find("testsuite")
    failures = suite.findall("testcase/failure")
    assert int(suite.get("failures")) == len(failures) >= 3
    passing = [c for c in suite.findall("testcase") if c.find("failure") is None]
    assert any("MESH001" in c.get("name") for c in passing)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_every_format_honours_fail_on(fmt):
    assert meshlint_cli("check", str(EXAMPLE), "--format", fmt).returncode == 1
    assert meshlint_cli("check", str(EXAMPLE), "--format", fmt, "--fail-on", "never").returncode == 0


def test_text_output_neutralises_terminal_escapes(tmp_path):
    write_tree(tmp_path, {"ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"a\\e[31mred\"\n"
                                     "  labels:\n    istio-injection: enabled\n    istio.io/rev: canary\n"})
    out = meshlint_cli("check", str(tmp_path)).stdout
    assert "\x1b" not in out and "\\x1b[31mred" in out

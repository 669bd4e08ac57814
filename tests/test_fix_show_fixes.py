"""`meshlint check --show-fixes`: JSON and SARIF carry each finding's fix as text edits
(SARIF valid against the 2.1.0 schema), the full text style names the fix under the
finding; without the flag every format is as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import write_tree
from test_fix_kiali import SHAPES

from meshlint.cli import cli

SEED = Path("/work/shared/corpus/eks-blueprints-istio-2023-10")
SCHEMA = Path("/work/shared/reference/sarif-schema-2.1.0.json")
AS_OF = "2026-11-27"


def check(root: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["check", str(root), "--as-of", AS_OF, "--no-cache", *extra],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("show") / "seed"
    shutil.copytree(SEED, root)
    return root


def _strip_fixes(report: dict) -> dict:
    return {**report, "findings": [{k: v for k, v in f.items() if k != "fixes"} for f in report["findings"]]}


def test_json_carries_the_edits_and_is_otherwise_unchanged(seed: Path) -> None:
    plain = json.loads(check(seed, "--format", "json"))
    shown = json.loads(check(seed, "--format", "json", "--show-fixes"))
    assert not any("fixes" in f for f in plain["findings"])
    assert _strip_fixes(shown) == plain
    renames = [f["fixes"][0] for f in shown["findings"] if f["rule"] == "MESH103"]
    assert len(renames) == 3
    for fix in renames:
        (edit,) = fix["edits"]
        assert fix["safety"] == "safe" and edit["path"].endswith("main.tf")
        assert edit["old"].startswith("version") and edit["new"].startswith("chart_version")
        assert edit["end_line"] == edit["line"] and edit["end_column"] == edit["column"] + len(edit["old"])


def test_sarif_with_fixes_validates_and_without_is_unchanged(seed: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    shown = json.loads(check(seed, "--format", "sarif", "--show-fixes"))
    jsonschema.validate(shown, schema)
    results = shown["runs"][0]["results"]
    fixed = [r for r in results if r["ruleId"] == "MESH103"]
    assert len(fixed) == 3 and all(r["fixes"][0]["artifactChanges"][0]["replacements"] for r in fixed)
    plain = json.loads(check(seed, "--format", "sarif"))
    assert not any("fixes" in r for r in plain["runs"][0]["results"])
    for r in results:
        r.pop("fixes", None)
    assert shown == plain


def test_sarif_insertion_fix_validates(tmp_path: Path) -> None:
    """MESH203's fix inserts text (an empty deleted region): still valid SARIF."""
    files, _changed, _expected = SHAPES["values-file-block"]
    write_tree(tmp_path, files)
    sarif = json.loads(check(tmp_path, "--format", "sarif", "--show-fixes"))
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text()))
    (kiali,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "MESH203"]
    (change,) = kiali["fixes"][0]["artifactChanges"]
    (replacement,) = change["replacements"]
    region = replacement["deletedRegion"]
    assert change["artifactLocation"]["uri"].endswith("kiali-values.yaml")
    assert (region["startLine"], region["startColumn"]) == (region["endLine"], region["endColumn"]) == (3, 1)
    assert replacement["insertedContent"]["text"].startswith("  istio:\n    component_status:\n")


def test_full_text_names_the_fix_under_the_finding(seed: Path) -> None:
    plain = check(seed, "--style", "full", "--color", "never")
    shown = check(seed, "--style", "full", "--color", "never", "--show-fixes")
    assert "autofix:" not in plain
    assert shown.count("= autofix: rename `version` to `chart_version` (safe: meshlint fix)") == 3
    assert [ln for ln in shown.splitlines() if "autofix:" not in ln] == plain.splitlines()
    # the concise style (one line per finding) stays one line per finding
    assert check(seed, "--style", "concise", "--show-fixes") == check(seed, "--style", "concise")

"""Fixes in JSON and SARIF reports (engine Options.fixes): SARIF valid against the 2.1.0
schema, with artifactChanges/replacements that reproduce what `meshlint fix` writes."""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from pathlib import Path

import jsonschema

from meshlint.engine import Options, run
from meshlint.report import render

SEED = Path("/work/shared/corpus/eks-blueprints-istio-2023-10")
SCHEMA = Path("/work/shared/reference/sarif-schema-2.1.0.json")


def _run(root: Path, fixes: bool):
    return run(Options(paths=[str(root)], as_of=_dt.date(2026, 11, 27), fixes=fixes, jobs=1))


def test_sarif_and_json_carry_fixes(tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(SEED, root)
    result = _run(root, fixes=True)
    sarif = json.loads(render(result.report, "sarif"))
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text()))
    # the seed's three ignored `version` keys (MESH103); its three charts from the retired GCS
    # host have fixes too (MESH107, added later), not looked at here
    with_fixes = [r for r in sarif["runs"][0]["results"] if r.get("fixes") and r["ruleId"] != "MESH107"]
    assert len(with_fixes) == 3 and all(r["ruleId"] == "MESH103" for r in with_fixes)
    (change,) = with_fixes[0]["fixes"][0]["artifactChanges"]
    (replacement,) = change["replacements"]
    assert change["artifactLocation"]["uri"].endswith("main.tf")
    assert replacement["insertedContent"]["text"].startswith("chart_version")
    assert replacement["deletedRegion"]["startColumn"] == 7
    report = json.loads(render(result.report, "json"))
    fixes = [f["fixes"][0] for f in report["findings"] if "fixes" in f and f["rule"] != "MESH107"]
    assert len(fixes) == 3 and fixes[0]["safety"] == "safe" and fixes[0]["edits"][0]["old"].startswith("version")
    # without the option the reports stay as they were
    plain = json.loads(render(_run(root, fixes=False).report, "json"))
    assert not any("fixes" in f for f in plain["findings"])


def test_fixes_are_planned_on_the_unsaved_buffer_the_run_checked(tmp_path: Path) -> None:
    from conftest import ISTIOD_TF

    (tmp_path / "main.tf").write_text(ISTIOD_TF)
    ns = tmp_path / "ns.yaml"
    ns.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n"
                  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
                  "spec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx}]\n")
    buffer = b"# edited\n# not saved\n" + ns.read_bytes()  # the namespace two lines down
    result = run(Options(paths=[str(tmp_path)], as_of=_dt.date(2026, 11, 27), fixes=True, jobs=1,
                         overlay={str(ns): buffer}))
    (finding,) = [f for f in result.report.findings if f.rule == "MESH401"]
    assert finding.location.line == 6
    edits = result.report.fixes[finding.fingerprint]["edits"]
    assert [e["line"] for e in edits] == [6] and all(e["path"].endswith("ns.yaml") for e in edits)

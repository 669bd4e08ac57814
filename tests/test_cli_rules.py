"""`meshlint rules` filters by code, prefix or ALL; `meshlint rule` takes a code or a name."""

from __future__ import annotations

import json

from conftest import meshlint_cli


def test_rules_filtered_by_prefix_in_json():
    doc = json.loads(meshlint_cli("rules", "MESH4", "--format", "json").stdout)
    assert doc and all(r["id"].startswith("MESH4") for r in doc)
    every = json.loads(meshlint_cli("rules", "--format", "json").stdout)
    assert len(every) > len(doc)
    assert json.loads(meshlint_cli("rules", "ALL", "--format", "json").stdout) == every


def test_rules_with_an_unknown_prefix_is_a_usage_error():
    proc = meshlint_cli("rules", "MESH9")
    assert proc.returncode == 2 and "'MESH9' is not a rule code" in proc.stderr


def test_rule_by_name():
    by_code = meshlint_cli("rule", "MESH501")
    assert by_code.returncode == 0
    name = by_code.stdout.split()[1]
    by_name = meshlint_cli("rule", name)
    assert by_name.returncode == 0 and by_name.stdout == by_code.stdout

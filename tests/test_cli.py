"""The command-line contract: output formats, exit codes, selection, errors."""

import json
import os

from conftest import REPO, meshlint_cli, write_tree

EXAMPLE = REPO / "examples" / "shop-platform"


def test_example_finds_several_problems_and_exits_1():
    proc = meshlint_cli("check", str(EXAMPLE))
    assert proc.returncode == 1, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ": MESH" in ln]
    assert len(lines) >= 3
    assert any(":58:1: MESH401 [warning]" in ln for ln in lines)
    assert proc.stdout.rstrip().splitlines()[-1].startswith("Found ")


def test_json_output_fields():
    proc = meshlint_cli("check", str(EXAMPLE), "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert set(doc) >= {"version", "findings", "summary", "files_checked"}
    f = doc["findings"][0]
    assert set(f) >= {"rule", "name", "severity", "message", "path", "line", "column", "end_line",
                      "end_column", "object", "scope", "fingerprint"}
    assert doc["summary"]["total"] == len(doc["findings"])
    assert doc["files_checked"] == 5


def test_select_ignore_and_fail_on():
    sel = json.loads(meshlint_cli("check", str(EXAMPLE), "--format", "json", "--select", "MESH4").stdout)
    assert {f["rule"] for f in sel["findings"]} == {"MESH401", "MESH402"}
    ign = json.loads(meshlint_cli("check", str(EXAMPLE), "--format", "json", "--select", "MESH4",
                                  "--ignore", "MESH402").stdout)
    assert {f["rule"] for f in ign["findings"]} == {"MESH401"}
    assert meshlint_cli("check", str(EXAMPLE), "--fail-on", "error").returncode == 1  # MESH102
    assert meshlint_cli("check", str(EXAMPLE), "--select", "MESH4", "--fail-on", "error").returncode == 0
    assert meshlint_cli("check", str(EXAMPLE), "--fail-on", "never").returncode == 0
    assert meshlint_cli("check", str(EXAMPLE), "--fail-on", "info").returncode == 1


def test_output_file(tmp_path):
    out = tmp_path / "report.json"
    proc = meshlint_cli("check", str(EXAMPLE), "--format", "json", "--output", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["findings"]


def test_clean_repository_exits_0(tmp_path):
    write_tree(tmp_path, {"k8s/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"})
    proc = meshlint_cli("check", str(tmp_path))
    assert proc.returncode == 0
    assert proc.stdout.startswith("No problems found in 1 file")


def test_paths_are_relative_to_the_current_directory():
    proc = meshlint_cli("check", "shop-platform", cwd=EXAMPLE.parent)
    assert "shop-platform/k8s/namespaces.yaml:7:5: MESH402" in proc.stdout


def test_usage_errors_exit_2():
    assert meshlint_cli("check", "/no/such/path").returncode == 2
    bad_date = meshlint_cli("check", str(EXAMPLE), "--as-of", "2023-13-45")
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    assert meshlint_cli("check", "--format", "xml", str(EXAMPLE)).returncode == 2
    assert meshlint_cli("rule", "MESH999").returncode == 2


def test_internal_error_is_one_line_unless_debug(tmp_path):
    # a broken rule catalog is an internal error: one line, exit 2, no traceback (the run
    # lists the catalog's codes when it registers the rules)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    pkg = tmp_path / "sitecustomize.py"
    pkg.write_text("import meshlint.knowledge as k\n"
                   "def boom(): raise RuntimeError('catalog exploded\\nsecond line')\n"
                   "k.codes = boom\n")
    proc = meshlint_cli("check", str(EXAMPLE), "--no-cache", env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "internal error: RuntimeError: catalog exploded" in proc.stderr
    debug = meshlint_cli("check", str(EXAMPLE), "--debug", "--no-cache", env=env)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_rules_and_rule_commands():
    rules = meshlint_cli("rules")
    assert rules.returncode == 0
    for code in ("MESH001", "MESH401", "MESH402", "MESH501"):
        assert code in rules.stdout
    doc = meshlint_cli("rule", "MESH501")
    assert doc.returncode == 0
    for heading in ("Why it matters", "How to fix", "Example"):
        assert heading in doc.stdout
    assert "multi-nat-gateway" in doc.stdout


def test_version():
    proc = meshlint_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("meshlint, version ")

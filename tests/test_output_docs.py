"""Per-rule documentation that resolves (docs/rules.md, SARIF helpUri), percent-encoded SARIF
URIs, shell completion of rule codes, and the progress line."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.shell_completion import BashComplete
from conftest import ISTIOD_TF, REPO, meshlint_cli, write_tree

from meshlint.cli import cli
from meshlint.rulescli import complete_codes, complete_rule
from meshlint.engine import Options, run
from meshlint.knowledge import catalog
from meshlint.report.progress import ProgressLine
from meshlint.report.ruledocs import DOCS_PAGE
from meshlint.report.sarif import _uri

DOCS = REPO / "docs" / "rules.md"


def _github_anchor(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_committed_rules_doc_is_up_to_date():
    generated = meshlint_cli("rules", "--format", "markdown")
    assert generated.returncode == 0
    assert DOCS.read_text(encoding="utf-8") == generated.stdout, \
        "regenerate: meshlint rules --format markdown > docs/rules.md"


def test_every_sarif_help_uri_is_a_section_of_the_rules_doc():
    anchors = {_github_anchor(line[3:]) for line in DOCS.read_text(encoding="utf-8").splitlines()
               if line.startswith("## ")}
    sarif = json.loads(meshlint_cli("check", "--format", "sarif", cwd=REPO / "examples" / "shop-platform").stdout)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == set(catalog())
    for r in rules:
        page, _, anchor = r["helpUri"].partition("#")
        assert page == DOCS_PAGE and anchor in anchors, r["helpUri"]
    assert DOCS_PAGE.endswith("/blob/main/docs/rules.md")


def test_sarif_artifact_uris_are_percent_encoded(tmp_path):
    assert _uri(str(tmp_path / "a b" / "v#1%.yaml"), "x", str(tmp_path)) == "a%20b/v%231%25.yaml"
    assert _uri(str(tmp_path / "infra" / "main.tf"), "x", str(tmp_path)) == "infra/main.tf"
    write_tree(tmp_path, {"infra #1/istio.tf": ISTIOD_TF})
    (tmp_path / ".git").mkdir()
    doc = json.loads(meshlint_cli("check", "--format", "sarif", ".", cwd=tmp_path).stdout)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]]
    assert uris and set(uris) == {"infra%20%231/istio.tf"}, uris
    assert doc["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.as_uri() + "/"


def test_completion_of_rule_codes():
    ctx, param = None, None
    assert "MESH401" in complete_codes(ctx, param, "mesh4")  # type: ignore[arg-type]
    assert all(c.startswith("MESH4") for c in complete_codes(ctx, param, "MESH4"))  # type: ignore[arg-type]
    assert "MESH501,MESH401" in complete_codes(ctx, param, "MESH501,MESH40")  # type: ignore[arg-type]
    assert complete_codes(ctx, param, "A") == ["ALL"]  # type: ignore[arg-type]
    assert complete_rule(ctx, param, "multi") == ["multi-nat-gateway"]  # type: ignore[arg-type]
    assert complete_rule(ctx, param, "MESH50") == ["MESH501", "MESH502"]  # type: ignore[arg-type]


@pytest.mark.parametrize("args, incomplete, wanted", [
    (["check", "--select"], "MESH40", "MESH401"),
    (["check", "--ignore"], "MESH1", "MESH101"),
    (["rules"], "MESH2", "MESH201"),
    (["rule"], "kiali-i", "kiali-istio-incompatible"),
])
def test_completion_through_click(args, incomplete, wanted):
    """What `_MESHLINT_COMPLETE=bash_complete` answers: the callbacks are wired to the options."""
    found = [c.value for c in BashComplete(cli, {}, "meshlint", "_MESHLINT_COMPLETE").get_completions(args, incomplete)]
    assert wanted in found and all(v.lower().startswith(incomplete.lower()) for v in found)


def test_readme_documents_completion():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "_MESHLINT_COMPLETE=bash_source meshlint" in readme


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_waits_a_second_then_rewrites_itself_and_clears():
    stream, clock = io.StringIO(), FakeClock()
    line = ProgressLine(stream, clock)
    line("parse", 0, 10)
    assert stream.getvalue() == ""
    line.clear()
    assert stream.getvalue() == ""
    clock.now = 1.5
    line("model", 1, 3)
    assert stream.getvalue() == "\rmeshlint: building models (scopes) 1/3…\x1b[K"
    line("model", 2, 3)  # too soon after the last redraw
    assert stream.getvalue().count("\r") == 1
    clock.now = 1.7
    line("model", 2, 3)
    assert stream.getvalue().endswith("\rmeshlint: building models (scopes) 2/3…\x1b[K")
    line.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_engine_tells_its_phases_and_progress_changes_nothing(tmp_path):
    write_tree(tmp_path, {"infra/istio.tf": ISTIOD_TF,
                          "k8s/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n"})
    told: list[tuple[str, int, int]] = []
    with_progress = run(Options(paths=[str(tmp_path)], progress=lambda *a: told.append(a)))
    without = run(Options(paths=[str(tmp_path)]))
    assert ("parse", 0, 2) in told and ("parse", 2, 2) in told
    assert [t[0] for t in told] == sorted([t[0] for t in told], key=["parse", "model", "checks", "filters"].index)
    assert {"model", "checks", "filters"} <= {t[0] for t in told}
    assert [f.fingerprint for f in with_progress.report.findings] == [f.fingerprint for f in without.report.findings]


def test_no_progress_line_when_stderr_is_not_a_terminal():
    proc = meshlint_cli("check", cwd=REPO / "examples" / "shop-platform")
    assert "\r" not in proc.stderr and "meshlint:" not in proc.stderr

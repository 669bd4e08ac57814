"""Text output in two styles (concise, full), colour, --statistics and --quiet."""

from __future__ import annotations

import json
import re

from conftest import ISTIOD_TF, REPO, meshlint_cli, write_tree

from meshlint.findings import Finding, Report, Severity
from meshlint.report.fullfmt import MAX_SOURCE_CHARS, headline, render_full
from meshlint.report.style import Palette, use_color
from meshlint.report.textfmt import render
from meshlint.values import Location

EXAMPLE = REPO / "examples" / "shop-platform"
ESC = "\x1b["


def _finding(abspath: str, line: int, column: int, end_column: int, message: str, path: str = "k8s/a.yaml",
             fix: str | None = None, rule: str = "MESH401") -> Finding:
    f = Finding(rule, Severity.WARNING, message, Location(path, line, column, line, end_column),
                object="Namespace/orders", fix=fix, name="namespace-injection-missing")
    f.abspath = abspath
    return f


def test_piped_text_is_concise_and_the_same_as_asking_for_it():
    piped = meshlint_cli("check", cwd=EXAMPLE)
    concise = meshlint_cli("check", "--style", "concise", cwd=EXAMPLE)
    assert piped.stdout == concise.stdout and piped.returncode == concise.returncode == 1
    lines = piped.stdout.splitlines()
    assert all(re.match(r"^\S+:\d+:\d+: MESH\d{3} \[(error|warning|info)\] ", ln) for ln in lines[:-1])
    assert ESC not in piped.stdout


def test_full_style_groups_by_file_with_source_line_and_caret():
    proc = meshlint_cli("check", "--style", "full", cwd=EXAMPLE)
    out = proc.stdout
    assert proc.returncode == 1 and ESC not in out
    # a file's name once as a heading, then its findings' headlines
    assert out.startswith("infra/main.tf\n\ninfra/main.tf:30:3 MESH501 [warning] module.vpc creates 3 NAT gateways\n")
    assert "  30 |   enable_nat_gateway = true\n     |   ^^^^^^^^^^^^^^^^^^^^^^^^^\n" in out
    assert "= fix: " in out and "= docs: https://github.com/meshlint/meshlint/blob/main/docs/rules.md#mesh501" in out
    headings = [ln for ln in out.splitlines() if re.fullmatch(r"[\w/.-]+\.(tf|yaml)", ln)]
    assert headings == sorted(set(headings)) and "k8s/kiali.yaml" in headings
    # the same findings as the concise style, in the same order
    concise = meshlint_cli("check", cwd=EXAMPLE).stdout.splitlines()
    heads = [ln for ln in out.splitlines() if re.match(r"^\S+:\d+:\d+ MESH\d{3} ", ln)]
    assert [h.split(" ")[:2] for h in heads] == [[c.split(": ")[0], c.split(" ")[1]] for c in concise[:-1]]
    assert out.splitlines()[-1] == concise[-1]


def test_headline_is_the_first_clause_cut_sensibly():
    assert headline("module.vpc creates 3 NAT gateways (one per subnet). That is ~$98/month.") == (
        "module.vpc creates 3 NAT gateways", "(one per subnet). That is ~$98/month.")
    assert headline("Istio 1.20.2 reached end of life on 2024-06-25: no more fixes.") == (
        "Istio 1.20.2 reached end of life on 2024-06-25", "no more fixes.")
    # too short a first clause is not a headline: the next one is taken
    assert headline("Kiali 1.67 (quay.io/kiali:v1.67) breaks on Istio 1.20: see the notes")[0] == \
        "Kiali 1.67 (quay.io/kiali:v1.67) breaks on Istio 1.20"
    head, rest = headline("word " * 60)
    assert len(head) <= 102 and head.endswith(" …") and rest.startswith("… ")
    assert headline("short message") == ("short message", "")


def test_caret_spans_the_columns_on_the_cleaned_line(tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text("metadata:\n\tname: \x1b]0;x\x07orders\n", encoding="utf-8")
    # `orders` is at columns 14-19 of the raw line (a tab, an OSC sequence before it)
    text = render_full(Report([_finding(str(src), 2, 14, 20, "namespace orders has no label: add one")]),
                       Palette(False))
    lines = text.splitlines()
    source = next(ln for ln in lines if ln.startswith("  2 | "))
    caret = lines[lines.index(source) + 1]
    assert "\x1b" not in source and "\\x1b]0;x\\x07orders" in source
    assert caret[source.index("orders"):].rstrip() == "^" * len("orders")


def test_hostile_or_missing_source_never_breaks_the_report(tmp_path):
    long_line = tmp_path / "long.yaml"
    long_line.write_text("::error file=x::forged " + "y" * 10_000 + "\n##[add-mask]z\n", encoding="utf-8")
    findings = [_finding(str(long_line), 1, 1, 5, "first: x", path="long.yaml"),
                _finding(str(long_line), 2, 1, 3, "second: y", path="long.yaml"),
                _finding(str(tmp_path / "gone.yaml"), 3, 1, 2, "gone: the file was removed", path="gone.yaml"),
                _finding("", 1, 1, 1, "no path at all", path="x.yaml"),
                _finding(str(long_line), 99, 1, 1, "past the end of the file", path="long.yaml")]
    for color in (False, True):
        text = render_full(Report(findings), Palette(color))
        assert not any(re.match(r"^\s*::", ln) for ln in text.splitlines())
        assert "##[" not in text
        assert all(len(ln) < MAX_SOURCE_CHARS + 40 for ln in text.splitlines())
    assert "gone.yaml:3:1 MESH401 [warning] gone: the file was removed" in render_full(Report(findings), Palette())


def test_colour_is_decided_by_flag_then_no_color_then_force_color_then_terminal():
    assert use_color("auto", True, {}) and not use_color("auto", False, {})
    assert not use_color("auto", True, {"NO_COLOR": "1"})
    assert use_color("auto", False, {"FORCE_COLOR": "1"})
    assert not use_color("auto", False, {"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not use_color("auto", True, {"TERM": "dumb"})
    assert use_color("always", False, {"NO_COLOR": "1"}) and not use_color("never", True, {"FORCE_COLOR": "1"})


def test_colour_on_the_command_line():
    plain = meshlint_cli("check", cwd=EXAMPLE).stdout
    forced = meshlint_cli("check", cwd=EXAMPLE, env={"FORCE_COLOR": "1"}).stdout
    assert ESC in forced and re.sub(r"\x1b\[[0-9;]*m", "", forced) == plain
    assert meshlint_cli("check", cwd=EXAMPLE, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout == plain
    assert meshlint_cli("check", "--color", "never", cwd=EXAMPLE, env={"FORCE_COLOR": "1"}).stdout == plain
    assert ESC in meshlint_cli("check", "--color", "always", "--style", "full", cwd=EXAMPLE).stdout
    # machine formats never get colour
    assert ESC not in meshlint_cli("check", "--format", "json", cwd=EXAMPLE, env={"FORCE_COLOR": "1"}).stdout


def test_colour_codes_do_not_shield_a_forged_workflow_command(tmp_path):
    f = _finding("", 1, 1, 1, "x", path="::error file=a::forged")
    for style in ("concise", "full"):
        text = re.sub(r"\x1b\[[0-9;]*m", "", render(Report([f]), style=style, color=True))
        assert not any(re.match(r"^\s*::", ln) for ln in text.splitlines()), text


def test_statistics_count_findings_per_rule():
    text = meshlint_cli("check", "--statistics", cwd=EXAMPLE)
    full = meshlint_cli("check", "--format", "json", cwd=EXAMPLE)
    findings = json.loads(full.stdout)["findings"]
    assert text.returncode == full.returncode == 1
    rows = text.stdout.splitlines()[:-1]
    counts = {r.split()[1]: int(r.split()[0]) for r in rows}
    wanted: dict[str, int] = {}
    for f in findings:
        wanted[f["rule"]] = wanted.get(f["rule"], 0) + 1
    assert counts == wanted
    assert [int(r.split()[0]) for r in rows] == sorted(counts.values(), reverse=True)
    as_json = json.loads(meshlint_cli("check", "--statistics", "--format", "json", cwd=EXAMPLE).stdout)
    assert {r["code"]: r["count"] for r in as_json} == wanted
    bad = meshlint_cli("check", "--statistics", "--format", "sarif", cwd=EXAMPLE)
    assert bad.returncode == 2 and "--statistics" in bad.stderr


def test_quiet_prints_the_summary_alone(tmp_path):
    proc = meshlint_cli("check", "-q", cwd=EXAMPLE)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [meshlint_cli("check", cwd=EXAMPLE).stdout.splitlines()[-1]]
    write_tree(tmp_path, {"infra/istio.tf": ISTIOD_TF})
    clean = meshlint_cli("check", "--quiet", ".", cwd=tmp_path)
    assert clean.stdout.startswith("No problems found") or clean.stdout.startswith("Found")
    assert len(clean.stdout.splitlines()) == 1


def test_full_style_and_statistics_do_not_depend_on_jobs_or_cache(tmp_path):
    env = {"MESHLINT_CACHE_DIR": str(tmp_path / "cache")}
    for extra in (["--style", "full"], ["--statistics"], ["--style", "full", "--color", "always"]):
        runs = {meshlint_cli("check", *extra, *jobs, cwd=EXAMPLE / "k8s", env=env).stdout
                for jobs in (["--no-cache", "-j1"], ["-j4"], ["-j4"], ["-j1"])}
        assert len(runs) == 1 and next(iter(runs)), extra

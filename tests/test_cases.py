"""Rule cases: tests/cases/<RULE>-<name>/ read like the catalog.

Each case directory holds an input tree (files as a user would write them), `expect.txt` and
`snapshot.txt`. meshlint runs in the case directory (`meshlint check . --no-cache --as-of
DAY ...`, in-process through the CLI), so paths are relative to the case directory.

`expect.txt`:

    # What the case shows (comment lines).
    rule: MESH101            the rule the case is about
    kind: fires              fires (the rule reports) | look-alike (the rule stays quiet)
    as-of: 2026-11-26        optional, the run's date (default 2026-11-26)
    args: --select MESH1     optional, more `meshlint check` arguments
    skip: reason             optional, the case cannot run here (say where it is covered)
    exit: 1                  the CLI's exit code
    findings:                every finding of the run: RULE path:line:column
      MESH101 main.tf:19:3

`snapshot.txt` is the rendered text output. `pytest --update-snapshots` rewrites the
snapshots from what meshlint outputs now (the findings and the exit code in expect.txt are
still compared: they are written by hand, and the snapshot shows them as
`path:line:column: RULE ...`); review the diff before committing it.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from meshlint.cli import cli
from meshlint.knowledge import rules_dir

CASES = Path(__file__).resolve().parent / "cases"
DEFAULT_AS_OF = "2026-11-26"
CASE_FILES = ("expect.txt", "snapshot.txt")
_FINDING = re.compile(r"^(MESH\d{3}) (.+):(\d+):(\d+)$")
_HEADER_KEYS = ("rule", "kind", "as-of", "args", "skip", "exit")


@dataclass
class Expectation:
    rule: str
    kind: str
    as_of: str = DEFAULT_AS_OF
    args: list[str] = field(default_factory=list)
    skip: str | None = None
    exit: int | None = None
    findings: set[tuple[str, str, int, int]] = field(default_factory=set)
    comment: list[str] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)


def read_expectation(case: Path) -> Expectation:
    header: dict[str, str] = {}
    comment: list[str] = []
    findings: set[tuple[str, str, int, int]] = set()
    in_findings = False
    for n, raw in enumerate((case / "expect.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            comment.append(raw)
            continue
        if in_findings:
            m = _FINDING.match(line)
            assert m, f"{case.name}/expect.txt:{n}: not `RULE path:line:column`: {raw!r}"
            findings.add((m[1], m[2], int(m[3]), int(m[4])))
            continue
        key, sep, value = line.partition(":")
        assert sep, f"{case.name}/expect.txt:{n}: not `key: value`: {raw!r}"
        if key == "findings":
            in_findings = True
            continue
        assert key in _HEADER_KEYS, f"{case.name}/expect.txt:{n}: unknown key {key!r}"
        header[key] = value.strip()
    assert "rule" in header and "kind" in header, f"{case.name}/expect.txt: needs rule and kind"
    assert header["kind"] in ("fires", "look-alike"), f"{case.name}: kind is fires or look-alike"
    return Expectation(
        rule=header["rule"], kind=header["kind"], as_of=header.get("as-of", DEFAULT_AS_OF),
        args=shlex.split(header.get("args", "")), skip=header.get("skip"),
        exit=int(header["exit"]) if "exit" in header else None, findings=findings,
        comment=comment, header=header)


def _order(f):
    return f[1], f[2], f[3], f[0]


def all_cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []


def catalog_rules() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "catalog").glob("MESH*.yaml"))


def run_case(case: Path, exp: Expectation, cache_dir: Path):
    """meshlint check in the case directory: (exit code, text output, findings)."""
    # --no-project: each case is a project of its own, not a part of meshlint's repository
    base = ["check", ".", "--no-cache", "--no-project", "--jobs", "1", "--as-of", exp.as_of, *exp.args]
    env = {"MESHLINT_CACHE_DIR": str(cache_dir), "MESHLINT_AS_OF": None, "MESHLINT_NO_CACHE": None,
           "GITHUB_ACTIONS": None}
    runner = CliRunner(env=env)
    with contextlib.chdir(case):
        text = runner.invoke(cli, [*base, "--format", "text"], catch_exceptions=False)
        as_json = runner.invoke(cli, [*base, "--format", "json"], catch_exceptions=False)
    assert text.exit_code == as_json.exit_code, (text.stdout, as_json.stdout)
    found = {(f["rule"], f["path"], f["line"], f["column"]) for f in json.loads(as_json.stdout)["findings"]}
    return text.exit_code, text.stdout, found


CASE_DIRS = all_cases()


@pytest.mark.parametrize("case", CASE_DIRS, ids=[c.name for c in CASE_DIRS])
def test_case(case: Path, request, tmp_path):
    exp = read_expectation(case)
    if exp.skip:
        pytest.skip(exp.skip)
    exit_code, text, found = run_case(case, exp, tmp_path / "cache")
    snapshot = case / "snapshot.txt"
    if request.config.getoption("--update-snapshots"):
        snapshot.write_text(text, encoding="utf-8")
    assert sorted(found, key=_order) == sorted(exp.findings, key=_order)
    assert exit_code == exp.exit
    # the case shows what it says
    of_rule = [f for f in found if f[0] == exp.rule]
    assert bool(of_rule) == (exp.kind == "fires"), f"{case.name} is a {exp.kind} case of {exp.rule}"
    assert text == snapshot.read_text(encoding="utf-8")


def test_every_case_is_named_after_its_rule_and_holds_an_input_tree():
    assert CASE_DIRS, "no case directories"
    for case in CASE_DIRS:
        exp = read_expectation(case)
        assert case.name.startswith(exp.rule + "-"), case.name
        assert exp.rule in catalog_rules(), f"{case.name}: {exp.rule} is not in the catalog"
        inputs = [p for p in case.rglob("*") if p.is_file() and p.relative_to(case).as_posix() not in CASE_FILES]
        assert inputs, f"{case.name} has no input files"
        if not exp.skip:
            assert (case / "snapshot.txt").is_file(), f"{case.name}: run pytest --update-snapshots"


def test_every_catalog_rule_has_a_firing_and_a_look_alike_case():
    """The catalog and the cases cannot drift apart."""
    kinds: dict[str, set[str]] = {}
    for case in CASE_DIRS:
        exp = read_expectation(case)
        kinds.setdefault(exp.rule, set()).add(exp.kind)
    missing = [f"{rule} {kind}" for rule in catalog_rules() for kind in ("fires", "look-alike")
               if kind not in kinds.get(rule, set())]
    assert not missing, f"rules without cases: {missing}"

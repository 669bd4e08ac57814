"""The GitHub Action (action.yml): its structure, and its steps run locally in order.

The harness plays the runner for a composite action: it evaluates `if:` conditions and
`${{ }}` expressions (inputs, step outputs, github.action_path), runs each `run:` step with
`bash --noprofile --norc -eo pipefail` as GitHub does, gives each step a fresh
GITHUB_OUTPUT file, and skips later steps after a failure unless their condition says
`always()`. `uses:` steps are recorded with their resolved `with:`, not run. Nothing is
downloaded: `python -m pip` is recorded (the meshlint under test is this checkout's, run
by the current interpreter), every other `python` call is the real interpreter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from conftest import REPO, SHARED
from readme_text import README, readme_section, yaml_blocks

ACTION = YAML(typ="safe").load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict] = ACTION["runs"]["steps"]
# shared/ sits beside the clone in CI, and beside the main checkout for a worktree
SARIF_SCHEMA = next((d / "shared" / "reference" / "sarif-schema-2.1.0.json" for d in REPO.parents
                     if (d / "shared" / "reference" / "sarif-schema-2.1.0.json").is_file()),
                    SHARED / "reference" / "sarif-schema-2.1.0.json")
EXAMPLE = REPO / "examples" / "shop-platform"

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*')|(?P<op>==|!=|&&|\|\||!|\(|\))"
                   r"|(?P<call>(?:always|success|failure)\(\))|(?P<ref>[A-Za-z_][\w.-]*))")


@dataclass
class Step:
    """What one step did: skipped, a `uses:` with its resolved inputs, or a shell run."""

    name: str
    ran: bool
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""


def evaluate(expr: str, context: dict[str, str], failed: bool) -> str | bool:
    """The subset of GitHub's expression language that action.yml uses."""
    python = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        assert m and m.end() > pos, f"cannot evaluate {expr!r} at {expr[pos:]!r}"
        pos = m.end()
        if m["str"] is not None:
            python.append(repr(m["str"][1:-1]))
        elif m["op"] is not None:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(m["op"], m["op"]))
        elif m["call"] is not None:
            python.append({"always()": "True", "success()": repr(not failed),
                           "failure()": repr(failed)}[m["call"]])
        elif m["ref"].startswith("steps."):  # an output a step did not set is empty
            python.append(repr(context.get(m["ref"], "")))
        else:
            assert m["ref"] in context, f"{m['ref']} is not defined"
            python.append(repr(context[m["ref"]]))
    return eval("".join(python), {"__builtins__": {}})  # noqa: S307 - built from the tokens above


def substitute(text: str, context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda m: str(evaluate(m.group(1), context, failed=False)), text)


def condition_holds(step: dict, context: dict[str, str], failed: bool) -> bool:
    cond = str(step.get("if", "success()"))
    cond = EXPRESSION.sub(lambda m: m.group(1), cond)  # `if:` may or may not use ${{ }}
    if not re.search(r"\b(always|success|failure)\(\)", cond):
        cond = f"success() && ({cond})"
    return bool(evaluate(cond, context, failed))


def fake_bin(tmp: Path, pip_log: Path) -> Path:
    """`python` (recording `-m pip`, else the real interpreter) and `meshlint` on PATH."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(
        "#!/bin/bash\n"
        f'if [ "$1" = -m ] && [ "$2" = pip ]; then printf "%s\\n" "$*" >> "{pip_log}"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n')
    (bin_dir / "meshlint").write_text(f'#!/bin/bash\nexec "{sys.executable}" -m meshlint "$@"\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def run_action(workdir: Path, tmp: Path, **given: str) -> tuple[list[Step], Path]:
    """Run action.yml's steps in workdir with `given` inputs (the rest at their defaults)."""
    declared = ACTION["inputs"]
    assert set(given) <= set(declared), set(given) - set(declared)
    context = {f"inputs.{name}": str(given.get(name, spec.get("default", "")))
               for name, spec in declared.items()}
    context["github.action_path"] = str(REPO)
    pip_log = tmp / "pip.log"
    pip_log.touch()
    env = dict(os.environ, PATH=f"{fake_bin(tmp, pip_log)}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=str(REPO / "src"), GITHUB_ACTION_PATH=str(REPO), GITHUB_ACTIONS="true",
               GITHUB_WORKSPACE=str(workdir), RUNNER_TEMP=str(tmp), GITHUB_ENV=str(tmp / "env"),
               MESHLINT_AS_OF="2026-11-26", MESHLINT_CACHE_DIR=str(tmp / "cache"))
    done: list[Step] = []
    failed = False
    for i, step in enumerate(STEPS):
        name = step.get("name", f"step {i}")
        if not condition_holds(step, context, failed):
            done.append(Step(name, ran=False))
            continue
        if "uses" in step:
            with_ = {k: substitute(str(v), context) for k, v in (step.get("with") or {}).items()}
            done.append(Step(name, ran=True, uses=step["uses"], with_=with_))
            continue
        output = tmp / f"output-{i}"
        output.touch()
        script = tmp / f"step-{i}.sh"
        script.write_text(step["run"])
        step_env = dict(env, GITHUB_OUTPUT=str(output))
        step_env.update({k: substitute(str(v), context) for k, v in (step.get("env") or {}).items()})
        assert step["shell"] == "bash"
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workdir, env=step_env, capture_output=True, text=True, timeout=120)
        done.append(Step(name, ran=True, returncode=proc.returncode, stdout=proc.stdout, stderr=proc.stderr))
        for line in output.read_text().splitlines():
            key, _, value = line.partition("=")
            context[f"steps.{step['id']}.outputs.{key}"] = value
        failed = failed or proc.returncode != 0
    return done, pip_log


def by_name(steps: list[Step]) -> dict[str, Step]:
    return {s.name: s for s in steps}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    work = tmp_path / "workspace"
    shutil.copytree(EXAMPLE, work)
    return work


def test_structure():
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    assert {"paths", "version", "args", "upload-sarif", "fail-on", "python-version"} <= declared
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    # every input referenced in an expression or a condition is declared
    used = set(re.findall(r"\binputs\.([\w-]+)", text))
    assert used and used <= declared, used - declared
    ids: list[str] = []
    for step in STEPS:
        for ref in re.findall(r"\bsteps\.([\w-]+)\.", json.dumps(step)):
            assert ref in ids, f"step {step.get('name')} refers to {ref}, not an earlier step"
        if "run" in step:
            assert step.get("shell"), f"step {step.get('name')} has run: without shell:"
            # inputs reach the script through env:, so a value cannot inject shell code
            assert "${{" not in step["run"], step["name"]
        else:
            assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]
        if "id" in step:
            ids.append(step["id"])
    uses = [s["uses"] for s in STEPS if "uses" in s]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]


def test_steps_run_on_the_example(project, tmp_path):
    steps, pip_log = run_action(project, tmp_path)
    s = by_name(steps)
    assert [st.ran for st in steps] == [True, True, True, True, True]
    assert s["Set up Python"].with_ == {"python-version": "3.12"}
    # the default installs the action's own checkout
    assert pip_log.read_text().split() == ["-m", "pip", "install", "--disable-pip-version-check",
                                           "--quiet", str(REPO)]
    install = s["Install meshlint"]
    assert install.returncode == 0 and install.stdout.startswith("meshlint, version"), install.stderr
    sarif_step = s["meshlint (SARIF)"]
    assert sarif_step.returncode == 0, sarif_step.stderr
    sarif = json.loads((project / "meshlint.sarif").read_text())
    if SARIF_SCHEMA.is_file():  # else tests/test_formats.py skips too
        jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"MESH102", "MESH501"}
    # the findings fail the check step (fail-on warning) ...
    check = s["meshlint"]
    assert check.returncode == 1, check.stderr
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(re.match(r"::(error|warning) file=", a) for a in annotations), annotations
    assert any(a.startswith("::error ") and "MESH102" in a for a in annotations)
    # ... and the SARIF is still uploaded afterwards
    upload = s["Upload SARIF to code scanning"]
    assert upload.uses == "github/codeql-action/upload-sarif@v3"
    assert upload.with_ == {"sarif_file": "meshlint.sarif", "category": "meshlint"}


def test_inputs_reach_meshlint(project, tmp_path):
    steps, _ = run_action(project, tmp_path, **{"fail-on": "never", "paths": "k8s infra",
                                                "args": "--select MESH1", "sarif-file": "m.sarif",
                                                "python-version": ""})
    s = by_name(steps)
    assert not s["Set up Python"].ran  # the runner's own python
    check = s["meshlint"]
    assert check.returncode == 0, check.stderr
    rules = {re.search(r"title=(MESH\d+)", a)[1] for a in check.stdout.splitlines() if a.startswith("::")}
    assert rules and all(r.startswith("MESH1") for r in rules)
    sarif = json.loads((project / "m.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == rules
    assert not (project / "meshlint.sarif").exists()
    assert s["Upload SARIF to code scanning"].with_["sarif_file"] == "m.sarif"


def test_without_upload_no_sarif_run(project, tmp_path):
    steps, _ = run_action(project, tmp_path, **{"upload-sarif": "false"})
    s = by_name(steps)
    assert not s["meshlint (SARIF)"].ran and not s["Upload SARIF to code scanning"].ran
    assert s["meshlint"].returncode == 1
    assert not (project / "meshlint.sarif").exists()


def test_usage_error_fails_and_uploads_nothing(project, tmp_path):
    steps, _ = run_action(project, tmp_path, args="--as-of notadate")
    s = by_name(steps)
    assert s["meshlint (SARIF)"].returncode == 2 and "--as-of" in s["meshlint (SARIF)"].stderr
    assert not s["meshlint"].ran  # skipped after the failure
    assert not s["Upload SARIF to code scanning"].ran  # no file to upload


@pytest.mark.parametrize("version, requirement", [
    ("0.1.0", "meshlint==0.1.0"),
    ("git+https://github.com/meshlint/meshlint@main", "git+https://github.com/meshlint/meshlint@main"),
])
def test_version_input_picks_the_requirement(project, tmp_path, version, requirement):
    _, pip_log = run_action(project, tmp_path, version=version, **{"upload-sarif": "false"})
    assert pip_log.read_text().split()[-1] == requirement


def test_readme_workflow_uses_the_action_as_declared():
    section = readme_section("GitHub Action")
    (block,) = yaml_blocks(section)
    workflow = YAML(typ="safe").load(block)
    assert workflow["permissions"]["security-events"] == "write"
    (job,) = workflow["jobs"].values()
    checkout, action = job["steps"]
    assert checkout["uses"] == "actions/checkout@v4" and checkout["with"]["fetch-depth"] == 0
    # the same repository as the pre-commit snippet, at a tag
    repo = re.search(r"repo: https://github\.com/([\w-]+/[\w-]+)", README)
    assert repo and re.fullmatch(rf"{repo.group(1)}@v\d+\.\d+\.\d+", action["uses"]), action["uses"]
    assert set(action["with"]) <= set(ACTION["inputs"])
    assert "--new-since" in action["with"]["args"]
    # the inputs table documents every input, and only those
    documented = set(re.findall(r"^\| `([\w-]+)` \|", section, re.M))
    assert documented == set(ACTION["inputs"])

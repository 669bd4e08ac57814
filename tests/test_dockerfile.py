"""The container image (Dockerfile): static rules always, a real build and run where a
container builder works (docker with a reachable daemon, or podman); skipped otherwise."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO

EXAMPLES = REPO / "examples"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """Dockerfile instructions with continuation lines joined and comments dropped."""
    out: list[Instruction] = []
    pending = ""
    for line in text.splitlines():
        if not pending and not line.strip():
            continue
        if line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip()))
    assert not pending, "a continuation runs off the end of the Dockerfile"
    return out


DOCKERFILE = instructions((REPO / "Dockerfile").read_text(encoding="utf-8"))


def stages() -> list[list[Instruction]]:
    out: list[list[Instruction]] = []
    for ins in DOCKERFILE:
        if ins.keyword == "FROM":
            out.append([])
        assert out, f"{ins.keyword} before the first FROM"
        out[-1].append(ins)
    return out


def test_bases_are_pinned_slim_python():
    froms = [i.args for i in DOCKERFILE if i.keyword == "FROM"]
    assert len(froms) >= 2, "a multi-stage build: the wheel is built apart from the runtime"
    for args in froms:
        image = args.split()[0]
        assert "latest" not in image and "$" not in image, image
        assert re.fullmatch(r"python:3\.1[1-9](\.\d+)?-slim(-[a-z]+)?", image), image
    assert "latest" not in (REPO / "Dockerfile").read_text(encoding="utf-8")


def test_runtime_stage_runs_meshlint_as_a_user_on_src():
    runtime = stages()[-1]
    users = [i.args for i in runtime if i.keyword == "USER"]
    assert users, "the runtime stage sets a USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users
    assert json.loads(next(i.args for i in runtime if i.keyword == "ENTRYPOINT")) == ["meshlint"]
    assert json.loads(next(i.args for i in runtime if i.keyword == "CMD")) == ["check", "."]
    assert [i.args for i in runtime if i.keyword == "WORKDIR"][-1] == "/src"
    # the runtime gets the built environment, not the sources
    copies = [i.args for i in runtime if i.keyword in ("COPY", "ADD")]
    assert copies and all(c.startswith("--from=") for c in copies), copies


def test_build_stage_copies_what_the_wheel_is_built_from():
    """pyproject's readme, packages and force-included paths are all in the build context."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *wheel["packages"],
              *wheel.get("force-include", {})}
    copied: set[str] = set()
    for ins in stages()[0]:
        if ins.keyword == "COPY" and not ins.args.startswith("--from="):
            copied.update(p.rstrip("/") for p in ins.args.split()[:-1])
    missing = {n for n in needed if not any(n == c or n.startswith(c + "/") for c in copied)}
    assert not missing, f"the build stage does not COPY {missing}"
    ignored = {line.strip().rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert not copied & ignored, copied & ignored
    assert {".git", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/.mypy_cache"} <= ignored


def _builder() -> str | None:
    for tool in ("docker", "podman"):
        if shutil.which(tool) and subprocess.run([tool, "info"], capture_output=True,
                                                 timeout=60).returncode == 0:
            return tool
    return None


@pytest.mark.slow
def test_image_builds_and_checks_a_mounted_repository():
    tool = _builder()
    if tool is None:
        pytest.skip("no container builder (docker daemon or podman) is available")
    tag = f"meshlint-test:{uuid.uuid4().hex[:12]}"
    built = subprocess.run([tool, "build", "-t", tag, str(REPO)], capture_output=True, text=True,
                           timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    try:
        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([tool, "run", "--rm", "-e", "MESHLINT_AS_OF=2026-11-26",
                                   "-v", f"{EXAMPLES / 'shop-platform'}:/src:ro", *args],
                                  capture_output=True, text=True, timeout=300)
        default = run(tag)  # CMD: check .
        assert default.returncode == 1, default.stderr
        assert "MESH102" in default.stdout
        sarif = run(tag, "check", "--format", "sarif", "--select", "MESH1")
        assert json.loads(sarif.stdout)["version"] == "2.1.0"
        uid = run("--entrypoint", "id", tag, "-u")
        assert uid.stdout.strip() not in ("", "0"), uid
    finally:
        subprocess.run([tool, "rmi", "-f", tag], capture_output=True, timeout=120)

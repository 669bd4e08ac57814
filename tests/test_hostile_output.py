"""Hostile names and values against every output format: no workflow command (`::` at a
line start, `##[` anywhere) and no terminal control character reaches stdout."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import REPO, meshlint_cli

BROKEN = b"apiVersion: v1\nkind: [\n"
TF = '''resource "helm_release" "gw" {
  name       = "##[add-mask]x"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "gateway"
  version    = "1.22.3\\n::error::pwned"
  namespace  = "##[add-mask]ns"
}
'''
SRC = {"PYTHONPATH": str(REPO / "src")}  # the tests run from tmp_path: no relative PYTHONPATH
NAMES = ("::error title=x::pwned.yaml", "a##[add-mask]x.yaml", "b\x1b]0;title\x07c.yaml", "d\u009be.yaml")


def _hostile_tree(root: Path) -> Path:
    for name in NAMES:
        (root / name).write_bytes(BROKEN)
    (root / "main.tf").write_text(TF)
    return root


def _assert_inert(out: str, own_commands: bool = False) -> None:
    for line in out.splitlines():
        if not (own_commands and line.startswith(("::error file=", "::warning file=", "::notice file="))):
            assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f for c in out), repr(out)


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github"])
def test_check_output_carries_no_workflow_command(tmp_path: Path, fmt: str) -> None:
    _hostile_tree(tmp_path)
    proc = meshlint_cli("check", ".", "--format", fmt, "--no-cache", "--verbose", cwd=tmp_path, env=SRC)
    assert proc.returncode == 1, proc.stderr
    _assert_inert(proc.stdout, own_commands=fmt == "github")
    if fmt in ("json", "sarif"):
        json.loads(proc.stdout)  # the same data, still valid JSON


def test_json_keeps_the_data_exact(tmp_path: Path) -> None:
    _hostile_tree(tmp_path)
    proc = meshlint_cli("check", ".", "--format", "json", "--no-cache", cwd=tmp_path, env=SRC)
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert {os.path.basename(p) for p in paths} >= set(NAMES)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_versions_output_carries_no_workflow_command(tmp_path: Path, fmt: str) -> None:
    _hostile_tree(tmp_path)
    proc = meshlint_cli("versions", ".", "--format", fmt, cwd=tmp_path, env=SRC)
    assert proc.returncode == 0, proc.stderr
    assert "add-mask" in proc.stdout
    _assert_inert(proc.stdout)


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": os.environ["PATH"], "HOME": str(repo)})


def test_diff_sees_files_the_change_marks_export_ignore(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "ok.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    (repo / ".gitattributes").write_text("hidden.yaml export-ignore\n*.tf export-subst\n")
    (repo / "hidden.yaml").write_bytes(BROKEN)
    (repo / "link.yaml").symlink_to("/etc/passwd")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "two")
    proc = meshlint_cli("diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo, env=SRC)
    introduced = [(f["rule"], os.path.basename(f["path"])) for f in json.loads(proc.stdout)["introduced"]]
    assert introduced == [("MESH001", "hidden.yaml")], proc.stdout + proc.stderr
    assert proc.returncode == 1

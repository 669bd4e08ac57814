"""The real `pre-commit` runs meshlint's hooks from this repository on a temporary repo."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio-injection: enabled\n{extra}"


@pytest.fixture(scope="module")
def pc_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def _try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), MESHLINT_AS_OF="2026-11-26")
    return subprocess.run([PRE_COMMIT, "try-repo", str(REPO), hook, "--all-files"], cwd=repo,
                          capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.skipif(not os.path.exists(PRE_COMMIT), reason="pre-commit is not installed")
def test_hook_fails_then_passes(tmp_path, pc_home):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "ns.yaml").write_text(NS.format(extra="    istio.io/rev: canary\n"))
    (repo / "README.md").write_text("not checked\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "init")
    failed = _try_repo(repo, "meshlint", pc_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "MESH402" in failed.stdout and "Failed" in failed.stdout
    (repo / "ns.yaml").write_text(NS.format(extra=""))
    passed = _try_repo(repo, "meshlint", pc_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


@pytest.mark.skipif(not os.path.exists(PRE_COMMIT), reason="pre-commit is not installed")
def test_diff_hook_reports_only_new_findings(tmp_path, pc_home):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "ns.yaml").write_text(NS.format(extra="    istio.io/rev: canary\n"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "init")
    # the committed problem is known: the diff hook passes while the plain hook fails
    assert _try_repo(repo, "meshlint-diff", pc_home).returncode == 0
    (repo / "ns2.yaml").write_text(NS.format(extra="    istio.io/rev: canary\n").replace("name: a", "name: b"))
    _git(repo, "add", "-A")
    new = _try_repo(repo, "meshlint-diff", pc_home)
    assert new.returncode == 1 and "ns2.yaml" in new.stdout and "ns.yaml:" not in new.stdout.replace("ns2.yaml", "")

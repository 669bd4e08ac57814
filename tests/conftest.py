"""Shared test helpers: write a small repository, run meshlint on it, read findings."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import meshlint
from meshlint.engine import Options, run

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite tests/cases/*/snapshot.txt from meshlint's current text output")


def _shared() -> Path:
    """The project's shared folder: $MESHLINT_SHARED, else ../shared beside the checkout, else
    (in a `git worktree`) ../shared beside the main checkout."""
    if os.environ.get("MESHLINT_SHARED"):
        return Path(os.environ["MESHLINT_SHARED"])
    beside = REPO.parent / "shared"
    if beside.is_dir():
        return beside
    try:
        common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        common = ""
    if common and (Path(common).parent.parent / "shared").is_dir():
        return Path(common).parent.parent / "shared"
    return beside


SHARED = _shared()
CORPUS = SHARED / "corpus"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def check(root: Path, select=None, ignore=None, as_of: str = "2026-11-26"):
    """Run the engine in-process; findings as (rule, relative path, line) plus the run."""
    opts = Options(paths=[str(root)], select=list(select or []), ignore=list(ignore or []),
                   as_of=dt.date.fromisoformat(as_of))
    result = run(opts)
    return result


def hits(result, rule: str | None = None) -> list[tuple[str, str, int]]:
    out = []
    for f in result.report.findings:
        if rule is None or f.rule == rule:
            out.append((f.rule, os.path.basename(f.location.path), f.location.line))
    return out


def only(result, rule: str):
    """The single finding of a rule (fails when there are none or several)."""
    found = [f for f in result.report.findings if f.rule == rule]
    assert len(found) == 1, found
    return found[0]


_CACHE = None


def meshlint_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (with its caches in a private directory)."""
    global _CACHE
    if _CACHE is None:
        import tempfile
        _CACHE = tempfile.mkdtemp(prefix="meshlint-test-cache-")
    full_env = dict(os.environ)
    # the subprocess runs the meshlint these tests import (a relative PYTHONPATH=src would
    # otherwise resolve against `cwd`, or fall back to another installed copy)
    src = str(Path(meshlint.__file__).resolve().parent.parent)
    full_env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [full_env.get("PYTHONPATH")])])
    full_env.setdefault("MESHLINT_AS_OF", "2026-11-26")
    full_env.setdefault("MESHLINT_CACHE_DIR", _CACHE)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "meshlint", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def repo(tmp_path: Path):
    """A function that writes files under a fresh directory and returns it."""
    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path, files)
    return make


# Kiali as Istio's samples/addons deploy it: one Deployment, the image tag decides the version
KIALI = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: kiali
  namespace: istio-system
spec:
  template:
    spec:
      containers:
        - name: kiali
          image: quay.io/kiali/kiali:{tag}
'''

def helm_release_tf(name: str, chart: str, version: str, namespace: str = "istio-system") -> str:
    """A helm_release of one of Istio's charts, from Istio's chart repository."""
    return f'''
resource "helm_release" "{name}" {{
  name       = "{name}"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "{chart}"
  version    = "{version}"
  namespace  = "{namespace}"
}}
'''


ISTIOD_TF = helm_release_tf("istiod", "istiod", "1.22.3")


# runs meshlint (`python -c RUN_WITH_PEAK check ...`) and reports its peak memory on stderr
# (VmHWM: ru_maxrss would count the forking pytest process, as it survives exec; meshlint
# itself leaves by os._exit)
RUN_WITH_PEAK = """
import os, sys
from meshlint.cli import _main
sys.argv = ["meshlint", *sys.argv[1:]]
code = _main()
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
sys.stdout.flush()
sys.stderr.write(f"\\nPEAK_KB {peak}\\n")
sys.stderr.flush()
os._exit(code)
"""


def peak_mb(stderr: str) -> float:
    """The peak memory RUN_WITH_PEAK reported, in MB."""
    return int(stderr.rsplit("PEAK_KB ", 1)[1].split()[0]) / 1024

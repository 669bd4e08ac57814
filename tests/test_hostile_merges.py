"""Merge keys multiply memory (issue 15, 3): documents that merge one 2,000-key anchor into
900 items copy 1.8 million entries. Each file has one budget of entries merge keys may copy;
past it the file is a MESH001, and the run stays small whatever the number of processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

_RUN = """
import os, resource, sys
from meshlint.cli import _main
sys.argv = ["meshlint", *sys.argv[1:]]
code = _main()
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB, the largest forked worker
sys.stdout.flush()
sys.stderr.write(f"\\nPEAK_KB {max(own, workers)}\\n")
sys.stderr.flush()
os._exit(code)
"""


def _merging_deployment(name: str, items: int, keys: int = 2000) -> str:
    lines = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {name}",
             "  namespace: default", "base: &a", *(f"  k{i:04d}: v" for i in range(keys)), "items:"]
    for j in range(items):
        lines += ["  - <<: *a", f"    own{j}: {'y' * 5000}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("jobs", ["1", "2", "4"])
def test_three_files_of_merges_stay_small_and_are_reported(tmp_path: Path, jobs: str) -> None:
    for f in range(3):
        (tmp_path / f"m{f}.yaml").write_text(_merging_deployment(f"m{f}", 900))
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n'
                                      'resource "aws_nat_gateway" "this" {\n  count = 3\n'
                                      '  allocation_id = "eipalloc-1"\n  subnet_id = "subnet-1"\n}\n')
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-c", _RUN, "check", str(tmp_path), "--no-cache", "-j", jobs,
                           "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    findings = json.loads(proc.stdout)["findings"]
    merged = sorted(Path(f["path"]).name for f in findings if f["rule"] == "MESH001" and "merge keys" in f["message"])
    assert merged == ["m0.yaml", "m1.yaml", "m2.yaml"]
    assert any(f["rule"] == "MESH501" for f in findings)  # the rest of the repository is checked
    peak_mb = int(proc.stderr.rsplit("PEAK_KB ", 1)[1].split()[0]) / 1024
    assert peak_mb < 500, peak_mb


def test_merge_keys_within_the_budget_are_read() -> None:
    """A look-alike: a few hundred merges (a CI file's anchors) are read, entries and all."""
    from meshlint.parse.yamlfront import parse_yaml_bytes

    parsed = parse_yaml_bytes(_merging_deployment("small", 50, keys=20).encode(), "small.yaml")
    assert parsed.error is None
    items = parsed.documents[0].value["items"]
    assert len(items) == 50 and items[49]["k0019"] == "v"

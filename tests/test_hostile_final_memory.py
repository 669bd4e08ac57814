"""A long heredoc is not handed to tree-sitter (issue 15 #16): it cost ~170x its size, and six
4.5 MB heredocs took 4.7 GB. Generated here; memory measured on a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from meshlint.parse.hclfront import parse_hcl_bytes

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _heredoc_file(megabytes: float) -> str:
    line = "x" * 70 + "\n"
    body = line * int(megabytes * 1024 * 1024 / len(line))
    return f'locals {{\n  big = <<EOT\n{body}EOT\n  after = "y"\n}}\n'


def test_six_heredocs_of_four_and_a_half_megabytes_stay_under_500_mb(tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"m{i}.tf").write_text(_heredoc_file(4.5))
    # a fresh parent runs meshlint, so its children's peak is this run's alone
    probe = ("import resource, subprocess, sys\n"
             "rc = subprocess.run([sys.executable, '-m', 'meshlint', 'check', sys.argv[1], '--no-cache'],"
             " capture_output=True).returncode\n"
             "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True,
                          timeout=180, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    rc, peak_kb = (int(x) for x in done.stdout.split())
    assert rc in (0, 1), done.stderr
    assert peak_kb / 1024 < 500

def test_a_capped_heredoc_keeps_every_line_number() -> None:
    text = _heredoc_file(1)
    hcl = parse_hcl_bytes(text.encode(), "m.tf")
    assert hcl.error is None and hcl.capped
    after = hcl.body.blocks[0].body.attrs["after"]
    assert after.line == text.splitlines().index('  after = "y"') + 1
    assert len(hcl.src) < 300_000

"""A long one-line HCL string is not handed to tree-sitter (issue 15 #16): a 12 MB quoted
string took 2.2 GB and 6 s, as heredocs did before them. Past the front-end's cap the string is
Unknown with a note saying where, and the rest of the file still evaluates. Every input is
generated here; the whole-run memory is measured on a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, RUN_WITH_PEAK, peak_mb, write_tree

from meshlint.parse.hclcap import MAX_LITERAL_BYTES, cap_literals
from meshlint.parse import hclfront
from meshlint.parse.hclfront import parse_hcl_bytes

LONG = MAX_LITERAL_BYTES + 1000

NAT = """provider "aws" {
  region = "us-east-1"
}

resource "aws_nat_gateway" "this" {
  count         = 3
  allocation_id = "eipalloc-1"
  subnet_id     = "subnet-1"
}
"""

# one-line strings of the three shapes that each cost tree-sitter its own way
SHAPES = {
    "plain": lambda n: "a" * n,
    "template": lambda n: "ab${local.nat}" * (n // 14),
    "escapes": lambda n: "\\n" * (n // 2),
}


def _namespace(name: str, expr: str) -> str:
    """A resource the model builder evaluates, so a run reaches the expression."""
    return f'resource "kubernetes_namespace_v1" "{name}" {{\n  metadata {{\n    name = {expr}\n  }}\n}}\n'


def test_only_outermost_long_literals_lose_their_text(monkeypatch) -> None:
    # its two long comments are kept as written (comments are not capped), over the HCL size cap
    # (tests/test_hostile_hcl_budget.py): the cap is lifted so that this file still parses
    monkeypatch.setattr(hclfront, "MAX_HCL_BYTES", 4 * MAX_LITERAL_BYTES)
    long_plain = "p" * LONG
    long_template = '${upper("x")}' + "q\\\"" * (LONG // 3) + '${"inner"}'
    long_multi = "x${\n  1\n}" + long_plain  # a line break inside a template part
    long_heredoc = "h\n" * (LONG // 2)
    comment = '"' + "c" * LONG + '"'
    text = (f'locals {{\n'
            f'  short = "a # b ${{"c"}} \\" d"\n'
            f'  # {comment}\n'
            f'  /* {comment} */\n'
            f'  doc = <<EOT\nsays "hi\nEOT\n'
            f'  plain = "{long_plain}"\n'
            f'  tpl = "{long_template}"\n'
            f'  multi = "{long_multi}"\n'
            f'  hd = <<-EOT\n{long_heredoc}  EOT\n'
            f'  after = "y"\n'
            f'}}\n')
    data, capped = cap_literals(text.encode())
    assert [length for _, _, length in capped] == [
        len(long_plain), len(long_template.encode()), len(long_multi), len(long_heredoc)]
    # the comments are kept (cheap for the parser), and the heredoc's line breaks
    assert len(data) < 2 * len(comment) + long_heredoc.count("\n") + 1000

    hcl = parse_hcl_bytes(text.encode(), "m.tf")
    assert hcl.error is None
    attrs = hcl.body.blocks[0].body.attrs
    lines = text.splitlines()
    for name in ("short", "doc", "plain", "tpl", "multi", "hd", "after"):
        assert attrs[name].line == next(i for i, ln in enumerate(lines, 1) if ln.lstrip().startswith(name + " ="))
    assert attrs["after"].end_line == len(lines) - 1


def test_a_short_file_is_left_as_written() -> None:
    text = b'a = "' + b"x" * 1000 + b'"\n'
    assert cap_literals(text) == (text, ())


def test_long_strings_are_unknown_with_a_note_and_the_rest_evaluates(tmp_path: Path) -> None:
    from meshlint.discover import discover
    from meshlint.engine import Options, parse_all, terraform_project
    from meshlint.values import Unknown

    locals_ = "".join(f'  {name} = "{make(LONG)}"\n' for name, make in SHAPES.items())
    write_tree(tmp_path, {"main.tf": f'locals {{\n  nat = "n"\n{locals_}  ok = "${{local.nat}}-ok"\n}}\n'})
    disc = discover([str(tmp_path)])
    project = terraform_project(disc, parse_all(disc, Options()))
    ctx = project.root_context(str(tmp_path.resolve()))
    for line, name in enumerate(SHAPES, 3):
        value = ctx.local(name)
        assert isinstance(value, Unknown) and "string literal of more than 256 KB" in value.reason
        assert any(n.startswith(f"main.tf:{line}:") or f"/main.tf:{line}:" in n for n in project.notes), project.notes
    assert ctx.local("ok") == "n-ok"




@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_twelve_megabyte_one_line_string_ends_quickly_within_memory(tmp_path: Path, shape: str) -> None:
    # only the user's own configuration may raise max-file-bytes (to at most 64 MB)
    (tmp_path / "xdg" / "meshlint").mkdir(parents=True)
    (tmp_path / "xdg" / "meshlint" / "config.yaml").write_text(f"max-file-bytes: {32 * 1024 * 1024}\n")
    root = tmp_path / "repo"
    big = SHAPES[shape](12 * 1024 * 1024)
    write_tree(root, {"main.tf": f'locals {{\n  big = "{big}"\n  nat = 1\n}}\n' + NAT
                      + _namespace("ns", "local.big")})
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", RUN_WITH_PEAK, "check", str(root), "--no-cache", "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=120)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert elapsed < 20, f"took {elapsed:.1f} s"
    peak = peak_mb(proc.stderr)
    assert peak < 500, f"peak {peak:.0f} MB"
    report = json.loads(proc.stdout)
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("MESH501", 10)]
    assert [n.rsplit("/", 1)[-1] for n in report["notes"]] == [
        "main.tf:2: Terraform value not evaluated: a string literal of more than 2 MB"]

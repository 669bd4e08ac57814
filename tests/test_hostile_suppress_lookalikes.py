"""Only real comments suppress (issue 15, "Smaller"): `meshlint: ignore` text in an HCL block
label, an object key, a string, a template or a heredoc, or in a YAML key, tag or value, is
text. The comment forms themselves (HCL `#`, `//`, `/* */`; YAML `#`) still suppress."""

import pytest
from conftest import check, hits, write_tree

from meshlint.parse.hclfront import parse_hcl_bytes
from meshlint.suppress import build_index

NAT = """provider "aws" {{
  region = "us-east-1"
}}

resource "aws_nat_gateway" {label} {{{trailing}
  count         = 3
  allocation_id = "eipalloc-1"
  subnet_id     = "subnet-1"
}}
"""


class _Entry:
    path = "main.tf"
    abspath = "/nonexistent/main.tf"


class _Parsed:
    entry = _Entry()
    has_suppressions = True
    yaml = None

    def __init__(self, data: bytes):
        self.hcl = parse_hcl_bytes(data, "main.tf")
        assert self.hcl.error is None, self.hcl.error


def _found(data: bytes) -> list[tuple[int, int, str, list[str], str]]:
    return [(s.line, s.column, s.kind, s.codes, s.reason) for s in build_index([_Parsed(data)]).all()]


@pytest.mark.parametrize("text", [
    b'resource "aws_nat_gateway" "x # meshlint: ignore[MESH501]" {\n}\n',
    b'module "x // meshlint: ignore-file[MESH501]" {\n}\n',
    b'resource "t" "x /* meshlint: ignore[MESH501] */" {}\n',
    b'locals {\n  a = { "k # meshlint: ignore[MESH501]" = 1 }\n}\n',
    b'locals {\n  a = "${var.x} # meshlint: ignore[MESH501]"\n}\n',
    b'locals {\n  a = <<-EOT\n    # meshlint: ignore-file[MESH501]\n  EOT\n}\n',
    b'locals {\n  a = [for s in ["# meshlint: ignore[MESH501]"] : s]\n}\n',
])
def test_hcl_lookalikes_are_not_suppressions(text):
    assert _found(text) == []


def test_hcl_block_only_file_label_is_not_a_suppression_end_to_end(tmp_path):
    """A file of blocks without attributes: its label text was taken for a comment, and
    reported as an unused suppression."""
    write_tree(tmp_path, {
        "main.tf": NAT.format(label='"this"', trailing=""),
        "labels.tf": 'resource "null_resource" "x # meshlint: ignore[MESH501]" {}\n'
                     'module "y // meshlint: ignore-file" {}\n'})
    result = check(tmp_path)
    assert hits(result) == [("MESH501", "main.tf", 6)]
    assert result.report.suppressed == 0


def test_hcl_label_with_suppression_text_leaves_its_block_reported(tmp_path):
    write_tree(tmp_path, {"main.tf": NAT.format(label='"this # meshlint: ignore[MESH501]"', trailing="")})
    result = check(tmp_path)
    assert hits(result) == [("MESH501", "main.tf", 6)]
    assert result.report.suppressed == 0


@pytest.mark.parametrize("trailing", [
    " # meshlint: ignore[MESH501] one is enough here",
    " // meshlint: ignore[MESH501] one is enough here",
    " /* meshlint: ignore[MESH501] one is enough here */",
])
def test_hcl_comment_forms_still_suppress(tmp_path, trailing):
    write_tree(tmp_path, {"main.tf": NAT.format(label='"this"', trailing=trailing)})
    result = check(tmp_path)
    assert hits(result) == []
    assert result.report.suppressed == 1


def test_hcl_block_comment_reason_and_position():
    data = (b'/* meshlint: ignore-file[MESH501] legacy */\n'
            b'resource "t" "x" {\n'
            b'  /*\n   # meshlint: ignore[MESH7] inside a block comment\n  */\n'
            b'  a = 1\n'
            b'}\n')
    assert _found(data) == [(1, 1, "file", ["MESH501"], "legacy"),
                            (4, 4, "line", ["MESH7"], "inside a block comment")]


NS = """apiVersion: v1
kind: Namespace
metadata:
  name: a
  annotations:
    {note}
  labels:
    istio-injection: enabled
    istio.io/rev: canary
"""


@pytest.mark.parametrize("note", [
    '"k # meshlint: ignore-file[MESH402]": v',
    "'k # meshlint: ignore-file[MESH402]': v",
    '? "k # meshlint: ignore-file[MESH402]"\n    : v',
    'k: {"a # meshlint: ignore-file[MESH402]": 1}',
    'k: "v # meshlint: ignore-file[MESH402]"',
    'k: |\n      line\n      # meshlint: ignore-file[MESH402]',
    'k: !x#meshlint:ignore-file[MESH402] v',  # a tag libyaml rejects and ruamel reads
])
def test_yaml_lookalikes_are_not_suppressions(tmp_path, note):
    write_tree(tmp_path, {"ns.yaml": NS.format(note=note)})
    result = check(tmp_path)
    assert hits(result) == [("MESH402", "ns.yaml", 9 + note.count("\n"))]
    assert result.report.suppressed == 0


def test_yaml_comment_still_suppresses(tmp_path):
    write_tree(tmp_path, {"ns.yaml": NS.format(note="k: v # meshlint: ignore-file[MESH402] fine")})
    result = check(tmp_path)
    assert hits(result) == []
    assert result.report.suppressed == 1

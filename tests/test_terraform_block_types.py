"""A block type Terraform does not know (`b0 { ... }`, 1,000 blocks deep) is not read, and
the report says so (issue 15, 10: never silence); every block type Terraform knows is read
without a note."""

from __future__ import annotations

from conftest import write_tree
from meshlint.engine import Options, run

NAT = '''provider "aws" {
  region = "us-east-1"
}
resource "aws_nat_gateway" "this" {
  count         = 3
  allocation_id = "eipalloc-1"
  subnet_id     = "subnet-1"
}
'''


def test_an_unknown_block_type_is_a_note_and_the_rest_is_read(tmp_path):
    nested = "".join(f"b{i} {{\n" for i in range(1000)) + "}\n" * 1000
    write_tree(tmp_path, {"infra/main.tf": NAT, "infra/nested.tf": nested})
    report = run(Options(paths=[str(tmp_path)])).report
    assert "MESH501" in {f.rule for f in report.findings}
    notes = [n for n in report.notes if "block type" in n]
    assert len(notes) == 1 and notes[0].endswith(
        "infra/nested.tf:1: Terraform value not evaluated: `b0` is not a Terraform block type "
        "(Terraform rejects the file, unless the type is newer than meshlint)")


def test_every_block_type_terraform_knows_is_read_without_a_note(tmp_path):
    known = '''terraform {
  required_version = ">= 1.5"
}
moved {
  from = aws_nat_gateway.old
  to   = aws_nat_gateway.this
}
import {
  to = aws_nat_gateway.this[0]
  id = "nat-1"
}
removed {
  from = aws_nat_gateway.gone
}
check "health" {
  assert {
    condition     = true
    error_message = "x"
  }
}
ephemeral "random_password" "p" {
  length = 8
}
action "aws_lambda_invoke" "a" {
  config {
    function_name = "f"
  }
}
'''
    write_tree(tmp_path, {"infra/main.tf": NAT, "infra/known.tf": known})
    report = run(Options(paths=[str(tmp_path)])).report
    assert "MESH501" in {f.rule for f in report.findings}
    assert not [n for n in report.notes if "block type" in n]

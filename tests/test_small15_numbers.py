"""HCL number literals with exponents read as Terraform reads them (issue 15, "Smaller":
tree-sitter-hcl misreads `1e3`)."""

from pathlib import Path

from conftest import write_tree
from meshlint.discover import discover
from meshlint.engine import Options, parse_all, terraform_project
from meshlint.parse.hclfront import parse_hcl_bytes


def _locals(root: Path):
    disc = discover([str(root)])
    project = terraform_project(disc, parse_all(disc, Options()))
    return project.root_context(str(root.resolve()))


def test_exponent_numbers_evaluate_like_terraform(tmp_path):
    write_tree(tmp_path, {"main.tf": '''
        locals {
          a = 1e3
          b = 1.5e-2
          c = 1E+2
          d = 0.5
          e = 2.0e1
          s = "v1e3 ${local.a}"
        }
    '''})
    ctx = _locals(tmp_path)
    assert ctx.local("a") == 1000 and isinstance(ctx.local("a"), int)
    assert ctx.local("b") == 0.015
    assert ctx.local("c") == 100 and isinstance(ctx.local("c"), int)
    assert ctx.local("d") == 0.5
    assert ctx.local("e") == 20 and isinstance(ctx.local("e"), int)
    assert ctx.local("s") == "v1e3 1000"


def test_exponent_numbers_are_no_syntax_error():
    f = parse_hcl_bytes(b'x = 1e3\ny = 7E+2\nz = "1e3"\n', "main.tf")
    assert f.error is None
    assert set(f.body.attrs) == {"x", "y", "z"}
    assert f.text(f.body.attrs["z"].expr) == '"1e3"'

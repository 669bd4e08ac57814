"""The Terraform evaluator: values where Terraform would know them, Unknown elsewhere."""

from pathlib import Path

import pytest

from conftest import write_tree
from meshlint.engine import Options, parse_all, terraform_project
from meshlint.discover import discover
from meshlint.terraform import EncodedDocument, Unknown, contains_unknown


def _ctx(root: Path, module: str = "."):
    disc = discover([str(root)])
    project = terraform_project(disc, parse_all(disc, Options()))
    return project.root_context(str((root / module).resolve()))


def _local(root, name, module="."):
    return _ctx(root, module).local(name)


def test_literals_templates_and_operators(tmp_path):
    write_tree(tmp_path, {"main.tf": '''
        locals {
          s     = "a-${local.n + 1}"
          n     = 41
          b     = !false && (1 < 2)
          cond  = local.b ? "yes" : "no"
          esc   = "q\\"x\\" $${literal}"
          list  = concat([1, 2], [3])
          obj   = merge({ a = 1 }, { b = 2 })
          len   = length(local.list)
          h     = <<-EOT
            line one
              line two
            EOT
          f     = format("%s-%d", "x", 3)
          cidr  = cidrsubnet("10.0.0.0/16", 8, 2)
          look  = lookup({ a = "b" }, "a", "z")
          tried = try(local.obj.missing, "fallback")
        }
    '''})
    ctx = _ctx(tmp_path)
    assert ctx.local("s") == "a-42"
    assert ctx.local("cond") == "yes"
    assert ctx.local("esc") == 'q"x" ${literal}'
    assert ctx.local("list") == [1, 2, 3]
    assert ctx.local("obj") == {"a": 1, "b": 2}
    assert ctx.local("len") == 3
    assert ctx.local("h") == "line one\n  line two\n"
    assert ctx.local("f") == "x-3"
    assert ctx.local("cidr") == "10.0.2.0/24"
    assert ctx.local("look") == "b"
    assert ctx.local("tried") == "fallback"


def test_unknowns_are_explicit_and_propagate(tmp_path):
    write_tree(tmp_path, {"main.tf": '''
        data "aws_availability_zones" "available" {}
        locals {
          azs     = slice(data.aws_availability_zones.available.names, 0, 3)
          subnets = [for k, v in local.azs : cidrsubnet("10.0.0.0/16", 4, k)]
          names   = [for v in local.azs : "${v}-x"]
          unknown = data.aws_availability_zones.available.names
          count   = length(local.unknown)
          pick    = local.unknown[0] == "a" ? 1 : 2
          same    = local.unknown[0] == "a" ? 1 : 1
          fn      = timestamp()
          cyc1    = local.cyc2
          cyc2    = local.cyc1
        }
    '''})
    ctx = _ctx(tmp_path)
    azs = ctx.local("azs")
    assert len(azs) == 3 and all(isinstance(a, Unknown) for a in azs)
    assert ctx.local("subnets") == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    assert len(ctx.local("names")) == 3 and contains_unknown(ctx.local("names"))
    assert isinstance(ctx.local("count"), Unknown)
    assert isinstance(ctx.local("pick"), Unknown)
    assert ctx.local("same") == 1
    assert isinstance(ctx.local("fn"), Unknown)
    assert isinstance(ctx.local("cyc1"), Unknown)


def test_variables_defaults_tfvars_and_auto_tfvars(tmp_path):
    write_tree(tmp_path, {
        "variables.tf": '''
            variable "a" { default = "from-default" }
            variable "b" { default = "from-default" }
            variable "c" { default = "from-default" }
            variable "d" {}
        ''',
        "main.tf": 'locals {\n  all = [var.a, var.b, var.c]\n  d = var.d\n}\n',
        "terraform.tfvars": 'b = "from-tfvars"\nc = "from-tfvars"\n',
        "z.auto.tfvars": 'c = "from-auto"\n',
        "other.tfvars": 'a = "never-loaded"\n',
    })
    ctx = _ctx(tmp_path)
    assert ctx.local("all") == ["from-default", "from-tfvars", "from-auto"]
    assert isinstance(ctx.local("d"), Unknown)


def test_local_module_inputs_and_outputs(tmp_path):
    write_tree(tmp_path, {
        "root/main.tf": '''
            locals { version = "1.20.2" }
            module "mesh" {
              source  = "../modules/mesh"
              version_in = local.version
            }
            locals { out = module.mesh.chart_version }
        ''',
        "modules/mesh/main.tf": '''
            variable "version_in" { default = "0.0.0" }
            output "chart_version" { value = "v${var.version_in}" }
        ''',
    })
    ctx = _ctx(tmp_path, "root")
    assert ctx.local("out") == "v1.20.2"
    child = ctx.child("mesh")
    assert child.variable("version_in") == "1.20.2"


def test_encode_decode_and_file_inside_tree_only(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    write_tree(tmp_path, {"repo/main.tf": '''
        locals {
          doc    = yamlencode({ labels = { istio = "ingressgateway" } })
          back   = yamldecode(local.doc)
          inside = file("${path.module}/values.yaml")
          parsed = yamldecode(file("${path.module}/values.yaml"))
          escape = file("${path.module}/../outside.txt")
          etc    = file("/etc/hostname")
        }
    ''', "repo/values.yaml": "revision: canary\n"})
    disc = discover([str(tmp_path / "repo")])
    project = terraform_project(disc, parse_all(disc, Options()))
    ctx = project.root_context(str((tmp_path / "repo").resolve()))
    doc = ctx.local("doc")
    assert isinstance(doc, EncodedDocument) and doc.data == {"labels": {"istio": "ingressgateway"}}
    assert ctx.local("back") == {"labels": {"istio": "ingressgateway"}}
    assert ctx.local("inside") == "revision: canary\n"
    assert ctx.local("parsed") == {"revision": "canary"}
    assert isinstance(ctx.local("escape"), Unknown)
    assert isinstance(ctx.local("etc"), Unknown)


def test_resource_arguments_are_readable(tmp_path):
    write_tree(tmp_path, {"main.tf": '''
        resource "kubernetes_namespace_v1" "istio_system" {
          metadata { name = "istio-system" }
        }
        locals {
          ns  = kubernetes_namespace_v1.istio_system.metadata[0].name
          uid = kubernetes_namespace_v1.istio_system.metadata[0].uid
          id  = kubernetes_namespace_v1.istio_system.id
        }
    '''})
    ctx = _ctx(tmp_path)
    assert ctx.local("ns") == "istio-system"
    assert isinstance(ctx.local("uid"), Unknown)
    assert isinstance(ctx.local("id"), Unknown)


@pytest.mark.parametrize("expr", ["1 / 0", '"a" + 1', "[1][5]", "{a = 1}.b", "tonumber(\"x\")",
                                  "local.nope", "var.nope", "undefined_fn(1)"])
def test_bad_expressions_never_raise(tmp_path, expr):
    write_tree(tmp_path, {"main.tf": f"locals {{\n  x = {expr}\n}}\n"})
    assert isinstance(_local(tmp_path, "x"), Unknown)

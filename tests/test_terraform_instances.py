"""Every call of a local module is its own instance (issue 11 #2): two calls of one directory,
`count` and `for_each` (enable flags included) each evaluate with their own inputs."""

from __future__ import annotations

from conftest import write_tree
from meshlint.discover import discover
from meshlint.engine import Options, parse_all, terraform_project
from meshlint.terraform import ModuleContext

ADDON = '''
variable "chart" {}
variable "chart_version" { default = "1.0.0" }
output "release" { value = "${var.chart}@${var.chart_version}" }
'''


def _root(tmp_path, main_tf: str) -> ModuleContext:
    write_tree(tmp_path, {"main.tf": main_tf, "modules/addon/main.tf": ADDON})
    disc = discover([str(tmp_path)])
    return terraform_project(disc, parse_all(disc, Options())).root_context(str(tmp_path.resolve()))


def _releases(ctx: ModuleContext, name: str) -> list[tuple[str, object]] | None:
    found = ctx.instances(name)
    if found is None:
        return None
    return [(i.address, i.eval_attr(i.module.outputs["release"].body.attrs["value"])) for i in found]


def test_two_calls_of_one_directory_keep_their_own_inputs(tmp_path):
    ctx = _root(tmp_path, '''
        module "base" {
          source = "./modules/addon"
          chart  = "base"
        }
        module "istiod" {
          source        = "./modules/addon"
          chart         = "istiod"
          chart_version = "1.20.0"
        }
    ''')
    assert _releases(ctx, "base") == [("module.base.", "base@1.0.0")]
    assert _releases(ctx, "istiod") == [("module.istiod.", "istiod@1.20.0")]
    assert ctx.instances("base")[0] is ctx.child("base")  # one instance per plain call


def test_for_each_and_count_give_one_instance_each(tmp_path):
    ctx = _root(tmp_path, '''
        variable "enable_kiali" { default = false }
        variable "enable_istio" { default = true }
        module "addons" {
          source   = "./modules/addon"
          for_each = { base = "1.19.0", istiod = "1.20.0" }
          chart         = each.key
          chart_version = each.value
        }
        module "kiali" {
          source = "./modules/addon"
          count  = var.enable_kiali ? 1 : 0
          chart  = "kiali"
        }
        module "gateway" {
          source = "./modules/addon"
          count  = var.enable_istio ? 2 : 0
          chart  = "gateway-${count.index}"
        }
        module "unknown" {
          source = "./modules/addon"
          count  = length(data.aws_availability_zones.x.names)
          chart  = "x"
        }
    ''')
    assert _releases(ctx, "addons") == [('module.addons["base"].', "base@1.19.0"),
                                        ('module.addons["istiod"].', "istiod@1.20.0")]
    assert _releases(ctx, "kiali") == []  # enable flag off: no instance
    assert _releases(ctx, "gateway") == [("module.gateway[0].", "gateway-0@1.0.0"),
                                         ("module.gateway[1].", "gateway-1@1.0.0")]
    assert _releases(ctx, "unknown") is None  # how many is not known before apply
    assert ctx.child("addons") is None  # child() stays the plain-call view


def test_instances_of_a_self_calling_module_stop_at_the_cycle(tmp_path):
    write_tree(tmp_path, {"main.tf": '''
        module "me" {
          source   = "./"
          for_each = toset(["a", "b"])
        }
    '''})
    disc = discover([str(tmp_path)])
    project = terraform_project(disc, parse_all(disc, Options()))
    assert project.root_context(str(tmp_path.resolve())).instances("me") is None
    assert any("calls one of its own callers" in n for n in project.notes)

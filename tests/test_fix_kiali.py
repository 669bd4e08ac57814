"""MESH203's fix: Kiali's component_status names istiod and the gateways (app label and
namespace) where Kiali's values are written. Each source shape is fixed, the result parses,
a re-check no longer reports MESH203 and a second fix changes nothing; look-alikes where
no component_status fix is right get none, and say why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_tree

from meshlint.cli import cli

AS_OF = "2026-11-27"

ISTIO = '''resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.27.1"
  namespace  = "istio-system"
}

resource "helm_release" "gw" {
  name       = "istio-ingress"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "gateway"
  version    = "1.27.1"
  namespace  = "istio-ingress"
}
'''


def kiali_release(extra: str, chart: str = "kiali-server", version: str = "1.76.0") -> str:
    return ISTIO + f'''
resource "helm_release" "kiali" {{
  name       = "kiali"
  repository = "https://kiali.org/helm-charts"
  chart      = "{chart}"
  version    = "{version}"
  namespace  = "istio-system"
{extra}}}
'''


def meshlint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rules(root: Path) -> list[str]:
    _, out, _ = meshlint("check", str(root), "--format", "json", "--as-of", AS_OF, "--no-cache")
    return [f["rule"] for f in json.loads(out)["findings"]]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


COMPONENTS_YAML = '''component_status:
{i}  components:
{i}    - app_label: istiod
{i}      is_core: true
{i}      namespace: istio-system
{i}    - app_label: istio-ingress
{i}      is_core: true
{i}      is_proxy: true
{i}      namespace: istio-ingress
'''

ADDONS_TF = '''module "eks_blueprints_addons" {
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.0"

  helm_releases = {
    istiod = {
      chart         = "istiod"
      chart_version = "1.27.1"
      repository    = "https://istio-release.storage.googleapis.com/charts"
      name          = "istiod"
      namespace     = "istio-system"
    }
    istio-ingress = {
      chart         = "gateway"
      chart_version = "1.27.1"
      repository    = "https://istio-release.storage.googleapis.com/charts"
      name          = "istio-ingress"
      namespace     = "istio-ingress"
    }
    kiali = {
      chart         = "kiali-server"
      chart_version = "1.76.0"
      repository    = "https://kiali.org/helm-charts"
      name          = "kiali"
      namespace     = "istio-system"
      values = [
        yamlencode({
          auth = { strategy = "anonymous" }
        })
      ]
    }
  }
}
'''


def at(template: str, indent: str) -> str:
    """`template` with each continuation line indented by `indent`."""
    return template.replace("{i}", indent)


COMPONENTS_FLOW = ("{component_status: {components: [{app_label: istiod, is_core: true, namespace: istio-system}, "
                   "{app_label: istio-ingress, is_core: true, is_proxy: true, namespace: istio-ingress}]}}")
COMPONENTS_HCL = '''component_status = {
{i}  components = [
{i}    { app_label = "istiod", is_core = true, namespace = "istio-system" },
{i}    { app_label = "istio-ingress", is_core = true, is_proxy = true, namespace = "istio-ingress" },
{i}  ]
{i}}
'''

SHAPES = {
    # a values file in block style, with external_services already there: istio goes in it
    "values-file-block": (
        {"main.tf": kiali_release('  values     = [file("${path.module}/kiali-values.yaml")]\n'),
         "kiali-values.yaml": "# Kiali\nexternal_services:\n  prometheus:\n    url: http://prom:9090\n"},
        "kiali-values.yaml",
        "# Kiali\nexternal_services:\n  istio:\n    " + at(COMPONENTS_YAML, "    ")
        + "  prometheus:\n    url: http://prom:9090\n"),
    # a values file in flow style
    "values-file-flow": (
        {"main.tf": kiali_release('  values     = [file("${path.module}/kiali-values.yaml")]\n'),
         "kiali-values.yaml": "external_services: {prometheus: {url: 'http://prom:9090'}}\n"},
        "kiali-values.yaml",
        "external_services: {prometheus: {url: 'http://prom:9090'}, istio: " + COMPONENTS_FLOW + "}\n"),
    # yamlencode({...}) over several lines
    "yamlencode-block": (
        {"main.tf": kiali_release('  values = [yamlencode({\n    auth = { strategy = "anonymous" }\n  })]\n')},
        "main.tf",
        '  values = [yamlencode({\n    auth = { strategy = "anonymous" }\n    external_services = {\n'
        '      istio = {\n        ' + at(COMPONENTS_HCL, "        ") + '      }\n    }\n  })]\n'),
    # yamlencode({...}) on one line
    "yamlencode-one-line": (
        {"main.tf": kiali_release('  values = [yamlencode({ auth = { strategy = "anonymous" } })]\n')},
        "main.tf",
        ('  values = [yamlencode({ auth = { strategy = "anonymous" }, external_services = { istio = { '
        'component_status = { components = [{ app_label = "istiod", is_core = true, namespace = "istio-system" }, '
        '{ app_label = "istio-ingress", is_core = true, is_proxy = true, namespace = "istio-ingress" }] } } } })]\n')),
    # a heredoc (indented, `<<-`)
    "heredoc": (
        {"main.tf": kiali_release('  values = [<<-EOT\n    auth:\n      strategy: anonymous\n  EOT\n  ]\n')},
        "main.tf",
        "  values = [<<-EOT\n    external_services:\n      istio:\n        " + at(COMPONENTS_YAML, "        ")
        + "    auth:\n      strategy: anonymous\n  EOT\n  ]\n"),
    # no values at all, only `set` (unrelated to external_services): a values attribute is added
    "set-only": (
        {"main.tf": kiali_release('  set {\n    name  = "auth.strategy"\n    value = "anonymous"\n  }\n')},
        "main.tf",
        '  namespace  = "istio-system"\n  values = [yamlencode({\n    external_services = {\n      istio = {\n'
        '        ' + at(COMPONENTS_HCL, "        ") + '      }\n    }\n  })]\n  set {\n'),
    # the kiali-operator chart: the Kiali CR's spec under cr.spec
    "operator-cr-spec": (
        {"main.tf": kiali_release('  values = [yamlencode({\n    cr = { create = true, spec = { auth = { strategy = "anonymous" } } }\n  })]\n',
                                  chart="kiali-operator")},
        "main.tf",
        ('cr = { create = true, spec = { auth = { strategy = "anonymous" }, external_services = { istio = { '
        'component_status = { components = [{ app_label = "istiod", is_core = true, namespace = "istio-system" }, '
        '{ app_label = "istio-ingress", is_core = true, is_proxy = true, namespace = "istio-ingress" }] } } } } }\n')),
    # an eks-blueprints-addons `helm_releases` entry (an object in a map), yamlencode in a list
    "blueprints-addons": (
        {"main.tf": ADDONS_TF},
        "main.tf",
        '        yamlencode({\n          auth = { strategy = "anonymous" }\n          external_services = {\n'
        '            istio = {\n              ' + at(COMPONENTS_HCL, "              ") + '            }\n          }\n        })\n'),
    # a Kiali CR manifest
    "kiali-cr": (
        {"main.tf": ISTIO,
         "kiali.yaml": "apiVersion: kiali.io/v1alpha1\nkind: Kiali\nmetadata:\n  name: kiali\n  namespace: istio-system\n"
                       "spec:\n  deployment:\n    image_version: v1.76.0\n"},
        "kiali.yaml",
        "spec:\n  external_services:\n    istio:\n      " + at(COMPONENTS_YAML, "      ")
        + "  deployment:\n    image_version: v1.76.0\n"),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_source_shape_is_fixed_once_and_rechecks_clean(tmp_path: Path, shape: str) -> None:
    files, changed, expected = SHAPES[shape]
    write_tree(tmp_path, files)
    assert "MESH203" in rules(tmp_path)
    before = snapshot(tmp_path)
    code, _, err = meshlint("fix", str(tmp_path), "--select", "MESH203", "--as-of", AS_OF)
    assert code == 0, err
    after = snapshot(tmp_path)
    assert [n for n in before if before[n] != after[n]] == [changed], err
    assert expected in after[changed], after[changed]
    found = rules(tmp_path)
    assert "MESH203" not in found and "MESH001" not in found, found  # fixed, and it still parses
    # idempotent: nothing left to fix
    assert meshlint("fix", str(tmp_path), "--select", "MESH203", "--diff", "--as-of", AS_OF)[:2] == (0, "")
    assert snapshot(tmp_path) == after


def test_egress_gateway_is_listed_not_core(tmp_path: Path) -> None:
    egress = '''
resource "helm_release" "egress" {
  name       = "istio-egress"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "gateway"
  version    = "1.27.1"
  namespace  = "istio-egress"
}
'''
    write_tree(tmp_path, {"main.tf": kiali_release("  values = [yamlencode({})]\n") + egress})
    meshlint("fix", str(tmp_path), "--select", "MESH203", "--as-of", AS_OF)
    tf = (tmp_path / "main.tf").read_text()
    assert '{ app_label = "istio-egress", is_core = false, is_proxy = true, namespace = "istio-egress" }' in tf
    assert "MESH203" not in rules(tmp_path)


LOOK_ALIKES = {
    # Kiali 1.88 to 2.1 check gateways by istio_labels whatever component_status says
    "kiali-1-89": ({"main.tf": kiali_release("  values = [yamlencode({})]\n", version="1.89.0")},
                   "istio_labels"),
    # Kiali runs from an image, with no configuration in the repository
    "image-only": ({"main.tf": ISTIO,
                    "kiali.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: kiali\n"
                                  "  namespace: istio-system\nspec:\n  template:\n    spec:\n      containers:\n"
                                  "        - name: kiali\n          image: quay.io/kiali/kiali:v1.76\n"},
                   "not written in this repository"),
    # `set` writes under external_services.istio: the values are not in one place
    "set-istio": ({"main.tf": kiali_release(
        '  values = [yamlencode({})]\n  set {\n    name  = "external_services.istio.url_service_version"\n'
        '    value = "http://istiod:15014/version"\n  }\n')}, "`set` writes"),
    # a heredoc with an interpolation: its columns are not the file's
    "heredoc-template": ({"main.tf": "variable \"strategy\" {\n  default = \"anonymous\"\n}\n" + kiali_release(
        '  values = [<<-EOT\n    auth:\n      strategy: ${var.strategy}\n  EOT\n  ]\n')}, "heredoc"),
}


@pytest.mark.parametrize("case", sorted(LOOK_ALIKES))
def test_look_alikes_get_no_fix_and_say_why(tmp_path: Path, case: str) -> None:
    files, why = LOOK_ALIKES[case]
    write_tree(tmp_path, files)
    assert "MESH203" in rules(tmp_path)
    before = snapshot(tmp_path)
    code, _, err = meshlint("fix", str(tmp_path), "--select", "MESH203", "--as-of", AS_OF)
    assert code == 0 and snapshot(tmp_path) == before
    assert "MESH203 not fixed" in err and why in err, err

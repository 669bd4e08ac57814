"""Issue 11 cause 4 (templates with known variables are rendered and read) and issue 13
contract point 5 (a broken YAML file Terraform reads into the model is a MESH001)."""

from conftest import check, hits, only, write_tree

from meshlint.terraform.rendering import RenderedText, render
from meshlint.values import Unknown

ISTIOD = """
resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.28.0"
  namespace  = "istio-system"
}
"""

# `values: [${zone}a]` does not parse as it stands (a `{` in a flow sequence): only the
# rendered text is YAML
NAMESPACE_AND_APP = """\
# ${team}'s namespace
apiVersion: v1
kind: Namespace
metadata:
  name: ${team}
  labels: {zones: "[${zone}a]"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${team}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      affinity: {zones: [${zone}a]}
      containers:
        - name: web
          image: nginx:1.27
"""


def path_documents(vars_hcl: str, each: str = "toset(data.kubectl_path_documents.apps.documents)") -> str:
    return ISTIOD + f"""
data "kubectl_path_documents" "apps" {{
  pattern = "${{path.module}}/manifests/*.yaml"
  vars    = {vars_hcl}
}}

resource "kubectl_manifest" "apps" {{
  for_each  = {each}
  yaml_body = each.value
}}
"""


def test_kubectl_path_documents_with_known_vars_is_read_at_the_template_lines(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": path_documents('{ team = "shop", zone = "eu-west-1" }'),
        "infra/manifests/apps.yaml": NAMESPACE_AND_APP,
    })
    result = check(root, select=["MESH001", "MESH401"])
    assert hits(result) == [("MESH401", "apps.yaml", 2)]
    finding = only(result, "MESH401")
    assert "namespace shop runs Deployment/web" in finding.message
    assert finding.object == "kubectl_manifest.apps[Namespace/shop]"
    notes = "\n".join(result.report.notes)
    assert "apps.yaml: template rendered by Terraform (kubectl_path_documents in" in notes
    assert "read through its renderer" in notes and "read once its variables" not in notes


def test_manifests_map_and_count_over_documents_are_read_too(tmp_path):
    for each in ("data.kubectl_path_documents.apps.manifests",):
        root = write_tree(tmp_path / "map", {
            "infra/main.tf": path_documents('{ team = "shop", zone = "a" }', each),
            "infra/manifests/apps.yaml": NAMESPACE_AND_APP,
        })
        assert hits(check(root, select=["MESH001", "MESH401"])) == [("MESH401", "apps.yaml", 2)]
    root = write_tree(tmp_path / "count", {
        "infra/main.tf": ISTIOD + """
            data "kubectl_path_documents" "apps" {
              pattern = "${path.module}/manifests/*.yaml"
              vars    = { team = "shop", zone = "a" }
            }
            resource "kubectl_manifest" "apps" {
              count     = length(data.kubectl_path_documents.apps.documents)
              yaml_body = element(data.kubectl_path_documents.apps.documents, count.index)
            }
            """,
        "infra/manifests/apps.yaml": NAMESPACE_AND_APP,
    })
    assert hits(check(root, select=["MESH001", "MESH401"])) == [("MESH401", "apps.yaml", 2)]


def test_unknown_variable_keeps_the_note_and_gives_no_finding(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": path_documents('{ team = var.team, zone = "a" }') + 'variable "team" {}\n',
        "infra/manifests/apps.yaml": NAMESPACE_AND_APP,
    })
    result = check(root, select=["MESH001", "MESH401"])
    assert hits(result) == []
    notes = [n for n in result.report.notes if "apps.yaml: template" in n]
    assert len(notes) == 1 and notes[0].endswith("read once its variables are filled in")


def test_template_that_parses_as_written_is_replaced_by_its_rendering(tmp_path):
    # the file parses as written (`${team}` is a plain scalar): read as it stands it would be
    # a second, placeholder-named Namespace next to the rendered one
    body = NAMESPACE_AND_APP.replace("[${zone}a]", "a")
    root = write_tree(tmp_path, {
        "infra/main.tf": path_documents('{ team = "shop", zone = "a" }'),
        "infra/manifests/apps.yaml": body,
    })
    result = check(root, select=["MESH401"])
    assert hits(result) == [("MESH401", "apps.yaml", 2)]
    names = {o.ref for m in result.models for o in m.objects}
    assert names == {"Namespace/shop", "Deployment/shop/web"}


KIALI = """
resource "helm_release" "kiali" {
  name       = "kiali-server"
  repository = "https://kiali.org/helm-charts"
  chart      = "kiali-server"
  version    = "2.4.0"
  namespace  = "istio-system"
  values     = [%s]
}
"""
KIALI_VALUES = """\
auth:
  strategy: anonymous
deployment:
  accessible_namespaces: [${first}, payments]
"""


def test_kiali_values_through_templatefile_give_the_kiali_findings_in_the_template(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + KIALI % 'templatefile("${path.module}/kiali.yaml.tftpl", { first = "shop" })',
        "infra/kiali.yaml.tftpl": KIALI_VALUES,
    })
    result = check(root, select=["MESH001", "MESH108"])
    assert hits(result) == [("MESH108", "kiali.yaml.tftpl", 4)]
    assert "accessible_namespaces: [shop, payments]" in only(result, "MESH108").message


def test_template_file_data_source_is_rendered(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + KIALI % "data.template_file.kiali.rendered" + """
            data "template_file" "kiali" {
              template = file("${path.module}/values/kiali.yaml")
              vars     = { first = "shop" }
            }
            """,
        "infra/values/kiali.yaml": KIALI_VALUES,
    })
    assert hits(check(root, select=["MESH001", "MESH108"])) == [("MESH108", "kiali.yaml", 4)]


def test_kiali_values_with_an_unknown_variable_are_not_read(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + KIALI % 'templatefile("${path.module}/values.yaml", { first = var.ns })'
        + 'variable "ns" {}\n',
        "infra/values.yaml": KIALI_VALUES.replace("[${first}, payments]", "[${first}, payments"),
    })
    result = check(root, select=["MESH001", "MESH108"])
    assert hits(result) == []
    notes = [n for n in result.report.notes if "values.yaml: template" in n]
    assert len(notes) == 1 and notes[0].endswith("read once its variables are filled in")


def test_rendered_template_that_is_still_broken_is_mesh001_at_the_template_line(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + KIALI % 'templatefile("${path.module}/values.yaml", { first = "a" })',
        "infra/values.yaml": KIALI_VALUES.replace("[${first}, payments]", "[${first}, payments"),
    })
    result = check(root, select=["MESH001"])
    assert hits(result) == [("MESH001", "values.yaml", 5)]
    assert "as templatefile() in" in only(result, "MESH001").message
    assert not [n for n in result.report.notes if "values.yaml" in n]


def test_broken_yaml_read_with_file_into_helm_values_is_mesh001(tmp_path):
    # not named like a values file, so the parse layer does not read it on its own
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + KIALI % 'file("${path.module}/config/kiali.yaml")',
        "infra/config/kiali.yaml": "auth:\n  strategy: anonymous\ndeployment:\n  accessible_namespaces: [a, b\n",
    })
    result = check(root, select=["MESH001"])
    assert hits(result) == [("MESH001", "kiali.yaml", 5)]
    finding = only(result, "MESH001")
    assert finding.location.path.endswith("infra/config/kiali.yaml")
    assert "read by helm_release.kiali values" in finding.message
    assert finding.name == "parse-error"  # as every MESH001, in JSON, SARIF and text


def test_broken_yaml_read_with_yamldecode_and_kubectl_manifest_is_mesh001(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + """
            locals {
              settings = yamldecode(file("${path.module}/conf/settings.yml"))
            }
            resource "helm_release" "app" {
              name       = "app"
              repository = "https://example.com/charts"
              chart      = "app"
              version    = "1.0.0"
              namespace  = local.settings.namespace
            }
            resource "kubectl_manifest" "ns" {
              yaml_body = file("${path.module}/conf/ns.txt")
            }
            """,
        "infra/conf/settings.yml": "namespace: app\nreplicas: [1\n",
        "infra/conf/ns.txt": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {a\n",
    })
    assert sorted(hits(check(root, select=["MESH001"]))) == [("MESH001", "ns.txt", 5), ("MESH001", "settings.yml", 3)]


def test_look_alikes_of_a_broken_read_are_not_mesh001(tmp_path):
    # the same broken file read by nothing meshlint models, and a template whose variables
    # are unknown (a note, not an error)
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + KIALI % 'templatefile("${path.module}/config/t.yaml", { first = var.x })' + """
            variable "x" {}
            locals {
              unused = file("${path.module}/config/kiali.yaml")
            }
            """,
        "infra/config/kiali.yaml": "auth:\n  strategy: anonymous\ndeployment:\n  accessible_namespaces: [a, b\n",
        "infra/config/t.yaml": "deployment:\n  accessible_namespaces: [${first}, b\n",
    })
    assert hits(check(root, select=["MESH001"])) == []


def test_render_maps_inserted_lines_to_the_placeholder_line():
    text, line_map = render("a: 1\nb: ${x}\nc: 3\n", {"x": "|\n  one\n  two"})
    assert text == "a: 1\nb: |\n  one\n  two\nc: 3\n"
    assert line_map == (1, 2, 2, 2, 3, 4)


def test_render_leaves_what_it_cannot_evaluate_unknown():
    assert isinstance(render("%{ if a }x%{ endif }", {"a": True}), Unknown)
    assert isinstance(render("${upper(a)}", {"a": "x"}), Unknown)
    assert isinstance(render("${a}", {"a": Unknown("later")}), Unknown)
    assert render("$${keep} ${a.b} ${c[\"d\"]}", {"a": {"b": 1}, "c": {"d": "e"}})[0] == "${keep} 1 e"


def test_multi_line_value_keeps_findings_at_the_template_line(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": ISTIOD + KIALI % 'templatefile("${path.module}/kiali.tftpl", { auth = "strategy: anonymous\\n  extra: 1" })',
        "infra/kiali.tftpl": "auth:\n  ${auth}\ndeployment:\n  accessible_namespaces: [shop]\n",
    })
    assert hits(check(root, select=["MESH108"])) == [("MESH108", "kiali.tftpl", 4)]
    assert isinstance(RenderedText("x", None, "templatefile()", "main.tf", (1,)), str)

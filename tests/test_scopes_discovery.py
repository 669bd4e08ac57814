"""Scopes on real layouts (issue 11, causes 1 and 9): a folder joins a Terraform root's
scope when the root names it or sits beside it; vendored release trees, rendered output
and other tools' fixtures are not deployments."""

from conftest import write_tree
from meshlint.discover import discover


def _scopes(root):
    disc = discover([str(root)], cwd=str(root))
    return {s.name: sorted(f.path for f in s.files) for s in disc.scopes}, disc


def test_a_root_deeper_down_does_not_absorb_unrelated_folders(tmp_path):
    # a workshop: one cluster root in cluster/terraform, lab folders elsewhere
    write_tree(tmp_path, {
        "cluster/terraform/main.tf": "", "cluster/eksctl/cluster.yaml": "",
        "manifests/labs/a/deploy.yaml": "", "manifests/labs/b/deploy.yaml": "",
    })
    scopes, disc = _scopes(tmp_path)
    assert scopes["cluster/terraform"] == ["cluster/eksctl/cluster.yaml", "cluster/terraform/main.tf"]
    assert scopes["manifests"] == ["manifests/labs/a/deploy.yaml", "manifests/labs/b/deploy.yaml"]
    root = next(s for s in disc.scopes if s.name == "cluster/terraform")
    assert "layout" in root.reasons["cluster/eksctl"]


def test_a_folder_the_root_names_joins_its_scope(tmp_path):
    write_tree(tmp_path, {
        "cluster/terraform/main.tf": '''
            data "kubectl_path_documents" "docs" {
              pattern = "${path.module}/../../k8s/istio/*.yaml"
            }
            resource "helm_release" "app" {
              chart = "../../charts/app"
            }
            locals { x = templatefile("${path.module}/../../tpl/gw-${var.env}.yaml", {}) }
        ''',
        "k8s/istio/gw.yaml": "", "k8s/other/x.yaml": "",
        "charts/app/Chart.yaml": "", "tpl/gw-dev.yaml": "",
    })
    scopes, disc = _scopes(tmp_path)
    # the template's name holds a variable: its folder is what the root names
    assert scopes["cluster/terraform"] == ["charts/app/Chart.yaml", "cluster/terraform/main.tf",
                                           "k8s/istio/gw.yaml", "tpl/gw-dev.yaml"]
    # k8s/other is named by nothing, and the root is no sibling of k8s/
    assert scopes["k8s"] == ["k8s/other/x.yaml"]
    root = next(s for s in disc.scopes if s.name == "cluster/terraform")
    assert "named by the root" in root.reasons["k8s/istio"]


def test_single_root_named_like_an_environment_parent_is_not_environments(tmp_path):
    write_tree(tmp_path, {"clusters/main/main.tf": "", "apps/x.yaml": ""})
    scopes, _ = _scopes(tmp_path)
    assert scopes["clusters/main"] == ["clusters/main/main.tf"]
    assert scopes["apps"] == ["apps/x.yaml"]


def test_vendored_release_tree_is_not_a_deployment(tmp_path):
    tree = {"main.tf": 'resource "helm_release" "istiod" {\n  chart = "./istio-1.20.0/manifests/charts/istiod"\n}\n'}
    for version in ("1.11.0", "1.20.0"):
        tree[f"istio-{version}/manifests/profiles/default.yaml"] = "kind: IstioOperator\n"
        tree[f"istio-{version}/samples/addons/kiali.yaml"] = "kind: Deployment\n"
        tree[f"istio-{version}/manifests/charts/istiod/Chart.yaml"] = "name: istiod\n"
    tree["app/app.yaml"] = "kind: Deployment\n"
    write_tree(tmp_path, tree)
    scopes, disc = _scopes(tmp_path)
    # only what the root names (the chart it installs) is read from the release trees
    assert scopes["."] == ["app/app.yaml", "istio-1.20.0/manifests/charts/istiod/Chart.yaml", "main.tf"]
    assert set(disc.set_aside) == {"istio-1.11.0", "istio-1.20.0"}
    assert "release tree" in disc.set_aside["istio-1.11.0"]


def test_release_tree_named_on_the_command_line_is_checked(tmp_path):
    write_tree(tmp_path, {"manifests/profiles/default.yaml": "", "samples/a/x.yaml": ""})
    scopes, _ = _scopes(tmp_path)
    assert list(scopes.values()) == [["manifests/profiles/default.yaml", "samples/a/x.yaml"]]


def test_rendered_output_and_fixtures_of_other_tools_are_not_deployments(tmp_path):
    write_tree(tmp_path, {
        "k8s/app.yaml": "", "k8s/output/istio-rendered.yaml": "",
        "roles/mesh/tasks/main.yml": "", "roles/mesh/tests/istio.yaml": "",
        "charts/gw/Chart.yaml": "", "charts/gw/tests/values-x.yaml": "",
        # a tests/ folder of one's own (not inside a chart or a role) is checked
        "tests/case.yaml": "",
    })
    scopes, disc = _scopes(tmp_path)
    files = [f for fs in scopes.values() for f in fs]
    assert "k8s/app.yaml" in files and "tests/case.yaml" in files
    assert "k8s/output/istio-rendered.yaml" not in files
    assert "roles/mesh/tests/istio.yaml" not in files
    assert "charts/gw/tests/values-x.yaml" not in files
    assert set(disc.set_aside) == {"k8s/output", "roles/mesh/tests", "charts/gw/tests"}


def test_terraform_under_hidden_folders_is_noted(tmp_path):
    write_tree(tmp_path, {"main.tf": "", "labs/a/.workshop/terraform/main.tf": "",
                          "labs/b/.workshop/terraform/main.tf": "", ".github/ci.yaml": ""})
    disc = discover([str(tmp_path)], cwd=str(tmp_path))
    notes = [f"{p}: {m}" for p, m in disc.problems]
    assert notes == ["labs/a/.workshop: hidden folder with Terraform, not read "
                     "(and 1 more hidden folders): check it by naming its path"]


def test_a_module_that_calls_its_own_folder_stays_a_root(tmp_path):
    """`module "self" { source = "./" }` (issue 15, 6): Terraform refuses the cycle; one such
    line must not turn the root into a root-less folder and hide its installations."""
    from meshlint.engine import Options, run

    write_tree(tmp_path, {
        "root/main.tf": 'module "self" {\n  source = "./"\n}\n',
        "root/hr.tf": '''resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.22.0"
}
''',
    })
    scopes, disc = _scopes(tmp_path)
    assert [s.roots for s in disc.scopes] == [[str(tmp_path / "root")]]
    report = run(Options(paths=[str(tmp_path)])).report
    assert "MESH105" in {f.rule for f in report.findings}
    assert any("module.self calls one of its own callers" in n for n in report.notes)

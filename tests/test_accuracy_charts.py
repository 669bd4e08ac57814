"""Issue 11, causes 6 and 14: a helm_release whose repository is a local path is a local
chart (never MESH103); an IstioOperator without a name is named by its file in messages."""

from conftest import check, hits, write_tree


def test_repository_that_is_a_local_folder_is_a_local_chart(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": '''
            resource "helm_release" "app" {
              name       = "app"
              repository = "charts"
              chart      = "app"
              namespace  = "apps"
            }
            resource "helm_release" "remote" {
              name       = "remote"
              repository = "https://charts.example.com"
              chart      = "remote"
              namespace  = "apps"
            }
            ''',
        "infra/charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    })
    found = [f for f in check(root).report.findings if f.rule == "MESH103"]
    assert [f.object for f in found] == ["helm_release.remote"]


def test_unnamed_istiooperator_is_named_by_its_file(tmp_path):
    operator = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  tag: {tag}\n"
    root = write_tree(tmp_path, {"k8s/a.yaml": operator.format(tag="1.22.3"),
                                 "k8s/b.yaml": operator.format(tag="1.21.0")})
    messages = [f.message for f in check(root).report.findings if f.rule == "MESH101"]
    assert messages and all("istiod  is" not in m for m in messages)

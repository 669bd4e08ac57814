"""Issue 11, cause 6: a local chart's version is read from its Chart.yaml, so an end-of-life
Istio installed from a chart vendored into the repository is found at the helm_release, and
the chart folder a root names (through a variable's default) joins the root's scope."""

from conftest import check, write_tree

CHART = """apiVersion: v1
name: {name}
version: {version}
appVersion: {version}
keywords:
  - istio
sources:
  - https://github.com/istio/istio
"""


def _vendored(version: str) -> dict[str, str]:
    tree = f"mod/istio-{version}"
    return {
        f"{tree}/manifests/charts/base/Chart.yaml": CHART.format(name="base", version=version),
        f"{tree}/manifests/charts/istio-control/istio-discovery/Chart.yaml":
            CHART.format(name="istiod", version=version),
        f"{tree}/manifests/profiles/default.yaml":
            "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  tag: " + version + "\n",
        f"{tree}/samples/hello.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    }


MODULE = '''
    variable "istio_version" {
      type    = string
      default = "1.20.0"
    }
    resource "helm_release" "istiod" {
      name      = "istiod"
      chart     = "${path.module}/istio-${var.istio_version}/manifests/charts/istio-control/istio-discovery"
      namespace = "istio-system"
    }
    '''


def test_eol_istio_from_a_vendored_chart_is_found_at_the_helm_release(tmp_path):
    root = write_tree(tmp_path, {"mod/main.tf": MODULE, **_vendored("1.20.0"), **_vendored("1.22.0")})
    result = check(root)
    eol = [f for f in result.report.findings if f.rule == "MESH105"]
    assert [(f.location.path.rsplit("/", 1)[-1], f.location.line) for f in eol] == [("main.tf", 5)]
    assert "1.20.0" in eol[0].message and "local chart" in eol[0].message
    # the other vendored release and the unapplied profiles are not installations
    assert not [f for f in result.report.findings if f.rule == "MESH101"]


def test_the_chart_a_root_names_through_a_variable_default_joins_its_scope(tmp_path):
    root = write_tree(tmp_path, {"mod/main.tf": MODULE, **_vendored("1.20.0"), **_vendored("1.22.0")})
    scopes = check(root).discovery.scopes
    (scope,) = [s for s in scopes if s.roots]
    paths = sorted(e.path.split("mod/", 1)[1] for e in scope.files)
    assert "istio-1.20.0/manifests/charts/istio-control/istio-discovery/Chart.yaml" in paths
    assert not any(p.startswith("istio-1.22.0/") for p in paths)
    assert "istio-1.20.0/manifests/charts/base/Chart.yaml" not in paths  # not named


def test_repository_folder_chart_version_is_read(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": '''
            resource "helm_release" "istiod" {
              name       = "istiod"
              repository = "charts"
              chart      = "istiod"
              namespace  = "istio-system"
            }
            ''',
        "infra/charts/istiod/Chart.yaml": CHART.format(name="istiod", version="1.19.3"),
    })
    assert [f.rule for f in check(root).report.findings if f.rule in ("MESH105", "MESH103")] == ["MESH105"]


def test_a_local_chart_of_a_company_named_like_an_istio_chart_is_not_istio(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": '''
            resource "helm_release" "base" {
              name      = "base"
              chart     = "./charts/base"
              namespace = "apps"
            }
            ''',
        "infra/charts/base/Chart.yaml": "apiVersion: v2\nname: base\nversion: 1.2.0\nappVersion: 1.2.0\n",
    })
    assert not [f for f in check(root).report.findings if f.rule.startswith("MESH10")]


def test_file_dependency_of_an_umbrella_chart_is_read(tmp_path):
    root = write_tree(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: mesh\nversion: 0.1.0\ndependencies:\n"
                            "  - name: istiod\n    version: '*'\n    repository: file://../vendor/istiod\n",
        "vendor/istiod/Chart.yaml": CHART.format(name="istiod", version="1.18.2"),
    })
    found = [f for f in check(root).report.findings if f.rule in ("MESH105", "MESH103")]
    assert [f.rule for f in found] == ["MESH105"] and "1.18.2" in found[0].message


def test_file_dependency_is_read_from_its_chart_yaml_when_a_chart_lock_sits_beside_it(tmp_path):
    # Chart.lock is a chart file too (and sorts first): the dependency's version is its Chart.yaml's
    root = write_tree(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: mesh\nversion: 0.1.0\ndependencies:\n"
                            "  - name: istiod\n    version: '*'\n    repository: file://../vendor/istiod\n",
        "vendor/istiod/Chart.yaml": CHART.format(name="istiod", version="1.18.2"),
        "vendor/istiod/Chart.lock": "dependencies: []\ndigest: sha256:0\ngenerated: '2024-01-01T00:00:00Z'\n",
    })
    found = [f for f in check(root).report.findings if f.rule in ("MESH105", "MESH103")]
    assert [f.rule for f in found] == ["MESH105"] and "1.18.2" in found[0].message


def test_a_local_chart_with_scalar_keywords_and_sources_is_read_not_a_crash(tmp_path):
    root = write_tree(tmp_path, {
        "infra/main.tf": '''
            resource "helm_release" "istiod" {
              name      = "istiod"
              chart     = "./charts/istiod"
              namespace = "istio-system"
            }
            ''',
        "infra/charts/istiod/Chart.yaml": "apiVersion: v2\nname: istiod\nversion: 1.19.3\nhome: https://istio.io\nkeywords: 5\nsources: x\n",
    })
    result = check(root)
    assert [f.rule for f in result.report.findings if f.rule in ("MESH105", "MESH103")] == ["MESH105"]

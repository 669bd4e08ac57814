"""Configuration: found upwards, strictly validated (file:line, exit 2), applied."""

import json

import jsonschema
import pytest

from conftest import REPO, check, hits, meshlint_cli, write_tree
from meshlint.config import ConfigError, find_config, glob_regex, load_config
from meshlint.engine import Options, run

SCHEMA = json.loads((REPO / "src" / "meshlint" / "schema" / "meshlint-config.schema.json").read_text())
NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio-injection: enabled\n    istio.io/rev: canary\n"


def _run(root, **kw):
    cfg = load_config(find_config(str(root)))
    return run(Options(paths=[str(root)], config=cfg, select=cfg.select, ignore=cfg.ignore, **kw))


def test_found_upwards_and_stops_at_the_repository_root(tmp_path):
    write_tree(tmp_path, {".meshlint.yaml": "ignore: [MESH402]\n", "repo/.git/HEAD": "",
                          "repo/k8s/ns.yaml": NS})
    assert find_config(str(tmp_path / "repo" / "k8s")) is None  # outside the repository
    write_tree(tmp_path, {"repo/.meshlint.yaml": "ignore: [MESH402]\n"})
    assert find_config(str(tmp_path / "repo" / "k8s")).endswith("repo/.meshlint.yaml")


def test_pyproject_section(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.meshlint]\nignore = ["MESH402"]\nfail-on = "error"\n',
                          "k8s/ns.yaml": NS})
    cfg = load_config(find_config(str(tmp_path / "k8s")))
    assert cfg.ignore == ["MESH402"] and cfg.fail_on == "error"
    write_tree(tmp_path, {"pyproject.toml": '[tool.meshlint]\nignore = ["MESH402"]\nfail_onn = "x"\n'})
    with pytest.raises(ConfigError) as err:
        load_config(str(tmp_path / "pyproject.toml"))
    assert err.value.line == 3


@pytest.mark.parametrize("text, line, words", [
    ("select: [MESH4]\nfailon: error\n", 2, "unknown key 'failon'"),
    ("fail_on: error\n", 1, "did you mean 'fail-on'"),
    ("severity:\n  MESH401: fatal\n", 2, "must be one of info, warning, error"),
    ("ignore: [NOPE1]\n", 1, "not a rule code"),
    ("as-of: last tuesday\n", 1, "must be a date"),
    ("registries:\n  timeout: 5\n  proxy: x\n", 3, "unknown registries key"),
    ("per-path-ignores:\n  'examples/**': MESH5\n", 2, "must be a list"),
    ("select: [MESH4\n", 2, "invalid YAML"),
])
def test_bad_configuration_is_an_error_with_a_line(tmp_path, text, line, words):
    write_tree(tmp_path, {".meshlint.yaml": text})
    with pytest.raises(ConfigError) as err:
        load_config(str(tmp_path / ".meshlint.yaml"))
    assert err.value.line == line and words in err.value.message
    # and the CLI exits 2 with file:line
    proc = meshlint_cli("check", str(tmp_path))
    assert proc.returncode == 2 and f".meshlint.yaml:{line}:" in proc.stderr


def test_schema_and_validator_agree(tmp_path):
    good = {"select": ["MESH4", "MESH501"], "ignore": ["MESH404"], "severity": {"MESH401": "error"},
            "per-path-ignores": {"examples/**": ["MESH5"]}, "exclude": ["vendor/"],
            "scopes": {"dev": ["envs/dev/**", "k8s/**"]}, "fail-on": "error", "as-of": "2024-01-31",
            "online": False, "max-file-bytes": 100000,
            "registries": {"timeout": 5, "insecure": ["localhost:5000"], "use-docker-config": False}}
    jsonschema.validate(good, SCHEMA)
    (tmp_path / ".meshlint.yaml").write_text(json.dumps(good))  # JSON is YAML
    load_config(str(tmp_path / ".meshlint.yaml"))
    for bad in ({"failon": "x"}, {"severity": {"MESH401": "fatal"}}, {"registries": {"proxy": 1}},
                {"max-file-bytes": 10}, {"select": ["nope"]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)
        (tmp_path / ".meshlint.yaml").write_text(json.dumps(bad))
        with pytest.raises(ConfigError):
            load_config(str(tmp_path / ".meshlint.yaml"))


def test_severity_per_path_ignores_exclude_and_fail_on(tmp_path):
    write_tree(tmp_path, {
        ".meshlint.yaml": ("severity:\n  MESH402: error\nper-path-ignores:\n  'legacy/**': [MESH4]\n"
                           "exclude: ['vendor/']\nfail-on: error\n"),
        "k8s/ns.yaml": NS, "legacy/ns.yaml": NS.replace("name: a", "name: b"),
        "vendor/ns.yaml": NS.replace("name: a", "name: c"),
    })
    result = _run(tmp_path)
    assert hits(result) == [("MESH402", "ns.yaml", 7)]
    assert result.report.findings[0].severity == "error"
    assert result.report.files_checked == 2  # vendor/ not even read
    proc = meshlint_cli("check", str(tmp_path))
    assert proc.returncode == 1


def test_explicit_scopes(tmp_path):
    istiod = ('resource "helm_release" "istiod" {\n  name = "istiod"\n  chart = "istiod"\n'
              '  repository = "https://istio-release.storage.googleapis.com/charts"\n  version = "1.27.1"\n}\n')
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: shop\nspec:\n"
              "  template:\n    spec:\n      containers: [{name: a, image: x}]\n")
    files = {"platform/main.tf": istiod, "apps/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
             "apps/deploy.yaml": deploy, "other/main.tf": ""}
    write_tree(tmp_path, files)
    # discovered scopes: platform/ and other/ are unrelated roots, apps/ is loose: no MESH401
    assert hits(check(tmp_path, select=["MESH401"])) == []
    write_tree(tmp_path, {".meshlint.yaml": "scopes:\n  prod: ['platform/**', 'apps/**']\n"})
    result = _run(tmp_path, )
    assert [h for h in hits(result) if h[0] == "MESH401"] == [("MESH401", "ns.yaml", 4)]
    assert result.report.scopes == ["prod"]


def test_explicit_scope_root_calling_its_own_folder_stays_a_root(tmp_path):
    # `source = "./"` is a cycle Terraform refuses; in a configured scope, as in a discovered
    # one, that line must not make the folder a called module with no root left to check
    write_tree(tmp_path, {
        "app/main.tf": 'module "me" {\n  source = "./"\n}\n',
        ".meshlint.yaml": "scopes:\n  all: ['**']\n",
    })
    result = _run(tmp_path)
    assert [s.roots for s in result.discovery.scopes] == [[str(tmp_path / "app")]]


@pytest.mark.parametrize("pattern, path, ok", [
    ("vendor/", "vendor/a/b.yaml", True), ("*.yaml", "k8s/a.yaml", True), ("k8s/*.yaml", "k8s/a/b.yaml", False),
    ("k8s/**", "k8s/a/b.yaml", True), ("**/values.yaml", "charts/x/values.yaml", True), ("a?c", "abc", True),
])
def test_globs(pattern, path, ok):
    assert bool(glob_regex(pattern).match(path)) is ok

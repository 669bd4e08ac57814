"""Issue 11, cause 8: MESH401's list of infrastructure namespaces is configurable
(`injection.ignore-namespaces` replaces the built-in list)."""

import datetime as dt

import pytest
from conftest import write_tree

from meshlint.config import Config, ConfigError, load_config
from meshlint.engine import Options, run

TREE = {
    "k8s/istio.yaml": "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n"
                      "  name: mesh\n  namespace: istio-system\nspec:\n  tag: 1.28.0\n",
    "k8s/ns.yaml": "".join(
        f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: {ns}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n"
        for ns in ("monitoring", "shop", "batch-eu")),
}


def _reported(root, config_text: str | None) -> list[str]:
    if config_text is not None:
        (root / ".meshlint.yaml").write_text(config_text, encoding="utf-8")
        config = load_config(str(root / ".meshlint.yaml"))
    else:
        config = Config()
    result = run(Options(paths=[str(root / "k8s")], config=config, as_of=dt.date(2026, 11, 26)))
    return sorted(f.detail for f in result.report.findings if f.rule == "MESH401")


def test_builtin_list_by_default(tmp_path):
    write_tree(tmp_path, TREE)
    assert _reported(tmp_path, None) == ["batch-eu", "shop"]


def test_configured_list_replaces_the_builtin_one(tmp_path):
    write_tree(tmp_path, TREE)
    assert _reported(tmp_path, 'injection:\n  ignore-namespaces: ["batch-*"]\n') == ["monitoring", "shop"]
    assert _reported(tmp_path, "injection:\n  ignore-namespaces: []\n") == ["batch-eu", "monitoring", "shop"]


@pytest.mark.parametrize("text", ["injection: [a]\n", "injection:\n  ignore-namespaces: a\n",
                                  "injection:\n  namespaces: [a]\n"])
def test_bad_values_are_errors(tmp_path, text):
    (tmp_path / ".meshlint.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path / ".meshlint.yaml"))

"""Bad input never crashes the run: each broken file is one MESH001, the rest is checked."""

import pytest

from conftest import ISTIOD_TF, check, hits, write_tree

GOOD = {
    "infra/istio.tf": ISTIOD_TF,
    "k8s/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n",
    "k8s/deploy.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: orders\n"
                        "spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: x\n"),
}

BOMB = "\n".join(['a: &a ["x","x","x","x","x","x","x","x","x"]'] + [
    f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]" for p, n in zip("abcdefgh", "bcdefghi")]) + "\nkind: Pod\napiVersion: v1\n"

BROKEN = {
    "yaml-syntax": ("k8s/bad.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: [1, 2\n", 4),
    "yaml-tabs": ("k8s/tabs.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n", 4),
    "yaml-not-utf8": ("k8s/latin1.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: caf\xe9\n", 4),
    "yaml-binary": ("k8s/blob.yaml", b"apiVersion\x00kind\x00\x01\x02", 1),
    "yaml-alias-bomb": ("k8s/bomb.yaml", BOMB, None),
    "yaml-too-deep": ("k8s/deep.yaml", "apiVersion: v1\nkind: Pod\nspec: " + "[" * 300 + "]" * 300 + "\n", 3),
    "hcl-syntax": ("infra/bad.tf", 'resource "x" "y" {\n  a = \n}\n', None),
    "hcl-not-utf8": ("infra/latin1.tf", b'locals {\n  a = "caf\xe9"\n}\n', 2),
    "hcl-binary": ("infra/blob.tf", b"\x00\x01\x02binary", 1),
    "kustomization": ("k8s/kustomization.yaml", "resources: [a.yaml\n", None),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_file_is_reported_and_others_still_checked(tmp_path, kind):
    path, content, line = BROKEN[kind]
    write_tree(tmp_path, {**GOOD, path: content})
    result = check(tmp_path)
    errors = [f for f in result.report.findings if f.rule == "MESH001"]
    assert len(errors) == 1, errors
    assert errors[0].location.path.endswith(path)
    if line is not None:
        assert errors[0].location.line == line
    assert errors[0].severity == "error"
    # the good files are still checked: the namespace without a label is found
    assert hits(result, "MESH401") == [("MESH401", "ns.yaml", 4)]


def test_huge_file_is_reported(tmp_path):
    from meshlint.engine import Options, run
    write_tree(tmp_path, {**GOOD, "k8s/huge.yaml": "apiVersion: v1\nkind: ConfigMap\n" + "# pad\n" * 2000})
    result = run(Options(paths=[str(tmp_path)], max_file_bytes=4096))
    errors = [f for f in result.report.findings if f.rule == "MESH001"]
    assert len(errors) == 1 and "too large" in errors[0].message


def test_helm_templates_and_unrelated_yaml_are_never_reported(tmp_path):
    write_tree(tmp_path, {
        **GOOD,
        "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
        "chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
        "deploy/raw-template.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"x\" . }}\n  {{- if .Values.x }}\n",
        "docker-compose.yml": "services: {web: {image: nginx\n",  # broken, but not Kubernetes
        "package.json": '{"name": "x"',
    })
    result = check(tmp_path)
    assert [f for f in result.report.findings if f.rule == "MESH001"] == []


def test_file_deleted_during_the_run_is_not_fatal(tmp_path):
    from meshlint.discover import discover
    from meshlint.engine import Options, parse_all
    write_tree(tmp_path, GOOD)
    disc = discover([str(tmp_path)])
    (tmp_path / "k8s" / "ns.yaml").unlink()
    parsed = parse_all(disc, Options())
    assert all(p.error is None for p in parsed.values())

"""Baselines, --new-since and `meshlint diff`, on real git repositories."""

import json
import subprocess

import pytest

from conftest import meshlint_cli, write_tree

NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {n}\n  labels:\n    istio-injection: enabled\n    istio.io/rev: canary\n"
ISTIOD = ('resource "helm_release" "istiod" {{\n  name       = "istiod"\n  chart      = "istiod"\n'
          '  repository = "https://blob.istio.io/istio-release/charts"\n  version    = "{v}"\n}}\n')


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin:/usr/local/bin",
                        "HOME": str(repo)})


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_tree(root, {"k8s/ns.yaml": NS.format(n="a"), "infra/main.tf": ISTIOD.format(v="1.30.0")})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    return root


def _rules(proc):
    return sorted((f["rule"], f["path"].rsplit("/", 1)[-1], f["line"]) for f in json.loads(proc.stdout)["findings"])


def test_baseline_survives_line_moves_and_counts_fixed(repo, tmp_path):
    base = tmp_path / "baseline.json"
    proc = meshlint_cli("check", ".", "--write-baseline", str(base), cwd=repo)
    assert proc.returncode == 0 and "wrote 1 findings" in proc.stdout
    assert meshlint_cli("check", ".", "--baseline", str(base), cwd=repo).returncode == 0
    # a comment inserted above the finding moves it: still known
    (repo / "k8s" / "ns.yaml").write_text("# moved\n# down\n" + NS.format(n="a"))
    proc = meshlint_cli("check", ".", "--baseline", str(base), "--format", "json", cwd=repo)
    assert proc.returncode == 0 and _rules(proc) == []
    # a new problem is reported; the old one stays hidden
    (repo / "k8s" / "ns.yaml").write_text(NS.format(n="a") + "---\n" + NS.format(n="b"))
    proc = meshlint_cli("check", ".", "--baseline", str(base), "--format", "json", cwd=repo)
    assert _rules(proc) == [("MESH402", "ns.yaml", 15)]
    # fixing everything: the baseline entry is reported as fixed
    (repo / "k8s" / "ns.yaml").write_text(NS.format(n="a").replace("    istio.io/rev: canary\n", ""))
    proc = meshlint_cli("check", ".", "--baseline", str(base), cwd=repo)
    assert proc.returncode == 0 and "1 baseline entries are fixed" in proc.stderr


def test_bad_baseline_is_a_usage_error(repo, tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{}")
    assert meshlint_cli("check", ".", "--baseline", str(bad), cwd=repo).returncode == 2


def test_new_since_reports_only_what_the_change_introduces(repo):
    (repo / "k8s" / "ns.yaml").write_text("# shifted\n" + NS.format(n="a") + "---\n" + NS.format(n="b"))
    proc = meshlint_cli("check", ".", "--new-since", "HEAD", "--format", "json", cwd=repo)
    assert proc.returncode == 1 and _rules(proc) == [("MESH402", "ns.yaml", 16)]
    git(repo, "commit", "-qam", "two")
    assert meshlint_cli("check", ".", "--new-since", "HEAD", cwd=repo).returncode == 0
    assert meshlint_cli("check", ".", "--new-since", "HEAD~1", cwd=repo).returncode == 1
    assert meshlint_cli("check", ".", "--new-since", "no-such-ref", cwd=repo).returncode == 2


def test_diff_between_two_refs(repo):
    (repo / "infra" / "main.tf").write_text(ISTIOD.format(v="1.30.1"))
    (repo / "k8s" / "ns.yaml").write_text(NS.format(n="a").replace("    istio.io/rev: canary\n", "") +
                                          "---\n" + NS.format(n="b"))
    git(repo, "commit", "-qam", "upgrade")
    git(repo, "tag", "v2")
    proc = meshlint_cli("diff", "HEAD~1", "v2", "--format", "json", cwd=repo)
    doc = json.loads(proc.stdout)
    assert [(c["component"], c["old"], c["new"]) for c in doc["changes"]] == [("istiod", "1.30.0", "1.30.1")]
    assert [(f["rule"], f["object"]) for f in doc["introduced"]] == [("MESH402", "Namespace/b")]
    assert [(f["rule"], f["object"]) for f in doc["resolved"]] == [("MESH402", "Namespace/a")]
    assert proc.returncode == 1
    text = meshlint_cli("diff", "HEAD~1", "v2", cwd=repo).stdout
    assert "istiod 1.30.0 → 1.30.1" in text and "introduced findings: 1" in text
    # a directory against the work tree; no change: exit 0
    assert meshlint_cli("diff", "HEAD", ".", cwd=repo).returncode == 0

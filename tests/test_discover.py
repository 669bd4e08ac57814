"""Discovery and scopes: which files are read and which facts may be correlated."""

import os

from conftest import write_tree
from meshlint.discover import CHART, KUSTOMIZATION, MANIFEST, TERRAFORM, TFVARS, VALUES, discover


def _scopes(root):
    disc = discover([str(root)], cwd=str(root))
    return {s.name: sorted(f.path for f in s.files) for s in disc.scopes}, disc


def test_file_kinds_and_skipped_folders(tmp_path):
    write_tree(tmp_path, {
        "main.tf": "", "terraform.tfvars": "", "x.auto.tfvars": "", "dev.tfvars": "",
        "k8s/app.yaml": "", "k8s/kustomization.yaml": "", "helm/values-prod.yaml": "",
        "chart/Chart.yaml": "", "chart/values.yaml": "", "chart/templates/dep.yaml": "{{ x }}",
        ".github/workflows/ci.yaml": "", ".terraform/modules/x/main.tf": "",
        "node_modules/a/b.yaml": "", "README.md": "",
    })
    disc = discover([str(tmp_path)], cwd=str(tmp_path))
    kinds = {f.path: f.kind for f in disc.files}
    assert kinds == {
        "main.tf": TERRAFORM, "terraform.tfvars": TFVARS, "x.auto.tfvars": TFVARS,
        "k8s/app.yaml": MANIFEST, "k8s/kustomization.yaml": KUSTOMIZATION,
        "helm/values-prod.yaml": VALUES, "chart/Chart.yaml": CHART, "chart/values.yaml": VALUES,
    }
    assert disc.skipped_templates == 1


def test_infra_and_k8s_folders_form_one_scope(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": "", "k8s/app.yaml": "", "k8s/base/ns.yaml": ""})
    scopes, _ = _scopes(tmp_path)
    assert scopes == {"infra": ["infra/main.tf", "k8s/app.yaml", "k8s/base/ns.yaml"]}


def test_independent_roots_are_separate_scopes(tmp_path):
    write_tree(tmp_path, {
        "patterns/a/main.tf": "", "patterns/a/app.yaml": "",
        "patterns/b/main.tf": 'module "m" {\n  source = "../../modules/m"\n}\n',
        "modules/m/main.tf": "", "modules/m/extra.yaml": "",
        "other/loose.yaml": "",
    })
    scopes, _ = _scopes(tmp_path)
    assert scopes["patterns/a"] == ["patterns/a/app.yaml", "patterns/a/main.tf"]
    assert scopes["patterns/b"] == ["modules/m/extra.yaml", "modules/m/main.tf", "patterns/b/main.tf"]
    # a folder of manifests next to unrelated roots is a scope of its own
    assert scopes["other"] == ["other/loose.yaml"]


def test_sibling_roots_named_like_environments_share_files(tmp_path):
    write_tree(tmp_path, {
        "live/dev/main.tf": "", "live/prod/main.tf": "", "k8s/shared.yaml": "",
        "stacks/blue/main.tf": 'module "c" {\n  source = "../../modules/c"\n}\n',
        "stacks/green/main.tf": 'module "c" {\n  source = "../../modules/c"\n}\n',
        "modules/c/main.tf": "",
    })
    scopes, _ = _scopes(tmp_path)
    # live/dev and live/prod are environments ("live/", "dev"/"prod"): they see k8s/;
    # so do stacks/blue and stacks/green; at the top the two groups are unrelated
    assert scopes["live/dev"] == ["live/dev/main.tf"]
    assert scopes["k8s"] == ["k8s/shared.yaml"]


def test_env_folders_are_separate_scopes_that_see_shared_files(tmp_path):
    write_tree(tmp_path, {
        "envs/dev/main.tf": "", "envs/dev/dev.yaml": "",
        "envs/prod/main.tf": "", "envs/prod/prod.yaml": "",
        "k8s/shared.yaml": "",
    })
    scopes, _ = _scopes(tmp_path)
    assert scopes["envs/dev"] == ["envs/dev/dev.yaml", "envs/dev/main.tf", "k8s/shared.yaml"]
    assert scopes["envs/prod"] == ["envs/prod/main.tf", "envs/prod/prod.yaml", "k8s/shared.yaml"]


def test_without_terraform_everything_is_one_scope(tmp_path):
    write_tree(tmp_path, {"a/x.yaml": "", "b/y.yaml": ""})
    scopes, _ = _scopes(tmp_path)
    assert list(scopes.values()) == [["a/x.yaml", "b/y.yaml"]]


def test_symlinks_out_of_the_tree_and_loops_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.yaml": "apiVersion: v1\nkind: Secret\n"})
    repo = tmp_path / "repo"
    write_tree(repo, {"k8s/app.yaml": ""})
    os.symlink(outside, repo / "k8s" / "escape")
    os.symlink(outside / "secret.yaml", repo / "k8s" / "secret-link.yaml")
    os.symlink(repo / "k8s", repo / "k8s" / "loop")
    disc = discover([str(repo)], cwd=str(repo))
    assert [f.path for f in disc.files] == ["k8s/app.yaml"]


def test_unreadable_directory_is_reported_not_fatal(tmp_path):
    write_tree(tmp_path, {"ok/app.yaml": "", "locked/x.yaml": ""})
    locked = tmp_path / "locked"
    locked.chmod(0)
    try:
        disc = discover([str(tmp_path)], cwd=str(tmp_path))
    finally:
        locked.chmod(0o755)
    paths = [f.path for f in disc.files]
    assert "ok/app.yaml" in paths
    if os.geteuid() != 0:  # root reads everything
        assert any("locked" in p for p, _ in disc.problems)

"""A GitHub module source naming the checked repository's own module folder
(`github.com/acme/platform//modules/istio?ref=v1.2.0` inside a checkout of acme/platform)
is read from that folder, as checked out; a source naming another repository is not."""

import json

from conftest import meshlint_cli, write_tree

from meshlint.tfrefs import local_module_calls, own_repository_module

ISTIO_MODULE = '''variable "istio_version" { type = string }
resource "helm_release" "istiod" {
  name       = "istiod"
  chart      = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  version    = var.istio_version
}
'''


def _root(source: str) -> str:
    return f'''module "istio" {{
  source        = "{source}"
  istio_version = "1.24.3"
}}
'''


def _versions(root) -> set[tuple[str, str]]:
    proc = meshlint_cli("versions", ".", "--format", "json", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return {(c["component"], c["version"]) for s in json.loads(proc.stdout)["scopes"]
            for c in s["components"]}


def test_own_repository_source_is_read_from_its_folder(tmp_path):
    repo = write_tree(tmp_path / "platform", {
        "modules/istio/main.tf": ISTIO_MODULE,
        "envs/dev/main.tf": _root("github.com/acme/platform//modules/istio?ref=v1.2.0"),
    })
    assert ("istiod", "1.24.3") in _versions(repo)


def test_other_repository_source_is_not_followed(tmp_path):
    repo = write_tree(tmp_path / "platform", {
        "modules/istio/main.tf": ISTIO_MODULE,
        "envs/dev/main.tf": _root("github.com/acme/other//modules/istio"),
    })
    assert ("istiod", "1.24.3") not in _versions(repo)


def test_source_forms_and_repository_identity(tmp_path):
    repo = write_tree(tmp_path / "checkout", {
        "modules/istio/main.tf": ISTIO_MODULE,
        "modules/empty/README.md": "no terraform",
        "envs/dev/main.tf": "",
    })
    caller, roots = str(repo / "envs/dev"), [str(repo)]
    want = str((repo / "modules/istio").resolve())
    forms = ["github.com/acme/platform//modules/istio",
             "git::https://github.com/acme/platform.git//modules/istio?ref=v1.2.0",
             "git@github.com:acme/platform.git//modules/istio"]
    # the folder is not named `platform` and there is no git config: not that repository
    assert all(own_repository_module(f, caller, roots) is None for f in forms)
    (repo / ".git").mkdir()
    (repo / ".git/config").write_text(
        '[remote "origin"]\n\turl = https://user:secret@github.com/acme/platform.git\n')
    assert [own_repository_module(f, caller, roots) for f in forms] == [want] * 3
    for bad in ["github.com/acme/platform//modules/empty",  # no .tf files
                "github.com/acme/platform//../outside",  # escapes the tree
                "github.com/acme/platform//.git",  # version-control metadata
                "github.com/acme/other//modules/istio",
                "https://github.com/acme/platform//modules/istio",  # an HTTP fetch, not git
                "acme/platform/aws"]:  # a registry address
        assert own_repository_module(bad, caller, roots) is None, bad
    # a caller outside every checked tree resolves nothing
    assert own_repository_module(forms[0], str(tmp_path), roots) is None


def test_discovery_ties_the_called_folder_to_its_caller(tmp_path):
    repo = write_tree(tmp_path / "platform", {
        "modules/istio/main.tf": ISTIO_MODULE,
        "envs/dev/main.tf": _root("github.com/acme/platform//modules/istio?ref=v1.2.0"),
    })
    root = repo.resolve()
    calls = local_module_calls([str(root / "envs/dev/main.tf")], [str(root)])
    assert calls[str(root / "envs/dev")] == {str(root / "modules/istio")}
    assert local_module_calls([str(root / "envs/dev/main.tf")]) == {str(root / "envs/dev"): set()}

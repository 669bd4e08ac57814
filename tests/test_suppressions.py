"""Inline suppressions in YAML and HCL, file-level ones, annotations, and unused ones."""

from conftest import check, hits, write_tree

NS = """apiVersion: v1
kind: Namespace
metadata:
  name: {name}
  labels:
    istio-injection: enabled
    istio.io/rev: canary{comment}
"""


def test_yaml_comment_above_the_document_and_on_the_line(tmp_path):
    write_tree(tmp_path, {"ns.yaml": "# meshlint: ignore[MESH402] canary migration in progress\n" +
                          NS.format(name="a", comment="") + "---\n" +
                          NS.format(name="b", comment="  # meshlint: ignore[MESH402]") + "---\n" +
                          NS.format(name="c", comment="")})
    result = check(tmp_path)
    assert hits(result) == [("MESH402", "ns.yaml", 24)]
    assert result.report.suppressed == 2


def test_unused_and_misdirected_suppressions_are_reported(tmp_path):
    write_tree(tmp_path, {"ns.yaml": "# meshlint: ignore[MESH401]\n" + NS.format(name="a", comment="")})
    result = check(tmp_path)
    assert sorted(hits(result)) == [("MESH002", "ns.yaml", 1), ("MESH402", "ns.yaml", 8)]
    # a suppression for a rule that did not run is not "unused"
    assert hits(check(tmp_path, select=["MESH402"])) == [("MESH402", "ns.yaml", 8)]


def test_file_level_with_a_prefix(tmp_path):
    write_tree(tmp_path, {"ns.yaml": NS.format(name="a", comment="") + "# meshlint: ignore-file[MESH4]\n"})
    assert hits(check(tmp_path)) == []


def test_annotation(tmp_path):
    doc = NS.format(name="a", comment="").replace(
        "  labels:", "  annotations:\n    meshlint.dev/ignore: \"MESH402,MESH401\"\n  labels:")
    write_tree(tmp_path, {"ns.yaml": doc})
    assert hits(check(tmp_path)) == []


HCL = '''provider "aws" {
  region = "us-east-1"
}
module "addons" {
  source = "aws-ia/eks-blueprints-addons/aws"
  helm_releases = {
    # meshlint: ignore[MESH103] pinned by the platform team's wrapper
    a = {
      chart      = "a"
      repository = "https://example.com"
      version    = "1.0.0"
    }
    b = {
      chart      = "b"
      repository = "https://example.com"
      version    = "1.0.0" # meshlint: ignore[MESH103]
    }
    c = {
      chart      = "c"
      repository = "https://example.com"
      version    = "1.0.0"
    }
  }
}
'''


def test_hcl_comments_cover_the_entry_they_sit_on(tmp_path):
    write_tree(tmp_path, {"main.tf": HCL})
    assert hits(check(tmp_path, select=["MESH103"])) == [("MESH103", "main.tf", 21)]


def test_hcl_block_comment_and_double_slash(tmp_path):
    write_tree(tmp_path, {"main.tf": HCL.replace('module "addons" {', '// meshlint: ignore[MESH1]\nmodule "addons" {')})
    assert hits(check(tmp_path, select=["MESH103", "MESH002"])) == []

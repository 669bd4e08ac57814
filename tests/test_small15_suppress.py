"""A `# meshlint: ignore[...]` inside a string value is text, not a suppression (issue 15,
"Smaller"): only real comments suppress."""

from conftest import check, hits, write_tree

NS = """apiVersion: v1
kind: Namespace
metadata:
  name: a
  annotations:
    note: {note}
  labels:
    istio-injection: enabled
    istio.io/rev: canary{comment}
"""


def test_yaml_comment_suppresses_but_the_same_text_in_strings_does_not(tmp_path):
    write_tree(tmp_path / "base", {"ns.yaml": NS.format(note='"plain"', comment="")})
    assert [h[0] for h in hits(check(tmp_path / "base"))] == ["MESH402"]
    write_tree(tmp_path / "commented", {"ns.yaml": NS.format(note='"plain"', comment="  # meshlint: ignore[MESH402]")})
    assert hits(check(tmp_path / "commented")) == []

    for name, note in [("quoted", '"x # meshlint: ignore-file[MESH402] no"'),
                       ("single", "'x # meshlint: ignore-file[MESH402] no'"),
                       ("block", "|\n      text\n      # meshlint: ignore-file[MESH402] no"),
                       ("folded", ">-\n      text # meshlint: ignore-file[MESH402] no"),
                       ("plain", "x#meshlint:ignore-file[MESH402]")]:
        write_tree(tmp_path / name, {"ns.yaml": NS.format(note=note, comment="")})
        result = check(tmp_path / name)
        assert [h[0] for h in hits(result)] == ["MESH402"], name
        assert result.report.suppressed == 0, name


def test_hcl_string_and_heredoc_text_is_not_a_suppression(tmp_path):
    from meshlint.parse.hclfront import parse_hcl_bytes
    from meshlint.suppress import build_index

    class Entry:
        path = "main.tf"
        abspath = str(tmp_path / "main.tf")

    class Parsed:
        entry = Entry()
        has_suppressions = True
        yaml = None

        def __init__(self, data):
            self.hcl = parse_hcl_bytes(data, "main.tf")

    data = (b'locals {\n'
            b'  a = "x # meshlint: ignore-file[MESH4] no"\n'
            b'  b = <<EOT\n'
            b'  // meshlint: ignore-file[MESH5] no\n'
            b'EOT\n'
            b'  c = 1 # meshlint: ignore[MESH6] yes\n'
            b'  // meshlint: ignore[MESH7] yes\n'
            b'  d = 2\n'
            b'}\n')
    index = build_index([Parsed(data)])
    assert [(s.line, s.codes) for s in index.all()] == [(6, ["MESH6"]), (7, ["MESH7"])]

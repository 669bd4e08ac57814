"""A `# meshlint: ignore[...]` inside a string value is text, not a suppression (issue 15,
"Smaller"): only real comments suppress."""

import json

from conftest import meshlint_cli


def _check(root):
    result = meshlint_cli("check", str(root), "--format", "json", "--no-cache")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


_GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
  namespace: shop
  annotations:
    note: {note}
spec:
  hosts: [web.example.com]
  gateways: [shop/missing-gateway]{trailing}
  http:
  - route:
    - destination: {{host: web}}
"""


def _rules(findings):
    return sorted({f["rule"] for f in findings})


def test_yaml_comment_suppresses_but_the_same_text_in_strings_does_not(tmp_path):
    (tmp_path / ".git").mkdir()
    base = tmp_path / "base"
    base.mkdir()
    (base / "vs.yaml").write_text(_GATEWAY.format(note='"plain"', trailing=""))
    codes = _rules(_check(base))
    assert codes, "the fixture must produce a finding to suppress"
    rule = codes[0]

    commented = tmp_path / "commented"
    commented.mkdir()
    (commented / "vs.yaml").write_text(_GATEWAY.format(note='"plain"', trailing=f"  # meshlint: ignore[{rule}] ok"))
    assert rule not in _rules(_check(commented))

    for name, note in [("quoted", f'"x # meshlint: ignore[{rule}] no"'),
                       ("single", f"'x # meshlint: ignore[{rule}] no'"),
                       ("block", f"|\n      text\n      # meshlint: ignore-file[{rule}] no"),
                       ("plain", f"x#meshlint: ignore-file[{rule}]")]:
        d = tmp_path / name
        d.mkdir()
        (d / "vs.yaml").write_text(_GATEWAY.format(note=note, trailing=""))
        found = _check(d)
        assert rule in _rules(found), name
        assert "MESH002" not in _rules(found), name


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

"""A `{{ … }}` somewhere in a file must not hide an unrelated parse error (issue 15): only a
Go template action at the parser's error line (or the line before) makes a file a template."""

from conftest import check, hits, write_tree

BROKEN_BELOW_A_TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  annotations:
    note: "{{ .Values.note }}"
data:
  key: [unclosed
other: value
"""

HELM_TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
{{- range .Values.items }}
  {{ .name }}: {{ .value }}
{{- end }}
"""


def test_an_unrelated_error_is_reported_despite_a_template_elsewhere(tmp_path):
    write_tree(tmp_path, {"cm.yaml": BROKEN_BELOW_A_TEMPLATE})
    found = hits(check(tmp_path), "MESH001")
    assert [(rule, path) for rule, path, _line in found] == [("MESH001", "cm.yaml")]


def test_a_real_helm_template_is_still_skipped_quietly(tmp_path):
    write_tree(tmp_path, {"cm.yaml": HELM_TEMPLATE})
    assert hits(check(tmp_path), "MESH001") == []

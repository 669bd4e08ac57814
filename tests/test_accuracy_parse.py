"""Issue 11, causes 4, 5 and 10: templates are not broken YAML, valid YAML that libyaml
rejects is read, and a duplicate key is a parse error (kubectl rejects the file)."""

import time

from conftest import check, hits, write_tree
from meshlint.parse.yamlfront import c_parser_active, parse_yaml_bytes

FLOW_POD = """
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec: {containers: [{name: web, image: nginx:1.27}]}
"""


def test_colon_in_flow_scalar_is_read_not_rejected(tmp_path):
    # libyaml rejects `nginx:1.27` inside a flow mapping; YAML 1.2, PyYAML and kubectl accept it
    root = write_tree(tmp_path, {"k8s/pod.yaml": FLOW_POD})
    result = check(root)
    assert hits(result, "MESH001") == []
    doc = parse_yaml_bytes(FLOW_POD.encode(), "pod.yaml")
    assert doc.error is None
    assert doc.documents[0].value["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_yaml_that_both_parsers_reject_is_still_mesh001(tmp_path):
    root = write_tree(tmp_path, {"k8s/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: [name\n"})
    assert hits(check(root), "MESH001") == [("MESH001", "pod.yaml", 4)]


def test_fallback_costs_nothing_on_files_that_parse():
    """The pure-Python parser runs only for a file libyaml rejects: a file that parses
    takes the C parser's time (measured against a rejected file of the same size, which
    pays for both parsers)."""
    if not c_parser_active():
        return
    body = "".join(f"k{i}: {{a: b, c: [1, 2, 3]}}\n" for i in range(3000)).encode()
    rejected = body + b"bad: {image: nginx:1.27}\n"

    def best(data):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            parse_yaml_bytes(data, "x.yaml")
            times.append(time.perf_counter() - start)
        return min(times)

    assert best(rejected) > 2 * best(body)


def test_duplicate_key_is_a_parse_error(tmp_path):
    root = write_tree(tmp_path, {"k8s/svc.yaml": """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
          namespace: other
        spec:
          ports: [{port: 80}]
        """})
    result = check(root)
    assert hits(result, "MESH001") == [("MESH001", "svc.yaml", 6)]
    assert "duplicate key 'namespace'" in result.report.findings[0].message


def test_merge_key_override_is_not_a_duplicate():
    doc = parse_yaml_bytes(b"base: &b {a: 1}\nx:\n  <<: *b\n  a: 2\n", "v.yaml")
    assert doc.error is None and doc.documents[0].value["x"]["a"] == 2


def test_template_syntax_at_the_error_is_skipped_with_a_note(tmp_path):
    root = write_tree(tmp_path, {
        "k8s/np.yaml": """
            apiVersion: karpenter.sh/v1beta1
            kind: NodePool
            metadata:
              name: flink
            spec:
              requirements:
                - key: topology.kubernetes.io/zone
                  values: [${azs}a]
            """,
        "k8s/values.yaml": "a: 1\n%{ if enabled ~}\nb: 2\n%{ endif ~}\n",
        "k8s/rb.yaml": "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata:\n"
                       "  name: {{MY_SA}}-binding\n",
    })
    result = check(root)
    assert hits(result, "MESH001") == []
    notes = "\n".join(result.report.notes)
    assert "np.yaml: template (${azs}" in notes
    assert "rb.yaml: template ({{MY_SA}}" in notes


def test_file_rendered_by_terraform_is_skipped_with_a_note(tmp_path):
    # `----` is not a document marker: the file is broken as it stands, but Terraform
    # renders it (kubectl_path_documents), so it is a template, not a MESH001
    root = write_tree(tmp_path, {
        "infra/main.tf": """
            data "kubectl_path_documents" "monitors" {
              pattern = "${path.module}/dash/*.yaml"
              vars    = { ns = "a" }
            }
            locals {
              values = templatefile("${path.module}/values/app.yaml", { x = 1 })
            }
            """,
        "infra/dash/monitor.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n\n----\n"
                                   "apiVersion: v1\nkind: ConfigMap\n",
        "infra/values/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n",
        "k8s/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n",
    })
    result = check(root)
    assert hits(result, "MESH001") == [("MESH001", "broken.yaml", 5)]
    notes = "\n".join(result.report.notes)
    assert "monitor.yaml: template rendered by Terraform (kubectl_path_documents" in notes
    assert "app.yaml: template rendered by Terraform (templatefile()" in notes

"""Issue 11, causes 8 and 11: MESH401 reports namespaces where injection is plausibly
wanted (not infrastructure, not Jobs only) and suggests the ambient label in an ambient
installation; MESH404 leaves Istio's own Services, UDP ports and webhooks alone."""

from conftest import ISTIOD_TF, check, hits, only, write_tree

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
DEPLOY = """
apiVersion: apps/v1
kind: {kind}
metadata:
  name: worker
  namespace: {ns}
spec:
  template:
    spec:
      containers:
        - name: worker
          image: example/worker:1.0
"""

ZTUNNEL_TF = ISTIOD_TF + '''
resource "helm_release" "ztunnel" {
  name       = "ztunnel"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "ztunnel"
  version    = "1.22.3"
  namespace  = "istio-system"
}
'''


def _repo(tmp_path, ns, kind="Deployment", tf=ISTIOD_TF):
    return write_tree(tmp_path, {"infra/istio.tf": tf, "k8s/ns.yaml": NAMESPACE.format(ns=ns),
                                 "k8s/w.yaml": DEPLOY.format(kind=kind, ns=ns)})


def test_application_namespace_is_still_reported(tmp_path):
    assert hits(check(_repo(tmp_path, "orders")), "MESH401") == [("MESH401", "ns.yaml", 4)]


def test_infrastructure_namespaces_are_not_reported(tmp_path):
    assert hits(check(_repo(tmp_path / "a", "cert-manager")), "MESH401") == []
    assert hits(check(_repo(tmp_path / "b", "monitoring")), "MESH401") == []


def test_job_only_namespace_is_not_reported(tmp_path):
    assert hits(check(_repo(tmp_path / "a", "batch", kind="Job")), "MESH401") == []
    assert hits(check(_repo(tmp_path / "b", "batch", kind="CronJob")), "MESH401") == []


def test_ambient_installation_suggests_the_dataplane_label(tmp_path):
    finding = only(check(_repo(tmp_path, "orders", tf=ZTUNNEL_TF)), "MESH401")
    assert "istio.io/dataplane-mode=ambient" in finding.message
    assert "istio-injection: enabled" not in (finding.fix or "")


SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: orders
spec:
  selector: {{app: {name}}}
  ports:
    - {{name: {port_name}, port: {port}, protocol: {protocol}}}
"""


def _services(tmp_path, **svc):
    return write_tree(tmp_path, {"infra/istio.tf": ISTIOD_TF, "k8s/svc.yaml": SERVICE.format(**svc)})


def test_mesh404_still_reports_an_application_port(tmp_path):
    root = _services(tmp_path, name="web", port_name="web", port=80, protocol="TCP")
    assert hits(check(root), "MESH404") == [("MESH404", "svc.yaml", 9)]


def test_mesh404_leaves_istio_gateway_services_alone(tmp_path):
    root = _services(tmp_path, name="edge", port_name="status-port", port=15021, protocol="TCP")
    assert hits(check(root), "MESH404") == []


def test_mesh404_leaves_udp_ports_alone(tmp_path):
    root = _services(tmp_path, name="dns", port_name="dns", port=53, protocol="UDP")
    assert hits(check(root), "MESH404") == []


def test_mesh404_leaves_webhook_services_alone(tmp_path):
    root = _services(tmp_path, name="policy-webhook", port_name="webhook", port=443, protocol="TCP")
    assert hits(check(root), "MESH404") == []

"""Wrong shapes and out-of-range values from a hostile repository (issue 15 #10): a scalar
where a list belongs, numbers past Python's 4,300-digit int limit, `count` = infinity,
deep HCL nesting, lone surrogates in HCL strings and non-UTF-8 file names. Every input is
generated here; the whole tree is one repository, so one crash fails the run, and a healthy
file beside them must still be reported in every output format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import meshlint

HUGE = "9" * 5000  # past Python's int-from-text limit (4,300 digits)
DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n"
ISTIO = "apiVersion: networking.istio.io/v1\n"
ARGO = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n  source:\n"
        "    repoURL: https://istio-release.storage.googleapis.com/charts\n    chart: istiod\n")
NODEPOOL = "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n"
RELEASE = ('resource "helm_release" "a" {{\n  name = "a"\n  chart = "istiod"\n'
           '  repository = "https://istio-release.storage.googleapis.com/charts"\n  version = "1.20.0"\n{extra}}}\n')
EKS = 'module "eks" {{\n  source = "terraform-aws-modules/eks/aws"\n  version = "~> 20.0"\n  cluster_version = "1.30"\n{extra}}}\n'

SHAPES: dict[str, str] = {
    "containers/m.yaml": DEPLOY + "      containers: 5\n      initContainers: x\n",
    "tolerations/m.yaml": DEPLOY + "      tolerations: 5\n      containers: [{name: a, image: a}]\n",
    "vs/m.yaml": ISTIO + "kind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [a]\n  gateways: [g]\n  http: 5\n  tls: [{match: 5}]\n",
    "gateway/m.yaml": ISTIO + "kind: Gateway\nmetadata:\n  name: a\nspec:\n  selector: 5\n  servers: 5\n",
    "gateway-port/m.yaml": (ISTIO + "kind: Gateway\nmetadata:\n  name: a\nspec:\n  servers: [5, {port: 5, hosts: 5},"
                            " {port: {number: " + HUGE + "}, hosts: [5]}]\n"),
    "service/m.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: 5\n",
    "karpenter/m.yaml": NODEPOOL + "      requirements: 5\n",
    "karpenter-values/m.yaml": NODEPOOL + "      requirements: [5, {key: kubernetes.io/arch, operator: In, values: 5}]\n",
    "argo-parameters/m.yaml": ARGO + "    targetRevision: 1.20.0\n    helm:\n      parameters: 5\n",
    "argo-version/m.yaml": ARGO + f"    targetRevision: {HUGE}\n",
    "configmap/m.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: {HUGE}\n",
    "operator/m.yaml": f"apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: a\nspec:\n  tag: {HUGE}\n  components: 5\n",
    "chart/Chart.yaml": f"apiVersion: v2\nname: a\nversion: 1{HUGE}\ndependencies: [5, {{name: istiod, version: {HUGE}, repository: https://x}}]\n",
    "chart/Chart.lock": "dependencies: 5\n",
    "chart2/Chart.yaml": "apiVersion: v2\nname: b\nversion: 1.0.0\ndependencies: 5\n",
    "chart2/Chart.lock": "dependencies: [5, {name: 5, version: 5}]\n",
    "tf-set/main.tf": RELEASE.format(extra="  set = 5\n"),
    "tf-set-list/main.tf": RELEASE.format(extra="  set = [5, { name = 5 }]\n  values = 5\n"),
    "tf-taints/main.tf": 'resource "aws_eks_node_group" "a" {\n  cluster_name = "c"\n  taints = 4\n  labels = 4\n}\n',
    "tf-group-taints/main.tf": EKS.format(extra="  eks_managed_node_groups = { a = { taints = 4, instance_types = 4 } }\n"),
    "tf-count-inf/main.tf": RELEASE.format(extra="  count = 1e999\n"),
    "tf-count-inf-local/main.tf": 'locals {\n  n = 1e400 * 1e400\n}\n' + RELEASE.format(extra="  count = local.n\n"),
    "tf-for-each/main.tf": RELEASE.format(extra='  for_each = [["a"]]\n'),
    "tf-huge-number/main.tf": RELEASE.format(extra=f"  timeout = {HUGE}\n") + f"locals {{\n  x = {HUGE} + 1\n}}\n",
    "tf-huge-version/main.tf": f'resource "aws_eks_cluster" "a" {{\n  name = "a"\n  version = "1.{HUGE}"\n}}\n',
    "tf-nested/main.tf": "".join(f"b{i} {{\n" for i in range(1000)) + "}\n" * 1000,
    "tf-nested-values/main.tf": "locals {\n  x = " + "{a = " * 1000 + "1" + "}" * 1000 + "\n  y = " + "[" * 1000 + "]" * 1000 + "\n}\n",
    "tf-surrogate/main.tf": RELEASE.replace('"a"', '"a\\ud800"').replace("charts", "charts\\udc80").format(extra=""),
    # the healthy file every format must still report (MESH402: a revision label beside the legacy one)
    "healthy/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: healthy\n  labels:\n"
                       "    istio-injection: enabled\n    istio.io/rev: canary\n",
}


def _repository(root: Path) -> Path:
    for rel, text in SHAPES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    name = os.fsencode(str(root / "names")) + b"/bad\xff\xfe.yaml"  # not UTF-8
    os.makedirs(os.path.dirname(name), exist_ok=True)
    with open(name, "wb") as fh:
        fh.write(SHAPES["healthy/ns.yaml"].replace("healthy", "badname").encode())
    return root


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "github", "junit"])
def test_hostile_shapes_end_in_findings_not_a_crash(tmp_path: Path, fmt: str) -> None:
    repo = _repository(tmp_path / "repo")
    src = str(Path(meshlint.__file__).resolve().parent.parent)
    started = time.monotonic()
    # bytes: text output prints a non-UTF-8 file name as its bytes, as `ls` does
    result = subprocess.run([sys.executable, "-m", "meshlint", "check", str(repo), "--format", fmt,
                             "--no-cache", "--as-of", "2026-11-27"], capture_output=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": src})
    stdout, stderr = (result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace"))
    assert result.returncode == 1, stderr[-2000:]
    assert "internal error" not in stderr
    assert time.monotonic() - started < 60
    assert "healthy" in stdout and "MESH402" in stdout
    if fmt in ("json", "sarif"):
        result.stdout.decode("utf-8")  # strict: machine formats are valid UTF-8 whatever the names
    if fmt == "json":
        doc = json.loads(result.stdout)
        paths = [f["path"] for f in doc["findings"]]
        assert any(p.endswith("names/bad\udcff\udcfe.yaml") for p in paths)  # the name survives, escaped
        assert any(p.endswith("healthy/ns.yaml") for p in paths)

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
    "tf-nested-resource/main.tf": RELEASE.format(extra="".join(f"  b{i} {{\n" for i in range(1000)) + "}\n" * 1000),
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


# (file, line[, nth on the line]) -> what its finding says: each wrong shape the applying
# tool rejects is one MESH001 at the key that holds it
REJECTED: dict[tuple, str] = {
    ("containers/m.yaml", 8): "spec.template.spec.containers must be a list, not an integer (kubectl rejects this object)",
    ("containers/m.yaml", 9): "spec.template.spec.initContainers must be a list, not a string (kubectl rejects",
    ("tolerations/m.yaml", 8): "spec.template.spec.tolerations must be a list, not an integer (kubectl rejects",
    ("vs/m.yaml", 8): "spec.http must be a list, not an integer (kubectl rejects",
    ("vs/m.yaml", 9): "spec.tls[0].match must be a list, not an integer (kubectl rejects",
    ("gateway/m.yaml", 6): "spec.selector must be a mapping, not an integer (kubectl rejects",
    ("gateway/m.yaml", 7): "spec.servers must be a list, not an integer (kubectl rejects",
    ("gateway-port/m.yaml", 6): "spec.servers[1].port must be a mapping, not an integer (kubectl rejects",
    ("gateway-port/m.yaml", 6, 2): "spec.servers[1].hosts must be a list, not an integer (kubectl rejects",
    ("service/m.yaml", 6): "spec.ports must be a list, not an integer (kubectl rejects this object)",
    ("karpenter/m.yaml", 8): "spec.template.spec.requirements must be a list, not an integer (kubectl rejects",
    ("karpenter-values/m.yaml", 8): "spec.template.spec.requirements[1].values must be a list, not an integer",
    ("argo-parameters/m.yaml", 11): "spec.source.helm.parameters must be a list, not an integer (kubectl rejects",
    ("chart/Chart.lock", 1): "dependencies must be a list, not an integer (Helm rejects this file)",
    ("chart2/Chart.yaml", 4): "dependencies must be a list, not an integer (Helm rejects this file)",
    ("tf-set/main.tf", 6): "set must be a list, not an integer (Terraform rejects this block)",
    ("tf-set-list/main.tf", 7): "values must be a list, not an integer (Terraform rejects this block)",
    ("tf-taints/main.tf", 4): "labels must be a mapping, not an integer (Terraform rejects this block)",
    ("tf-count-inf/main.tf", 6): "count must be a non-negative whole number, not infinity (Terraform rejects",
    ("tf-count-inf-local/main.tf", 9): "count must be a non-negative whole number, not infinity (Terraform rejects",
    ("tf-for-each/main.tf", 6): "for_each must be a map or a set of strings, not a list of lists (Terraform rejects",
    # an item of a list of objects that is not one (`[5, {...}]`), at the item
    ("gateway-port/m.yaml", 6, 3): "spec.servers[0] must be a mapping, not an integer (kubectl rejects",
    ("karpenter-values/m.yaml", 8, 2): "spec.template.spec.requirements[0] must be a mapping, not an integer",
    ("chart/Chart.yaml", 4): "dependencies[0] must be a mapping, not an integer (Helm rejects this file)",
    ("chart2/Chart.lock", 1): "dependencies[0] must be a mapping, not an integer (Helm rejects this file)",
    ("tf-set-list/main.tf", 6): "set[0] must be a mapping, not an integer (Terraform rejects this block)",
}
# (file, line) -> what its note says: shapes meshlint cannot read that nobody certainly rejects
UNREAD = {
    ("tf-group-taints/main.tf", 5): 'eks_managed_node_groups["a"].taints must be a list, not an integer: meshlint cannot read it',
    ("tf-nested-resource/main.tf", 38): "Terraform value not evaluated: blocks nested more than 32 deep",
}

# the same keys written correctly, or not known before apply: no finding, no note
LOOK_ALIKES: dict[str, str] = {
    "flow/m.yaml": DEPLOY + "      containers: [{name: a, image: nginx}]\n      tolerations: []\n---\n"
                   "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 80}]\n---\n"
                   + ISTIO + "kind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [a]\n  http: [{route: []}]\n",
    "placeholder/m.yaml": DEPLOY + "      containers: ${CONTAINERS}\n",
    "chart/Chart.yaml": "apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies: [{name: base, version: 1.0.0, repository: https://x}]\n",
    "chart/Chart.lock": "dependencies: [{name: base, version: 1.0.0, repository: https://x}]\n",
    "tf/main.tf": 'variable "n" {}\n' + RELEASE.format(extra="  count = var.n\n")
                  + RELEASE.replace('"a"', '"b"').format(extra='  for_each = { x = { v = 1 } }\n')
                  + RELEASE.replace('"a"', '"c"').format(extra='  count = 2\n  set {\n    name = "x"\n    value = "y"\n  }\n')
                  + RELEASE.replace('"a"', '"d"').format(extra='  for_each = toset(["x", "y"])\n'),
}


def _check_json(repo: Path) -> dict:
    src = str(Path(meshlint.__file__).resolve().parent.parent)
    result = subprocess.run([sys.executable, "-m", "meshlint", "check", str(repo), "--format", "json",
                             "--no-cache", "--as-of", "2026-11-27"], capture_output=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": src})
    assert result.returncode in (0, 1), result.stderr.decode("utf-8", "replace")[-2000:]
    return json.loads(result.stdout)


def _relative(path: str, repo: Path) -> str:
    return os.path.relpath(os.path.abspath(path), repo).replace(os.sep, "/")


def test_each_wrong_shape_is_one_finding_or_note_at_its_line(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    doc = _check_json(repo)
    shapes = [f for f in doc["findings"] if f["rule"] == "MESH001" and "must be" in f["message"]]
    at: dict[tuple, list] = {}
    for f in shapes:
        at.setdefault((_relative(f["path"], repo), f["line"]), []).append(f)
    for (path, line, *_), message in REJECTED.items():
        hits = [f for f in at.get((path, line), []) if f["message"].startswith(message)]
        assert len(hits) == 1, f"{path}:{line}: {message!r} not in {at.get((path, line))}"
        assert hits[0]["severity"] == "error"
    assert len(shapes) == len(REJECTED), sorted(at)  # nothing else
    assert len(shapes) == len({(_relative(f["path"], repo), f["line"], f["message"]) for f in shapes})  # once each
    for (path, line), message in UNREAD.items():
        hits = [n for n in doc["notes"] if _relative(n.split(":", 1)[0], repo) == path and f":{line}: {message}" in n]
        assert len(hits) == 1, (path, line, doc["notes"])


def test_a_scalar_where_a_list_belongs_is_not_no_problems(tmp_path: Path) -> None:
    """The auditor's minimal case: it used to say "No problems found"."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "m.yaml").write_text(DEPLOY + "      containers: 5\n---\n" + SHAPES["service/m.yaml"])
    doc = _check_json(repo)
    assert sorted((f["line"], f["rule"]) for f in doc["findings"]) == [(8, "MESH001"), (15, "MESH001")]


def test_look_alikes_stay_silent(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for rel, text in LOOK_ALIKES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    doc = _check_json(repo)
    assert [f for f in doc["findings"] if f["rule"] == "MESH001"] == []
    assert doc["notes"] == []
    # the for_each and count = 2 releases are read, one per instance
    objects = {f["message"].split(" installs", 1)[0] for f in doc["findings"] if f["rule"] == "MESH107"}
    assert {'helm_release.b["x"]', "helm_release.c[0]", "helm_release.c[1]",
            'helm_release.d["x"]', 'helm_release.d["y"]'} <= objects, objects

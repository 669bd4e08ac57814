"""`meshlint fix`: the seed pattern, each source a value can be written in, safety,
idempotence, and refusals (no literal in one place; a fix that would not parse)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from meshlint.cli import cli

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = Path("/work/shared/corpus/eks-blueprints-istio-2023-10")
AS_OF = "2026-11-27"


def meshlint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def findings(path: Path, *extra: str) -> list[dict]:
    code, out, _ = meshlint("check", str(path), "--format", "json", "--as-of", AS_OF, "--no-cache", *extra)
    return json.loads(out)["findings"]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    shutil.copytree(SEED, tmp_path / "seed")
    return tmp_path / "seed"


def test_seed_pattern_mesh103_becomes_chart_version_and_nothing_else(seed: Path) -> None:
    before = snapshot(seed)
    assert sum(f["rule"] == "MESH103" for f in findings(seed)) == 3
    code, _out, err = meshlint("fix", str(seed), "--select", "MESH103", "--as-of", AS_OF)
    assert code == 0, err
    after = snapshot(seed)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["main.tf"]
    old_lines, new_lines = before["main.tf"].splitlines(), after["main.tf"].splitlines()
    diffs = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    assert len(old_lines) == len(new_lines) and len(diffs) == 3
    for old, new in diffs:
        assert old.split("=")[0].strip() == "version" and new.split("=")[0].strip() == "chart_version"
        assert old.split("=", 1)[1].strip() == new.split("=", 1)[1].strip()
    assert not [f for f in findings(seed) if f["rule"] == "MESH103"]
    # idempotent: a second fix changes nothing
    # (MESH107's fix, added later, would move the retired chart repository: not this test's rule)
    assert meshlint("fix", str(seed), "--as-of", AS_OF, "--unsafe-fixes", "--ignore", "MESH107")[0] == 0
    assert snapshot(seed) == after


def test_diff_changes_nothing_and_exits_1(seed: Path) -> None:
    before = snapshot(seed)
    code, out, _ = meshlint("fix", str(seed), "--diff", "--as-of", AS_OF)
    assert code == 1
    assert out.count("+      chart_version") == 3 and out.count("-      version") == 3
    assert snapshot(seed) == before
    meshlint("fix", str(seed), "--as-of", AS_OF)
    assert meshlint("fix", str(seed), "--diff", "--as-of", AS_OF)[:2] == (0, "")


MAIN_TF = '''provider "aws" {
  region = "us-east-1"
}

resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "~> 1.20.0"
  namespace  = "istio-system"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"

  azs             = ["us-east-1a", "us-east-1b", "us-east-1c"]
  private_subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
  public_subnets  = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]

  enable_nat_gateway = true # one per AZ
}

resource "kubernetes_namespace_v1" "orders" {
  metadata {
    name = "orders"
    labels = {
      team = "orders"
    }
  }
}
'''

APPS_YAML = '''apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: shop}
---
apiVersion: v1
kind: Namespace
metadata:
  name: cart
  labels:
    team: cart # owner
---
apiVersion: v1
kind: Namespace
metadata: {name: bare}
''' + "".join(f'''---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  template:
    spec:
      containers: [{{name: web, image: "nginx:1.25"}}]
''' for ns in ("shop", "cart", "orders", "bare"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / "main.tf").write_text(MAIN_TF)
    (root / "apps.yaml").write_text(APPS_YAML)
    return root


def test_safe_run_leaves_unsafe_fixes_alone(project: Path) -> None:
    before = snapshot(project)
    # the fixture's retired chart host has a safe fix (MESH107): left out to see the unsafe ones alone
    code, _, err = meshlint("fix", str(project), "--as-of", AS_OF, "--ignore", "MESH107")
    assert code == 0 and "more fixable with --unsafe-fixes" in err
    assert snapshot(project) == before


def test_unsafe_fixes_every_source(project: Path) -> None:
    rules_before = sorted(f["rule"] for f in findings(project))
    assert rules_before.count("MESH401") == 4 and "MESH501" in rules_before and "MESH103" in rules_before
    code, _, err = meshlint("fix", str(project), "--unsafe-fixes", "--as-of", AS_OF)
    assert code == 0, err
    tf, apps = (project / "main.tf").read_text(), (project / "apps.yaml").read_text()
    # HCL attribute: the range becomes what it resolves to on the run's date, the newest 1.20
    # patch (1.20.8, rules/data/istio-patches.yaml)
    assert 'version    = "1.20.8"' in tf
    assert "  enable_nat_gateway = true # one per AZ\n  single_nat_gateway = true\n" in tf
    assert '"istio-injection" = "enabled"' in tf and 'team = "orders"' in tf  # HCL labels map
    assert "labels: {team: shop, istio-injection: enabled}" in apps  # YAML flow style
    assert "  labels:\n    istio-injection: enabled\n    team: cart # owner\n" in apps  # block style
    assert "metadata: {name: bare, labels: {istio-injection: enabled}}" in apps  # flow, no labels
    rules_after = sorted(f["rule"] for f in findings(project))
    assert not {"MESH401", "MESH501", "MESH103"} & set(rules_after), rules_after
    after = snapshot(project)
    meshlint("fix", str(project), "--unsafe-fixes", "--as-of", AS_OF)
    assert snapshot(project) == after


LOCALS_TF = '''locals {
  istio_version = "~> 1.20.0" # shared by all charts
}

resource "helm_release" "base" {
  name       = "istio-base"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "base"
  version    = local.istio_version
  namespace  = "istio-system"
}
'''


def test_locals_source_is_edited_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(LOCALS_TF)
    meshlint("fix", str(tmp_path), "--unsafe-fixes", "--select", "MESH103", "--as-of", AS_OF)
    text = (tmp_path / "main.tf").read_text()
    assert 'istio_version = "1.20.8" # shared by all charts' in text  # the newest 1.20 patch
    assert "version    = local.istio_version" in text


VARS_TF = '''variable "istio_version" {
  type = string
}

resource "helm_release" "base" {
  name       = "istio-base"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "base"
  version    = var.istio_version
  namespace  = "istio-system"
}
'''


def test_tfvars_source_and_variable_without_value(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(VARS_TF)
    (tmp_path / "terraform.tfvars").write_text('istio_version = ">=1.20.0, <1.21.0"\n')
    meshlint("fix", str(tmp_path), "--unsafe-fixes", "--select", "MESH103", "--as-of", AS_OF)
    assert (tmp_path / "terraform.tfvars").read_text() == 'istio_version = "1.20.8"\n'
    assert not [f for f in findings(tmp_path) if f["rule"] == "MESH103"]


def test_computed_value_gets_no_fix_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(LOCALS_TF.replace('"~> 1.20.0"', '"~> ${var.minor}"'))
    before = snapshot(tmp_path)
    # MESH107 (the retired chart host in the fixture) has a safe fix of its own: not this test's
    _, _, err = meshlint("fix", str(tmp_path), "--unsafe-fixes", "--as-of", AS_OF, "--ignore", "MESH107")
    assert snapshot(tmp_path) == before
    if any(f["rule"] == "MESH103" for f in findings(tmp_path)):
        assert "MESH103 not fixed" in err


CHART = '''apiVersion: v2
name: mesh
version: 0.1.0
dependencies:
  - name: istiod
    repository: https://istio-release.storage.googleapis.com/charts
    version: "~1.20.0"
'''


def test_chart_dependency_object_in_a_list(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "mesh"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART)
    before = [f for f in findings(tmp_path) if f["rule"] == "MESH103"]
    assert before
    meshlint("fix", str(tmp_path), "--unsafe-fixes", "--as-of", AS_OF)
    assert '    version: "1.20.8"\n' in (chart / "Chart.yaml").read_text()
    assert not [f for f in findings(tmp_path) if f["rule"] == "MESH103"]


SKEW_TF = '''locals {
  gateway_version = "1.19.3"
}

resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.20.2"
  namespace  = "istio-system"
}

resource "helm_release" "gateway" {
  name       = "istio-ingress"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "gateway"
  version    = local.gateway_version
  namespace  = "istio-ingress"
}

resource "helm_release" "gateway2" {
  name       = "istio-egress"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "gateway"
  version    = local.gateway_version
  namespace  = "istio-egress"
}
'''


def test_skew_aligned_on_istiod_with_one_edit_of_the_shared_local(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(SKEW_TF)
    assert sum(f["rule"] == "MESH101" for f in findings(tmp_path)) == 2
    meshlint("fix", str(tmp_path), "--unsafe-fixes", "--select", "MESH101", "--as-of", AS_OF)
    text = (tmp_path / "main.tf").read_text()
    assert text == SKEW_TF.replace('gateway_version = "1.19.3"', 'gateway_version = "1.20.2"')
    assert not [f for f in findings(tmp_path) if f["rule"] == "MESH101"]


CONFLICT = '''apiVersion: v1
kind: Namespace
metadata:
  name: pay
  labels:
    istio-injection: enabled
    istio.io/rev: canary
    team: pay
---
apiVersion: v1
kind: Namespace
metadata:
  name: flow
  labels: {istio-injection: enabled, istio.io/rev: canary}
'''


def test_conflicting_label_removed_block_and_flow(tmp_path: Path) -> None:
    (tmp_path / "ns.yaml").write_text(CONFLICT)
    assert sum(f["rule"] == "MESH402" for f in findings(tmp_path)) == 2
    meshlint("fix", str(tmp_path), "--unsafe-fixes", "--select", "MESH402", "--as-of", AS_OF)
    text = (tmp_path / "ns.yaml").read_text()
    assert "    istio.io/rev: canary\n    team: pay\n" in text and "    istio-injection" not in text
    assert "labels: {istio.io/rev: canary}" in text
    assert not [f for f in findings(tmp_path) if f["rule"] == "MESH402"]


def test_a_crlf_file_keeps_crlf_line_endings(tmp_path: Path) -> None:
    vpc = ('module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.1.2"\n\n'
           '  azs             = ["us-east-1a", "us-east-1b", "us-east-1c"]\n'
           '  private_subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]\n'
           '  public_subnets  = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]\n\n'
           '  enable_nat_gateway = true\n}\n')
    (tmp_path / "main.tf").write_bytes(vpc.replace("\n", "\r\n").encode())
    meshlint("fix", str(tmp_path), "--unsafe-fixes", "--select", "MESH501", "--as-of", AS_OF)
    data = (tmp_path / "main.tf").read_bytes()
    assert b"  enable_nat_gateway = true\r\n  single_nat_gateway = true\r\n}\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")  # no bare LF anywhere

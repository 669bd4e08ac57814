"""Ordinary large Terraform cannot exhaust memory (issue 15): tree-sitter-hcl keeps ~75-310 bytes
of tree per byte of source for the whole run. One file over the HCL size cap is MESH001; past the
run's budget of syntax-tree nodes, further folders are skipped with one MESH001. Inputs are
generated here; memory is measured on a child process (getrusage)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import write_tree

import meshlint.parse.hclbudget as hclbudget
from meshlint.engine import Options, run
from meshlint.parse.hclfront import MAX_HCL_BYTES, parse_hcl_bytes

SRC = str(Path(__file__).resolve().parents[1] / "src")

# one finding meshlint makes outside the Terraform: a Deployment pulling an image from a retired host
OTHER_FINDING = {"k8s/app.yaml": """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: app}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: "gcr.io/istio-release/proxyv2:1.20.0"}]
    """}


def _dense(size: int) -> bytes:
    """A `locals` block of ordinary attributes (the densest syntax people write), `size` bytes."""
    head, tail = b"locals {\n", b"}\n"
    lines = []
    total = len(head) + len(tail)
    n = 0
    while total + 30 <= size:
        line = b'  attr_%06d = "value %06d"\n' % (n, n)
        lines.append(line)
        total += len(line)
        n += 1
    pad = b"#" * (size - total - 1) + b"\n" if size - total > 0 else b""
    return head + b"".join(lines) + pad + tail


def _peak_run(root: Path) -> tuple[int, float, float, dict]:
    """(exit code, peak MB, seconds, JSON report) of `meshlint check` in a fresh child."""
    probe = ("import json, resource, subprocess, sys, time\n"
             "t = time.time()\n"
             "p = subprocess.run([sys.executable, '-m', 'meshlint', 'check', sys.argv[1], '--no-cache',"
             " '--format', 'json'], capture_output=True, text=True)\n"
             "print(json.dumps([p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
             " time.time() - t, p.stdout, p.stderr]))\n")
    done = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True, text=True,
                          timeout=180, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin",
                                            "MESHLINT_AS_OF": "2026-11-26"})
    rc, peak_kb, seconds, out, err = json.loads(done.stdout)
    assert rc in (0, 1), err
    return rc, peak_kb / 1024, seconds, json.loads(out)


def _rules(report: dict) -> set[tuple[str, str]]:
    return {(f["rule"], f["path"].rsplit("/", 1)[-1]) for f in report["findings"]}


def test_a_file_just_over_the_hcl_cap_is_one_finding_and_the_rest_is_checked(tmp_path: Path) -> None:
    big = _dense(MAX_HCL_BYTES + 2000)
    assert len(big) > MAX_HCL_BYTES
    write_tree(tmp_path, {**OTHER_FINDING, "infra/big.tf": big,
                          "infra/small.tf": b'locals {\n  x = 1\n}\n'})
    rc, peak, seconds, report = _peak_run(tmp_path)
    assert rc == 1 and peak < 500 and seconds < 30
    too_large = [f for f in report["findings"] if f["rule"] == "MESH001"]
    assert len(too_large) == 1 and too_large[0]["path"].endswith("big.tf") and too_large[0]["line"] == 1
    assert f"file too large for HCL parsing ({len(big):,} bytes; limit {MAX_HCL_BYTES:,})" in too_large[0]["message"]
    assert ("MESH107", "app.yaml") in _rules(report)


def test_a_file_just_under_the_cap_parses() -> None:
    data = _dense(MAX_HCL_BYTES - 10)
    hcl = parse_hcl_bytes(data, "under.tf")
    assert hcl.error is None and len(hcl.body.blocks[0].body.attrs) > 5000


def test_long_strings_do_not_count_towards_the_cap() -> None:
    """The cap is on what tree-sitter sees: a big heredoc keeps only its newlines (hclcap)."""
    body = ("x" * 70 + "\n") * 20_000  # 1.4 MB
    hcl = parse_hcl_bytes(f'locals {{\n  policy = <<EOT\n{body}EOT\n}}\n'.encode(), "policy.tf")
    assert hcl.error is None and hcl.capped


def test_many_folders_just_under_the_cap_stop_at_the_budget(tmp_path: Path) -> None:
    """40 modules of ~256 KB dense attributes (10 MB, ~13 M bytes of tree in total unbounded: 3 GB)."""
    files = {f"modules/m{i:02d}/main.tf": _dense(MAX_HCL_BYTES - 100) for i in range(40)}
    write_tree(tmp_path, {**OTHER_FINDING, **files})
    started = time.monotonic()
    rc, peak, seconds, report = _peak_run(tmp_path)
    assert rc == 1 and peak < 500 and time.monotonic() - started < 60
    budget = [f for f in report["findings"] if f["rule"] == "MESH001"]
    assert len(budget) == 1, budget  # reported once, on the first folder skipped
    skipped = int(budget[0]["message"].split("this file and ")[1].split()[0]) + 1
    assert 0 < skipped < 40 and budget[0]["line"] == 1
    assert budget[0]["path"].endswith(f"m{40 - skipped:02d}/main.tf")
    assert ("MESH107", "app.yaml") in _rules(report)


def _run_in_process(root: Path):
    opts = Options(paths=[str(root)], as_of=dt.date(2026, 11, 26))
    opts.cache = False
    return run(opts).report.findings


TFVARS_ROOT = {
    "infra/main.tf": """
        resource "helm_release" "istiod" {
          name       = "istiod"
          repository = "https://istio-release.storage.googleapis.com/charts"
          chart      = "istiod"
          version    = var.istio_version
          namespace  = "istio-system"
        }
        """,
    "infra/variables.tf": """
        variable "istio_version" {
          default = "1.20.0"
        }
        """,
    "infra/terraform.tfvars": 'istio_version = "1.30.1"\n',
}


def test_a_module_is_read_whole_or_not_at_all(tmp_path: Path, monkeypatch) -> None:
    """A budget that runs out inside a folder skips the whole folder: a module read without its
    tfvars would report the variable's default (1.20, end of life) as what is installed."""
    write_tree(tmp_path, TFVARS_ROOT)
    everything = _run_in_process(tmp_path)
    assert not any(f.rule == "MESH105" for f in everything)
    room = sum(parse_hcl_bytes((tmp_path / p).read_bytes(), p).tree_nodes()
               for p in ("infra/main.tf", "infra/variables.tf"))
    monkeypatch.setattr(hclbudget, "MAX_HCL_NODES", room + 3)  # the .tf files fit, the .tfvars not
    found = _run_in_process(tmp_path)
    assert not any(f.rule == "MESH105" for f in found)
    assert [f.rule for f in found] == ["MESH001"], [(f.rule, f.message) for f in found]
    assert found[0].location.path.endswith(("main.tf", "variables.tf", "terraform.tfvars"))


GATEWAY_IN_TERRAFORM = {
    "infra/main.tf": """
        resource "helm_release" "gw" {
          name       = "istio-ingressgateway"
          repository = "https://istio-release.storage.googleapis.com/charts"
          chart      = "gateway"
          version    = "1.30.1"
          namespace  = "istio-ingress"
        }
        """,
    "infra/k8s/istiod.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: istiod, namespace: istio-system, labels: {app: istiod}}
        spec:
          selector: {matchLabels: {app: istiod}}
          template:
            metadata: {labels: {app: istiod}}
            spec:
              containers: [{name: discovery, image: "docker.io/istio/pilot:1.30.1"}]
        """,
    "infra/k8s/gw.yaml": """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: istio-ingress}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["a.example.com"]
        """,
}


def test_skipped_terraform_makes_no_finding_from_absence(tmp_path: Path, monkeypatch) -> None:
    """The gateway Deployment lives in the skipped Terraform: the Gateway manifest must not be
    reported as selecting nothing (MESH201)."""
    write_tree(tmp_path, GATEWAY_IN_TERRAFORM)
    assert not any(f.rule == "MESH201" for f in _run_in_process(tmp_path))
    monkeypatch.setattr(hclbudget, "MAX_HCL_NODES", 10)
    found = _run_in_process(tmp_path)
    assert [f.rule for f in found] == ["MESH001"], [(f.rule, f.message) for f in found]
    assert "were skipped" in found[0].message

"""Checking scopes in two processes (meshlint.fanout) gives the report one process gives,
byte for byte, and survives a worker that dies."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import pytest

from meshlint import fanout
from meshlint.engine import Options, run
from meshlint.report import render

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"
AS_OF = _dt.date(2026, 11, 27)


def _report(paths: list[str], jobs: int, models: bool) -> str:
    result = run(Options(paths=paths, as_of=AS_OF, jobs=jobs, models=models))
    assert (result.models == []) == (not models)
    return render(result.report, "json") + render(result.report, "sarif")


@pytest.fixture
def low_thresholds(monkeypatch):
    monkeypatch.setattr(fanout, "MIN_SCOPES", 2)
    monkeypatch.setattr(fanout, "MIN_WEIGHT", 2)
    monkeypatch.setattr(fanout, "MIN_SCOPES", 2)


@pytest.mark.skipif(not REAL.is_dir(), reason="needs ../shared/corpus/real")
def test_two_processes_report_what_one_reports(low_thresholds):
    paths = [str(p) for p in sorted(REAL.iterdir()) if p.is_dir()]
    one = _report(paths, jobs=1, models=True)
    assert '"rule": "MESH' in one
    assert _report(paths, jobs=2, models=False) == one


@pytest.mark.skipif(not REAL.is_dir(), reason="needs ../shared/corpus/real")
def test_a_worker_that_dies_costs_time_not_findings(low_thresholds, monkeypatch):
    paths = [str(REAL / "kubernetes-ops")]
    one = _report(paths, jobs=1, models=True)
    parent = os.getpid()
    real_check, real_worker = fanout.by_scope, fanout.Worker
    shares: list[list[int]] = []

    class Recorded(real_worker):  # type: ignore[misc, valid-type]
        def __init__(self, share, produce):
            shares.append(list(share))
            super().__init__(share, produce)

    def dying(weights, check, encode, decode):
        def check_or_die(i):
            if os.getpid() != parent:
                os._exit(3)  # the worker is killed half-way
            return check(i)
        return real_check(weights, check_or_die, encode, decode)

    monkeypatch.setattr(fanout, "Worker", Recorded)
    monkeypatch.setattr(fanout, "by_scope", dying)
    assert _report(paths, jobs=2, models=False) == one
    assert shares and shares[0], "the worker was given scopes to check"


def test_scopes_that_together_spend_more_than_one_budget_are_checked_as_one_budget_allows(
        tmp_path, low_thresholds, monkeypatch):
    """Each scope alone fits the evaluator's budget, all of them together do not: the run is
    checked again with one budget (its notes say where it stopped), whatever the processes."""
    from meshlint.terraform import budget

    release = '''locals {
  versions = [for i in range(200) : "1.2${i}.0"]
}
resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.22.0"
  values     = [jsonencode(local.versions)]
}
'''
    for n in range(6):
        (tmp_path / f"root{n}").mkdir()
        (tmp_path / f"root{n}" / "main.tf").write_text(release)
    alone = run(Options(paths=[str(tmp_path / "root0")], as_of=AS_OF, jobs=1)).report
    assert not any("budget" in note for note in alone.notes)
    monkeypatch.setattr(budget, "MAX_STEPS", 2_500)  # more than one scope spends, less than six
    one = _report([str(tmp_path)], jobs=1, models=True)
    assert "evaluation budget of 2,500 steps spent" in one
    assert _report([str(tmp_path)], jobs=2, models=False) == one

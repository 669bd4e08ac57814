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

    def dying(weights, check):
        def check_or_die(i):
            if os.getpid() != parent:
                os._exit(3)  # the worker is killed half-way
            return check(i)
        return real_check(weights, check_or_die)

    monkeypatch.setattr(fanout, "Worker", Recorded)
    monkeypatch.setattr(fanout, "by_scope", dying)
    assert _report(paths, jobs=2, models=False) == one
    assert shares and shares[0], "the worker was given scopes to check"

"""Quadratic work on hostile input (issue 15 #8): thousands of suppression comments cost
linear time. Generated here; the time bound is loose (a loaded machine), the old pairwise
comparison took minutes."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import check

NS = ("apiVersion: v1\nkind: Namespace\nmetadata:  # meshlint: ignore[MESH402] canary\n  name: n{i}\n"
      "  labels:\n    istio-injection: enabled\n    istio.io/rev: canary\n---\n")


def test_tens_of_thousands_of_suppressions_take_seconds(tmp_path: Path) -> None:
    (tmp_path / "ns.yaml").write_text("".join(NS.format(i=i) for i in range(9_000)))
    (tmp_path / "flat.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n" + "".join(
        f"  k{i}: v  # meshlint: ignore[MESH402]\n" for i in range(20_000)))
    started = time.monotonic()
    report = check(tmp_path).report
    assert time.monotonic() - started < 30
    assert report.suppressed == 9_000  # a file holds at most 10,000 documents
    assert not [f for f in report.findings if f.rule == "MESH402"]
    # the 20,000 comments in flat.yaml suppress nothing: each is reported unused
    assert sum(1 for f in report.findings if f.rule == "MESH002" and f.location.path.endswith("flat.yaml")) == 20_000

"""Checking scopes in two processes: the scopes' models and checks are shared between this
process and one forked worker, each scope whole, and every scope's findings come back in
scope order, so the report is the one a single process makes.

Only the work after the Terraform evaluation is shared: building a model and running the
checks are functions of a scope's sources, while the evaluation spends one budget per run
(its notes must not depend on how many processes ran). The worker answers with plain JSON
(`findings.finding_record`), never pickle. A worker that fails costs time: its scopes are
checked here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from meshlint.findings import Finding, finding_from_record, finding_record
from meshlint.forks import Worker, can_fork

MIN_SCOPES = 8  # fewer scopes are checked here: a fork does not pay for them
MIN_WEIGHT = 400  # nor do fewer files in all


def worth_sharing(weights: Sequence[int], jobs: int) -> bool:
    return jobs > 1 and len(weights) >= MIN_SCOPES and sum(weights) >= MIN_WEIGHT and can_fork()


ScopeOutcome = tuple[list[Finding], list[str]]  # a scope's findings and notes


def by_scope(weights: Sequence[int], check: Callable[[int], ScopeOutcome]) -> list[ScopeOutcome]:
    """`check(i)` for every scope i, about half of the weight (files) in a forked worker."""
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    mine: list[int] = []
    theirs: list[int] = []
    load = [0, 0]
    for i in order:  # heaviest first, to the lighter side
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).append(i)
        load[side] += weights[i]
    theirs.sort()
    worker = Worker(theirs, lambda i: _encoded(check(i)))
    out: list[ScopeOutcome | None] = [None] * len(weights)
    for i in sorted(mine):
        out[i] = check(i)
    blobs = worker.results()
    for n, i in enumerate(theirs):
        decoded = _decoded(blobs[n]) if blobs is not None else None
        out[i] = decoded if decoded is not None else check(i)  # a failed worker: checked here
    return [outcome or ([], []) for outcome in out]


def _encoded(outcome: ScopeOutcome) -> bytes:
    findings, notes = outcome
    return json.dumps({"findings": [finding_record(f) for f in findings], "notes": notes}).encode("utf-8")


def _decoded(blob: bytes) -> ScopeOutcome | None:
    try:
        doc = json.loads(blob)
        notes = doc["notes"]
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            return None
        return [finding_from_record(r) for r in doc["findings"]], notes
    except (ValueError, KeyError, TypeError):
        return None

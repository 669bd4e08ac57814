"""Checking scopes in two processes: the scopes are shared between this process and one
forked worker, each scope whole (see scopework), and every scope's answer comes back in scope
order, so the report is the one a single process makes. The worker answers with plain JSON,
never pickle. A worker that fails costs time: its scopes are checked here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from meshlint.forks import Worker, can_fork

MIN_SCOPES = 8  # fewer scopes are checked here: a fork does not pay for them
MIN_WEIGHT = 100_000  # nor does less work in all (scopework.weight: ~0.1 s)
FORK_COST = 8_000  # forking a big process and reading the worker's answers, in the same units
WORKER_SLOWER = 1.2  # a forked worker copies the pages it touches: the same scope costs it more


def worth_sharing(weights: Sequence[int], jobs: int) -> bool:
    return jobs > 1 and len(weights) >= MIN_SCOPES and sum(weights) >= MIN_WEIGHT and can_fork()


T = TypeVar("T")


def by_scope(weights: Sequence[int], check: Callable[[int], T], encode: Callable[[T], bytes],
             decode: Callable[[bytes], T | None]) -> list[T]:
    """`check(i)` for every scope i, in order within each process, about half of the weight
    in a forked worker whose answers come back through `encode`/`decode`."""
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    mine: list[int] = []
    theirs: list[int] = []
    here, there = float(FORK_COST), 0.0  # this process also forks the worker and reads its answers
    for i in order:  # heaviest first, where it would finish sooner
        if here + weights[i] <= there + WORKER_SLOWER * weights[i]:
            mine.append(i)
            here += weights[i]
        else:
            theirs.append(i)
            there += WORKER_SLOWER * weights[i]
    theirs.sort()
    worker = Worker(theirs, lambda i: encode(check(i)))
    out: dict[int, T] = {i: check(i) for i in sorted(mine)}
    blobs = worker.results()
    for n, i in enumerate(theirs):
        answer = decode(blobs[n]) if blobs is not None else None
        out[i] = answer if answer is not None else check(i)  # a failed worker: checked here
    return [out[i] for i in range(len(weights))]

"""Limits of the evaluator, so that a few hostile lines of HCL cannot hang or exhaust a run."""

from __future__ import annotations

MAX_EVAL_DEPTH = 64  # nesting of one expression tree
MAX_COLLECTION = 10_000  # items a `for`, `range()` or instance expansion produces

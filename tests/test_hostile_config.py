"""Hostile configuration: globs that would backtrack, on paths a repository can create."""

from __future__ import annotations

import time

from meshlint.config import matches_any


def test_stacked_double_stars_do_not_backtrack() -> None:
    pattern = "/".join(["**"] * 12) + "/x"
    deep = "/".join(["d"] * 60) + "/y"
    start = time.monotonic()
    assert not matches_any([pattern], deep)
    assert matches_any([pattern], "/".join(["d"] * 60) + "/x")
    assert not matches_any(["*a*a*a*a*a*a*a*a*a*a*b"], "a" * 200)
    assert time.monotonic() - start < 1.0

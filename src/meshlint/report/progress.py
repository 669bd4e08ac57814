"""A progress line on stderr for runs a person waits for: nothing during the first second
(most runs are over by then), then `meshlint: parsing 812 files` / `building models 3/7`
... rewritten in place, and erased before the report is printed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

SHOW_AFTER_SECONDS = 1.0
REDRAW_SECONDS = 0.1  # at most ten updates a second: a terminal is not a log
PHASES = {"parse": "parsing files", "model": "building models (scopes)",
          "checks": "running checks (scopes)", "filters": "filtering findings"}


class ProgressLine:
    """The engine's progress callback (`Options.progress`), writing to a terminal."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic):
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self._shown = False
        self._drawn_at = float("-inf")

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = self._clock()
        if now - self._started < SHOW_AFTER_SECONDS or now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        label = PHASES.get(phase, phase)
        self._write(f"\rmeshlint: {label} {done}/{total}…\x1b[K")
        self._shown = True

    def clear(self) -> None:
        """Erase the line (the report and other messages start on a clean line)."""
        if self._shown:
            self._write("\r\x1b[K")
            self._shown = False

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            pass

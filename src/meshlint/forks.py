"""Forked helpers of a run: workers that parse a share of the YAML files, and a writer
that fills the parse cache while the run goes on (imports nothing of meshlint).

Plain `os.fork` with a temporary file per worker, not a process pool: a forked child
already holds its share's bytes (copy-on-write), writes its results to the file without
a pipe that could fill up while the parent is busy parsing, and exits. Results come back
as `cachecodec` JSON (never pickle), the same bytes the parse cache stores. A worker that
fails (killed, out of memory) costs time, not results: the parent parses its share itself.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable, Sequence
from typing import BinaryIO, Generic, TypeVar

Item = TypeVar("Item")
_LENGTH = struct.Struct("<Q")
_writers: list[int] = []  # cache writers still running (see settle)
_deferred: list[Callable[[], None]] = []  # cache writes kept for the end of the run (see later)


def can_fork() -> bool:
    """Forking is the only way workers are started (no spawn: re-importing meshlint in each
    worker costs more than it saves on the batches that are parallel)."""
    return hasattr(os, "fork") and sys.platform != "win32"


class Worker(Generic[Item]):
    """One forked child that runs `produce` over its share and writes the blobs."""

    def __init__(self, share: Sequence[Item], produce: Callable[[Item], bytes]):
        import tempfile  # only parallel batches need it

        self.share = share
        self.out: BinaryIO = tempfile.TemporaryFile(prefix="meshlint-parse-")
        self.pid = os.fork()
        if self.pid == 0:  # the child: write every result, then leave without cleanup
            code = 1
            try:
                for item in share:
                    blob = produce(item)
                    self.out.write(_LENGTH.pack(len(blob)))
                    self.out.write(blob)
                self.out.flush()
                code = 0
            finally:
                os._exit(code)

    def results(self) -> list[bytes] | None:
        """The blobs in share order, once the child has exited; None when it failed."""
        try:
            _, status = os.waitpid(self.pid, 0)
            if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                return None
            self.out.seek(0)
            data = self.out.read()
        except OSError:
            return None
        finally:
            self.out.close()
        blobs, pos = [], 0
        for _ in self.share:
            if pos + _LENGTH.size > len(data):
                return None
            (size,) = _LENGTH.unpack_from(data, pos)
            pos += _LENGTH.size
            blobs.append(data[pos:pos + size])
            pos += size
        return blobs if pos == len(data) else None


def in_background(task: Callable[[], None], waited: bool = True) -> bool:
    """Run `task` in a forked child, at a lower priority: the parse cache's writes while the
    parent builds the model (`settle` waits for it), or after the process has said all it
    had to say (`waited=False`: nobody waits). False when it cannot fork: the caller then
    does the work itself."""
    if not can_fork():
        return False
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:
        code = 1
        try:
            _quiet()
            try:  # the run in the foreground goes first: this only fills a cache
                os.nice(10)
            except OSError:
                pass
            task()
            code = 0
        finally:
            os._exit(code)
    if waited:
        _writers.append(pid)
    return True


def _quiet() -> None:
    """Standard streams to /dev/null: a writer outliving its run must not hold the run's
    pipes open (`meshlint check | head`, a CI step reading the output until it ends)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    for fd in (0, 1, 2):
        try:
            os.dup2(null, fd)
        except OSError:
            pass
    os.close(null)


def later(task: Callable[[], None]) -> None:
    """Keep `task` (a cache write) for when the process ends (`release`), or for the next
    `settle` of a process that goes on."""
    _deferred.append(task)


def release() -> None:
    """At the end of a command-line run, once its output is out: the kept cache writes go
    to one forked child that nobody waits for, so that they cost the user no time."""
    tasks, _deferred[:] = list(_deferred), []
    if tasks and not in_background(lambda: _run_all(tasks), waited=False):
        _run_all(tasks)


def settle(kept: bool = True) -> None:
    """The background writers waited for, and the kept cache writes done (unless `kept` is
    False: a command-line run leaves them to `release`): a run is finished when its cache is
    written (the next run in this process, or a test, reads it)."""
    if kept:
        tasks, _deferred[:] = list(_deferred), []
        _run_all(tasks)
    while _writers:
        pid = _writers.pop()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _run_all(tasks: list[Callable[[], None]]) -> None:
    for task in tasks:
        task()

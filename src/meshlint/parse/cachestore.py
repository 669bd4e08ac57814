"""The parse cache's store: parsed files by content hash in one SQLite file per build of
meshlint, and a lock that makes a run wait for the writes of the run before it.

A command-line run leaves its writes to a forked child once its report is out
(`forks.release`); the lock is taken before that child is forked and held until it is done,
so a run that starts meanwhile reads the finished cache, not half of it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import Any
from pathlib import Path

from meshlint import __version__
from meshlint.cachedir import code_digest
from meshlint.discover import FileEntry

MAX_CACHE_BYTES = 256 * 1024 * 1024  # past this the cache starts over (entries never expire)
CACHE_FORMAT = 2  # 1 held pickles: never read again
KEPT_BUILDS = 3  # parse caches of other builds kept beside this one (a pre-commit and a dev install)
LOCK_WAIT_SECONDS = 5.0  # past this a run reads whatever the cache holds


class ParseCache:
    """Parsed files by content hash, in one SQLite file: one transaction writes a whole
    run's new entries (a file per entry costs more than parsing on most filesystems)."""

    def __init__(self, root: Path, full_kinds: frozenset[str] | None):
        # one file per build of meshlint: parsing code that changed (an edited checkout, a
        # rebuilt wheel of the same version) must not be answered by the old code's results
        self.path = root / f"parse-{__version__}-{CACHE_FORMAT}-{code_digest()[:16]}.sqlite"
        self._full_kinds = sorted(full_kinds) if full_kinds is not None else None
        self._db: Any = None  # a connection, None before the first use, False when unusable
        self._pending: list[tuple[str, bytes]] = []
        self._inherited = None
        self._lock_path = root / "parse.lock"
        self._holding = False  # the writer's lock is held for this cache's own writes

    def _conn(self):
        if self._db is None:
            import sqlite3

            self._wait_for_writer()
            for _attempt in range(2):  # a damaged database is deleted and made anew, once
                try:
                    self._db = self._open()
                    break
                except sqlite3.DatabaseError as exc:
                    if isinstance(exc, sqlite3.OperationalError):  # locked, read-only: no cache
                        self._db = False
                        break
                    self._start_over()
                except OSError:
                    self._db = False  # an unusable cache folder is no cache
                    break
        return self._db or None

    def _open(self):
        import sqlite3

        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size > MAX_CACHE_BYTES:
            self.path.unlink()
        if not self.path.exists():
            _forget_old_builds(self.path.parent)
        db = sqlite3.connect(str(self.path), timeout=5)
        # a cache, not a record: no fsync per commit; the rollback journal stays on disk, so a
        # writer killed mid-way (its run has ended, a CI step may stop it) leaves a database
        # the next connection rolls back, not a torn one
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, blob BLOB)")
        return db

    def key(self, entry: FileEntry, data: bytes, max_bytes: int, digest: str | None = None) -> str:
        """A file's entry: what it is and where, and its content's sha256 (`digest`, when the
        run key already worked it out; else hashed here)."""
        h = hashlib.sha256()
        h.update(f"{entry.kind}\0{entry.path}\0{max_bytes}\0{self._full_kinds}\0".encode("utf-8", "surrogateescape"))
        h.update((digest or hashlib.sha256(data).hexdigest()).encode())
        return h.hexdigest()

    def load_many(self, keys: list[str]) -> dict[str, bytes]:
        import sqlite3

        db = self._conn()
        if db is None or not keys:
            return {}
        out = {}
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                marks = ",".join("?" * len(chunk))
                out.update(db.execute(f"SELECT key, blob FROM parsed WHERE key IN ({marks})", chunk))
        except sqlite3.DatabaseError as exc:
            if not isinstance(exc, sqlite3.OperationalError):  # corrupt, not merely locked
                self._start_over()
            return {}
        return out

    def _start_over(self) -> None:
        """A database that is not one (damaged, or not SQLite at all) is deleted: the next
        run starts a new cache instead of missing forever."""
        self._db = False
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass

    def detached(self, task: Callable[[], None]) -> Callable[[], None]:
        """`task` for a forked child: it writes through a connection of its own (SQLite
        connections must not cross a fork), leaving the inherited one untouched."""
        def run() -> None:
            self._inherited, self._db = self._db, None  # kept referenced: never closed here
            task()
        return run

    def held(self, task: Callable[[], None]) -> Callable[[], None]:
        """`task` with the writer's lock taken now and given up when it is done (wherever it
        runs: a child forked later inherits the lock)."""
        fd = _lock(self._lock_path, exclusive=True, wait=LOCK_WAIT_SECONDS)
        self._holding = fd is not None  # this cache's own writes must not wait for themselves

        def run() -> None:
            try:
                task()
            finally:
                self._holding = False
                if fd is not None:
                    os.close(fd)
        return run

    def _wait_for_writer(self) -> None:
        """Wait (a while) for a writer that still holds the lock: its run has just ended."""
        if self._holding:
            return
        fd = _lock(self._lock_path, exclusive=False, wait=LOCK_WAIT_SECONDS)
        if fd is not None:
            os.close(fd)

    def store(self, key: str, blob: bytes) -> None:
        self._pending.append((key, blob))

    def flush(self) -> None:
        import sqlite3

        db = self._conn()
        if db is None or not self._pending:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO parsed (key, blob) VALUES (?, ?)", self._pending)
        except sqlite3.Error:
            pass  # an unwritable cache only costs time
        self._pending = []




def _forget_old_builds(folder: Path) -> None:
    """Delete the parse caches of all but the most recently used other builds."""
    try:
        others = sorted(folder.glob("parse-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[KEPT_BUILDS:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache folder we cannot tidy only costs disk




def _lock(path: Path, exclusive: bool, wait: float) -> int | None:
    """An open descriptor holding an advisory lock on `path`, or None (no locking here, the
    folder not writable, or still held by another after `wait` seconds)."""
    try:
        import fcntl
    except ImportError:  # no fcntl: no forked writers either
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, mode)
            return fd
        except OSError:
            if time.monotonic() > deadline:
                os.close(fd)
                return None
            time.sleep(0.01)


"""Parsing many files: a cache of parsed files, parallel workers, a time budget per file.

* The cache keeps each YAML file's parse result under its content hash (with its path,
  kind and meshlint's version), in the user cache dir; `--no-cache` turns it off.
  Terraform files are not cached: tree-sitter parses them faster than a cache could load.
* With `--jobs N` (default: the cores), big batches of YAML are parsed by N forked
  workers; results come back as plain JSON (`cachecodec`, never pickle: the cache
  directory may be writable by others) and the same bytes fill the cache. Small batches stay in-process: forking does not pay for them.
* A YAML file that takes longer than the budget is reported (MESH001) and the run goes
  on; the composer's own callbacks check the clock, so no signals are involved (HCL is
  parsed in linear time by tree-sitter and bounded by the size cap).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from meshlint import __version__
from meshlint.discover import TERRAFORM, TFVARS, FileEntry
from meshlint.parse import ParsedFile, parse_data, read_entry
from meshlint.parse.cachecodec import Corrupt, decode, encode
from meshlint.parse.templates import TEMPLATE_SKIP, RenderedPattern, rendered_by, rendered_patterns

PARALLEL_MIN_BYTES = 1_000_000
MAX_CACHE_BYTES = 256 * 1024 * 1024
STATS = {"parsed": 0, "cached": 0}  # the last batch: for --verbose  # past this the cache starts over (entries never expire)
PARSE_BUDGET_SECONDS = 20.0
CACHE_FORMAT = 2  # 1 held pickles: never read again


class ParseCache:
    """Parsed files by content hash, in one SQLite file: one transaction writes a whole
    run's new entries (a file per entry costs more than parsing on most filesystems)."""

    def __init__(self, root: Path, full_kinds: frozenset[str] | None):
        self.path = root / f"parse-{__version__}-{CACHE_FORMAT}.sqlite"
        self._full_kinds = sorted(full_kinds) if full_kinds is not None else None
        self._db = None
        self._pending: list[tuple[str, bytes]] = []

    def _conn(self):
        if self._db is None:
            import sqlite3

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.path.exists() and self.path.stat().st_size > MAX_CACHE_BYTES:
                    self.path.unlink()
                self._db = sqlite3.connect(str(self.path), timeout=5)
                # a cache, not a record: no fsync per commit (a torn write is a cache miss)
                self._db.execute("PRAGMA synchronous=OFF")
                self._db.execute("PRAGMA journal_mode=MEMORY")
                self._db.execute("CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, blob BLOB)")
            except (OSError, sqlite3.Error):
                self._db = False  # an unusable cache (read-only, corrupt) is no cache
        return self._db or None

    def key(self, entry: FileEntry, data: bytes, max_bytes: int) -> str:
        h = hashlib.sha256()
        h.update(f"{entry.kind}\0{entry.path}\0{max_bytes}\0{self._full_kinds}\0".encode("utf-8", "surrogateescape"))
        h.update(data)
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
        except sqlite3.Error:
            return {}
        return out

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


@dataclass(frozen=True, slots=True)
class ParseSettings:
    """What every file's parse needs to know besides its bytes."""

    max_bytes: int
    budget: float
    full_kinds: frozenset[str] | None  # see parse_data


def _parse_one(entry: FileEntry, data: bytes, settings: ParseSettings) -> ParsedFile:
    return parse_data(entry, data, settings.max_bytes, settings.budget, settings.full_kinds)


def _strip(pf: ParsedFile) -> bytes:
    """What is cached and sent between processes: the result without the entry."""
    return encode(pf.yaml, pf.error, pf.skipped, pf.has_suppressions)


def _worker(jobs: list[tuple[FileEntry, bytes, str | None]], settings: ParseSettings) -> list[bytes]:
    return [_strip(_parse_one(entry, data, settings)) for entry, data, _key in jobs]


def _restore(entry: FileEntry, blob: bytes) -> ParsedFile | None:
    """A cached or piped result; None (parse again) when the blob is not what `encode` wrote."""
    if not isinstance(blob, bytes):
        return None
    try:
        yaml, error, skipped, marked = decode(blob, entry.path)
    except Corrupt:
        return None
    return ParsedFile(entry, yaml=yaml, error=error, skipped=skipped, has_suppressions=marked)


def parse_files(entries: list[FileEntry], max_bytes: int, jobs: int = 1,
                cache_root: Path | None = None, budget: float = PARSE_BUDGET_SECONDS,
                full_kinds: frozenset[str] | None = None,
                overlay: Mapping[str, bytes] | None = None) -> dict[str, ParsedFile]:
    """Every entry parsed; `full_kinds` as in parse_data (the engine passes what the
    model reads); `overlay`: abspath -> bytes read instead of the disk (unsaved buffers)."""
    settings = ParseSettings(max_bytes, budget, full_kinds)
    cache = ParseCache(cache_root, full_kinds) if cache_root is not None else None
    results: dict[str, ParsedFile] = {}
    wanted: list[tuple[FileEntry, bytes, str | None]] = []
    rendered: list[RenderedPattern] = []
    for entry in entries:
        data, early = (overlay[entry.abspath], None) if overlay and entry.abspath in overlay \
            else read_entry(entry, max_bytes)
        if early is not None:
            results[entry.abspath] = early
            continue
        if entry.kind in (TERRAFORM, TFVARS):
            results[entry.abspath] = _parse_one(entry, data, settings)
            if entry.kind == TERRAFORM and (b"template" in data or b"kubectl_path_documents" in data):
                rendered.extend(rendered_patterns(entry.path, entry.abspath, data))
            continue
        wanted.append((entry, data, cache.key(entry, data, max_bytes) if cache is not None else None))
    todo = []
    hits = cache.load_many([k for _, _, k in wanted if k]) if cache is not None else {}
    STATS["cached"] = sum(1 for _, _, k in wanted if k in hits)
    STATS["parsed"] = len(entries) - STATS["cached"]
    for entry, data, key in wanted:
        restored = _restore(entry, hits[key]) if key in hits else None
        if restored is not None:
            results[entry.abspath] = restored
        else:
            todo.append((entry, data, key))
    try:
        _parse_missing(todo, settings, jobs, cache, results)
    finally:
        if cache is not None:
            cache.flush()
    if rendered:
        _skip_rendered(results, rendered)
    return results


def _skip_rendered(results: dict[str, ParsedFile], rendered: list[RenderedPattern]) -> None:
    """A file that Terraform renders as a template and that does not parse as it stands
    is a template, not broken YAML: skipped with a note, never MESH001."""
    for abspath, pf in results.items():
        if pf.error is None or pf.entry.kind in (TERRAFORM, TFVARS) or "took longer" in pf.error.message:
            continue
        by = rendered_by(abspath, rendered)
        if by is not None:
            pf.error, pf.yaml = None, None
            pf.skipped = (f"{TEMPLATE_SKIP} rendered by Terraform ({by.via} in {by.named_in}): "
                          "read once its variables are filled in")


def _parse_missing(todo, settings, jobs, cache, results) -> None:
    if not todo:
        return
    total = sum(len(d) for _, d, _ in todo)
    chunks = _balanced(todo, jobs) if jobs > 1 and total >= PARALLEL_MIN_BYTES else []
    # one file (or one non-empty share) is parsed here: a pool of zero workers is an error
    if len(chunks) > 1 and _can_fork():
        from concurrent.futures import (
            ProcessPoolExecutor,  # only parallel runs pay for it
        )
        from multiprocessing import get_context

        with ProcessPoolExecutor(max_workers=len(chunks) - 1, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_worker, chunk, settings) for chunk in chunks[1:]]
            # this process takes the first share itself instead of waiting idle
            _serial(chunks[0], settings, cache, results)
            blobs = [f.result() for f in futures]
        for chunk, chunk_blobs in zip(chunks[1:], blobs):
            for (entry, data, key), blob in zip(chunk, chunk_blobs):
                pf = results[entry.abspath] = _restore(entry, blob) or _parse_one(entry, data, settings)
                if cache is not None and key is not None and not _timed_out(pf):
                    cache.store(key, blob)
        return
    _serial(todo, settings, cache, results)


def _serial(todo, settings: ParseSettings, cache, results) -> None:
    for entry, data, key in todo:
        pf = _parse_one(entry, data, settings)
        if cache is not None and key is not None and not _timed_out(pf):
            cache.store(key, _strip(pf))
        results[entry.abspath] = pf


def _timed_out(pf: ParsedFile) -> bool:
    """A budget overrun depends on the machine's load: never cache it."""
    return pf.error is not None and "took longer than" in pf.error.message


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _balanced(todo: list, jobs: int) -> list[list]:
    """Split into `jobs` chunks of similar byte size (largest files first)."""
    chunks: list[list] = [[] for _ in range(jobs)]
    sizes = [0] * jobs
    for item in sorted(todo, key=lambda t: -len(t[1])):
        i = sizes.index(min(sizes))
        chunks[i].append(item)
        sizes[i] += len(item[1])
    return [c for c in chunks if c] or [[]]

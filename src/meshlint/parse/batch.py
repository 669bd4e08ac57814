"""Parsing many files: a cache of parsed files, parallel workers, a time budget per file.

* The cache keeps each YAML file's parse result under its content hash (with its path,
  kind and meshlint's version), in the user cache dir; `--no-cache` turns it off.
  Terraform files are not cached: tree-sitter parses them faster than a cache could load.
* With `--jobs N` (default: the cores), big batches of YAML are shared between this
  process and N-1 forked workers (`workers`), sized so that all finish together; results
  come back as plain JSON (`cachecodec`, never pickle: the cache directory may be writable
  by others) and the same bytes fill the cache. The files parsed here are encoded for the
  cache by a forked writer while the run goes on. Small batches stay in-process.
* A YAML file that takes longer than the budget is reported (MESH001) and the run goes
  on; the composer's own callbacks check the clock, so no signals are involved (HCL is
  parsed in linear time by tree-sitter, bounded per file and per run, see `hclbudget`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from msgspec import Struct

from meshlint.discover import TERRAFORM, TFVARS, FileEntry
from meshlint.forks import Worker, can_fork, in_background, later, settle
from meshlint.parse import ParsedFile, parse_data, read_entry
from meshlint.parse.cachecodec import Corrupt, decode, encode
from meshlint.parse.cachestore import ParseCache
from meshlint.parse.hclbudget import parse_terraform
from meshlint.parse.templates import (
    TEMPLATE_SKIP,
    RenderedPattern,
    rendered_by,
    rendered_patterns,
)

PARALLEL_MIN_BYTES = 1_000_000
UNCACHED_BYTES = 16 * 1024  # less YAML than this is parsed, never looked up in the cache
BACKGROUND_MIN_FILES = 50  # fewer new cache entries are written at once, not by a forked child
STATS = {"parsed": 0, "cached": 0}  # the last batch: for --verbose
PARSE_BUDGET_SECONDS = 20.0


class ParseSettings(Struct, frozen=True):
    """What every file's parse needs to know besides its bytes."""

    max_bytes: int
    budget: float
    full_kinds: frozenset[str] | None  # see parse_data


def _parse_one(entry: FileEntry, data: bytes, settings: ParseSettings) -> ParsedFile:
    return parse_data(entry, data, settings.max_bytes, settings.budget, settings.full_kinds)


def _parse_hcl(entry: FileEntry, data: bytes, room: int, settings: ParseSettings) -> ParsedFile:
    return parse_data(entry, data, settings.max_bytes, settings.budget, settings.full_kinds, hcl_room=room)


def _strip(pf: ParsedFile) -> bytes:
    """What is cached and sent between processes: the result without the entry."""
    return encode(pf.yaml, pf.error, pf.skipped, pf.has_suppressions)


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
                overlay: Mapping[str, bytes] | None = None,
                prefetched: Mapping[str, tuple[bytes, str]] | None = None,
                meanwhile: Callable[[], None] | None = None, meanwhile_bytes: int = 0,
                defer_cache: bool = False) -> dict[str, ParsedFile]:
    """Every entry parsed; `full_kinds` as in parse_data (the engine passes what the
    model reads); `overlay`: abspath -> bytes read instead of the disk (unsaved buffers);
    `prefetched`: abspath -> (bytes, their sha256) already read from the disk (by the run cache's key);
    `meanwhile`: work of the caller's that needs no parsed file, done here while the workers
    parse (it costs about as much as parsing `meanwhile_bytes` of YAML: the shares allow for it);
    `defer_cache`: the parse cache is written when the process ends (see _fill_cache)."""
    settings = ParseSettings(max_bytes, budget, full_kinds)
    settle()  # a previous batch's cache writes land before this batch reads the cache
    cache = ParseCache(cache_root, full_kinds) if cache_root is not None else None
    results: dict[str, ParsedFile] = {}
    terraform: list[tuple[FileEntry, bytes]] = []
    wanted: list[tuple[FileEntry, bytes, str | None]] = []
    digests: dict[str, str] = {}  # abspath -> the content digest the run key worked out
    for entry in entries:
        if overlay and entry.abspath in overlay:
            data, early = overlay[entry.abspath], None
        elif prefetched and entry.abspath in prefetched:
            (data, digests[entry.abspath]), early = prefetched[entry.abspath], None
        else:
            data, early = read_entry(entry, max_bytes)
        if early is not None:
            results[entry.abspath] = early
        elif entry.kind in (TERRAFORM, TFVARS):
            terraform.append((entry, data))
        else:
            wanted.append((entry, data, None))
    if cache is not None and sum(len(d) for _, d, _ in wanted) < UNCACHED_BYTES:
        cache = None  # parsing a few KB costs less than opening the cache (and writing it)
    if cache is not None:
        wanted = [(entry, data, cache.key(entry, data, max_bytes, digests.get(entry.abspath)))
                  for entry, data, _ in wanted]
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
    mine, shares = _shares(todo, jobs, sum(len(d) for _, d in terraform), meanwhile_bytes if meanwhile else 0)
    workers = [Worker(share, partial(_blob_of, settings=settings)) for share in shares]
    if meanwhile is not None:
        meanwhile()
    # the Terraform files (tree-sitter trees cannot cross processes) while the workers parse
    results.update(parse_terraform(terraform, partial(_parse_hcl, settings=settings)))
    rendered: list[RenderedPattern] = []
    for entry, data in terraform:
        if entry.kind == TERRAFORM:
            rendered.extend(rendered_patterns(entry.path, entry.abspath, data))
    unencoded = _parse_here(mine, settings, results)
    encoded: list[tuple[str, bytes]] = []
    for worker in workers:
        blobs = worker.results()
        if blobs is None:  # the worker failed: its share is parsed here
            unencoded += _parse_here(worker.share, settings, results)
            continue
        for (entry, data, key), blob in zip(worker.share, blobs):
            pf = results[entry.abspath] = _restore(entry, blob) or _parse_one(entry, data, settings)
            if key is not None and not _timed_out(pf):
                encoded.append((key, blob))
    if cache is not None:
        _fill_cache(cache, unencoded, encoded, jobs, defer_cache)
    if rendered:
        _skip_rendered(results, rendered)
    return results


def _blob_of(item: tuple[FileEntry, bytes, str | None], settings: ParseSettings) -> bytes:
    """A worker's product: one file parsed, as the cache stores it."""
    entry, data, _key = item
    return _strip(_parse_one(entry, data, settings))


def _parse_here(share, settings: ParseSettings, results: dict[str, ParsedFile]) -> list[tuple[str, ParsedFile]]:
    """Parse a share in this process; (cache key, result) of what the cache should keep."""
    keep = []
    for entry, data, key in share:
        pf = results[entry.abspath] = _parse_one(entry, data, settings)
        if key is not None and not _timed_out(pf):
            keep.append((key, pf))
    return keep


def _fill_cache(cache: ParseCache, unencoded: list[tuple[str, ParsedFile]],
                encoded: list[tuple[str, bytes]], jobs: int, defer: bool) -> None:
    """Write this batch's new entries. `defer`: when the process ends (forks.release, after
    the report is out) or at the next batch, whichever comes first. Otherwise, with more
    than one job and much to encode, a forked child encodes and writes them while the run
    builds its model (the run waits for it at its end, see `settle`)."""
    def write() -> None:
        for key, blob in encoded:
            cache.store(key, blob)
        for key, pf in unencoded:
            cache.store(key, _strip(pf))
        cache.flush()

    if not unencoded and not encoded:
        return
    if defer:  # the lock from now until the writes are done: a run starting meanwhile waits
        later(cache.held(cache.detached(write)))
        return
    if jobs > 1 and len(unencoded) >= BACKGROUND_MIN_FILES and in_background(cache.detached(write)):
        return
    write()


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


def _timed_out(pf: ParsedFile) -> bool:
    """A budget overrun depends on the machine's load: never cache it."""
    return pf.error is not None and "took longer than" in pf.error.message


# Costs per byte relative to a YAML parse in this process, measured on the benchmark corpus
# (2 cores): a worker parses ~1.35x slower (two busy cores share the machine) and encodes its
# results (~0.25x); this process decodes them (~0.24x) and parses the Terraform (~1.65x).
_WORKER, _DECODE, _TERRAFORM = 1.5, 0.24, 1.65


def _shares(todo: list, jobs: int, terraform_bytes: int, other_bytes: int = 0) -> tuple[list, list[list]]:
    """(the parent's share, each worker's share) of the files to parse, so that all finish
    together; everything stays here for one job, a small batch, or where forking is not
    possible."""
    total = sum(len(d) for _, d, _ in todo)
    if jobs <= 1 or total < PARALLEL_MIN_BYTES or not can_fork():
        return todo, []
    workers = jobs - 1
    per_worker = (_TERRAFORM * terraform_bytes + other_bytes + total) / (_WORKER + workers * (1 - _DECODE))
    per_worker = min(per_worker, total / workers)
    room = [per_worker] * workers + [total - per_worker * workers]  # the parent's is last
    bins: list[list] = [[] for _ in room]
    for item in sorted(todo, key=lambda t: -len(t[1])):  # largest first, into the most room
        i = max(range(len(room)), key=room.__getitem__)
        bins[i].append(item)
        room[i] -= len(item[1])
    return bins[-1], [b for b in bins[:-1] if b]

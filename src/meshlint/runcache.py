"""The run cache: a whole run's findings, keyed by the content of every checked file, the
options, the configuration, the rule data and meshlint's version. A second run over an
unchanged repository only walks the tree and hashes the files (`--no-cache` turns it off;
`--online` runs are never cached: registries change).

Files the run read beyond the discovered ones (`file()`, `templatefile()`) are known only
after the run, so they are stored with the result, each with its digest, and checked on
load like a make depfile: a changed, new or deleted one makes the stored result a miss."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from msgspec import structs

from meshlint import __version__
from meshlint.cachedir import code_digest, files_under
from meshlint.findings import Report, finding_from_record, finding_record

FORMAT = 2


def _rules_digest() -> str:
    """The rule data's content, and the code's files (size and mtime): an edited checkout
    must not be answered with an older run's findings."""
    from meshlint.knowledge import rules_dir

    h = hashlib.sha256()
    for path in files_under(str(rules_dir()), ".yaml"):
        h.update(os.path.basename(path).encode())
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(code_digest().encode())
    return h.hexdigest()


def file_digest(path: str, max_bytes: int, contents: dict[str, tuple[bytes, str]] | None = None) -> str:
    """What a file contributes to the key: its content's hash, or for a file past the size
    limit (which the run skips unread) its size and mtime, so the key never reads more
    than the run would; "missing" for a path that is not a readable regular file.
    `contents` receives the bytes read and their digest: on a miss the run parses exactly what
    it hashed, and the parse cache keys files by the same digest (each file is hashed once).
    Opened without blocking (a FIFO would block a plain open) and checked on the descriptor:
    one stat, not two, for every file of every warm run."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError:
        return "missing"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "missing"
        if st.st_size > max_bytes:
            return f"oversize:{st.st_size}:{st.st_mtime_ns}"
        chunks = []
        size = 0
        while size <= max_bytes:  # a file may grow while it is read
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return "missing"
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > max_bytes:  # grew past the limit while being read
        return f"oversize:{len(data)}"
    digest = hashlib.sha256(data).hexdigest()
    if contents is not None:
        contents[path] = (data, digest)
    return digest


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def run_key(files, options, extra: str = "", contents: dict[str, tuple[bytes, str]] | None = None) -> str | None:
    h = hashlib.sha256()
    config = options.config
    parts = {
        "version": __version__, "format": FORMAT, "rules": _rules_digest(),
        "paths": [os.path.abspath(p) for p in options.paths], "cwd": os.getcwd(),
        "select": options.select, "ignore": options.ignore, "as_of": options.as_of.isoformat(),
        "max_file_bytes": options.max_file_bytes, "extra": extra,
        "identity_root": options.identity_root,
        "config": structs.asdict(config) if config.path else None,
    }
    h.update(json.dumps(parts, sort_keys=True, default=str).encode())
    if config.path:
        try:
            h.update(Path(config.path).read_bytes())
        except OSError:
            return None
    for entry in files:
        h.update(entry.abspath.encode("utf-8", "surrogateescape") + b"\0" + entry.kind.encode())
        h.update(file_digest(entry.abspath, options.max_file_bytes, contents).encode() + b"\0")
    return h.hexdigest()


MAX_RUNS = 200  # kept results; the oldest go first


def _path(root: Path, key: str) -> Path:
    return root / "runs" / f"{key}.json"


def load(root: Path, key: str, max_bytes: int) -> Report | None:
    """The stored result for a key, unless a file the stored run read has changed since."""
    try:
        doc = json.loads(_path(root, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        depends = doc["depends"]
        if not isinstance(depends, dict):
            return None
        for path, digest in depends.items():
            if not os.path.isabs(path) or file_digest(path, max_bytes) != digest:
                return None
        findings = [finding_from_record(f) for f in doc["findings"]]
        report = Report(findings, doc["files_checked"], doc["scopes"], doc["suppressed"],
                        notes=doc["notes"], rules_run=doc["rules_run"])
    except (KeyError, TypeError, AttributeError, UnicodeError):
        return None
    return report


def store(root: Path, key: str, report: Report, files_read: Mapping[str, str | None], max_bytes: int) -> None:
    """Save a run's result with the digests of the extra files it read (see load): of the
    bytes the run read (a path it could not read: as the key sees it now)."""
    doc = {
        "depends": {path: digest or file_digest(path, max_bytes) for path, digest in files_read.items()},
        "findings": [finding_record(f) for f in report.findings],
        "files_checked": report.files_checked, "scopes": report.scopes,
        "suppressed": report.suppressed, "notes": report.notes, "rules_run": report.rules_run,
    }
    path = _path(root, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(path)
        runs = list(path.parent.glob("*.json"))
        if len(runs) > MAX_RUNS:
            for old in sorted(runs, key=lambda p: p.stat().st_mtime)[: len(runs) - MAX_RUNS]:
                old.unlink(missing_ok=True)
    except OSError:
        pass

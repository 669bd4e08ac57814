"""Which copy of a data table is in force: the one shipped in rules/data, or a newer one
that `meshlint data update` stored in the user cache.

A cached copy is used only when it validates against the same schema as the shipped table
and is newer (`as_of`); a broken or older one is ignored, so a bad download can never
replace good data. Writing goes through `store`, which validates first and replaces the
file atomically.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from msgspec import Struct

from meshlint.knowledge.files import load_yaml, rules_dir
from meshlint.knowledge.schema import KnowledgeError, build
from meshlint.knowledge.tables import TABLES, Table
from meshlint.cachedir import cache_dir
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import YMap

SHIPPED = "shipped"
CACHE = "cache"
STALE_AFTER_DAYS = 90
#: the tables `meshlint data update` can refresh from a public source
REFRESHABLE = ("eks-versions", "istio-patches", "istio-releases", "kiali-compat")


class InForce(Struct, frozen=True):
    """A table as the checks see it, and where it came from."""

    name: str
    table: Table
    document: YMap  # the same data as parsed YAML (legacy readers)
    origin: str  # shipped | cache
    path: Path
    ignored: str = ""  # why a cached copy was not used (empty: none, or it is in force)


def data_cache_dir() -> Path:
    return cache_dir() / "data"


def _validated(name: str, doc: object, where: str) -> tuple[Table, YMap]:
    if not isinstance(doc, YMap) or not doc.get("as_of") or not doc.get("sources"):
        raise KnowledgeError(f"{where}: a data table needs as_of and sources")
    return build(TABLES[name], doc, where), doc


def parse_table(name: str, raw: bytes, where: str) -> tuple[Table, YMap]:
    """A table from YAML (or JSON) bytes, validated; KnowledgeError otherwise."""
    parsed = parse_yaml_bytes(raw, where)
    if parsed.error or len(parsed.documents) != 1:
        raise KnowledgeError(f"{where}: not a single YAML document")
    return _validated(name, parsed.documents[0].value, where)


@lru_cache(maxsize=None)
def in_force(name: str) -> InForce:
    """The newer valid copy of table `name`: shipped, or cached by `meshlint data update`."""
    path = rules_dir() / "data" / f"{name}.yaml"
    if not path.is_file():
        raise KnowledgeError(f"data table {name} is missing")
    table, doc = _validated(name, load_yaml(path), f"rules/data/{name}.yaml")
    shipped = InForce(name, table, doc, SHIPPED, path)
    cached_path = data_cache_dir() / f"{name}.yaml"
    if not cached_path.is_file():
        return shipped
    try:
        cached, cached_doc = parse_table(name, cached_path.read_bytes(), str(cached_path))
    except (KnowledgeError, OSError) as exc:
        return InForce(name, table, doc, SHIPPED, path, ignored=f"cached copy ignored: {exc}")
    if cached.as_of <= table.as_of:
        return InForce(name, table, doc, SHIPPED, path,
                       ignored=f"cached copy as of {cached.as_of} is not newer")
    return InForce(name, cached, cached_doc, CACHE, cached_path)


def store(name: str, document: dict) -> Path:
    """Validate `document` as table `name` and write it to the user cache atomically;
    KnowledgeError (and nothing written) when it does not validate."""
    raw = json.dumps(document, indent=1, sort_keys=False, default=str).encode("utf-8")
    parse_table(name, raw, f"downloaded {name}")
    import tempfile  # only `meshlint data update` writes tables

    folder = data_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, folder / f"{name}.yaml")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    in_force.cache_clear()
    return folder / f"{name}.yaml"


def stale_tables(as_of: _dt.date, after_days: int = STALE_AFTER_DAYS) -> list[InForce]:
    """The tables whose facts were checked more than `after_days` before `as_of`."""
    out = []
    for name in sorted(TABLES):
        current = in_force(name)
        if (as_of - current.table.as_of).days > after_days:
            out.append(current)
    return out


def stale_notes(as_of: _dt.date) -> list[str]:
    """One note for a run's report naming the tables that may be stale on `as_of`, and how
    to refresh them; none when every table is recent enough. A table the run has not used
    is not loaded for this: its shipped file's `as_of` line says its date (the whole table is
    validated when a check first uses it), unless a refreshed copy may be in force."""
    stale = [(name, day) for name, day in _dates() if (as_of - day).days > STALE_AFTER_DAYS]
    if not stale:
        return []
    listed = ", ".join(f"{name} (as of {day})" for name, day in stale)
    refreshable = [name for name, _ in stale if name in REFRESHABLE]
    how = ("run `meshlint data update` to refresh " + ", ".join(refreshable) + "; " if refreshable else "")
    return [f"facts more than {STALE_AFTER_DAYS} days older than {as_of} may be stale: {listed}. "
            f"{how}a newer meshlint ships newer facts (`meshlint data` shows what is in force)."]


_AS_OF_LINE = re.compile(r"^as_of:[ \t]*[\"']?(\d{4}-\d{2}-\d{2})[\"']?[ \t]*(?:#.*)?$", re.M)


def _dates() -> list[tuple[str, _dt.date]]:
    """Each table's date, in name order: from the table in force when it is loaded or a
    refreshed copy exists, else from the shipped file's `as_of` line."""
    out = []
    cached = data_cache_dir()
    for name in sorted(TABLES):
        day = None if (cached / f"{name}.yaml").is_file() else _shipped_as_of(name)
        out.append((name, day if day is not None else in_force(name).table.as_of))
    return out


def _shipped_as_of(name: str) -> _dt.date | None:
    try:
        text = (rules_dir() / "data" / f"{name}.yaml").read_text(encoding="utf-8")
        found = _AS_OF_LINE.search(text)
        return _dt.date.fromisoformat(found.group(1)) if found else None
    except (OSError, ValueError):
        return None  # the table itself says what is wrong

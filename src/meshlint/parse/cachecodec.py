"""Parsed files as plain data for the parse cache and the worker pipes: JSON, never pickle.

Whoever can write the cache directory (a shared MESHLINT_CACHE_DIR, a CI cache restored
across trust levels) controls what the next run reads; a pickle would run their code. JSON
decodes to plain values only, and `decode` checks every shape before building YMap/YSeq,
so a corrupt or forged entry is a cache miss, never an error or a wrong-typed tree.

A value is a JSON scalar, or a tagged list:
  [0, line, col, end_line, [key, ...], [value, ...], [[kline, kcol], ...]]   a YMap
  [1, line, col, end_line, [item, ...], [[iline, icol], ...]]                a YSeq
  [2, "1.10"]                                                                a RawFloat
  [3, n]                                                                     the n-th map or seq again (aliases stay shared)
"""

from __future__ import annotations

import json
from typing import Any

from meshlint.findings import Finding, Severity
from meshlint.values import Location, RawFloat, YMap, YSeq, _make_map, _make_seq
from meshlint.parse.yamlfront import YamlDocument, YamlFile

FORMAT = 2


class Corrupt(Exception):
    """A cache entry that is not what `encode` writes."""


def _pos(p: Any) -> tuple[int, int]:
    if type(p) is not list or len(p) != 2 or type(p[0]) is not int or type(p[1]) is not int:
        raise Corrupt
    return (p[0], p[1])


def _encode_value(value: Any, seen: dict[int, int]) -> Any:
    cls = value.__class__
    if cls is str or cls is int or cls is bool or value is None:
        return value
    if cls is RawFloat:
        return [2, value.raw]
    if cls is YMap or cls is YSeq:
        key = id(value)
        if key in seen:
            return [3, seen[key]]
        seen[key] = len(seen)
        if cls is YMap:
            keys, keypos, here = list(value), value.keypos, (value.line, value.col)
            return [0, value.line, value.col, value.end_line, keys,
                    [_encode_value(value[k], seen) for k in keys],
                    [keypos.get(k, here) for k in keys]]  # tuples: JSON writes them as arrays
        return [1, value.line, value.col, value.end_line, [_encode_value(v, seen) for v in value],
                value.itempos]
    raise TypeError(f"cannot cache a {cls.__name__}")


def _decode_value(raw: Any, path: str, shared: list) -> Any:
    cls = raw.__class__
    if cls is str or cls is int or cls is bool or raw is None:
        return raw
    if cls is not list or not raw or type(raw[0]) is not int:
        raise Corrupt
    tag = raw[0]
    if tag == 2 and len(raw) == 2 and type(raw[1]) is str:
        try:
            return RawFloat(raw[1])
        except ValueError:
            raise Corrupt from None
    if tag == 3 and len(raw) == 2 and type(raw[1]) is int and 0 <= raw[1] < len(shared) \
            and shared[raw[1]] is not None:  # only a finished map or seq: no cycles
        return shared[raw[1]]
    if tag in (0, 1) and len(raw) == (7 if tag == 0 else 6):
        line, col, end_line = raw[1], raw[2], raw[3]
        if type(line) is not int or type(col) is not int or type(end_line) is not int:
            raise Corrupt
        if tag == 0:
            return _decode_map(raw, path, shared)
        items, positions = raw[4], raw[5]
        if type(items) is not list or type(positions) is not list:
            raise Corrupt
        slot = len(shared)
        shared.append(None)  # numbered before its items, as `encode` numbers them
        seq = _make_seq([_decode_value(v, path, shared) for v in items], line, col, end_line,
                        [_pos(p) for p in positions], path)
        shared[slot] = seq
        return seq
    raise Corrupt


def _decode_map(raw: list, path: str, shared: list) -> YMap:
    keys, values, positions = raw[4], raw[5], raw[6]
    if type(keys) is not list or type(values) is not list or type(positions) is not list \
            or not len(keys) == len(values) == len(positions):
        raise Corrupt
    slot = len(shared)
    shared.append(None)  # numbered before its values, as `encode` numbers them
    items, keypos = {}, {}
    for k, v, p in zip(keys, values, positions):
        if type(k) is not str:
            raise Corrupt
        items[k] = _decode_value(v, path, shared)
        keypos[k] = _pos(p)
    out = _make_map(items, raw[1], raw[2], raw[3], keypos, path)
    shared[slot] = out
    return out


def encode(yaml: YamlFile | None, error: Finding | None, skipped: str | None, marked: bool) -> bytes:
    """What a parse of one file produced, as JSON bytes."""
    seen: dict[int, int] = {}
    doc: dict[str, Any] = {"format": FORMAT, "skipped": skipped, "marked": marked}
    if error is not None:
        loc = error.location
        doc["error"] = [error.message, loc.line, loc.column]
    if yaml is not None:
        doc["yaml"] = {"error": list(yaml.error) if yaml.error else None,
                       "complex": yaml.has_complex_keys,
                       "documents": [[_encode_value(d.value, seen), d.line, d.end_line, d.index, d.partial]
                                     for d in yaml.documents]}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(blob: bytes, path: str) -> tuple[YamlFile | None, Finding | None, str | None, bool]:
    """The parse result `encode` wrote for the file at `path`; Corrupt when it is not one."""
    try:
        doc = json.loads(blob)
    except (ValueError, RecursionError):
        raise Corrupt from None
    if type(doc) is not dict or doc.get("format") != FORMAT:
        raise Corrupt
    skipped, marked = doc.get("skipped"), doc.get("marked")
    if (skipped is not None and type(skipped) is not str) or type(marked) is not bool:
        raise Corrupt
    error = None
    if "error" in doc:
        e = doc["error"]
        if type(e) is not list or len(e) != 3 or type(e[0]) is not str or type(e[1]) is not int \
                or type(e[2]) is not int:
            raise Corrupt
        error = Finding("MESH001", Severity.ERROR, e[0], Location(path, e[1], e[2]), object=path,
                        detail="parse-error")
    yaml = None
    if "yaml" in doc:
        y = doc["yaml"]
        if type(y) is not dict or type(y.get("documents")) is not list or type(y.get("complex")) is not bool:
            raise Corrupt
        yerr = y.get("error")
        if yerr is not None:
            if type(yerr) is not list or len(yerr) != 3 or type(yerr[2]) is not str:
                raise Corrupt
            line, col = _pos(yerr[:2])
            yerr = (line, col, yerr[2])
        yaml = YamlFile(path=path, error=yerr, has_complex_keys=y["complex"])
        shared: list = []
        for d in y["documents"]:
            if type(d) is not list or len(d) != 5 or type(d[1]) is not int or type(d[2]) is not int \
                    or type(d[3]) is not int or type(d[4]) is not bool:
                raise Corrupt
            try:
                value = _decode_value(d[0], path, shared)
            except RecursionError:
                raise Corrupt from None
            yaml.documents.append(YamlDocument(value, d[1], d[2], d[3], d[4]))
    return yaml, error, skipped, marked

"""YAML front-end: bytes -> documents of plain Python values that remember their lines.

Why not `YAML(typ='rt')`? It is ~20x slower. We use ruamel.yaml's C parser to *compose*
node graphs (every node has start/end marks), then convert nodes ourselves:

* scalars are typed from their raw text the way Kubernetes (YAML 1.1) reads them, and a
  float keeps its raw text (`appVersion: 1.10` must stay "1.10", not 1.1);
* mappings become `YMap` (a dict) and sequences `YSeq` (a list) carrying line/column of
  themselves and of each key or item;
* the walk is memoised on node identity, so aliases stay shared instead of being copied
  (an alias bomb stays small), and is capped at MAX_DEPTH levels, far below Python's
  recursion limit; an expansion counter refuses documents that would be huge when walked;
* kinds no rule reads in full are converted only up to their metadata (`needs_full`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

from msgspec import Struct, field
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.main import CParser
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag
from ruamel.yaml.tokens import StreamEndToken

from meshlint.values import RawFloat, YMap, YSeq, _make_map, _make_seq, text  # noqa: F401 (text: public API)

MAX_DEPTH = 200
# ruamel's compiled composer recurses on the C stack before our MAX_DEPTH applies; ~20,000
# levels crash the interpreter. The byte scan below refuses a document long before that.
MAX_SCANNED_DEPTH = 1000
MAX_EXPANDED_NODES = 2_000_000
# entries merge keys (`<<: *anchor`) may copy in one file: each copy is memory of its own (an
# alias is shared), so 900 items merging a 2,000-key anchor cost gigabytes; a CI file's or a
# values file's anchors copy a few thousand
MAX_MERGED_ENTRIES = 200_000
MAX_DOCUMENTS = 10_000
# plain scalars longer than this are never made numbers: Python refuses int() of more than
# 4,300 digits, and no real setting needs a thousand-digit number
MAX_INT_CHARS = 1000


class YamlDocument(Struct):
    value: object  # YMap, YSeq, scalar or None
    line: int  # first line of the document
    end_line: int
    index: int  # position in the stream
    partial: bool = False  # only apiVersion, kind and metadata were converted


class YamlFile(Struct):
    path: str
    documents: list[YamlDocument] = field(default_factory=list)
    error: tuple[int, int, str] | None = None  # (line, column, message)
    has_complex_keys: bool = False


class YamlParseError(Exception):
    def __init__(self, line: int, column: int, message: str):
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


# --- scalar typing (YAML 1.1 as Kubernetes' sigs.k8s.io/yaml reads it) --------------------

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"))
_FALSE = frozenset(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"))
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)\Z")
_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?\Z|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+\Z")
_STR_TAG = "tag:yaml.org,2002:str"


_WORDS: dict[str, bool | None] = {w: None for w in ("null", "Null", "NULL")}
_WORDS.update({w: True for w in _TRUE if w not in ("y", "Y")})
_WORDS.update({w: False for w in _FALSE if w not in ("n", "N")})
_MISSING = object()


def _scalar(node: ScalarNode):
    """Type a scalar from its raw text; the common cases (quoted strings, words, small
    integers) are decided on the first character without a regular expression."""
    raw = node.value
    if node.style:  # quoted, literal or folded: always a string
        return raw
    if node.ctag is not _PLAIN:
        tag = str(node.ctag)  # an explicit tag such as !!str or !!int
        if tag == _STR_TAG:
            return raw
        if tag == "tag:yaml.org,2002:int" and len(raw) <= MAX_INT_CHARS and _INT.match(raw):
            return int(raw.replace("_", ""))
        return raw
    if not raw:
        return None
    first = raw[0]
    if first.isalpha():
        value = _WORDS.get(raw, _MISSING)
        return raw if value is _MISSING else value
    if first == "~" and raw == "~":
        return None
    if len(raw) > MAX_INT_CHARS:  # a number this long is kept as written, as text
        return raw
    if raw.isdigit():
        return int(raw) if first != "0" or raw == "0" else raw
    if first in "+-.0123456789":
        if _INT.match(raw):
            return int(raw.replace("_", ""))
        if _FLOAT.match(raw) and any(c.isdigit() for c in raw):
            return RawFloat(raw)
    return raw


# --- a resolver that does no work: we type scalars ourselves -----------------------------

_PLAIN_TAG = "tag:meshlint,plain"


_PLAIN = Tag(suffix=_PLAIN_TAG)


class ParseTimeout(Exception):
    """The per-file parse budget ran out (raised from inside the composer)."""


class _NoopResolver(VersionedResolver):
    """ruamel spends most C-parser time resolving tags per scalar; we need none of that.
    The C composer calls `resolve` for every node, which makes it the place to enforce the
    per-file time budget without signals."""

    _plain = _PLAIN
    _seq = Tag(suffix="tag:yaml.org,2002:seq")
    _map = Tag(suffix="tag:yaml.org,2002:map")

    def resolve(self, kind, value, implicit):  # noqa: D401 - ruamel API
        deadline = _LOCAL.deadline
        if deadline is not None and time.monotonic() > deadline:
            raise ParseTimeout
        if kind is ScalarNode:
            return self._plain
        if kind is SequenceNode:
            return self._seq
        return self._map


def c_parser_active() -> bool:
    return CParser is not None


_LOCAL = threading.local()
_LOCAL.deadline = None


if CParser is not None:
    class _Composer(CParser, _NoopResolver):
        """libyaml's composer with our resolver. Unlike `YAML().compose_all`, which builds a
        new loader class per call whose instances point at themselves, this holds no
        reference cycles: with the garbage collector paused, a finished or abandoned parse
        is freed at once (reference counting), node graph included."""

        def __init__(self, stream: bytes):
            CParser.__init__(self, stream)
            _NoopResolver.__init__(self)


def _compose_all(data: bytes, pure: bool = False):
    """The documents' node graphs, one at a time: libyaml's composer, or ruamel's
    pure-Python one (`pure`, or when ruamel.yaml.clib is missing: slower, no C recursion)."""
    if pure or CParser is None:
        loader = YAML(typ="safe", pure=True)
        loader.Resolver = _NoopResolver
        yield from loader.compose_all(data)
        return
    composer = _Composer(data)
    try:
        while composer.check_node():
            yield composer.get_node()
    finally:
        composer.dispose()


def scan_tokens(data: bytes, pure: bool = False) -> Iterator[object]:
    """The stream's tokens, one at a time: libyaml's scanner, or ruamel's pure-Python one
    (`pure`, or when ruamel.yaml.clib is missing), as `_compose_all` chooses its composer."""
    if pure or CParser is None:
        yield from YAML(typ="safe", pure=True).scan(data)
        return
    scanner = CParser(data)
    try:
        while True:
            token = scanner.get_token()
            if token is None or isinstance(token, StreamEndToken):
                return
            yield token
    finally:
        scanner.dispose()


_HEAD_KEYS = ("apiVersion", "kind", "metadata")


def _object_head(node) -> tuple[str, str] | None:
    """(kind, metadata.name) of a Kubernetes object node, without converting it."""
    if not isinstance(node, MappingNode):
        return None
    kind = api = name = None
    for knode, vnode in node.value:
        if isinstance(knode, ScalarNode) and isinstance(vnode, ScalarNode):
            if knode.value == "kind":
                kind = vnode.value
            elif knode.value == "apiVersion":
                api = vnode.value
        elif isinstance(knode, ScalarNode) and knode.value == "metadata" and isinstance(vnode, MappingNode):
            for mk, mv in vnode.value:
                if isinstance(mk, ScalarNode) and mk.value == "name" and isinstance(mv, ScalarNode):
                    name = mv.value
    if kind is None or api is None:
        return None
    return kind, name or ""


_DEEP_BLOCK = re.compile(rb"^[ \t?:-]{%d}" % (MAX_SCANNED_DEPTH // 2), re.M)
_FLOW_OR_DOC = re.compile(rb"[\[\]{}]|^(?:---|\.\.\.)(?=[ \t\r\n]|\Z)", re.M)
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
              (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def too_deep(data: bytes) -> int | None:
    """The line where the document may nest deeper than MAX_SCANNED_DEPTH, else None.

    An upper bound read from the bytes, so that ruamel's C composer never sees an over-deep
    document: block nesting needs a column (indentation, `- `, `? `) per level, flow
    nesting a bracket per level. Brackets inside strings only make the bound larger; a
    document marker ends every flow collection."""
    half = MAX_SCANNED_DEPTH // 2
    deep = _DEEP_BLOCK.search(data)
    if deep is not None:
        return data.count(b"\n", 0, deep.start()) + 1
    if data.count(b"[") + data.count(b"{") < half:
        return None
    depth = 0
    for m in _FLOW_OR_DOC.finditer(data):
        c = data[m.start()]
        if c in b"[{":
            depth += 1
            if depth >= half:
                return data.count(b"\n", 0, m.start()) + 1
        elif c in b"]}":
            depth = depth - 1 if depth else 0
        else:
            depth = 0
    return None


def _as_utf8(data: bytes) -> bytes:
    """UTF-16/32 streams (with a BOM) as UTF-8, so that the depth scan reads their text."""
    for bom, codec in _WIDE_BOMS:
        if data.startswith(bom):
            return data.decode(codec).encode("utf-8")
    return data


def parse_yaml_bytes(data: bytes, path: str, needs_full=None, budget: float | None = None) -> YamlFile:
    """Parse every document of a YAML stream; errors become `YamlFile.error`.

    Every YAML text meshlint reads (files, configuration, embedded values, `yamldecode`,
    remote indexes) comes through here: the depth scan and the expansion budget apply to all.

    `needs_full(kind, name)`: for Kubernetes objects it rejects, only apiVersion, kind and
    metadata are converted (CRDs, ConfigMaps and other kinds no rule reads in full)."""
    result = YamlFile(path=path)
    try:
        data = _as_utf8(data)
    except UnicodeDecodeError as exc:
        result.error = (1, 1, f"cannot decode: {exc}")
        return result
    deep_line = too_deep(data)
    if deep_line is not None:
        result.error = (deep_line, 1, f"nested too deeply (nesting of more than {MAX_SCANNED_DEPTH} levels possible)")
        return result
    _LOCAL.deadline = time.monotonic() + budget if budget else None
    try:
        rejected = _read_stream(data, path, needs_full, result, budget, pure=False)
        if rejected and CParser is not None:
            # libyaml (an old YAML 1.1 scanner) rejects valid YAML that ruamel's pure-Python
            # parser, PyYAML and Kubernetes accept, e.g. `{image: nginx:1.27}` (a colon in a
            # plain scalar inside a flow collection). Only a rejected file pays for the
            # second parse; MESH001 needs both parsers to reject it.
            retry = YamlFile(path=path)
            if not _read_stream(data, path, needs_full, retry, budget, pure=True):
                return retry
    finally:
        _LOCAL.deadline = None
    return result


def _read_stream(data: bytes, path: str, needs_full, result: YamlFile, budget: float | None,
                 pure: bool) -> bool:
    """Compose and convert every document into `result`; an error ends the stream there.
    True when the parser itself rejected the text (a syntax error, which the other parser
    may not share)."""
    # one expansion budget for the whole file (aliases and merge keys, every document)
    expansion = _Expansion(MAX_EXPANDED_NODES + len(data))
    anchored = b"&" in data  # without an anchor no node is reached twice
    stream = _compose_all(data, pure)
    try:
        index = 0
        for node in stream:
            if index >= MAX_DOCUMENTS:
                result.error = (node.start_mark.line + 1, 1, f"more than {MAX_DOCUMENTS} documents")
                break
            partial = False
            if needs_full is not None:
                head = _object_head(node)
                if head is not None and not needs_full(*head):
                    refuse_duplicate_keys(node, anchored)  # kubectl rejects them in parts no rule reads too
                    node = MappingNode(node.tag, [(k, v) for k, v in node.value if isinstance(k, ScalarNode)
                                                  and k.value in _HEAD_KEYS], node.start_mark, node.end_mark)
                    partial = True
            value, complex_keys = _convert(node, path, expansion)
            result.has_complex_keys |= complex_keys
            result.documents.append(
                YamlDocument(value, node.start_mark.line + 1, node.end_mark.line + 1, index, partial)
            )
            index += 1
    except ParseTimeout:
        result.documents = []
        result.error = (1, 1, f"took longer than {budget or 0:g}s to parse (skipped)")
    except YamlParseError as exc:
        result.error = (exc.line, exc.column, exc.message)
    except YAMLError as exc:
        result.error = _error_position(exc, data)
        return True
    except (RecursionError, MemoryError) as exc:
        result.error = (1, 1, f"document too complex to parse ({type(exc).__name__})")
    except (UnicodeDecodeError, ValueError) as exc:
        result.error = (1, 1, f"cannot decode: {exc}")
    finally:
        stream.close()  # frees the composer and a half-composed document now, not at the next GC
    return False


def refuse_duplicate_keys(root, anchored: bool = True) -> None:
    """YamlParseError at the first mapping under `root` that repeats a key, as kubectl's
    strict decoding sees keys: `a` and `"a"` are one key, `1` and `"1"` two (an int and a
    string), a merge key `<<` is no key. For the parts of a document that are not converted
    (`needs_full`); `_convert` checks the rest. A tight walk (measured on the benchmark
    corpus: ~3% of its YAML parse time): a mapping's keys are compared as raw text and the
    exact comparison runs only where two are written alike (so, as in `_convert`, keys equal
    only once typed, `yes` and `true`, are not caught). `anchored`: the text may hold anchors,
    so a node may be reached again through an alias; each is then walked once."""
    mapping_cls, scalar_cls = MappingNode, ScalarNode
    stack = [root]
    pop, extend = stack.pop, stack.extend
    seen: set[int] | None = set() if anchored else None
    while stack:
        pairs = (node := pop()).value
        if seen is not None:
            if id(node) in seen:
                continue
            seen.add(id(node))
        if node.__class__ is mapping_cls:
            if len(pairs) > 1:
                try:
                    if len({k.value for k, _ in pairs}) != len(pairs):
                        _first_duplicate(pairs)
                except TypeError:  # a complex key (a mapping or a sequence) is no text
                    _first_duplicate(pairs)
            extend([v for _, v in pairs if v.__class__ is not scalar_cls])
        else:
            extend([v for v in pairs if v.__class__ is not scalar_cls])


def _first_duplicate(pairs) -> None:
    """Raise for the first key of `pairs` equal to an earlier one (see refuse_duplicate_keys)."""
    first: dict[tuple, int] = {}
    for knode, vnode in pairs:
        if knode.__class__ is not ScalarNode:
            continue
        if knode.value == "<<" and not knode.style and vnode.__class__ is not ScalarNode:
            continue
        key = _key_identity(knode)
        mark = knode.start_mark
        if key in first:
            raise YamlParseError(mark.line + 1, mark.column + 1,
                                 f"duplicate key {knode.value!r} in a mapping (first at line {first[key]})")
        first[key] = mark.line + 1


def _key_identity(knode: ScalarNode) -> tuple:
    """A key as the strict decoder compares it: its type and its value (`True` is not `1`)."""
    typed = knode.value if knode.style else _scalar(knode)
    if isinstance(typed, RawFloat):
        return ("float", float(typed))
    return (type(typed).__name__, typed)


class _Expansion:
    """What the conversion of one file may still build, counted in nodes as a walk over the
    result would visit them: an alias costs its whole subtree each time it is used, a merge
    key every entry it copies; and the entries merge keys may still copy (each is memory)."""

    __slots__ = ("left", "limit", "merges_left")

    def __init__(self, limit: int, merges: int = MAX_MERGED_ENTRIES):
        self.limit = self.left = limit
        self.merges_left = merges

    def spend(self, amount: int, mark) -> None:
        self.left -= amount
        if self.left < 0:
            raise YamlParseError(mark.line + 1, mark.column + 1,
                                 f"aliases and merge keys expand to more than {self.limit:,} nodes in this file")

    def merge(self, amount: int, mark) -> None:
        self.spend(amount, mark)
        self.merges_left -= amount
        if self.merges_left < 0:
            raise YamlParseError(mark.line + 1, mark.column + 1,
                                 f"merge keys copy more than {MAX_MERGED_ENTRIES:,} entries in this file")


def _error_position(exc: YAMLError, data: bytes) -> tuple[int, int, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if mark is None:
        # ReaderError (bad encoding / control characters) carries a byte position
        pos = getattr(exc, "position", None)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        if isinstance(pos, int) and 0 <= pos <= len(data):
            line = data.count(b"\n", 0, pos) + 1
            column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
            return (line, column, f"{reason} (byte {pos})")
        return (1, 1, str(reason))
    parts = [p for p in (context, problem) if p]
    message = "; ".join(parts) if parts else str(exc).splitlines()[0]
    return (mark.line + 1, mark.column + 1, message)


def _convert(root, path: str = "", expansion: _Expansion | None = None) -> tuple[object, bool]:
    """Convert a composed node graph to YMap/YSeq/scalars.

    Recursive (fast) but bounded by MAX_DEPTH, far below Python's recursion limit.
    Collections are memoised by identity, so an alias is converted once and shared, a
    recursive alias is refused, and the expanded size is counted to refuse alias bombs."""
    if root.__class__ is ScalarNode:
        return _scalar(root), False
    if expansion is None:
        expansion = _Expansion(MAX_EXPANDED_NODES)
    memo: dict[int, tuple] = {}
    active: set[int] = set()
    complex_keys = [False]
    scalar_cls, mapping_cls, scalar = ScalarNode, MappingNode, _scalar

    deadline = getattr(_LOCAL, "deadline", None)

    def conv(node, depth):
        if deadline is not None and time.monotonic() > deadline:
            raise ParseTimeout
        key = id(node)
        hit = memo.get(key)
        if hit is not None:
            return hit
        mark = node.start_mark
        if key in active:
            raise YamlParseError(mark.line + 1, mark.column + 1, "recursive alias")
        if depth > MAX_DEPTH:
            raise YamlParseError(mark.line + 1, mark.column + 1, f"nesting deeper than {MAX_DEPTH} levels")
        active.add(key)
        size = 1
        if node.__class__ is mapping_cls:
            out = YMap()
            keypos = {}
            merges = None
            for knode, vnode in node.value:
                if knode.__class__ is scalar_cls:
                    k = knode.value
                    if k == "<<" and not knode.style and vnode.__class__ is not scalar_cls:
                        merged, msize = conv(vnode, depth + 1)
                        size += msize
                        merges = (merges or []) + [merged]
                        continue
                else:
                    complex_keys[0] = True
                    k = f"<complex key at line {knode.start_mark.line + 1}>"
                km = knode.start_mark
                if k in keypos:
                    # kubectl (strict decoding) and Helm reject the file: it is not "the last wins"
                    raise YamlParseError(km.line + 1, km.column + 1,
                                         f"duplicate key {k!r} in a mapping (first at line {keypos[k][0]})")
                if vnode.__class__ is scalar_cls:
                    out[k] = vnode.value if vnode.style else scalar(vnode)
                    size += 1
                else:
                    out[k], vsize = conv(vnode, depth + 1)
                    size += vsize
                keypos[k] = (km.line + 1, km.column + 1)
            if merges:
                for merged in merges:
                    for item in merged if isinstance(merged, list) else [merged]:
                        if isinstance(item, YMap):
                            expansion.merge(len(item), mark)
                            for mk, mv in item.items():
                                if mk not in out:
                                    out[mk] = mv
                                    keypos[mk] = item.keypos.get(mk, (item.line, item.col))
            out.keypos = keypos
        else:
            out = YSeq()
            itempos = []
            append, append_pos = out.append, itempos.append
            for item in node.value:
                if item.__class__ is scalar_cls:
                    append(item.value if item.style else scalar(item))
                    size += 1
                else:
                    value, isize = conv(item, depth + 1)
                    append(value)
                    size += isize
                im = item.start_mark
                append_pos((im.line + 1, im.column + 1))
            out.itempos = itempos
        out.line, out.col, out.end_line, out.path = mark.line + 1, mark.column + 1, node.end_mark.line + 1, path
        if size > MAX_EXPANDED_NODES:
            raise YamlParseError(mark.line + 1, mark.column + 1,
                                 f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (alias bomb?)")
        active.discard(key)
        result = (out, size)
        memo[key] = result
        return result

    try:
        value, size = conv(root, 0)
    except RecursionError:
        mark = root.start_mark
        raise YamlParseError(mark.line + 1, mark.column + 1, "document nested too deeply") from None
    finally:
        # `conv` refers to itself through its closure: unbind it so that the memo (the whole
        # converted graph) is freed by reference counting when the parse fails
        memo.clear()
        del conv
    expansion.spend(size, root.start_mark)
    return value, complex_keys[0]

"""Inline suppressions: `# meshlint: ignore[CODES] reason`, `# meshlint: ignore-file[CODES]`,
and the Kubernetes annotation `meshlint.dev/ignore: "MESH401,MESH402"`.

A bare `# meshlint: ignore` (no codes) suppresses every finding on the object it covers,
like a bare `noqa`, and is reported when it suppresses nothing. Codes that name no rule
(in comments and annotations) are reported as MESH002, with the closest known code.

A comment covers the innermost object it sits in, or the one that starts on the next line:
a YAML document, mapping or list item; a Terraform block, attribute or object entry. So a
comment above a document, inside a list item, or at the end of the offending line all do
what one expects. A suppression that matches no finding of a rule that ran is reported
(MESH002 unused-suppression), like ruff's RUF100.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from msgspec import Struct, field
from ruamel.yaml.error import YAMLError
from ruamel.yaml.tokens import AliasToken, AnchorToken, ScalarToken, TagToken

from meshlint import knowledge
from meshlint.filters import ALL, unknown_code
from meshlint.findings import Finding, new_finding
from meshlint.parse.yamlfront import scan_tokens
from meshlint.values import Location, YMap

COMMENT = re.compile(rb"(?:#|//|/\*)\s*meshlint:\s*(ignore|ignore-file)(?:\[([^\]\n]*)\])?(?![\w-])[ \t]*([^\n]*)")
ANNOTATION = "meshlint.dev/ignore"


class Suppression(Struct):
    path: str
    line: int
    column: int
    kind: str  # line | file | annotation
    codes: list[str]
    reason: str
    start: int = 0  # the lines it covers (line suppressions and annotations)
    end: int = 0
    used: bool = False
    written: str = ""  # the comment as written, up to its codes (what MESH002 quotes)


class SuppressionIndex(Struct):
    by_path: dict[str, list[Suppression]] = field(default_factory=dict)

    def all(self) -> list[Suppression]:
        return [s for items in self.by_path.values() for s in items]


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def _yaml_regions(yaml_file) -> list[tuple[int, int]]:
    regions = []
    stack = [d.value for d in yaml_file.documents]
    for d in yaml_file.documents:
        regions.append((d.line, d.end_line))
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, YMap):
            if node.line:
                regions.append((node.line, max(node.end_line - (1 if node.end_line > node.line else 0), node.line)))
        if isinstance(node, dict):
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return regions


def _hcl_regions(hcl_file) -> list[tuple[int, int]]:
    regions = []
    work = [hcl_file.body]
    while work:
        body = work.pop()
        for attr in body.attrs.values():
            regions.append((attr.line, attr.end_line))
            nodes = [attr.expr]
            while nodes:
                n = nodes.pop()
                if n.type == "object_elem":
                    regions.append((n.start_point[0] + 1, n.end_point[0] + 1))
                nodes.extend(n.children)
        for blk in body.blocks:
            regions.append((blk.line, blk.end_line))
            work.append(blk.body)
    return regions


# tokens whose text may hold a `#` that starts no comment: scalars (keys and values, quoted,
# plain or block) and the names of tags, anchors and aliases
_TEXT_TOKENS = (ScalarToken, TagToken, AnchorToken, AliasToken)


def _yaml_text_spans(raw: bytes) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The (line, column) spans, 0-based, of every scalar, tag, anchor and alias in a YAML
    stream, in order: text that looks like a comment inside one (a quoted key, a block
    scalar, `!x#meshlint:…`) is not a comment. What libyaml rejects is scanned again by
    ruamel's pure-Python scanner, as the YAML front-end parses it; a stream that one rejects
    too yields the spans up to the error."""
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for pure in (False, True):
        spans = []
        try:
            for token in scan_tokens(raw, pure):
                if isinstance(token, _TEXT_TOKENS):
                    spans.append(((token.start_mark.line, token.start_mark.column),
                                   (token.end_mark.line, token.end_mark.column)))
        except YAMLError:
            continue
        break
    return spans


class _CommentTest:
    """Whether a `meshlint:` match is in a real comment, not inside a string value or a
    block label (issue 15: `description = "… # meshlint: ignore[…]"` and
    `resource "t" "x # meshlint: ignore[…]"` must suppress nothing). Terraform asks the
    syntax tree (its comment nodes are `#`, `//` and `/* */` comments); YAML asks the
    scanner's tokens, in file order, so their spans are walked once."""

    def __init__(self, pf, raw: bytes):
        self._hcl = pf.hcl
        self._spans = _yaml_text_spans(raw) if pf.hcl is None and pf.yaml is not None else []
        self._next = 0

    def __call__(self, raw: bytes, start: int, line: int, line_start: int) -> bool:
        if self._hcl is not None:
            root = self._hcl.root
            node = root.descendant_for_byte_range(start, start + 1) if root is not None else None
            return node is not None and node.type == "comment"
        where = (line - 1, len(raw[line_start:start].decode("utf-8", "replace")))
        spans = self._spans
        while self._next < len(spans) and spans[self._next][1] <= where:
            self._next += 1
        return not (self._next < len(spans) and spans[self._next][0] <= where)


class _Cover:
    """Which region a comment on a line covers (see `cover`), answered from an index built
    once per file: thousands of comments must not each scan every region."""

    def __init__(self, regions: list[tuple[int, int]]):
        self._opened: dict[int, tuple[int, int]] = {}  # start line -> its smallest region
        for s, e in regions:
            if s not in self._opened or e - s < self._opened[s][1] - self._opened[s][0]:
                self._opened[s] = (s, e)
        self._regions = regions
        self._best: dict[int, tuple[int, int]] | None = None

    def _paint(self) -> dict[int, tuple[int, int]]:
        """Each line's innermost region (the smallest; of equal ones the last to start;
        of identical keys the first listed), painting the best regions first and each
        line once (a union-find skips the painted lines)."""
        best: dict[int, tuple[int, int]] = {}
        skip: dict[int, int] = {}

        def next_free(line: int) -> int:
            path = []
            while line in skip:
                path.append(line)
                line = skip[line]
            for p in path:
                skip[p] = line
            return line

        for s, e in sorted(self._regions, key=lambda r: (r[1] - r[0], -r[0])):
            line = next_free(s - 1)
            while line <= e:
                best[line] = (s, e)
                skip[line] = line + 1
                line = next_free(line + 1)
        return best

    def cover(self, line: int, trailing: bool = False) -> tuple[int, int]:
        """The innermost region the comment is in, or that starts on the next line. A comment
        trailing code covers the innermost region that starts on its own line when there is
        one: after a block's opening line (`module "vpc" { # meshlint: ignore[...]`) it covers
        the block, not the first attribute below it."""
        if trailing and line in self._opened:
            return self._opened[line]
        if self._best is None:
            self._best = self._paint()
        region = self._best.get(line)
        if region is None:
            return line, line + 1
        s, e = region
        return min(s, line), e


def build_index(parsed_files, overlay: Mapping[str, bytes] | None = None) -> SuppressionIndex:
    """Scan each parsed file's text for suppression comments (and annotations): the text
    that was parsed (`overlay`: an editor's unsaved buffers, as the parse layer read them)."""
    index = SuppressionIndex()
    for pf in parsed_files:
        if not pf.has_suppressions:
            continue
        raw = pf.hcl.src if pf.hcl is not None else None
        if raw is None and pf.yaml is not None and overlay and pf.entry.abspath in overlay:
            raw = overlay[pf.entry.abspath]
        elif raw is None and pf.yaml is not None:
            try:
                with open(pf.entry.abspath, "rb") as fh:
                    raw = fh.read()
            except OSError:
                raw = b""
        items: list[Suppression] = []
        if raw and b"meshlint:" in raw:
            covers = None
            is_comment = _CommentTest(pf, raw)
            line, counted = 1, 0  # lines counted up to `counted`: once over the file, not per comment
            for m in COMMENT.finditer(raw):
                line += raw.count(b"\n", counted, m.start())
                counted = m.start()
                line_start = raw.rfind(b"\n", 0, m.start()) + 1
                if not is_comment(raw, m.start(), line, line_start):
                    continue
                col = m.start() - line_start + 1
                kind = "file" if m.group(1) == b"ignore-file" else "line"
                codes = _codes((m.group(2) or b"").decode("utf-8", "replace"))
                reason = m.group(3)
                if m.group().startswith(b"/*"):  # `/* meshlint: ignore[…] why */`
                    reason = reason.split(b"*/", 1)[0]
                written = raw[m.start():m.end(2) + 1 if m.group(2) is not None else m.end(1)]
                if written.startswith(b"/*"):
                    written += b" */"
                sup = Suppression(pf.entry.path, line, col, kind, codes,
                                  reason.decode("utf-8", "replace").strip(),
                                  written=written.decode("utf-8", "replace"))
                if kind == "line":
                    if covers is None:
                        covers = _Cover(_hcl_regions(pf.hcl) if pf.hcl is not None else (
                            _yaml_regions(pf.yaml) if pf.yaml is not None else []))
                    trailing = bool(raw[line_start:m.start()].strip())
                    sup.start, sup.end = covers.cover(line, trailing)
                items.append(sup)
        if pf.yaml is not None and raw and ANNOTATION.encode() in raw:
            items.extend(_annotations(pf))
        if items:
            index.by_path[pf.entry.path] = items
    return index


def _annotations(pf) -> list[Suppression]:
    out = []
    for doc in pf.yaml.documents:
        objs = [doc.value]
        if isinstance(doc.value, dict) and isinstance(doc.value.get("items"), list):
            objs += doc.value["items"]
        for obj in objs:
            meta = obj.get("metadata") if isinstance(obj, dict) else None
            ann = meta.get("annotations") if isinstance(meta, dict) else None
            value = ann.get(ANNOTATION) if isinstance(ann, dict) else None
            if isinstance(value, str) and isinstance(obj, YMap):
                line = ann.keypos.get(ANNOTATION, (obj.line, 1))[0] if isinstance(ann, YMap) else obj.line
                out.append(Suppression(pf.entry.path, line, 1, "annotation", _codes(value),
                                       "annotation", obj.line, obj.end_line))
    return out


class _Group:
    """The suppressions covering the same lines, by the codes they name ("" for none): a
    finding looks up the prefixes of its rule. A suppression leaves the group once used, so
    thousands of identical comments over one mapping cost each finding nothing twice."""

    def __init__(self) -> None:
        self.unused: dict[str, list[Suppression]] = {}
        self.named: set[str] = set()

    def add(self, sup: Suppression) -> None:
        for code in sup.codes or [""]:
            self.unused.setdefault(code, []).append(sup)
            self.named.add(code)

    def hit(self, rule: str) -> bool:
        """Whether a finding of `rule` is covered; marks the covering suppressions used."""
        found = False
        for code in ("", ALL, *(rule[:k] for k in range(1, len(rule) + 1))):
            if code in self.named:
                found = True
                for sup in self.unused.pop(code, ()):
                    sup.used = True
        return found


class _PathSuppressions:
    """One file's suppressions, grouped by the lines they cover and indexed by line: a
    finding is compared with the groups on its line (and the few wide ones), not with
    every suppression of the file."""

    SHORT = 256  # groups covering at most this many lines are listed under each line

    def __init__(self, items: list[Suppression]):
        groups: dict[tuple[int, int] | None, _Group] = {}
        for sup in items:
            groups.setdefault(None if sup.kind == "file" else (sup.start, sup.end), _Group()).add(sup)
        self.wide: list[tuple[tuple[int, int] | None, _Group]] = []
        self.by_line: dict[int, list[_Group]] = {}
        for span, group in groups.items():
            if span is None or span[1] - span[0] > self.SHORT:
                self.wide.append((span, group))
            else:
                for line in range(span[0], span[1] + 1):
                    self.by_line.setdefault(line, []).append(group)

    def hit(self, f: Finding) -> bool:
        line = f.location.line
        groups = [*self.by_line.get(line, ()),
                  *(g for span, g in self.wide if span is None or span[0] <= line <= span[1])]
        hits = [g.hit(f.rule) for g in groups]  # every group: all covering suppressions are used
        return any(hits)


def apply(findings: list[Finding], index: SuppressionIndex) -> tuple[list[Finding], int]:
    """Drop suppressed findings; mark the suppressions that were used."""
    kept = []
    suppressed = 0
    paths = {path: _PathSuppressions(items) for path, items in index.by_path.items()}
    for f in findings:
        if f.rule != "MESH002" and f.location.path in paths and paths[f.location.path].hit(f):
            suppressed += 1
        else:
            kept.append(f)
    return kept, suppressed


def unused(index: SuppressionIndex, ran) -> list[Finding]:
    """MESH002 for suppressions of rules that ran but matched nothing."""
    known = list(knowledge.codes())
    doc = knowledge.rule_doc("MESH002")
    assert doc is not None
    out = []
    for sup in index.all():
        written = sup.written if len(sup.written) <= 120 else sup.written[:119] + "…"
        what = "annotation" if sup.kind == "annotation" else f"`{written}`"
        loc = Location(sup.path, sup.line, sup.column)
        for code in sup.codes:
            problem = unknown_code(code, known)
            if problem:
                out.append(new_finding("MESH002", doc.name, doc.severity,
                                       f"suppression ({what}) names no rule: {problem}. Fix or remove the code.",
                                       loc, object=sup.path, scope="", detail=f"unknown:{sup.kind}:{code}"))
        if sup.used:
            continue
        codes = [c for c in sup.codes if ran(c) and not unknown_code(c, known)] if sup.codes else ["ALL"]
        if not codes:
            continue
        message = (f"unused suppression ({what}): no {', '.join(sup.codes) or 'finding'}"
                   f"{' finding' if sup.codes else ''} here to suppress. Remove it, or fix its codes.")
        out.append(new_finding("MESH002", doc.name, doc.severity, message, loc, object=sup.path, scope="",
                               detail=f"{sup.kind}:{','.join(sup.codes)}:{sup.reason}"))
    return out

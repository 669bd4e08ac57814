"""The `full` text style, for people at a terminal: findings grouped by file, a one-line
headline each (`infra/main.tf:30:3 MESH501 [warning] module.vpc creates 3 NAT gateways`),
then, indented beneath, the source line with a caret under the finding's columns, the rest
of the explanation, the fix, the automatic fix's title (`check --show-fixes`) and the rule's
documentation.

The source line is read from the checked file when the report is written; it is cut to
MAX_SOURCE_CHARS and cleaned like every other piece of file content, and a file that is gone
or unreadable only means no source line.
"""

from __future__ import annotations

import re
import textwrap

from msgspec import Struct, field

from meshlint.findings import Finding, Report
from meshlint.report.ruledocs import doc_url
from meshlint.report.safety import clean, neutralise
from meshlint.report.style import Palette
from meshlint.report.summary import summary_line

MAX_SOURCE_CHARS = 200  # of the source line shown (file content: bounded like messages)
MAX_SOURCE_FILE_BYTES = 8 * 1024 * 1024  # past this no source line (never read a huge file twice)
HEADLINE_MIN, HEADLINE_MAX = 20, 100
# where a message's first clause ends: a sentence, a colon, a parenthesis, a semicolon
_CLAUSE_END = re.compile(r"(?:\. |: |; | \(| — )")


def headline(message: str) -> tuple[str, str]:
    """The message's first sentence or clause (at least HEADLINE_MIN characters, at most
    about HEADLINE_MAX, cut at a word) and the rest of it."""
    for m in _CLAUSE_END.finditer(message):
        if m.start() >= HEADLINE_MIN:
            head, rest = message[:m.start()], message[m.start():]
            break
    else:
        head, rest = message, ""
    if len(head) > HEADLINE_MAX:
        cut = head.rfind(" ", HEADLINE_MIN, HEADLINE_MAX)
        cut = cut if cut > 0 else HEADLINE_MAX
        return head[:cut] + " …", "… " + message[cut:].lstrip()
    return head, rest.lstrip(".:;— ")


class SourceLines(Struct):
    """The lines of checked files, read once per file at report time."""

    _files: dict[str, list[str] | None] = field(default_factory=dict)

    def line(self, abspath: str, number: int) -> str | None:
        if not abspath or number < 1:
            return None
        if abspath not in self._files:
            self._files[abspath] = _read_lines(abspath)
        lines = self._files[abspath]
        if lines is None or number > len(lines):
            return None
        return lines[number - 1]


def _read_lines(abspath: str) -> list[str] | None:
    try:
        with open(abspath, "rb") as fh:
            data = fh.read(MAX_SOURCE_FILE_BYTES + 1)
    except (OSError, ValueError):
        return None
    if len(data) > MAX_SOURCE_FILE_BYTES:
        return None
    return data.decode("utf-8", errors="replace").splitlines()


def source_excerpt(raw: str, f: Finding) -> tuple[str, str, int]:
    """The cleaned source line (tabs expanded, cut to MAX_SOURCE_CHARS), the carets under
    the finding's columns on it and how far they are indented."""
    loc = f.location
    shown = clean(raw.expandtabs(4))
    if len(shown) > MAX_SOURCE_CHARS:
        shown = shown[:MAX_SOURCE_CHARS] + "…"

    def offset(column: int) -> int:
        # columns count characters of the raw line; the shown line has tabs expanded and
        # control characters spelled out, so measure the cleaned prefix
        return len(clean(raw[: max(column - 1, 0)].expandtabs(4)))

    start = min(offset(loc.column), len(shown))
    if loc.end_line > loc.line or not loc.end_column or loc.end_column <= loc.column:
        end = len(shown.rstrip()) if loc.end_line > loc.line else start + 1
    else:
        end = offset(loc.end_column)
    end = min(max(end, start + 1), len(shown) + 1)
    return shown, "^" * (end - start), start


def render_full(report: Report, palette: Palette, width: int = 100, verbose: bool = False,
                sources: SourceLines | None = None) -> str:
    sources = sources or SourceLines()
    out: list[str] = []
    current = None
    for f in report.findings:
        path = f.location.path
        if path != current:
            if current is not None:
                out.append("")
            out.append(palette.paint(_safe(path), "bold"))
            current = path
        out.append("")
        out.extend(_finding(f, palette, width, sources, report.fixes.get(f.fingerprint)))
    if verbose:
        out += [f"note: {_safe(note)}" for note in report.notes]
    if report.findings or (verbose and report.notes):
        out.append("")
    out.append(palette.paint(summary_line(report), "bold"))
    return neutralise("\n".join(out) + "\n")


def _finding(f: Finding, palette: Palette, width: int, sources: SourceLines,
             autofix: dict | None = None) -> list[str]:
    loc = f.location
    head, rest = headline(f.message)
    where = f"{_safe(loc.path)}:{loc.line}:{loc.column}"
    lines = [f"{palette.paint(where, 'bold')} {palette.severity(f.rule, f.severity)} "
             f"[{palette.severity(f.severity.value, f.severity)}] {_safe(head)}"]
    number = str(loc.line)
    gutter = " " * (len(number) + 1)
    raw = sources.line(f.abspath, loc.line)
    bar = palette.paint("|", "blue")
    if raw is not None:
        shown, caret, indent = source_excerpt(raw, f)
        lines += [f"  {gutter}{bar}",
                  f"  {palette.paint(number, 'blue')} {bar} {neutralise(shown)}",
                  f"  {gutter}{bar} {' ' * indent}{palette.severity(caret, f.severity)}"]
    eq = palette.paint("=", "blue")
    body = width - len(gutter) - 6
    if rest:
        lines += _wrapped(f"  {gutter}{eq} ", f"  {gutter}  ", _safe(rest), body)
    if f.fix:
        lines += _wrapped(f"  {gutter}{eq} {palette.paint('fix:', 'bold')} ", f"  {gutter}  ",
                          _safe(f.fix), body)
    if autofix:  # only on a run asked for fixes (`check --show-fixes`)
        how = "meshlint fix" + (" --unsafe-fixes" if autofix["safety"] == "unsafe" else "")
        lines += _wrapped(f"  {gutter}{eq} {palette.paint('autofix:', 'bold')} ", f"  {gutter}  ",
                          _safe(f"{autofix['title']} ({autofix['safety']}: {how})"), body)
    lines.append(f"  {gutter}{eq} {palette.paint('docs:', 'dim')} {doc_url(f.rule)}")
    return lines


def _wrapped(first: str, later: str, text: str, width: int) -> list[str]:
    parts = textwrap.wrap(text, max(width, 40), break_long_words=True, break_on_hyphens=False) or [""]
    return [first + parts[0]] + [later + p for p in parts[1:]]


def _safe(text: str) -> str:
    """File content as one line of terminal text, and no workflow command even where a
    colour code sits before it at the start of a line."""
    return neutralise(clean(text))

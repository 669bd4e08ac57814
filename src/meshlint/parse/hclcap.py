"""Long HCL string literals are not handed to tree-sitter (issue 15 #16).

tree-sitter-hcl costs ~170 bytes of memory per character of a template literal: a 4.5 MB
heredoc or one-line quoted string takes ~800 MB. A literal over `MAX_LITERAL_BYTES` loses its
text before parsing (its newlines are kept, so every line number stays right), and the
evaluator reads it as Unknown from the spans recorded here (`HclFile.capped`).

The spans come from a small lexer that knows just enough HCL to find where literals start and
end: comments, quoted templates with their `${…}`/`%{…}` parts (which may hold further
strings), escapes, and heredocs. Only outermost literals are measured: a long literal nested in
an interpolation makes the literal around it long too.
"""

from __future__ import annotations

import re

MAX_LITERAL_BYTES = 256 * 1024

# what ends a stretch of code: a string, a comment, a heredoc, a brace
_CODE_STOP = re.compile(rb'"|#|//|/\*|<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n|[{}]')
# what ends a stretch of a quoted template: its quote, a template part, a line end; or a run of
# text from an escape on (one token, not one per escape: `\n` repeated is hostile input too),
# possessive, so the regex engine keeps no backtracking stack per character
_STRING_STOP = re.compile(rb'"|\\[^\n](?:[^"\\$%\n]|\\[^\n])*+|\$\$\{|%%\{|\$\{|%\{|\n')

_STRING = "string"
_PART = "part"  # `${…}` or `%{…}` inside a string
_BRACE = "brace"  # `{…}` inside a part


def cap_literals(data: bytes) -> tuple[bytes, tuple[tuple[int, int, int], ...]]:
    """`data` with the text of each literal over the cap dropped, and for each one its
    (start, end) in the returned bytes and its length as written."""
    if len(data) <= MAX_LITERAL_BYTES:
        return data, ()
    spans = _long_literals(data)
    if not spans:
        return data, ()
    out: list[bytes] = []
    capped: list[tuple[int, int, int]] = []
    size = pos = 0
    for start, end, quoted in spans:
        out.append(data[pos:start])
        size += start - pos
        newlines = data.count(b"\n", start, end)
        # a quoted string holds a line break only inside a `${…}` part, so that is where the
        # kept ones go (`"${0⏎⏎}"` parses); a heredoc body is lines already
        kept = (b"${0" + b"\n" * newlines + b"}" if newlines else b"") if quoted else b"\n" * newlines
        out.append(kept)
        capped.append((size, size + len(kept), end - start))
        size += len(kept)
        pos = end
    out.append(data[pos:])
    return b"".join(out), tuple(capped)


def _long_literals(data: bytes) -> list[tuple[int, int, bool]]:
    """(start, end, quoted) of each outermost literal body over the cap, in order."""
    found: list[tuple[int, int, bool]] = []
    stack: list[str] = []
    outer = 0  # where the outermost string's text starts
    pos, n = 0, len(data)
    while pos < n:
        if stack and stack[-1] == _STRING:
            m = _STRING_STOP.search(data, pos)
            if m is None:
                break
            pos = m.end()
            token = m.group()
            if token == b'"':
                stack.pop()
                if not stack and m.start() - outer > MAX_LITERAL_BYTES:
                    found.append((outer, m.start(), True))
            elif token in (b"${", b"%{"):
                stack.append(_PART)
            elif token == b"\n":  # unterminated: the parser reports it
                stack.clear()
            continue
        m = _CODE_STOP.search(data, pos)
        if m is None:
            break
        pos = m.end()
        token = m.group()
        if token == b'"':
            if not stack:
                outer = pos
            stack.append(_STRING)
        elif token in (b"#", b"//"):
            end = data.find(b"\n", pos)
            pos = n if end < 0 else end
        elif token == b"/*":
            end = data.find(b"*/", pos)
            pos = n if end < 0 else end + 2
        elif token == b"{":
            if stack:
                stack.append(_BRACE)
        elif token == b"}":
            if stack:
                stack.pop()
        else:  # a heredoc: its body runs to the line holding only its marker
            marker = re.compile(rb"(?m)^[ \t]*" + re.escape(m.group(1)) + rb"[ \t]*\r?$")
            close = marker.search(data, pos)
            if close is None:
                break  # unterminated: the parser reports it
            if not stack and close.start() - pos > MAX_LITERAL_BYTES:
                found.append((pos, close.start(), False))
            pos = close.end()
    return found

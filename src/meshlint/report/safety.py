"""What every reporter does to text from a checked tree before it reaches a terminal or a CI log.

* Terminal control: C0 and C1 control characters (ESC, CSI, OSC ...) are shown as `\\xNN`,
  line breaks as spaces, so file content cannot move the cursor, retitle the window or
  forge lines.
* GitHub Actions reads workflow commands from every line a step prints: `::` at the start
  of a line (after spaces) and the legacy `##[` anywhere. A file named `::error ...` or a
  namespace `##[add-mask]x` must not become a command, whatever the output format.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_COMMAND = re.compile(r"^([ \t]*):(?=:)", re.M)
_LEGACY_COMMAND = "##["
_C1 = re.compile(r"[\x7f-\x9f]")  # JSON and XML escape C0 themselves, not these
# lone surrogates: a non-UTF-8 file name (surrogateescape) or an HCL "\ud800" escape; as
# JSON escapes they keep their value and the text can be written as UTF-8
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(s: str) -> str:
    """One line of terminal text from file content: no escapes, no line breaks."""
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()), s.replace("\n", " ").replace("\r", " "))


def neutralise(text: str) -> str:
    """Plain text output with no workflow command in any line (escapes as in `clean`)."""
    return _LINE_COMMAND.sub(r"\1\\x3a", text).replace(_LEGACY_COMMAND, "#\\x23[")


def neutralise_json(text: str) -> str:
    """JSON text with the same data and no workflow command: pretty-printed lines never
    start with `::`, and `##[` can only sit inside a string, where `\\u0023` means `#`."""
    text = _C1.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    text = _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    return _LINE_COMMAND.sub(r"\1\\u003a", text).replace(_LEGACY_COMMAND, "#\\u0023[")


def neutralise_xml(text: str) -> str:
    """XML text with the same data and no workflow command (character references)."""
    text = _C1.sub(lambda m: "&#%d;" % ord(m.group()), text)
    return _LINE_COMMAND.sub(r"\1&#58;", text).replace(_LEGACY_COMMAND, "#&#35;[")

"""Rendering Terraform templates (`templatefile()`, `template_file`, `kubectl_path_documents`)
with known variables, remembering where each rendered line came from.

The rendered text is a `RenderedText`: a str that knows its template file and, for each of
its lines, the template line that produced it. A variable whose value spans several lines
changes the line count; every line it adds maps to the template line of its `${…}`, so a
finding inside inserted text points at the placeholder that inserted it. Columns are the
rendered ones (a placeholder earlier on the same line shifts them).

What is rendered: `${name}` and `${name.attr}` / `${name["key"]}` over the known variables,
and the escapes `$${` and `%%{`. Anything else (directives `%{ if }`/`%{ for }`, function
calls and operators inside `${…}`) is not evaluated: the result is Unknown, as is a template
with an unknown variable, and the file keeps the parse layer's note.
"""

from __future__ import annotations

import re

from meshlint.values import Unknown

from .budget import check_string_length
from .convert import EvalError, Value, to_string


class RenderedText(str):
    """Text a template renderer produced, remembering the template it came from."""

    source: str | None  # real path of the template file; None for an inline template string
    via: str  # the renderer: "templatefile()", "template_file", "kubectl_path_documents"
    named_in: str  # display path of the .tf file that renders it
    line_map: tuple[int, ...]  # template line (1-based) of each rendered line

    def __new__(cls, text: str, source: str | None, via: str, named_in: str,
                line_map: tuple[int, ...]) -> RenderedText:
        obj = super().__new__(cls, text)
        obj.source, obj.via, obj.named_in, obj.line_map = source, via, named_in, line_map
        return obj

    def part(self, start: int, end: int, text: str) -> RenderedText:
        """Lines start..end (0-based, end excluded) as a text of its own (one document)."""
        return RenderedText(text, self.source, self.via, self.named_in, self.line_map[start:end])


# `$${` and `%%{` are escapes; `${ … }` an interpolation, `%{ … }` a directive
_TOKEN = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_REFERENCE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\["[^"\\]*"\]|\[[0-9]+\])*)\s*\}')
_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\["([^"\\]*)"\]|\[([0-9]+)\]')


class _NotRendered(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def render(text: str, variables: Value) -> tuple[str, tuple[int, ...]] | Unknown:
    """The rendered text and its line map, or Unknown saying why it is not rendered.
    A variable the template names and `variables` lacks is Terraform's error (EvalError)."""
    if isinstance(variables, Unknown):
        return Unknown("template variables not known")
    if not isinstance(variables, dict):
        raise EvalError("template variables must be a map")
    pieces: list[str] = []
    line_map: list[int] = [1]
    total = 0
    pos = 0
    line = 1  # template line at `pos`

    def emit(chunk: str, origin: int | None) -> None:
        """Append rendered text; new lines map to `origin` (inserted text) or advance."""
        nonlocal total
        pieces.append(chunk)
        total += len(chunk)
        check_string_length(total)
        for _ in range(chunk.count("\n")):
            line_map.append(origin if origin is not None else line_map[-1] + 1)

    try:
        for m in _TOKEN.finditer(text):
            if m.start() < pos:
                continue  # inside an interpolation already consumed
            literal = text[pos:m.start()]
            emit(literal, None)
            line += literal.count("\n")
            token = m.group(0)
            if token in ("$${", "%%{"):
                emit(token[1:], None)
                pos = m.end()
                continue
            if token == "%{":
                raise _NotRendered("template directives (%{…}) are not rendered")
            ref = _REFERENCE.match(text, m.end())
            if ref is None:
                raise _NotRendered("template expressions other than variable references are not rendered")
            emit(_lookup(variables, ref.group(1), ref.group(2)), line)
            pos = ref.end()
        emit(text[pos:], None)
    except _NotRendered as exc:
        return Unknown(exc.reason)
    return "".join(pieces), tuple(line_map)


def _lookup(variables: dict, name: str, steps: str) -> str:
    if name not in variables:
        raise EvalError(f"template: no variable {name}")
    value = variables[name]
    for step in _STEP.finditer(steps):
        attr, key, index = step.groups()
        if isinstance(value, Unknown):
            break
        if index is not None and isinstance(value, list):
            i = int(index)
            if i >= len(value):
                raise EvalError("template: index out of range")
            value = value[i]
            continue
        k = attr if attr is not None else key if key is not None else index
        if not isinstance(value, dict) or k not in value:
            raise EvalError(f"template: no attribute {k}")
        value = value[k]
    if isinstance(value, Unknown):
        raise _NotRendered("template with unknown variables")
    if isinstance(value, (dict, list)):
        raise EvalError("template: a collection cannot be inserted as text")
    return to_string(value)


def rendered(text: str, variables: Value, source: str | None, via: str, named_in: str) -> Value:
    """`render` as a value: a RenderedText, or Unknown."""
    out = render(text, variables)
    if isinstance(out, Unknown):
        return out
    body, line_map = out
    return RenderedText(body, source, via, named_in, line_map)

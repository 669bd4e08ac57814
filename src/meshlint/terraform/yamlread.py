"""YAML that Terraform reads into something meshlint models (Helm values, kubectl manifests,
`yamldecode`), from a file (`file()`) or a rendered template (`templatefile()`,
`template_file`, `kubectl_path_documents`).

The text is parsed through the parse layer's guarded YAML front-end, positioned in its own
file (a rendered template's lines mapped back to the template's), so findings point at the
file the user edits. A file that does not parse is what Terraform would hand to Helm or
kubectl broken: one MESH001 at its own line and column (issue 13: a file meshlint reads is
never silently skipped). A template whose variables are not known is never parsed here.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from meshlint.findings import Finding
from meshlint.parse import parse_error
from meshlint.parse.yamlfront import YamlFile, parse_yaml_bytes
from meshlint.values import Unknown, YMap, YSeq

from .rendering import RenderedText

MAX_PARSER_MESSAGE = 120  # the parser's own words; the rest of the message says who reads the file


class YamlReads:
    """Parsed texts (each parsed once per run), the MESH001s they gave, and for every
    file read through a renderer, what the run's notes should say about it."""

    def __init__(self, parsed_by_layer: dict[str, YamlFile], shown: Callable[[str], str]):
        self._layer = parsed_by_layer  # real path -> YamlFile the parse layer read
        self._shown = shown  # real path -> display path
        self._cache: dict[tuple[str, str, str], list[object] | Unknown] = {}
        self.errors: dict[tuple[str, int, int], Finding] = {}
        # display path -> the note for a template read through its renderer (None: no note,
        # its MESH001 says it all)
        self.read_through: dict[str, str | None] = {}

    def documents(self, text: str, reader: str) -> list[object] | Unknown | None:
        """The documents of a file's text (`FileText`, with its `source`) or a rendered
        template's (`RenderedText`); None for a string that knows no file (the caller reads
        it as inline text). `reader` says who reads it ("helm_release values in main.tf")."""
        key: tuple[str, str, str]
        if isinstance(text, RenderedText):
            if text.source is None:
                return None
            key = (text.source, text, reader)
        else:
            source = getattr(text, "source", None)
            if not isinstance(source, str):
                return None
            layer = self._layer.get(source)
            if layer is not None:
                # the parse layer read it: its documents, or the MESH001 it already reported
                return Unknown(f"{self._shown(source)} does not parse") if layer.error \
                    else [d.value for d in layer.documents]
            key = (source, text, reader)
        if key not in self._cache:
            self._cache[key] = self._parse(text, key[0], reader)
        return self._cache[key]

    def _parse(self, text: str, source: str, reader: str) -> list[object] | Unknown:
        shown = self._shown(source)
        parsed = parse_yaml_bytes(text.encode("utf-8", "surrogateescape"), shown)
        rendered = text if isinstance(text, RenderedText) else None
        if rendered is not None and not _identity(rendered.line_map):
            for doc in parsed.documents:
                _remap(doc.value, rendered.line_map, set())
        if parsed.error:
            line, column, message = parsed.error
            if rendered is not None:
                line = _mapped(rendered.line_map, line)
                how = f"as {rendered.via} in {rendered.named_in} renders it for {reader}"
            else:
                how = f"read by {reader}"
            if len(message) > MAX_PARSER_MESSAGE:
                message = message[:MAX_PARSER_MESSAGE] + "…"
            finding = parse_error(shown, line, column, f"{message} ({how})")
            self.errors.setdefault((shown, finding.location.line, finding.location.column), finding)
            self.read_through[shown] = None
            return Unknown(f"{shown} does not parse as YAML")
        if rendered is not None:
            self.read_through.setdefault(
                shown, f"template rendered by Terraform ({rendered.via} in {rendered.named_in}): "
                       "read through its renderer with the variables it is given")
        return [d.value for d in parsed.documents]


def _identity(line_map: tuple[int, ...]) -> bool:
    return all(n == i for i, n in enumerate(line_map, 1))


def _mapped(line_map: tuple[int, ...], line: int) -> int:
    if not line_map:
        return line
    return line_map[min(max(line, 1), len(line_map)) - 1]


def _remap(value: object, line_map: tuple[int, ...], seen: set[int]) -> None:
    """Rendered lines -> template lines, in place, over every mapping and sequence (aliases
    are shared: each node once)."""
    if not isinstance(value, (YMap, YSeq)) or id(value) in seen:
        return
    seen.add(id(value))
    value.line = _mapped(line_map, value.line)
    value.end_line = _mapped(line_map, value.end_line)
    if isinstance(value, YMap):
        value.keypos = {k: (_mapped(line_map, ln), col) for k, (ln, col) in value.keypos.items()}
        for item in value.values():
            _remap(item, line_map, seen)
    else:
        value.itempos = [(_mapped(line_map, ln), col) for ln, col in value.itempos]
        for item in value:
            _remap(item, line_map, seen)

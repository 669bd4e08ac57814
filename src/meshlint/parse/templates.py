"""Templates are not broken YAML.

A file that Terraform renders (`templatefile()`, a `template_file` data source, the
`kubectl_path_documents` data source) or that holds template syntax (`${…}`, `%{…}`,
`{{…}}`) where the parser stopped is a template: its text becomes YAML only once its
variables are filled in. Such a file is skipped with a note, never reported as MESH001.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping

from msgspec import Struct

_TEMPLATE_SYNTAX = re.compile(rb"\$\{[^}\n]*\}|%\{[^}\n]*\}|\{\{[^}\n]*\}\}")


def template_at(data: bytes, line: int, syntax: re.Pattern[bytes] = _TEMPLATE_SYNTAX) -> str | None:
    """The template expression (by default any of Terraform's or Go's; `syntax` narrows it)
    on the parser's error line (or the line before it, where a scanner that stopped at the
    next token left it), else None."""
    lines = data.split(b"\n", line)[:line]  # only an error pays for this
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            m = syntax.search(lines[number - 1])
            if m is not None:
                return m.group(0).decode("utf-8", "replace")
    return None


# A path string given to one of Terraform's template renderers. The data sources take the
# path in an argument of their block: `pattern` (kubectl_path_documents, a glob) and
# `template = file(...)` (template_file).
_TEMPLATEFILE = re.compile(rb'templatefile\(\s*"([^"\n]+)"')
_DATA_SOURCE = re.compile(rb'data\s+"(kubectl_path_documents|template_file)"\s+"[^"\n]*"\s*\{')
_IN_BLOCK = {
    b"kubectl_path_documents": re.compile(rb'\bpattern\s*=\s*"([^"\n]+)"'),
    b"template_file": re.compile(rb'\bfile\(\s*"([^"\n]+)"'),
}
_MODULE_PATH = re.compile(r"\$\{path\.(?:module|root|cwd)\}")
_BLOCK_WINDOW = 4000  # how far into a data block its path argument is looked for


class RenderedPattern(Struct, frozen=True):
    """A path (or glob) that Terraform renders as a template, and who names it."""

    pattern: str  # absolute, normalised; may hold glob characters
    via: str  # "templatefile()", "kubectl_path_documents", "template_file"
    named_in: str  # display path of the .tf file


def rendered_patterns(tf_path: str, tf_abspath: str, data: bytes) -> list[RenderedPattern]:
    """The files a Terraform file hands to a template renderer, where their paths are
    literal apart from `${path.module}` (paths built from variables are not followed)."""
    if b"template" not in data and b"kubectl_path_documents" not in data:
        return []  # most files: no renderer named
    found: list[tuple[bytes, str]] = [(m.group(1), "templatefile()") for m in _TEMPLATEFILE.finditer(data)]
    for m in _DATA_SOURCE.finditer(data):
        arg = _IN_BLOCK[m.group(1)].search(data, m.end(), m.end() + _BLOCK_WINDOW)
        if arg is not None:
            found.append((arg.group(1), m.group(1).decode()))
    module_dir = os.path.dirname(tf_abspath)
    out = []
    for raw, via in found:
        path = _MODULE_PATH.sub(lambda _m: module_dir, raw.decode("utf-8", "replace"))
        if "${" in path or "%{" in path:
            continue
        out.append(RenderedPattern(os.path.normpath(os.path.join(module_dir, path)), via, tf_path))
    return out


def rendered_by(abspath: str, patterns: Iterable[RenderedPattern]) -> RenderedPattern | None:
    for p in patterns:
        if p.pattern == abspath or (any(c in p.pattern for c in "*?[") and fnmatch.fnmatchcase(abspath, p.pattern)):
            return p
    return None


TEMPLATE_SKIP = "template"  # the prefix of a skip reason that becomes a note


def skip_notes(skipped: Mapping[str, str | None],
               read_through: Mapping[str, str | None] | None = None) -> list[str]:
    """One note per file skipped as a template: display path -> reason. `read_through`:
    what became of a template Terraform rendered with known variables (the model read it
    through its renderer), replacing the skip reason; None where its MESH001 says it all."""
    read_through = read_through or {}
    notes = []
    for path, reason in sorted(skipped.items()):
        if reason is None or not reason.startswith(TEMPLATE_SKIP):
            continue
        if path in read_through:
            outcome = read_through[path]
            if outcome is not None:
                notes.append(f"{path}: {outcome}")
            continue
        notes.append(f"{path}: {reason}")
    return notes

"""Parsing layer: files -> documents with positions; unreadable files -> MESH001 findings.

Nothing here knows what a document means. Each file is read once, size-capped, checked
for binary content, and handed to the YAML or HCL front-end.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping

from msgspec import Struct

from meshlint.discover import (
    CHART,
    DEFAULT_MAX_FILE_BYTES,
    KUSTOMIZATION,
    MANIFEST,
    TERRAFORM,
    TFVARS,
    VALUES,
    FileEntry,
)
from meshlint.findings import Finding, Severity
from meshlint.parse.hclfront import HclFile, parse_hcl_bytes
from meshlint.parse.templates import TEMPLATE_SKIP, template_at
from meshlint.parse.yamlfront import YamlFile, parse_yaml_bytes
from meshlint.values import Location

# Go template actions ({{ .Values.x }}, {{- include ... }}): such files are Helm or other
# templates, not YAML; they are skipped quietly, never reported as broken.
_GO_TEMPLATE = re.compile(
    rb"\{\{-?\s*(?:\.|\$|/\*|if\b|else\b|end\b|range\b|with\b|include\b|template\b|define\b"
    rb"|toYaml\b|tpl\b|printf\b|default\b|required\b|quote\b|lookup\b)")


def full_conversion(full_kinds: frozenset[str] | None):
    """The YAML front-end's `needs_full(kind, name)` for a set of "Kind" or "Kind/name"
    entries (what the model reads beyond metadata; the engine passes it in). None: every
    object is converted in full."""
    if full_kinds is None:
        return None

    def needs_full(kind: str, name: str) -> bool:
        return kind in full_kinds or f"{kind}/{name}" in full_kinds

    return needs_full


class ParsedFile(Struct):
    entry: FileEntry
    yaml: YamlFile | None = None
    hcl: HclFile | None = None
    error: Finding | None = None
    skipped: str | None = None  # why a file was skipped quietly (templates, not k8s JSON)
    has_suppressions: bool = False  # the text mentions meshlint (comments, annotations)


def parse_error(path: str, line: int, column: int, message: str) -> Finding:
    if len(message) > 200:  # parser messages may quote the offending text
        message = message[:200] + "…"
    return Finding("MESH001", Severity.ERROR, f"cannot parse: {message}",
                   Location(path, max(1, line), max(1, column)), object=path,
                   detail="parse-error")


def parse_entry(entry: FileEntry, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
                full_kinds: frozenset[str] | None = None) -> ParsedFile:
    data, early = read_entry(entry, max_bytes)
    if early is not None:
        return early
    return parse_data(entry, data, max_bytes, full_kinds=full_kinds)


def read_entry(entry: FileEntry, max_bytes: int) -> tuple[bytes, ParsedFile | None]:
    """The file's bytes, or a finished ParsedFile when it cannot be read or is too large."""
    out = ParsedFile(entry)
    try:
        with open(entry.abspath, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        out.skipped = "deleted while checking"
        return b"", out
    except OSError as exc:
        out.error = parse_error(entry.path, 1, 1, f"cannot read file ({exc.strerror})")
        return b"", out
    if len(data) > max_bytes:
        out.error = parse_error(entry.path, 1, 1, f"file too large (over {max_bytes:,} bytes)")
        return b"", out
    return data, None


DEFAULT_BUDGET_SECONDS = 20.0


def parse_data(entry: FileEntry, data: bytes, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
               budget: float = DEFAULT_BUDGET_SECONDS, full_kinds: frozenset[str] | None = None,
               hcl_room: int | None = None) -> ParsedFile:
    """`full_kinds`: the Kubernetes kinds ("Kind" or "Kind/name") converted beyond their
    metadata; None converts every object in full. `hcl_room`: the tree nodes an HCL file may
    still make (HclRoomSpent past it, see parse.hclbudget); None: no limit but the size cap."""
    out = ParsedFile(entry)
    out.has_suppressions = b"meshlint" in data
    if b"\x00" in data[:8192]:
        if entry.kind == MANIFEST and entry.abspath.lower().endswith(".json"):
            out.skipped = "binary"
            return out
        out.error = parse_error(entry.path, 1, 1, "binary file (contains NUL bytes)")
        return out
    if entry.kind in (TERRAFORM, TFVARS):
        hcl = parse_hcl_bytes(data, entry.path, hcl_room)
        if hcl.error:
            out.error = parse_error(entry.path, *hcl.error)
        else:
            out.hcl = hcl
        return out
    if entry.kind == MANIFEST and (b"apiVersion" not in data or b"kind" not in data):
        out.skipped = "not a Kubernetes manifest"  # CI workflows, compose files, configs
        return out
    templated = _GO_TEMPLATE.search(data) is not None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    y = parse_yaml_bytes(data, entry.path, full_conversion(full_kinds) if entry.kind == MANIFEST else None, budget)
    # a Go template is skipped when its template syntax is what broke the parse (on the error
    # line or the line before), not for a `{{` anywhere plus an unrelated error elsewhere
    if templated and "took longer" not in (y.error or (0, 0, ""))[2] and (
            y.has_complex_keys or (y.error and template_at(data, y.error[0], _GO_TEMPLATE) is not None)):
        out.skipped = "Go template"
        return out
    if y.error and "took longer" not in y.error[2]:
        expression = template_at(data, y.error[0])
        if expression is not None:
            out.skipped = f"{TEMPLATE_SKIP} ({expression} at line {y.error[0]}): read once its variables are filled in"
            return out
    if y.error:
        if entry.kind in (MANIFEST, KUSTOMIZATION, CHART, VALUES):
            out.error = parse_error(entry.path, *y.error)
        # documents before the error are still what kubectl would apply
    out.yaml = y
    return out


def unread_terraform(files: Iterable[FileEntry], parsed: Mapping[str, ParsedFile]) -> bool:
    """Whether any of `files` is Terraform the model cannot see (too large, over the run's
    budget, broken): it may declare anything, so checks that reason from absence stay silent."""
    return any(e.kind in (TERRAFORM, TFVARS) and e.abspath in parsed and parsed[e.abspath].hcl is None
               for e in files)


def _read_inside(path: str, top: str, limit: int = 1_000_000) -> bytes | None:
    """The start of a regular file inside `top` (links followed), else None: a template that
    links to /dev/stdin, a FIFO or a file outside the tree is never opened for reading."""
    real = os.path.realpath(path)
    if real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
        return None
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit)
    except OSError:
        return None
    finally:
        os.close(fd)


_TEMPLATE_KIND = re.compile(rb"^kind:\s*[\"']?([A-Za-z]+)", re.M)
_GATEWAY_HINTS = (b"inject.istio.io/templates", b"proxyv2", b"image: auto", b"image: \"auto\"")


def template_kinds(templates_dir: str, max_files: int = 500) -> set[str]:
    """What a chart's unrendered templates declare, read from their text: the kinds, and
    "gateway-workload" when they deploy an Istio gateway. The model cannot see these
    objects; checks use this to stay silent instead of guessing."""
    kinds: set[str] = set()
    seen = 0
    chart = os.path.realpath(os.path.dirname(os.path.abspath(templates_dir)))
    for root, dirs, files in os.walk(templates_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if seen >= max_files:
                return kinds | {"*"}
            seen += 1
            data = _read_inside(os.path.join(root, name), chart)
            if data is None:
                kinds.add("*")  # unreadable, a device, a FIFO or outside the chart: anything
                continue
            kinds.update(m.group(1).decode("ascii") for m in _TEMPLATE_KIND.finditer(data))
            if any(h in data for h in _GATEWAY_HINTS):
                kinds.add("gateway-workload")
            if b"{{" in data and re.search(rb"^kind:\s*\{\{", data, re.M):
                kinds.add("*")  # a templated kind: anything
    return kinds

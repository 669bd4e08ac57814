"""MESH103 for a chart installed without a version: a new version key written right after
the `chart` (or `name`) key that chose the chart, holding the exact version the chart
resolves to on the run's date (Istio's charts from the release data, any chart from its
repository's index in an online run). Unsafe: what gets deployed is pinned from now on."""

from __future__ import annotations

import json
import re

from msgspec.structs import replace

from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import NoFix, Safety, TextEdit
from meshlint.fix.hcledit import (
    aligned,
    elem_key,
    elem_value,
    insert_after_elem,
    insert_attribute,
    literal_kind,
    object_elem_at,
    object_elems,
)
from meshlint.fix.registry import fixer
from meshlint.fix.values import EXACT_VERSION
from meshlint.model import HelmRelease
from meshlint.model.derive_inventory import effective_version
from meshlint.model.types import Component
from meshlint.parse.hclfront import HclFile
from meshlint.values import Location
from meshlint.versioning import ABSENT

_YAML_KEY = re.compile(r'''^(?P<key>"[^"]*"|'[^']*'|[\w./-]+)\s*:(?:\s+|$)''')
_YAML_VALUE = re.compile(r'''^(?:"[^"\\]*"|'[^']*'|[^\s,{}\[\]#"'][^\s,{}\[\]#]*)''')


class _Refused(Exception):
    """No insertion for this release (the message says why)."""


@fixer("MESH103", Safety.UNSAFE, when=lambda f: f.detail == ABSENT)
def pin_unpinned_chart(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    rel = next((r for r in ctx.model.releases if r.object == finding.object), None)
    if rel is None:
        return NoFix("MESH103", "the release is not in the model")
    key = rel.pin_key
    if key is None:
        return NoFix("MESH103", f"meshlint does not write versions of {rel.origin} releases")
    exact = _resolved(ctx, rel)
    if isinstance(exact, NoFix):
        return exact
    try:
        edit = _insertion(ctx, rel, key, exact)
    except _Refused as why:
        return NoFix("MESH103", str(why))
    chart = rel.chart_name or rel.chart
    return f'pin {chart} with {key} "{exact}" (what it resolves to on {ctx.as_of})', [edit]


def _resolved(ctx: FixContext, rel: HelmRelease) -> str | NoFix:
    """The exact version the unpinned chart installs on the run's date, or why it is not known."""
    comp = next((c for c in ctx.model.components if c.object == rel.object), None)
    if comp is None and rel.available is not None:  # another chart, its repository index read (online)
        comp = Component("chart", str(rel.name), None, ABSENT, rel.location, rel.object, rel.origin,
                         available=rel.available)
        effective, note = effective_version(comp, ctx.as_of, rel.repository)
        comp = replace(comp, effective=effective, effective_note=note)
    chart = rel.chart_name or rel.chart
    if comp is None:
        return NoFix("MESH103", f"meshlint does not know which version of the {chart} chart is newest on "
                                f"{ctx.as_of} (its release data covers Istio's charts; an online run reads the "
                                "chart repository's index: `online: true` in the user configuration)")
    exact = comp.effective
    if not exact or not EXACT_VERSION.match(exact):
        why = f" ({comp.effective_note})" if comp.effective_note else ""
        return NoFix("MESH103", f"meshlint does not know which exact version of the {chart} chart is newest "
                                f"on {ctx.as_of}{why}")
    return exact


def _insertion(ctx: FixContext, rel: HelmRelease, key: str, version: str) -> TextEdit:
    loc = rel.location
    path = ctx.abspath(loc)
    if path is None or ctx.line(loc) is None:
        raise _Refused(f"{loc.path} cannot be read")
    if loc.path.endswith((".tf", ".tfvars")):
        f = ctx.hcl(loc)
        if f is None:
            raise _Refused(f"{loc.path} does not parse")
        if rel.origin == "helm_release":
            return _helm_release(ctx, f, path, rel, key, version)
        return _hcl_object(f, path, rel, key, version)
    return _yaml(ctx, path, loc, rel, key, version)


def _helm_release(ctx: FixContext, f: HclFile, path: str, rel: HelmRelease, key: str, version: str) -> TextEdit:
    blk = ctx.hcl_block_at(rel.location)
    if blk is None or blk.type != "resource" or blk.labels[:1] != ["helm_release"] or blk.line != rel.location.line:
        raise _Refused(f"{rel.object}: its resource block is not at {rel.location}")
    chart = blk.body.attrs.get("chart")
    if chart is None:
        raise _Refused(f"{rel.object} has no `chart` attribute to write the version after")
    if key in blk.body.attrs:
        raise _Refused(f"{rel.object} has a `{key}` attribute whose value is not known")
    if literal_kind(chart) != "string_lit" or "${" in f.text(chart.expr):
        # the block may install other charts (a wrapper module's `chart = var.chart`): one
        # version written there would pin them all
        raise _Refused(f"the chart of {rel.object} is computed ({f.text(chart.expr)[:40]}): pin it where "
                       "the chart is chosen")
    if blk.end_line == blk.line or chart.end_line >= blk.end_line:
        raise _Refused(f"{rel.object} is written on one line")
    return insert_attribute(f, path, blk, aligned(f, chart.line, key, json.dumps(version)), after=chart)


def _hcl_object(f: HclFile, path: str, rel: HelmRelease, key: str, version: str) -> TextEdit:
    """A release written as an HCL object: an eks-blueprints-addons `helm_releases` entry
    (its location is the entry's key) or a manifest in HCL (its location is the `chart` key)."""
    elem = object_elem_at(f, rel.location.line, rel.location.column)
    if elem is None:
        raise _Refused(f"{rel.object}: no key of an object literal at {rel.location} (a manifest in a "
                       "heredoc or a template is not edited)")
    if elem_key(f, elem) != "chart":
        entry = elem_value(elem)
        if entry.type != "object":
            raise _Refused(f"{rel.object} is computed, not an object literal")
        elems = {elem_key(f, e): e for e in object_elems(entry)}
        if key in elems:
            raise _Refused(f"{rel.object} has a `{key}` whose value is not known")
        if "chart" not in elems:
            raise _Refused(f"{rel.object} has no `chart` key to write the version after")
        elem = elems["chart"]
    return insert_after_elem(f, path, elem, key, json.dumps(version))


def _yaml(ctx: FixContext, path: str, loc: Location, rel: HelmRelease, key: str, version: str) -> TextEdit:
    """`key: "version"` next to the key at `loc` (`chart:`, or `name:` of a list entry), in
    its mapping's style: a line of its own at that key's indentation, or `, key: ...` in a
    flow mapping."""
    line = ctx.line(loc) or ""
    rest = line[loc.column - 1:]
    m = _YAML_KEY.match(rest)
    value = _YAML_VALUE.match(rest[m.end():]) if m is not None else None
    if m is None or value is None:
        raise _Refused(f"{loc} does not read a `key: value` on one line")
    after = rest[m.end() + value.end():].strip()
    item = f'{key}: "{version}"'
    before = line[:loc.column - 1].rstrip()
    if before.endswith(("{", ",")):  # a flow mapping: right after the value
        if not after.startswith((",", "}")):
            raise _Refused(f"{loc}: the flow mapping goes on past the value")
        return TextEdit(path, loc.line, loc.column + m.end() + value.end(), "", f", {item}")
    if before.strip(" ") not in ("", "-") or (after and not after.startswith("#")):
        raise _Refused(f"{loc}: the mapping is not written one key a line")
    if _continues(ctx, loc):
        raise _Refused(f"{loc}: the value goes on past its line")
    eol = "\r\n" if line.endswith("\r") else "\n"
    return TextEdit(path, loc.line, len(line.rstrip("\r")) + 1, "", eol + " " * (loc.column - 1) + item)


def _continues(ctx: FixContext, loc: Location) -> bool:
    """Does a line indented deeper than the key follow it (a multi-line plain scalar)?"""
    n = loc.line + 1
    while (nxt := ctx.line(loc, n)) is not None:
        if nxt.strip() and not nxt.strip().startswith("#"):
            return len(nxt) - len(nxt.lstrip(" ")) > loc.column - 1
        n += 1
    return False

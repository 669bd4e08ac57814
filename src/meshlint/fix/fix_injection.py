"""Fixes of namespace labels: MESH401 (add the injection label), MESH402 (remove the
conflicting one), in a Namespace manifest (block or flow YAML) or in the `labels` of a
Terraform `kubernetes_namespace`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import NoFix, Safety, TextEdit
from meshlint.fix.hcledit import char_col, indent_of, insert_attribute, literal_kind, node_of
from meshlint.fix.mapedit import Refused, Spot, insert_entry
from meshlint.model import Namespace
from meshlint.fix.registry import fixer
from meshlint.fix.values import NotLiteral, value_edit
from meshlint.values import Location, YMap

INJECTION, REV, DATAPLANE = "istio-injection", "istio.io/rev", "istio.io/dataplane-mode"


def _label_wanted(ctx: FixContext) -> tuple[str, str]:
    revisions = ctx.model.revisions_provided() or {"default"}
    return (INJECTION, "enabled") if "default" in revisions else (REV, sorted(revisions)[0])


def _declaration(ctx: FixContext, finding: Finding) -> Namespace | None:
    name = finding.detail.split(":")[0]
    decls = ctx.model.namespaces.get(name) or []
    return next((d for d in decls if d.object == finding.object), decls[0] if decls else None)


@fixer("MESH401", Safety.UNSAFE)
def add_injection_label(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    decl = _declaration(ctx, finding)
    if decl is None or not isinstance(decl.labels, Mapping):
        return NoFix("MESH401", "the namespace's labels are not known before apply")
    key, value = _label_wanted(ctx)
    title = f"add label {key}: {value} to namespace {decl.name}"
    try:
        if decl.origin == "terraform":
            return title, [_hcl_add(ctx, decl, key, value)]
        if key in decl.labels:  # a value Istio does not know ("true"): write the right one
            return title, [_yaml_set(ctx, decl, key, value)]
        return title, [_yaml_add(ctx, decl, key, value)]
    except _Refused as why:
        return NoFix("MESH401", str(why))


class _Refused(Exception):
    pass


def _metadata(ctx: FixContext, decl: Namespace) -> YMap:
    candidates = [o for o in ctx.model.objects if o.kind == "Namespace" and o.name == decl.name
                  and o.location.path == decl.location.path and o.location.line <= decl.location.line]
    obj = max(candidates, key=lambda o: o.location.line, default=None)
    meta = obj.body.get("metadata") if obj is not None else None
    if not isinstance(meta, YMap):
        raise _Refused("the Namespace manifest's metadata has no position")
    return meta


def _yaml_add(ctx: FixContext, decl: Namespace, key: str, value: str) -> TextEdit:
    path = ctx.abspath(decl.location)
    labels = decl.labels
    if path is None:
        raise _Refused("the manifest cannot be read")
    if isinstance(labels, YMap) and labels.keypos:
        return _map_add(ctx, path, labels, key, value)
    meta = _metadata(ctx, decl)
    if "labels" in meta:
        raise _Refused("the namespace's labels are not a mapping")
    return _map_add(ctx, path, meta, "labels", {key: value})


def _map_add(ctx: FixContext, path: str, mapping: YMap, key: str, value: str | dict) -> TextEdit:
    """`key: value` added to a YAML mapping, in its style (flow: before its closing brace;
    block: above its first key, at that key's indentation)."""
    text = ctx.file_text(path)
    if text is None:
        raise _Refused("the manifest cannot be read")
    lines = text.split("\n")
    opening = lines[mapping.line - 1][mapping.col - 1:] if 0 < mapping.line <= len(lines) else ""
    if opening.startswith("{"):
        spot = Spot(path, mapping.line, mapping.col, "flow")
    else:
        first_line, first_col = min(mapping.keypos.values())
        spot = Spot(path, first_line, first_col, "block")
    try:
        return insert_entry(text, spot, key, value)
    except Refused as why:
        raise _Refused(f"{mapping.path}: {why}") from None


def _yaml_set(ctx: FixContext, decl: Namespace, key: str, value: str) -> TextEdit:
    loc = decl.label_location(key)
    try:
        return value_edit(ctx, loc, None, value)
    except NotLiteral as why:
        raise _Refused(str(why)) from None


def _hcl_add(ctx: FixContext, decl: Namespace, key: str, value: str) -> TextEdit:
    f = ctx.hcl(decl.location)
    blk = ctx.hcl_block_at(decl.location)
    path = ctx.abspath(decl.location)
    if f is None or blk is None or path is None:
        raise _Refused("the Terraform file cannot be read")
    meta = next(iter(blk.body.blocks_of("metadata")), None)
    if meta is None:
        raise _Refused(f"{decl.object} has no metadata block")
    entry = f'"{key}" = "{value}"'
    labels = meta.body.attrs.get("labels")
    if labels is None:
        return insert_attribute(f, path, meta, "labels = {\n" + indent_of(f, meta.line) + "    " + entry +
                                "\n" + indent_of(f, meta.line) + "  }", after=meta.body.attrs.get("name"))
    if literal_kind(labels) != "object":
        raise _Refused(f"the labels of {decl.object} are computed, not a literal map")
    node = node_of(labels)
    if key in (decl.labels if isinstance(decl.labels, Mapping) else {}):
        loc = _hcl_key_location(f, node, key, decl.location.path)
        if loc is None:
            raise _Refused(f"the {key} label of {decl.object} is computed")
        try:
            return value_edit(ctx, loc, None, value)
        except NotLiteral as why:
            raise _Refused(str(why)) from None
    spot = Spot(path, node.start_point[0] + 1, char_col(f, node.start_point), "hcl")
    try:  # the key quoted: `istio.io/rev` is no HCL identifier
        return insert_entry("", spot, f'"{key}"', value, f)  # (an HCL edit reads `f`)
    except Refused as why:
        raise _Refused(f"the labels of {decl.object}: {why}") from None


_HCL_KEY = r'''(?:"{key}"|{key})\s*='''


def _hcl_key_location(f, node, key: str, display: str) -> Location | None:
    lines = f.text(node).split("\n")
    pattern = re.compile(_HCL_KEY.format(key=re.escape(key)))
    for i, line in enumerate(lines):
        m = pattern.search(line)
        if m:
            row = node.start_point[0] + i
            col = m.start() + 1 + (char_col(f, node.start_point) - 1 if i == 0 else 0)
            return Location(display, row + 1, col)
    return None


@fixer("MESH402", Safety.UNSAFE)
def remove_conflicting_label(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    kind = finding.detail.rsplit(":", 1)[-1]
    decl = _declaration(ctx, finding)
    if decl is None or kind not in ("ambient", "both"):
        return NoFix("MESH402", "no label to remove for this conflict (choose a revision)")
    labels = decl.labels
    # keep istio.io/rev for revisioned installs; for ambient keep ambient (drop the sidecar label)
    drop = INJECTION if (kind == "both" or INJECTION in (labels if isinstance(labels, Mapping) else {})) else REV
    holder = next((d for d in reversed(ctx.model.namespaces.get(decl.name, []))
                   if isinstance(d.labels, Mapping) and drop in d.labels), None)
    if holder is None:
        return NoFix("MESH402", f"the {drop} label is not written in one place")
    loc = holder.label_location(drop)
    path = ctx.abspath(loc)
    line = ctx.line(loc)
    if path is None or line is None or loc == holder.location:
        return NoFix("MESH402", f"the {drop} label has no position")
    rest = line[loc.column - 1:]
    key_text = re.match(r'''^("[^"]*"|'[^']*'|[\w./-]+)\s*[:=]\s*("[^"]*"|'[^']*'|[^\s,}#]+)''', rest)
    if key_text is None:
        return NoFix("MESH402", f"the {drop} label is not a literal")
    if line[:loc.column - 1].strip() == "" and rest[key_text.end():].strip() in ("", ","):
        return f"remove label {drop} from namespace {decl.name}", [TextEdit(path, loc.line, 1, line + "\n", "")]
    span = key_text.group(0)
    tail = rest[key_text.end():]
    m = re.match(r"\s*,\s*", tail)
    if m:
        span += m.group(0)
    else:
        head = line[:loc.column - 1]
        c = re.search(r",\s*$", head)
        if c:
            return (f"remove label {drop} from namespace {decl.name}",
                    [TextEdit(path, loc.line, c.start() + 1, head[c.start():] + span, "")])
    return f"remove label {drop} from namespace {decl.name}", [TextEdit(path, loc.line, loc.column, span, "")]

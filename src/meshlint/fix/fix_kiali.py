"""Fix of MESH203: Kiali's `external_services.istio.component_status.components` names
istiod and the gateways the model found, each with its `app` label and namespace, written
where Kiali's values are: a values file (block or flow YAML), `yamlencode({...})` or a
heredoc in a `helm_release`, a new `values` attribute of a `helm_release` without one, or
the spec of a Kiali CR.

Safe: only what Kiali's masthead reports as the mesh's health changes, nothing that serves
traffic. Every component carries its namespace: Kiali 2.14 and later read workloads only
from the namespaces the components name (business/istio_status.go), so a component without
one would never be found after an upgrade. Kiali 1.88 to 2.1 check gateways by
`istio_labels` in `ingress_gateway_namespace` whatever the components say: no
component_status fix there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from tree_sitter import Node

from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import NoFix, Safety, TextEdit
from meshlint.fix.hcledit import indent_of, insert_attribute
from meshlint.fix.mapedit import Refused, Spot, hcl_block, heredoc_origin, insert_entry
from meshlint.fix.registry import fixer
from meshlint.model import HelmRelease, KialiInstall, Model
from meshlint.values import Location, Unknown, YMap, text

RULE = "MESH203"
COMPONENTS = ("external_services", "istio", "component_status", "components")
_HCL_SUFFIXES = (".tf", ".tfvars")


@fixer(RULE, Safety.SAFE)
def configure_component_status(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    kiali = next((k for k in ctx.model.kiali if k.object == finding.object), None)
    if kiali is None:
        return NoFix(RULE, "the Kiali install is not in the model")
    if kiali.detection == "label":
        return NoFix(RULE, f"Kiali {kiali.version} looks for gateways by istio_labels in "
                           "external_services.istio.ingress_gateway_namespace whatever component_status "
                           "lists: set those as the finding says")
    if kiali.detection == "static":
        return NoFix(RULE, "component_status.components is already written: correct its entries by hand")
    components = gateway_components(ctx.model, kiali)
    if isinstance(components, NoFix):
        return components
    try:
        edit = _edit(ctx, kiali, components)
    except Refused as why:
        return NoFix(RULE, str(why))
    gateways = ", ".join(f"{c['app_label']} in {c['namespace']}" for c in components[1:])
    return f"list istiod and the gateways ({gateways}) in Kiali's component_status", [edit]


def gateway_components(model: Model, kiali: KialiInstall) -> list[dict] | NoFix:
    """istiod and one entry per gateway `app` label (Kiali keys components by it), the
    ingress gateways core, the egress gateways not."""
    by_app: dict[str, dict] = {}
    for w in model.known_gateway_workloads() or []:
        if not isinstance(w.namespace, str) or not isinstance(w.labels, Mapping):
            continue
        app = text(w.labels.get("app"))
        if not app or app == "istiod" or app in by_app:
            continue
        egress = "egress" in " ".join(filter(None, (app, text(w.labels.get("istio")), w.name))).lower()
        by_app[app] = {"app_label": app, "is_core": not egress, "is_proxy": True, "namespace": w.namespace}
    if not any(c["is_core"] for c in by_app.values()):
        return NoFix(RULE, "no ingress gateway with an `app` label, by which component_status names it")
    return [{"app_label": "istiod", "is_core": True, "namespace": model.istiod_namespace_for(kiali)},
            *by_app.values()]


def _edit(ctx: FixContext, kiali: KialiInstall, components: list[dict]) -> TextEdit:
    rel = next((r for r in ctx.model.releases if r.object == kiali.object), None)
    if rel is not None:
        return _release_edit(ctx, rel, components)
    cr = next((o for o in ctx.model.objects if o.kind == "Kiali" and o.api_version.startswith("kiali.io/")
               and f"Kiali/{o.namespace}/{o.name}" == kiali.object), None)
    if cr is not None:
        if not isinstance(cr.spec, YMap):
            raise Refused(f"the spec of {kiali.object} is not a mapping written in the manifest")
        return _insert(ctx, [cr.spec], (), components, None)
    if any(o.kind == "ConfigMap" and o.name == "kiali" for o in ctx.model.objects):
        raise Refused("Kiali's configuration is a YAML document inside the kiali ConfigMap's "
                      "config.yaml string: add component_status there by hand")
    raise Refused("Kiali's configuration is not written in this repository (no chart values, "
                  "Kiali CR or kiali ConfigMap)")


def _release_edit(ctx: FixContext, rel: HelmRelease, components: list[dict]) -> TextEdit:
    prefix: tuple[str, ...] = ("cr", "spec") if rel.chart_name == "kiali-operator" else ()
    written = ".".join(prefix + ("external_services",))
    for name, _value in rel.sets:
        if not isinstance(name, str):
            raise Refused(f"the `set` entries of {rel.object} are not known before apply")
        if name.startswith(written):
            raise Refused(f"`set` writes {name} in {rel.object}: add component_status there by hand")
    if any(isinstance(doc, Unknown) for doc in rel.values):
        raise Refused(f"a values document of {rel.object} is not known before apply")
    docs = [doc for doc in rel.values if isinstance(doc, Mapping)]
    if not docs:
        if prefix:
            raise Refused(f"{rel.object} has no cr.spec values: configure its Kiali CR")
        return _new_values_attribute(ctx, rel, components)
    return _insert(ctx, docs, prefix, components, rel)


def _insert(ctx: FixContext, docs: Sequence[Mapping], prefix: tuple[str, ...], components: list[dict],
            rel: HelmRelease | None) -> TextEdit:
    """Add the components under the deepest part of the path some document already has
    (the last such document: Helm merges them, later ones win)."""
    path = prefix + COMPONENTS
    best: tuple[int, int, Mapping] | None = None
    for index, doc in enumerate(docs):
        node, depth = doc, 0
        for key in path:
            if key not in node:
                break
            child = node[key]
            if key == path[-1]:
                raise Refused(f"{'.'.join(path)} is already written: correct its entries by hand")
            if not isinstance(child, Mapping):
                raise Refused(f"{key} is not written as a mapping in Kiali's values")
            node, depth = child, depth + 1
        if best is None or depth >= best[0]:
            best = (depth, index, node)
    assert best is not None  # docs is never empty here
    depth, index, mapping = best
    if depth < len(prefix):
        raise Refused(f"the values have no {'.'.join(prefix)}: the Kiali CR the chart creates is configured there")
    value: object = components
    for key in reversed(path[depth + 1:]):
        value = {key: value}
    spot, file_text, display = _spot(ctx, mapping, docs[index], rel)
    hcl = ctx.hcl(Location(display, 1)) if spot.style == "hcl" else None
    return insert_entry(file_text, spot, path[depth], value, hcl)


def _spot(ctx: FixContext, mapping: Mapping, doc: Mapping, rel: HelmRelease | None) -> tuple[Spot, str, str]:
    """Where `mapping` is written in its file, the file's text and its display path."""
    if not isinstance(mapping, YMap) or not isinstance(doc, YMap):
        raise Refused("Kiali's values have no recorded position")
    line_off, col_off, display = 0, 0, mapping.path
    if not mapping.path:  # parsed from a string: a heredoc in the helm_release, or a template
        line_off, col_off = _heredoc(ctx, rel, doc)
        display = rel.location.path if rel is not None else ""
    abspath = ctx.abspath_of.get(display)
    file_text = ctx.file_text(abspath) if abspath else None
    if abspath is None or file_text is None:
        raise Refused(f"{display or 'the values'} cannot be read")
    if display.endswith(_HCL_SUFFIXES) and mapping.path:
        return Spot(abspath, mapping.line, mapping.col, "hcl"), file_text, display
    if display.endswith(".json"):
        raise Refused(f"{display}: JSON values are not edited")
    lines = file_text.split("\n")
    line, col = mapping.line + line_off, mapping.col + col_off
    at = lines[line - 1][col - 1:] if 0 < line <= len(lines) else ""
    if at.startswith("{"):
        return Spot(abspath, line, col, "flow"), file_text, display
    if not mapping.keypos:
        raise Refused(f"{display}:{line}: an empty mapping written in block style")
    first_key = min(mapping.keypos, key=lambda k: mapping.keypos[k])
    line, col = (p + o for p, o in zip(mapping.keypos[first_key], (line_off, col_off)))
    at = lines[line - 1][col - 1:] if 0 < line <= len(lines) else ""
    if not at.lstrip("\"'").startswith(str(first_key)):
        raise Refused(f"{display}:{line} does not read {first_key!r} (the values are not written as parsed)")
    return Spot(abspath, line, col, "block"), file_text, display


def _heredoc(ctx: FixContext, rel: HelmRelease | None, doc: YMap) -> tuple[int, int]:
    """(line, column) offsets of the one literal heredoc among the release's values."""
    f = ctx.hcl(rel.location) if rel is not None else None
    blk = ctx.hcl_block_at(rel.location) if rel is not None else None
    attr = blk.body.attrs.get("values") if blk is not None and rel is not None and rel.origin == "helm_release" else None
    strings = [d for d in (rel.values if rel is not None else []) if isinstance(d, YMap) and not d.path]
    if f is None or attr is None or len(strings) != 1:
        raise Refused("Kiali's values are a string built elsewhere (a template or a variable)")
    heredocs: list[Node] = []
    stack = [cast(Node, attr.expr)]  # the front-end keeps tree-sitter nodes typed as object
    while stack:
        node = stack.pop()
        if node.type == "heredoc_template":
            heredocs.append(node)
            continue
        stack.extend(node.children)
    origins = [heredoc_origin(f, h) for h in heredocs]
    if len(origins) != 1 or origins[0] is None:
        raise Refused("Kiali's values are not one literal heredoc (interpolations, or several strings)")
    return origins[0]


def _new_values_attribute(ctx: FixContext, rel: HelmRelease, components: list[dict]) -> TextEdit:
    f = ctx.hcl(rel.location)
    blk = ctx.hcl_block_at(rel.location)
    path = ctx.abspath(rel.location)
    if rel.origin != "helm_release" or f is None or blk is None or path is None:
        raise Refused(f"{rel.object} has no values to add component_status to")
    if "values" in blk.body.attrs:
        raise Refused(f"the values of {rel.object} are empty or computed")
    attrs = sorted(blk.body.attrs.values(), key=lambda a: a.end_line)
    indent = indent_of(f, attrs[0].line) if attrs else indent_of(f, blk.line) + "  "
    value: object = components
    for key in reversed(COMPONENTS[1:]):
        value = {key: value}
    body = "\n".join(hcl_block(COMPONENTS[0], value, indent + "  "))
    text_ = f"values = [yamlencode({{\n{body}\n{indent}}})]"
    try:
        return insert_attribute(f, path, blk, text_, after=attrs[-1] if attrs else None)
    except ValueError as why:
        raise Refused(str(why)) from None

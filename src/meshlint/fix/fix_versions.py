"""Fixes of version findings: MESH103 (ignored key, floating version), MESH101 (skew)."""

from __future__ import annotations

import re

from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import NoFix, Safety, TextEdit
from meshlint.fix.registry import fixer
from meshlint.fix.values import EXACT_VERSION, NotLiteral, value_edit
from meshlint.model import HelmRelease
from meshlint.values import text
from meshlint.versioning import IGNORED, LATEST, RANGE

def _release(ctx: FixContext, finding: Finding) -> HelmRelease | None:
    return next((r for r in ctx.model.releases if r.object == finding.object), None)


@fixer("MESH103", Safety.SAFE, when=lambda f: f.detail == IGNORED)
def rename_ignored_version(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    rel = _release(ctx, finding)
    loc = rel.ignored_keys.get("version") if rel is not None else None
    if rel is None or loc is None:
        return NoFix("MESH103", "the release is not in the model")
    path = ctx.abspath(loc)
    if path is None or ctx.span(loc) != "version":
        return NoFix("MESH103", f"{loc} does not read `version` (the key is computed)")
    line = ctx.line(loc) or ""
    gap = len(line[loc.end_column - 1:]) - len(line[loc.end_column - 1:].lstrip(" "))
    # keep the `=` column of an aligned block where the padding allows it
    keep = max(1, gap - len("chart_")) if gap else 0
    old = "version" + " " * gap
    return ("rename `version` to `chart_version`",
            [TextEdit(path, loc.line, loc.column, old, "chart_version" + " " * keep)])


@fixer("MESH103", Safety.UNSAFE, when=lambda f: f.detail in (RANGE, LATEST))
def pin_floating_version(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    rel = _release(ctx, finding)
    if rel is None or rel.version_location is None or not isinstance(rel.version, str):
        return NoFix("MESH103", "the version is not a literal in one place")
    comp = next((c for c in ctx.model.components if c.object == rel.object), None)
    exact = comp.effective if comp is not None else None
    if not exact or not EXACT_VERSION.match(exact):
        return NoFix("MESH103", f"meshlint does not know which exact version {rel.version!r} resolves to")
    try:
        edit = value_edit(ctx, rel.version_location, rel.version, exact)
    except NotLiteral as why:
        return NoFix("MESH103", str(why))
    return f'pin {rel.chart_name or rel.chart} to "{exact}" (what "{rel.version}" resolves to on {ctx.as_of})', [edit]


@fixer("MESH101", Safety.UNSAFE)
def align_on_istiod(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    comps = [c for c in ctx.model.components if c.object == finding.object
             and f"{c.kind}:{c.name}" == finding.detail]
    # the finding's fix reads `set KIND [NAME] to VERSION` (the kind alone when the name repeats it)
    target = re.search(r"^set .+ to (\S+)$", finding.fix or "")
    if not comps or target is None:
        return NoFix("MESH101", "the skewed component is not in the model")
    comp, version = comps[0], target.group(1)
    if comp.origin not in ("helm_release", "eks-blueprints-addons", "chart-dependency", "argocd"):
        return NoFix("MESH101", f"{comp.object} is not a chart version meshlint can edit")
    if not isinstance(comp.version, str) or comp.pin != "pinned":
        return NoFix("MESH101", f"{comp.object} has no literal version to align")
    try:
        edit = value_edit(ctx, comp.location, text(comp.version), version.lstrip("v") if not
                          comp.version.startswith("v") else version)
    except NotLiteral as why:
        return NoFix("MESH101", str(why))
    return f"set {comp.kind} {comp.name} to {version}, istiod's version", [edit]

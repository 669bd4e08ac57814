"""Fix of MESH107 for chart repositories: the retired repository URL becomes the replacement
its publisher names (the same artifacts: safe). Image references are left to the user (a
registry move may need pull secrets or mirrors)."""

from __future__ import annotations

from meshlint import knowledge
from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import NoFix, Safety, TextEdit
from meshlint.fix.registry import fixer
from meshlint.fix.values import NotLiteral, value_edit


@fixer("MESH107", Safety.SAFE)
def use_replacement_repository(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    rel = next((r for r in ctx.model.releases if r.object == finding.object), None)
    if rel is None or not isinstance(rel.repository, str) or rel.repository_location is None:
        return NoFix("MESH107", "not a chart repository written in one place (images are moved by hand)")
    kind = "oci-charts" if rel.repository.strip().startswith("oci://") else "charts"
    host = knowledge.artifact_hosts().retired(rel.repository, kind, ctx.as_of)
    if host is None:
        return NoFix("MESH107", "the repository is not a retired host")
    replacement = host.replacements[kind]
    try:
        edit = value_edit(ctx, rel.repository_location, rel.repository, replacement)
    except NotLiteral as why:
        return NoFix("MESH107", f"the repository is not a literal: {why}")
    return f"use the repository {replacement}", [edit]

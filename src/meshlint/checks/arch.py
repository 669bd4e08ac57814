"""Architectures: images that cannot run on the only nodes a pod can land on (Graviton
arm64 or x86), images that may land on the wrong kind in a mixed cluster, and pods that
require an architecture no node pool provides."""

from __future__ import annotations

from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.model import ARCHS, ArchSubject, Model, NodePool, candidate_pools


def _pools_text(pools: list[NodePool]) -> str:
    return "; ".join(f"{p.object} ({'/'.join(sorted(p.archs or ()))}: {p.why})" for p in pools[:4])


HIDDEN_POOLS = {"NodePool", "Provisioner", "*"}


def _judgeable(model: Model, subject: ArchSubject) -> tuple[list[NodePool], frozenset[str]] | None:
    """(candidate pools, possible archs) or None when the scheduling is not known."""
    if not model.node_pools or not subject.complete or model.opaque_kinds & HIDDEN_POOLS:
        return None
    pools = candidate_pools(subject, model.node_pools)
    if not pools or any(p.archs is None for p in pools):
        return None
    possible = frozenset().union(*(p.archs or () for p in pools))
    if subject.required_archs is not None:
        possible &= subject.required_archs
    return pools, possible


@rule("MESH301")
def image_arch_unavailable(model: Model, ctx: CheckContext, report: Reporter):
    for s in model.arch_subjects:
        judged = _judgeable(model, s)
        if judged is None:
            continue
        pools, possible = judged
        if len(possible) != 1:
            continue
        (arch,) = possible
        pools = [p for p in pools if arch in (p.archs or ())]
        for image, loc in s.images:
            facts = model.image_archs.get(image)
            if facts is None or facts.archs is None or arch in facts.archs:
                continue
            other = "amd64" if arch == "arm64" else "arm64"
            message = (f"{s.name} runs {image}, which provides only {'/'.join(sorted(facts.archs))} "
                       f"({facts.source}), but every node it can be scheduled on is {arch}: "
                       f"{_pools_text(pools)}. The container will crash with `exec format error`. "
                       f"Use a multi-arch tag of the image, or add an {other} node group and pin "
                       f"the pods with nodeSelector `kubernetes.io/arch: {other}`.")
            yield report(message, loc, object=s.name, detail=f"{image}:{arch}", fix=f"use a multi-arch image or schedule on {other} nodes")


@rule("MESH302")
def image_arch_risk(model: Model, ctx: CheckContext, report: Reporter):
    for s in model.arch_subjects:
        if s.constrained:
            continue
        judged = _judgeable(model, s)
        if judged is None:
            continue
        pools, possible = judged
        if possible != ARCHS:
            continue
        for image, loc in s.images:
            facts = model.image_archs.get(image)
            if facts is None or facts.archs is None or len(facts.archs & ARCHS) != 1:
                continue
            (has,) = facts.archs & ARCHS
            wrong = [p for p in pools if (ARCHS - {has}) & (p.archs or frozenset())]
            message = (f"{s.name} runs {image}, which provides only {has} ({facts.source}), and has no "
                       f"kubernetes.io/arch constraint, but it can also land on "
                       f"{'/'.join(sorted(ARCHS - {has}))} nodes: {_pools_text(wrong)}. Add "
                       f"nodeSelector `kubernetes.io/arch: {has}`, or use a multi-arch image.")
            yield report(message, loc, object=s.name, detail=image, fix=f"add nodeSelector kubernetes.io/arch: {has}")


@rule("MESH303")
def arch_selector_unsatisfiable(model: Model, ctx: CheckContext, report: Reporter):
    for s in model.arch_subjects:
        if s.required_archs is None or not model.node_pools or not s.complete or \
                model.opaque_kinds & HIDDEN_POOLS:
            continue  # (node pools declared in chart templates are invisible here)
        pools = candidate_pools(s, model.node_pools)
        if pools is None or any(p.archs is None for p in pools):
            continue
        offered = frozenset().union(*(p.archs or () for p in pools)) if pools else frozenset()
        if s.required_archs & offered or not pools:
            continue
        message = (f"{s.name} requires kubernetes.io/arch {' or '.join(sorted(s.required_archs))}, but the "
                   f"node pools it can use offer only {'/'.join(sorted(offered))}: "
                   f"{_pools_text(pools)}. Its pods stay Pending. Add a node pool of that architecture "
                   f"(for arm64: Graviton instance types with an ARM_64 ami_type, or a Karpenter "
                   f"NodePool allowing arm64), or drop the constraint.")
        yield report(message, s.location, object=s.name, detail="/".join(sorted(s.required_archs)),
                      fix="add a node pool with that architecture, or remove the constraint")

"""EKS clusters: the Kubernetes version (`aws_eks_cluster.version`, the eks module's
`cluster_version` / `kubernetes_version`, EKS Blueprints v4's `cluster_version`) and the eks
module's node pools."""

from __future__ import annotations

from meshlint import knowledge
from meshlint.model.collect import Collector
from meshlint.model.extract_node_pools import pools_from_eks_module
from meshlint.model.tf_walk import attr_location
from meshlint.model.types import Component
from meshlint.parse.hclfront import HclAttr, HclBlock
from meshlint.terraform import ModuleContext


def _cluster_version(out: Collector, ctx: ModuleContext, attr: HclAttr | None, address: str) -> None:
    if attr is None:
        return  # the module's default changes with its version: not guessed
    value = ctx.eval_attr(attr)
    loc = attr_location(attr)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value:.2f}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        out.cluster_versions.append(Component("kubernetes", address, value, "pinned", loc, address,
                                              "terraform", effective=value))


def eks_module(out: Collector, ctx: ModuleContext, call: HclBlock, address: str, source: str) -> None:
    """A module that creates an EKS cluster (rules/data/eks-modules.yaml): its version input,
    and the node groups of the modules whose node-group inputs meshlint reads."""
    module = knowledge.eks_modules().cluster_module(source)
    if module is None:
        return
    attrs = call.body.attrs
    given = next((attrs[name] for name in module.version_inputs if name in attrs), None)
    _cluster_version(out, ctx, given, address)
    if module.node_groups:
        out.node_pools.extend(pools_from_eks_module(ctx, call, address, out.shapes))


def eks_cluster_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str, blk: HclBlock) -> None:
    _cluster_version(out, ctx, blk.body.attrs.get("version"), address)

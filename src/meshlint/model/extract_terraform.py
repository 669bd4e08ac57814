"""Terraform sources: one walk over every module context under a root, each resource and
module call dispatched by its type / module source to its extractor. Values are read
through the evaluator, so the model only ever holds values or `Unknown`."""

from __future__ import annotations

from collections.abc import Callable

from meshlint import knowledge
from meshlint.model.collect import Collector
from meshlint.model.extract_eks import eks_cluster_resource, eks_module
from meshlint.model.extract_helm import addons_module, helm_release_resource
from meshlint.model.extract_templates import Mark, forget_as_written
from meshlint.model.shapes import ShapeProblem
from meshlint.model.extract_nat import is_vpc_module, nat_gateway_resource, vpc_module
from meshlint.model.extract_node_pools import (
    aws_fargate_profile_resource,
    aws_node_group_resource,
    node_group_module,
)
from meshlint.model.extract_tf_kubernetes import (
    MANIFEST_TYPES,
    NAMESPACE_TYPES,
    WORKLOAD_TYPES,
    manifest_resource,
    namespace_resource,
    workload_resource,
)
from meshlint.model.tf_walk import aws_region, module_contexts
from meshlint.parse.hclfront import HclBlock
from meshlint.terraform import ModuleContext, literal_string

# (collector, context, resource type, address, block)
ResourceExtractor = Callable[[Collector, ModuleContext, str, str, HclBlock], None]
# (collector, context, module call, address, source)
ModuleExtractor = Callable[[Collector, ModuleContext, HclBlock, str, str], None]

RESOURCE_EXTRACTORS: dict[str, ResourceExtractor] = {
    **{t: namespace_resource for t in (*NAMESPACE_TYPES, "kubernetes_labels")},
    **{t: manifest_resource for t in MANIFEST_TYPES},
    **{t: workload_resource for t in WORKLOAD_TYPES},
    "helm_release": helm_release_resource,
    "aws_nat_gateway": nat_gateway_resource,
    "aws_eks_cluster": eks_cluster_resource,
    "aws_eks_node_group": aws_node_group_resource,
    "aws_eks_fargate_profile": aws_fargate_profile_resource,
}

def module_extractor(source: str) -> ModuleExtractor | None:
    """The extractor for a module call, by its source (the addons, VPC, EKS and node-group
    module sources are read from rules/data)."""
    addons_sources = knowledge.data("eks-blueprints-addons")["module_sources"]
    if any(str(s) in source for s in addons_sources):
        return addons_module
    if is_vpc_module(source):
        return vpc_module
    eks = knowledge.eks_modules()
    if eks.is_node_group_submodule(source):
        return node_group_module
    if eks.cluster_module(source) is not None:
        return eks_module
    return None


def extract_terraform(out: Collector, root: ModuleContext) -> None:
    if out.region is None:
        out.region = aws_region(root)
    since = Mark.of(out)
    walked = []
    for ctx in module_contexts(root):
        walked.append(ctx)
        prefix = ctx.address
        for (rtype, rname), blk in sorted(ctx.module.resources.items()):
            extract = RESOURCE_EXTRACTORS.get(rtype)
            if extract is not None:
                extract(out, ctx, rtype, f"{prefix}{rtype}.{rname}", blk)
        for name, call in sorted(ctx.module.module_calls.items()):
            source = literal_string(call.body.attrs.get("source")) or ""
            extract_module = module_extractor(source)
            if extract_module is not None:
                extract_module(out, ctx, call, f"{prefix}module.{name}", source)
    forget_as_written(out, since)  # a rendered file's objects replace the file as written
    for ctx in walked:  # blocks whose count / for_each Terraform refuses: no instances, a MESH001
        for p in ctx.refused_instances():
            out.shapes.add(ShapeProblem(p.location, p.argument, p.expected, p.found, p.block, "Terraform"))

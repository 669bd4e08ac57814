"""Node pools and the architectures they offer: terraform-aws-modules/eks
(`eks_managed_node_groups`, `self_managed_node_groups`, `fargate_profiles`, EKS Auto Mode),
its node-group submodules, `aws_eks_node_group`, `aws_eks_fargate_profile`, and Karpenter
`NodePool` / `Provisioner` manifests. A pool whose architecture cannot be known has
`archs = None`, and pods that may land on it are not judged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from meshlint import knowledge
from meshlint.locate import key_location
from meshlint.model.aws_arch import ami_arch, instance_arch, karpenter_default_archs
from meshlint.model.collect import Collector
from meshlint.model.nodes import ARCH_LABELS, ARCHS, FargateSelector, NodePool, Taint
from meshlint.model.shapes import Shapes, Where, object_where
from meshlint.model.tf_walk import attr_location, block_location, instances
from meshlint.model.types import K8sObject, as_mapping
from meshlint.parse.hclfront import HclBlock
from meshlint.terraform import ModuleContext
from meshlint.values import Location, Unknown, contains_unknown, text

# the EKS API spells taint effects NO_SCHEDULE; Kubernetes NoSchedule
_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}


def _effect(effect: str | None) -> str | None:
    return _EFFECTS.get(effect or "", effect)


def _pool_from_group(name: object, cfg: Mapping, defaults: Mapping, kind: str, location: Location,
                     obj: str, shapes: Shapes, where: Where) -> NodePool:
    merged = dict(defaults)
    merged.update(cfg)
    ami = merged.get("ami_type")
    types = merged.get("instance_types") if kind == "managed" else (
        [merged["instance_type"]] if isinstance(merged.get("instance_type"), str) else merged.get("instance_types"))
    archs: frozenset[str] | None
    why = ""
    if isinstance(ami, Unknown) or contains_unknown(merged.get("ami_id")):
        archs, why = None, "ami_type not known"
    elif isinstance(ami, str):
        a = ami_arch(ami)
        archs, why = (frozenset([a]), f"ami_type {ami}") if a else (None, f"ami_type {ami}")
        if a is None and isinstance(types, list) and types and not contains_unknown(types):
            found = {instance_arch(str(t)) for t in types}
            if None not in found:
                archs, why = frozenset(f for f in found if f), f"instance types {', '.join(map(str, types))}"
    elif merged.get("ami_id") is not None:
        archs, why = None, "custom ami_id"
    else:
        default = text(knowledge.data("aws-arch")["default_ami_arch"]) or ""
        archs, why = frozenset([default]), "no ami_type: the module's x86_64 default AMI"
    labels = shapes.mapping(cfg if "labels" in cfg else defaults, "labels", where)
    taints = []
    taints_from = cfg if "taints" in cfg else defaults
    raw_taints = merged.get("taints")
    # taints are a list, or a map of them (the eks module's form)
    listed = list(raw_taints.values()) if isinstance(raw_taints, Mapping) else shapes.seq(taints_from, "taints", where, of_mappings=True)
    for t in listed:
        if isinstance(t, Mapping):
            taints.append(Taint(text(t.get("key")), text(t.get("value")), _effect(text(t.get("effect")))))
    if isinstance(raw_taints, Unknown) or contains_unknown(labels):
        archs, why = None, "labels or taints not known"
    return NodePool(str(name), kind, archs, labels, tuple(taints), location, obj, why)


def _unknown_pool(name: str, kind: str, location: Location, obj: str, why: str) -> NodePool:
    return NodePool(name, kind, None, {}, (), location, obj, why)


def pools_from_eks_module(ctx: ModuleContext, call: HclBlock, address: str,
                          shapes: Shapes) -> Iterable[NodePool]:
    attrs = call.body.attrs
    for key, kind in (("eks_managed_node_groups", "managed"), ("self_managed_node_groups", "self-managed")):
        attr = attrs.get(key)
        if attr is None:
            continue
        groups = ctx.eval_attr(attr)
        defaults_attr = attrs.get(f"{'eks_managed' if kind == 'managed' else 'self_managed'}_node_group_defaults")
        defaults = ctx.eval_attr(defaults_attr) if defaults_attr is not None else {}
        fallback = attr_location(attr)
        if not isinstance(groups, Mapping) or not isinstance(defaults, Mapping):
            yield _unknown_pool(key, kind, fallback, f"{address}.{key}", "node groups not known")
            continue
        for name, cfg in groups.items():
            loc = key_location(groups, name, fallback)
            if not isinstance(cfg, Mapping):
                yield _unknown_pool(str(name), kind, loc, f'{address}.{key}["{name}"]', "not known")
                continue
            # the module's inputs are of type `any`: a wrong shape is not certainly rejected (a note)
            yield _pool_from_group(name, cfg, defaults, kind, loc, f'{address}.{key}["{name}"]', shapes,
                                   Where(f'{key}["{name}"]', f"{address}.{key}", loc, None))
    attr = attrs.get("fargate_profiles")
    if attr is not None:
        profiles = ctx.eval_attr(attr)
        fallback = attr_location(attr)
        if isinstance(profiles, Mapping):
            for name, cfg in profiles.items():
                selectors = cfg.get("selectors") if isinstance(cfg, Mapping) else None
                yield _fargate(str(name), selectors, key_location(profiles, name, fallback),
                               f'{address}.fargate_profiles["{name}"]')
        else:
            yield _unknown_pool("fargate", "fargate", fallback, f"{address}.fargate_profiles",
                                "profiles not known")
    for key in ("cluster_compute_config", "compute_config"):
        cfg = ctx.eval_attr(attrs[key]) if key in attrs else None
        if isinstance(cfg, Mapping) and cfg.get("enabled") is True:
            pools = cfg.get("node_pools")
            if not isinstance(pools, list) or pools:
                # EKS Auto Mode's built-in pools: their architectures are not in meshlint's data
                yield _unknown_pool("auto-mode built-in", "auto-mode", attr_location(attrs[key]),
                                    f"{address}.{key}", "EKS Auto Mode built-in node pools")


def node_group_module(out: Collector, ctx: ModuleContext, call: HclBlock, address: str, source: str) -> None:
    """The eks module's `//modules/eks-managed-node-group` and `self-managed-node-group`."""
    cfg = {k: ctx.eval_attr(a) for k, a in call.body.attrs.items()
           if k in ("instance_types", "ami_type", "ami_id", "labels", "taints")}
    out.node_pools.append(_pool_from_group(address.rsplit(".", 1)[-1], cfg, {}, "managed",
                                           block_location(call), address, out.shapes,
                                           Where("", address, block_location(call), None)))


def aws_node_group_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str,
                            blk: HclBlock) -> None:
    for inst, bind in instances(ctx, blk, address):
        body = ctx.eval_body(blk.body, bind)
        where = Where("", inst, block_location(blk), "Terraform")  # the provider types every argument
        cfg = {"instance_types": body.get("instance_types"), "ami_type": body.get("ami_type"),
               "labels": body.get("labels") or {}}
        taints = body.get("taint")
        if isinstance(taints, list):
            cfg["taints"] = taints
        if "launch_template" in body and "ami_type" not in body:
            cfg["ami_id"] = Unknown("launch template AMI")
        shapes = out.shapes
        cfg["labels"] = shapes.mapping(body, "labels", where) if body.get("labels") else {}
        out.node_pools.append(_pool_from_group(inst, cfg, {}, "managed", block_location(blk), inst,
                                               shapes, where))


def aws_fargate_profile_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str,
                                 blk: HclBlock) -> None:
    for inst, bind in instances(ctx, blk, address):
        body = ctx.eval_body(blk.body, bind)
        out.node_pools.append(_fargate(inst, body.get("selector"), block_location(blk), inst))


def _fargate(name: str, selectors: object, location: Location, obj: str) -> NodePool:
    if isinstance(selectors, list) and not contains_unknown(selectors):
        sels = tuple(FargateSelector(s["namespace"], as_mapping(s.get("labels")))
                     for s in selectors if isinstance(s, Mapping) and isinstance(s.get("namespace"), str))
        archs = frozenset([text(knowledge.data("aws-arch")["fargate_arch"]) or ""])
        return NodePool(name, "fargate", archs, {}, (), location, obj, "EKS Fargate runs x86_64 only", sels)
    return _unknown_pool(name, "fargate", location, obj, "selectors not known")


def pools_from_manifests(objects: list[K8sObject], shapes: Shapes) -> list[NodePool]:
    """Karpenter NodePools (karpenter.sh/v1, v1beta1) and Provisioners (v1alpha5)."""
    out = []
    seen = set()
    for obj in objects:
        if obj.kind not in ("NodePool", "Provisioner") or not obj.api_version.startswith("karpenter.sh/"):
            continue
        if (obj.kind, obj.name) in seen:
            continue  # the same NodePool declared twice (a manifest and kubectl_manifest)
        seen.add((obj.kind, obj.name))
        spec = obj.spec
        where = object_where(obj).at("spec")
        if obj.kind == "NodePool":
            template = shapes.mapping(spec, "template", where)
            tspec = shapes.mapping(template, "spec", where.at("template"))
            tmeta = shapes.mapping(template, "metadata", where.at("template"))
            spec, labels = tspec, shapes.mapping(tmeta, "labels", where.at("template").at("metadata"))
            where = where.at("template").at("spec")
        else:
            labels = shapes.mapping(spec, "labels", where)
        requirements, taints = shapes.seq(spec, "requirements", where, of_mappings=True), shapes.seq(spec, "taints", where, of_mappings=True)
        terms = [(text(req.get("key")), text(req.get("operator")),
                  {t for v in shapes.seq(req, "values", where.at("requirements").at(i)) if (t := text(v)) is not None})
                 for i, req in enumerate(requirements) if isinstance(req, Mapping)]
        archs, why = _karpenter_archs(terms, obj.api_version.endswith("v1alpha5"))
        pool_labels = {str(k): text(v) for k, v in labels.items()}
        pool_labels.setdefault("karpenter.sh/nodepool", obj.name)
        pool_taints = tuple(Taint(text(t.get("key")), text(t.get("value")), text(t.get("effect")))
                            for t in taints if isinstance(t, Mapping))
        out.append(NodePool(obj.name, "karpenter", archs, pool_labels, pool_taints,
                            obj.location, f"{obj.kind}/{obj.name}", why))
    return out


def _karpenter_archs(requirements: Sequence[tuple[str | None, str | None, set[str]]],
                     legacy: bool) -> tuple[frozenset[str], str]:
    """The architectures a pool offers, from its requirements as (key, operator, values)."""
    archs = set(karpenter_default_archs())
    why = "no kubernetes.io/arch requirement: either architecture"
    if legacy:
        archs, why = {"amd64"}, "v1alpha5 Provisioner without arch requirement defaults to amd64"
    for key, op, values in requirements:
        if key in ARCH_LABELS:
            if op == "In":
                archs = set(values) & set(ARCHS) if legacy is False else set(values)
                why = f"kubernetes.io/arch In {sorted(values)}"
            elif op == "NotIn":
                archs = set(ARCHS) - values
                why = f"kubernetes.io/arch NotIn {sorted(values)}"
        elif key in ("karpenter.k8s.aws/instance-family", "node.kubernetes.io/instance-type") and op == "In":
            found = {instance_arch(v) for v in values if v is not None}
            if None not in found and found:
                archs &= found
                why = f"{key} In {sorted(values)}"
    return frozenset(a for a in archs if a), why

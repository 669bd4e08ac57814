"""Architectures: which CPU architectures each node pool offers, where each pod can land,
and which architectures its images provide (offline facts; --online adds registry answers).

Node pools come from terraform-aws-modules/eks (`eks_managed_node_groups`,
`self_managed_node_groups`, `fargate_profiles`, the node-group submodule),
`aws_eks_node_group`, `aws_eks_fargate_profile`, and Karpenter / EKS Auto Mode `NodePool`
manifests. A pool whose architecture cannot be known has `archs = None`, and pods that may
land on it are not judged.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache

from meshlint import knowledge
from meshlint.images import parse_image
from meshlint.locate import key_location
from meshlint.model import HelmRelease, Model, Workload
from meshlint.values import Location, Unknown, contains_unknown, text
from meshlint.versioning import helm_constraint, parse_version

ARCH_LABELS = ("kubernetes.io/arch", "beta.kubernetes.io/arch")
ARCHS = frozenset(("amd64", "arm64"))


@dataclass(slots=True)
class NodePool:
    name: str
    kind: str  # managed | self-managed | fargate | karpenter
    archs: frozenset | None  # None: not known
    labels: dict
    taints: list  # (key, value, effect)
    location: Location
    object: str
    why: str = ""  # how the architecture was decided
    fargate_selectors: list = field(default_factory=list)  # [{namespace, labels}]


@dataclass(slots=True)
class ArchSubject:
    """Pods of one workload (or one Helm release's values) and the images they run."""

    name: str  # Deployment/shop/api, helm_release.kiali
    namespace: str | None
    pod_labels: dict
    node_selector: dict
    required_archs: frozenset | None  # from nodeSelector / required node affinity
    tolerations: list  # dicts
    images: list  # (image, Location)
    location: Location
    constrained: bool  # has an explicit arch constraint
    complete: bool = True  # False when scheduling inputs are partly unknown


@dataclass(slots=True)
class ImageArchs:
    archs: frozenset | None
    source: str  # "meshlint data (...)", "registry", or why unknown


# --- instance types and AMI types ----------------------------------------------------------


@lru_cache(maxsize=1024)
def instance_arch(instance_type: str) -> str | None:
    data = knowledge.data("aws-arch")
    family = instance_type.lower().split(".", 1)[0]
    if family in (data.get("extra_arm64_families") or []):
        return "arm64"
    if family.endswith("-flex"):
        family = family[: -len("-flex")]
    if "-" in family:
        return None
    if re.match(text(data["graviton_family_regex"]), family):
        return "arm64"
    if re.match(r"^[a-z]+[0-9]+[a-z-]*$", family):
        return "amd64"
    return None


def ami_arch(ami_type: str) -> str | None:
    data = knowledge.data("aws-arch")["ami_types"]
    if data["arm64_marker"] in ami_type:
        return "arm64"
    if data["amd64_marker"] in ami_type:
        return "amd64"
    return None


# --- node pools ----------------------------------------------------------------------------


def _pool_from_group(name, cfg: dict, defaults: dict, kind: str, location: Location, obj: str) -> NodePool:
    merged = dict(defaults)
    merged.update(cfg)
    ami = merged.get("ami_type")
    types = merged.get("instance_types") if kind == "managed" else (
        [merged["instance_type"]] if isinstance(merged.get("instance_type"), str) else merged.get("instance_types"))
    archs: frozenset | None
    why = ""
    if isinstance(ami, Unknown) or contains_unknown(merged.get("ami_id")):
        archs, why = None, "ami_type not known"
    elif isinstance(ami, str):
        a = ami_arch(ami)
        archs, why = (frozenset([a]), f"ami_type {ami}") if a else (None, f"ami_type {ami}")
        if a is None and isinstance(types, list) and types and not contains_unknown(types):
            found = {instance_arch(str(t)) for t in types}
            if None not in found:
                archs, why = frozenset(found), f"instance types {', '.join(map(str, types))}"
    elif merged.get("ami_id") is not None:
        archs, why = None, "custom ami_id"
    else:
        default = text(knowledge.data("aws-arch")["default_ami_arch"])
        archs, why = frozenset([default]), "no ami_type: the module's x86_64 default AMI"
    labels = merged.get("labels") if isinstance(merged.get("labels"), dict) else {}
    taints = []
    raw_taints = merged.get("taints")
    if isinstance(raw_taints, dict):
        raw_taints = list(raw_taints.values())
    for t in raw_taints or []:
        if isinstance(t, dict):
            taints.append((text(t.get("key")), text(t.get("value")), _effect(text(t.get("effect")))))
    if isinstance(labels, Unknown) or isinstance(raw_taints, Unknown) or contains_unknown(labels):
        archs, why = None, "labels or taints not known"
    return NodePool(str(name), kind, archs, labels, taints, location, obj, why)


def _effect(effect: str | None) -> str | None:
    # the EKS API spells effects NO_SCHEDULE; Kubernetes NoSchedule
    mapping = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
    return mapping.get(effect or "", effect)


def pools_from_eks_module(model: Model, ctx, call, address: str, attr_location, key_location) -> None:
    attrs = call.body.attrs
    for key, kind in (("eks_managed_node_groups", "managed"), ("self_managed_node_groups", "self-managed")):
        attr = attrs.get(key)
        if attr is None:
            continue
        groups = ctx.eval_attr(attr)
        defaults_attr = attrs.get(f"{'eks_managed' if kind == 'managed' else 'self_managed'}_node_group_defaults")
        defaults = ctx.eval_attr(defaults_attr) if defaults_attr is not None else {}
        fallback = attr_location(attr)
        if not isinstance(groups, dict) or not isinstance(defaults, dict):
            model.node_pools.append(NodePool(key, kind, None, {}, [], fallback, f"{address}.{key}",
                                             "node groups not known"))
            continue
        for name, cfg in groups.items():
            loc = key_location(groups, name, fallback)
            if not isinstance(cfg, dict):
                model.node_pools.append(NodePool(str(name), kind, None, {}, [], loc,
                                                 f'{address}.{key}["{name}"]', "not known"))
                continue
            model.node_pools.append(_pool_from_group(name, cfg, defaults, kind, loc, f'{address}.{key}["{name}"]'))
    attr = attrs.get("fargate_profiles")
    if attr is not None:
        profiles = ctx.eval_attr(attr)
        fallback = attr_location(attr)
        if isinstance(profiles, dict):
            for name, cfg in profiles.items():
                selectors = cfg.get("selectors") if isinstance(cfg, dict) else None
                model.node_pools.append(_fargate(str(name), selectors, key_location(profiles, name, fallback),
                                                 f'{address}.fargate_profiles["{name}"]'))
        else:
            model.node_pools.append(NodePool("fargate", "fargate", None, {}, [], fallback,
                                             f"{address}.fargate_profiles", "profiles not known"))
    for key in ("cluster_compute_config", "compute_config"):
        cfg = ctx.eval_attr(attrs[key]) if key in attrs else None
        if isinstance(cfg, dict) and cfg.get("enabled") is True:
            pools = cfg.get("node_pools")
            if not isinstance(pools, list) or pools:
                # EKS Auto Mode's built-in pools: their architectures are not in meshlint's data
                model.node_pools.append(NodePool("auto-mode built-in", "auto-mode", None, {}, [],
                                                 attr_location(attrs[key]), f"{address}.{key}",
                                                 "EKS Auto Mode built-in node pools"))


def pool_from_node_group_module(model: Model, ctx, call, address: str, location: Location) -> None:
    cfg = {k: ctx.eval_attr(a) for k, a in call.body.attrs.items()
           if k in ("instance_types", "ami_type", "ami_id", "labels", "taints")}
    model.node_pools.append(_pool_from_group(address.rsplit(".", 1)[-1], cfg, {}, "managed", location, address))


def pool_from_aws_node_group(model: Model, body: dict, address: str, location: Location) -> None:
    cfg = {"instance_types": body.get("instance_types"), "ami_type": body.get("ami_type"),
           "labels": body.get("labels") or {}}
    taints = body.get("taint")
    if isinstance(taints, list):
        cfg["taints"] = taints
    if "launch_template" in body and "ami_type" not in body:
        cfg["ami_id"] = Unknown("launch template AMI")
    model.node_pools.append(_pool_from_group(address, cfg, {}, "managed", location, address))


def _fargate(name: str, selectors, location: Location, obj: str) -> NodePool:
    sels = []
    if isinstance(selectors, list) and not contains_unknown(selectors):
        for s in selectors:
            if isinstance(s, dict) and isinstance(s.get("namespace"), str):
                sels.append({"namespace": s["namespace"],
                             "labels": s.get("labels") if isinstance(s.get("labels"), dict) else {}})
        archs = frozenset([text(knowledge.data("aws-arch")["fargate_arch"])])
        return NodePool(name, "fargate", archs, {}, [], location, obj, "EKS Fargate runs x86_64 only", sels)
    return NodePool(name, "fargate", None, {}, [], location, obj, "selectors not known")


def pool_from_fargate_resource(model: Model, body: dict, address: str, location: Location) -> None:
    model.node_pools.append(_fargate(address, body.get("selector"), location, address))


def pools_from_manifests(model: Model) -> None:
    seen = set()
    for obj in model.objects:
        if obj.kind not in ("NodePool", "Provisioner") or not obj.api_version.startswith("karpenter.sh/"):
            continue
        if (obj.kind, obj.name) in seen:
            continue  # the same NodePool declared twice (a manifest and kubectl_manifest)
        seen.add((obj.kind, obj.name))
        spec = obj.body.get("spec") if isinstance(obj.body.get("spec"), dict) else {}
        if obj.kind == "NodePool":
            template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
            tspec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
            tmeta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
            requirements, taints, labels = tspec.get("requirements"), tspec.get("taints"), tmeta.get("labels")
        else:
            requirements, taints, labels = spec.get("requirements"), spec.get("taints"), spec.get("labels")
        archs, why = _karpenter_archs(requirements, obj.api_version.endswith("v1alpha5"))
        pool_labels = {str(k): text(v) for k, v in (labels or {}).items()} if isinstance(labels, dict) else {}
        pool_labels.setdefault("karpenter.sh/nodepool", obj.name)
        pool_taints = [(text(t.get("key")), text(t.get("value")), text(t.get("effect")))
                       for t in taints or [] if isinstance(t, dict)]
        model.node_pools.append(NodePool(obj.name, "karpenter", archs, pool_labels, pool_taints,
                                         obj.location, f"{obj.kind}/{obj.name}", why))


def _karpenter_archs(requirements, legacy: bool) -> tuple[frozenset | None, str]:
    archs = set(ARCHS)
    why = "no kubernetes.io/arch requirement: either architecture"
    if legacy:
        archs, why = {"amd64"}, "v1alpha5 Provisioner without arch requirement defaults to amd64"
    for req in requirements or []:
        if not isinstance(req, dict):
            continue
        key, op = text(req.get("key")), text(req.get("operator"))
        values = {text(v) for v in req.get("values") or []}
        if key in ARCH_LABELS:
            if op == "In":
                archs = set(values) & set(ARCHS) if legacy is False else set(values)
                why = f"kubernetes.io/arch In {sorted(values)}"
            elif op == "NotIn":
                archs = set(ARCHS) - values
                why = f"kubernetes.io/arch NotIn {sorted(values)}"
        elif key in ("karpenter.k8s.aws/instance-family", "node.kubernetes.io/instance-type") and op == "In":
            found = {instance_arch(v) for v in values}
            if None not in found and found:
                archs &= found
                why = f"{key} In {sorted(values)}"
    return frozenset(archs), why


# --- pods: where they can land -------------------------------------------------------------


def subjects(model: Model) -> list[ArchSubject]:
    out = [_from_workload(w) for w in model.workloads]
    for rel in model.releases:
        s = _from_release(rel)
        if s is not None:
            out.append(s)
    return out


def _arch_constraint(node_selector: dict, affinity) -> tuple[frozenset | None, bool]:
    archs: set | None = None
    for key in ARCH_LABELS:
        if key in node_selector:
            archs = {text(node_selector[key])}
    terms = []
    if isinstance(affinity, dict):
        na = affinity.get("nodeAffinity") if isinstance(affinity.get("nodeAffinity"), dict) else {}
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(req, dict):
            terms = [t for t in req.get("nodeSelectorTerms") or [] if isinstance(t, dict)]
    if terms:
        # terms are ORed; expressions inside a term are ANDed
        union: set = set()
        constrained_all = True
        for term in terms:
            allowed = set(ARCHS)
            constrained = False
            for expr in term.get("matchExpressions") or []:
                if not isinstance(expr, dict) or text(expr.get("key")) not in ARCH_LABELS:
                    continue
                values = {text(v) for v in expr.get("values") or []}
                if text(expr.get("operator")) == "In":
                    allowed &= values
                    constrained = True
                elif text(expr.get("operator")) == "NotIn":
                    allowed -= values
                    constrained = True
            constrained_all &= constrained
            union |= allowed
        if constrained_all:
            archs = union if archs is None else archs & union
    return (frozenset(archs) if archs is not None else None), archs is not None


def _from_workload(w: Workload) -> ArchSubject:
    spec = w.pod_spec
    node_selector = spec.get("nodeSelector") if isinstance(spec.get("nodeSelector"), dict) else {}
    node_selector = {str(k): text(v) for k, v in node_selector.items()}
    required, constrained = _arch_constraint(node_selector, spec.get("affinity"))
    images = []
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict) and isinstance(c.get("image"), str) and c["image"] != "auto":
                images.append((c["image"], key_location(c, "image", w.location)))
    tolerations = [t for t in spec.get("tolerations") or [] if isinstance(t, dict)]
    return ArchSubject(f"{w.object.kind}/{w.namespace}/{w.object.name}", w.namespace, dict(w.pod_labels),
                       node_selector, required, tolerations, images, w.location, constrained)


def _from_release(rel: HelmRelease) -> ArchSubject | None:
    images = []
    unknown = False
    for doc in rel.values:
        if isinstance(doc, Unknown):
            unknown = True
            continue
        images.extend(_values_images(doc, rel.location))
    if not images:
        return None
    node_selector = rel.value("nodeSelector")
    tolerations = rel.value("tolerations")
    affinity = rel.value("affinity")
    complete = not (unknown or isinstance(node_selector, Unknown) or isinstance(tolerations, Unknown)
                    or isinstance(affinity, Unknown))
    node_selector = {str(k): text(v) for k, v in node_selector.items()} if isinstance(node_selector, dict) else {}
    required, constrained = _arch_constraint(node_selector, affinity if isinstance(affinity, dict) else None)
    namespace = rel.namespace if isinstance(rel.namespace, str) else None
    return ArchSubject(rel.object, namespace, {}, node_selector, required,
                       [t for t in tolerations or [] if isinstance(t, dict)] if isinstance(tolerations, list) else [],
                       images, rel.location, constrained, complete and namespace is not None)


def _values_images(doc, fallback: Location) -> list:
    """Images in Helm values by the common conventions: `image: repo:tag`, or
    `image: {registry?, repository, tag}` (a `tag` is required: the chart default is unknown)."""
    out = []
    stack = [(doc, 0)]
    seen = set()
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > 20:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "image":
                    ref = None
                    if isinstance(value, str) and ":" in value.rsplit("/", 1)[-1]:
                        ref = value
                    elif isinstance(value, dict) and isinstance(value.get("repository"), str) and \
                            isinstance(value.get("tag"), (str, int, float)) and not isinstance(value.get("tag"), bool):
                        repo = value["repository"]
                        registry = value.get("registry")
                        if isinstance(registry, str) and registry:
                            repo = f"{registry}/{repo}"
                        ref = f"{repo}:{text(value['tag'])}"
                    if ref and "{{" not in ref:
                        out.append((ref, key_location(node, "image", fallback)))
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return out


def _tolerates(tolerations: list, taint) -> bool:
    key, value, effect = taint
    if effect not in ("NoSchedule", "NoExecute"):
        return True
    for t in tolerations:
        op = text(t.get("operator")) or "Equal"
        t_effect = text(t.get("effect"))
        if t_effect and t_effect != effect:
            continue
        if text(t.get("key")) is None and op == "Exists":
            return True
        if text(t.get("key")) != key:
            continue
        if op == "Exists" or text(t.get("value")) == value:
            return True
    return False


WELL_KNOWN_PREFIXES = ("kubernetes.io/", "topology.kubernetes.io/", "node.kubernetes.io/",
                       "karpenter.sh/capacity-type", "eks.amazonaws.com/capacity-type",
                       "beta.kubernetes.io/", "failure-domain.beta.kubernetes.io/")


def candidate_pools(subject: ArchSubject, pools: list[NodePool]) -> list[NodePool] | None:
    """The node pools the pods can land on; None when that cannot be known."""
    fargate = [p for p in pools if p.kind == "fargate"]
    for p in fargate:
        if p.archs is None:
            return None
        for sel in p.fargate_selectors:
            if subject.namespace == sel["namespace"] and all(
                    text(subject.pod_labels.get(k)) == text(v) for k, v in sel["labels"].items()):
                return [p]  # the Fargate scheduler takes matching pods
    out = []
    for p in pools:
        if p.kind == "fargate":
            continue
        if not all(_tolerates(subject.tolerations, t) for t in p.taints):
            continue
        fits = True
        for key, value in subject.node_selector.items():
            if key in ARCH_LABELS:
                continue
            if key in p.labels:
                fits = text(p.labels[key]) == value
            elif key.startswith(WELL_KNOWN_PREFIXES):
                fits = True  # present on every node (zone, os, instance type, ...)
            elif p.kind == "karpenter" or any(key in q.labels for q in pools):
                fits = False  # declared elsewhere, not on this pool
            else:
                return None  # a label meshlint cannot see (node group names, user data)
            if not fits:
                break
        if fits:
            out.append(p)
    return out


# --- images --------------------------------------------------------------------------------


def normalise_image(image: str) -> tuple[str, str | None]:
    ref = parse_image(image)
    return ref.name, ref.tag


@lru_cache(maxsize=4096)
def offline_archs(image: str, as_of: _dt.date) -> ImageArchs:
    name, tag = normalise_image(image)
    tag = tag or "latest"
    table = knowledge.data("image-arch")
    for row in table["images"]:
        if not fnmatch.fnmatchcase(name, text(row["match"])):
            continue
        tags = [text(t) for t in row.get("tags") or []]
        if tags and tag not in tags:
            continue
        versions = text(row.get("versions"))
        if versions:
            v = parse_version(tag.split("-")[0])
            admits = helm_constraint(versions)
            if v is None or admits is None or not admits(v):
                continue
        start, until = _day(row.get("from")), _day(row.get("until"))
        if (start and as_of < start) or (until and as_of >= until):
            continue
        window = f", for pulls before {until}" if until else (f", from {start}" if start else "")
        return ImageArchs(frozenset(text(a) for a in row["archs"]),
                          f"meshlint data as of {text(table['as_of'])}: {text(row['why'])}{window}")
    return ImageArchs(None, "not in meshlint's image data")


def _day(value):
    if value is None:
        return None
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def derive_arch(model: Model, as_of: _dt.date) -> None:
    pools_from_manifests(model)
    model.arch_subjects = subjects(model)
    for s in model.arch_subjects:
        for image, _loc in s.images:
            if image not in model.image_archs:
                model.image_archs[image] = offline_archs(image, as_of)

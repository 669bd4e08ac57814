"""Pods and their images: where each workload's (or Helm release's) pods can land and which
architectures their images provide (offline facts from rules/data/image-arch.yaml;
--online answers from the registries are merged in by `build_model`)."""

from __future__ import annotations

import datetime as _dt
import fnmatch
from collections.abc import Iterable, Mapping
from functools import lru_cache

from meshlint import knowledge
from meshlint.images import parse_image
from meshlint.locate import key_location
from meshlint.model.nodes import (
    ARCH_LABELS,
    ARCHS,
    ArchSubject,
    ImageArchs,
    ImageUse,
    Toleration,
)
from meshlint.model.shapes import Shapes, pod_spec_where
from meshlint.model.types import HelmRelease, Workload, as_mapping, as_sequence
from meshlint.values import Location, Unknown, text
from meshlint.versioning import helm_constraint, parse_version

# --- pods: where they can land -------------------------------------------------------------


def arch_subjects(workloads: list[Workload], releases: list[HelmRelease], shapes: Shapes) -> list[ArchSubject]:
    out = [_from_workload(w, shapes) for w in workloads]
    for rel in releases:
        s = _from_release(rel)
        if s is not None:
            out.append(s)
    return out


def _arch_constraint(node_selector: Mapping, affinity: object) -> tuple[frozenset[str] | None, bool]:
    archs: set | None = None
    for key in ARCH_LABELS:
        if key in node_selector:
            archs = {text(node_selector[key])}
    terms = []
    if isinstance(affinity, dict):
        na = as_mapping(affinity.get("nodeAffinity"))
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(req, dict):
            terms = [t for t in as_sequence(req.get("nodeSelectorTerms")) if isinstance(t, dict)]
    if terms:
        # terms are ORed; expressions inside a term are ANDed
        union: set = set()
        constrained_all = True
        for term in terms:
            allowed = set(ARCHS)
            constrained = False
            for expr in as_sequence(term.get("matchExpressions")):
                if not isinstance(expr, dict) or text(expr.get("key")) not in ARCH_LABELS:
                    continue
                values = {text(v) for v in as_sequence(expr.get("values"))}
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


def _from_workload(w: Workload, shapes: Shapes) -> ArchSubject:
    spec = w.pod_spec
    where = pod_spec_where(w.object)
    node_selector = {str(k): text(v) for k, v in as_mapping(spec.get("nodeSelector")).items()}
    required, constrained = _arch_constraint(node_selector, spec.get("affinity"))
    images = []
    for key in ("initContainers", "containers"):
        for c in shapes.seq(spec, key, where, of_mappings=True):
            if isinstance(c, dict) and isinstance(c.get("image"), str) and c["image"] != "auto":
                images.append(ImageUse(c["image"], key_location(c, "image", w.location)))
    tolerations = tuple(Toleration.from_raw(t) for t in shapes.seq(spec, "tolerations", where, of_mappings=True)
                        if isinstance(t, Mapping))
    return ArchSubject(f"{w.object.kind}/{w.namespace}/{w.object.name}", w.namespace, dict(w.pod_labels),
                       node_selector, required, tolerations, tuple(images), w.location, constrained)


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
    node_selector = {str(k): text(v) for k, v in as_mapping(node_selector).items()}
    required, constrained = _arch_constraint(node_selector, affinity if isinstance(affinity, dict) else None)
    namespace = rel.namespace if isinstance(rel.namespace, str) else None
    return ArchSubject(rel.object, namespace, {}, node_selector, required,
                       tuple(Toleration.from_raw(t) for t in tolerations if isinstance(t, Mapping))
                       if isinstance(tolerations, list) else (),
                       tuple(images), rel.location, constrained, complete and namespace is not None)


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
                        out.append(ImageUse(ref, key_location(node, "image", fallback)))
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
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
        if not fnmatch.fnmatchcase(name, str(row["match"])):
            continue
        tags = [text(t) for t in as_sequence(row.get("tags"))]
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
        return ImageArchs(frozenset(str(a) for a in row["archs"]),
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


def image_archs(subjects: Iterable[ArchSubject], as_of: _dt.date,
                platforms: Mapping[str, tuple[frozenset[str] | None, str]] | None
                ) -> tuple[dict[str, ImageArchs], list[tuple[ImageUse, str]]]:
    """What each image provides: meshlint's data, or the registry's answer (--online, in
    `platforms`); and the images the registry could not answer, each where first used."""
    archs: dict[str, ImageArchs] = {}
    first_use: dict[str, ImageUse] = {}
    for s in subjects:
        for use in s.images:
            if use.image not in archs:
                archs[use.image] = offline_archs(use.image, as_of)
            first_use.setdefault(use.image, use)
    failures = []
    if platforms is not None:
        for image in archs:
            answer, how = platforms.get(image, (None, "not looked up"))
            if answer is not None:
                archs[image] = ImageArchs(answer, how)
            else:
                failures.append((first_use[image], how))
    return archs, failures

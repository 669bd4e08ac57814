"""Building the model, in two steps the engine runs in order:

1. `read_sources(scope, parsed, project)`: one pass over the scope's files and Terraform
   roots, each source read by its extractor (manifests, kustomize, umbrella charts, Argo CD
   inside manifests, and the Terraform dispatch table) -> `ScopeSources`;
2. `build_model(sources, ...)`: with every outside answer given up front (the run's date,
   kinds hidden in unrendered chart templates, --online chart repository and registry
   answers), derive the rest (Istio, components, gateways, Kiali, node pools, architectures)
   and return the finished, read-only `Model`.

`lookups(sources)` says which chart repositories and images the online answers are needed
for, so the engine can ask before building.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping

from msgspec import Struct
from msgspec.structs import replace

from meshlint.discover import MANIFEST, Scope
from meshlint.model.collect import Collector, ScopeSources
from meshlint.model.derive_arch import arch_subjects, image_archs
from meshlint.model.derive_gateways import gateway_workloads
from meshlint.model.derive_inventory import derive_components
from meshlint.model.derive_kiali import kiali_installs
from meshlint.model.extract_charts import chart_dependency_releases
from meshlint.model.extract_flux import flux_releases
from meshlint.model.extract_istio import gateways, istio_installs, virtual_services
from meshlint.model.extract_kustomize import (
    kustomize_helm_releases,
    kustomize_namespaces,
)
from meshlint.model.extract_manifests import manifest_objects
from meshlint.model.extract_nat import per_vpc
from meshlint.model.extract_node_pools import pools_from_manifests
from meshlint.model.extract_terraform import extract_terraform
from meshlint.model.types import HelmRelease, LookupFailure, Model
from meshlint.parse import ParsedFile
from meshlint.terraform import Project

# (repository, chart) -> what the chart repository offers (an online.ChartVersions), or None
ChartAnswers = Mapping[tuple[str, str], object]
# image -> (architectures, how it was found); architectures None when the registry did not say
ImageAnswers = Mapping[str, tuple[frozenset[str] | None, str]]


def read_sources(scope: Scope, parsed: Mapping[str, ParsedFile], project: Project) -> ScopeSources:
    out = Collector()
    files = [parsed[e.abspath] for e in scope.files if e.abspath in parsed]
    kustomize_ns = kustomize_namespaces(files)
    for pf in files:
        if pf.entry.kind == MANIFEST and pf.yaml is not None:
            for obj in manifest_objects(pf, kustomize_ns.get(pf.entry.abspath)):
                out.add_object(obj)
    out.releases.extend(chart_dependency_releases(files, out.shapes))
    out.releases.extend(kustomize_helm_releases(files))
    out.releases.extend(flux_releases(out.objects))
    for root in scope.roots:
        if root in project.modules:
            extract_terraform(out, project.root_context(root))
    return out.finish(scope.name)


class Lookups(Struct, frozen=True):
    """What the online answers are needed for."""

    charts: list[tuple[str, str]]  # (repository, chart), first use first
    images: list[str]  # sorted


def lookups(all_sources: Iterable[ScopeSources]) -> Lookups:
    charts: dict[tuple[str, str], None] = {}
    images: set[str] = set()
    for sources in all_sources:
        for rel in sources.releases:
            if rel.chart_ref is not None:
                charts.setdefault(rel.chart_ref)
        for subject in arch_subjects(sources.workloads, sources.releases, sources.shapes):
            images.update(use.image for use in subject.images)
    return Lookups(list(charts), sorted(images))


def build_model(sources: ScopeSources, as_of: _dt.date | None = None,
                opaque_kinds: frozenset[str] = frozenset(), charts: ChartAnswers | None = None,
                platforms: ImageAnswers | None = None) -> Model:
    """The finished model of one scope. `charts` and `platforms` are the --online answers
    (None offline); `opaque_kinds` the kinds its charts' unrendered templates declare."""
    day = as_of or _dt.date.today()
    releases = [_with_available(rel, charts) for rel in sources.releases] if charts is not None \
        else list(sources.releases)
    objects, workloads, shapes = sources.objects, sources.workloads, sources.shapes
    components = derive_components(objects, releases, workloads, sources.cluster_versions, day, shapes)
    subjects = arch_subjects(workloads, releases, shapes)
    archs, failures = image_archs(subjects, day, platforms)
    return Model(
        scope=sources.scope, objects=objects, namespaces=sources.namespaces, workloads=workloads,
        releases=releases, istio=istio_installs(objects, releases, shapes), nat_gateways=per_vpc(sources.nat_gateways),
        region=sources.region, components=components,
        gateway_workloads=gateway_workloads(objects, releases, workloads, shapes),
        gateways=gateways(objects, shapes), virtual_services=virtual_services(objects, shapes),
        kiali=kiali_installs(components, objects, releases), opaque_kinds=opaque_kinds,
        node_pools=sources.node_pools + pools_from_manifests(objects, shapes), arch_subjects=subjects,
        image_archs=archs,
        lookup_failures=[LookupFailure(use.location, use.image, how) for use, how in failures])


def _with_available(rel: HelmRelease, charts: ChartAnswers) -> HelmRelease:
    ref = rel.chart_ref
    return replace(rel, available=charts.get(ref)) if ref is not None else rel

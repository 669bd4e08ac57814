"""The data tables of `rules/data/`, one frozen record (msgspec Struct) per table (and per row kind).

The fields are the schema: `schema.build` rejects unknown keys and wrong types, and each
table checks in `__post_init__` what a type cannot say (order, contiguity, ranges).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping

from msgspec import Struct, field

from meshlint.knowledge.base import Confidence, Table
from meshlint.knowledge.kiali import KialiCompat, KialiGatewayDetection
from meshlint.knowledge.lifecycle import (
    ArtifactHosts,
    EksVersions,
    GatewayApi,
    IstioPatches,
)
from meshlint.knowledge.schema import Provenance, VersionText, ascending
from meshlint.versioning import helm_constraint

ARCHS = ("amd64", "arm64")


# --- nat-gateway-prices ------------------------------------------------------------------

class NatPrice(Struct, frozen=True):
    region: str
    hourly: float  # USD per NAT gateway-hour
    per_gb: float  # USD per GB processed
    confidence: Confidence
    source: Provenance[str]

    def __post_init__(self) -> None:
        if not (0 < self.hourly < 1 and 0 < self.per_gb < 1):
            raise ValueError(f"{self.region}: a price out of range")


class PublicIpv4Charge(Struct, frozen=True):
    hourly: float  # USD per public IPv4 address-hour (a NAT gateway's Elastic IP too)
    effective_from: _dt.date
    confidence: Confidence
    source: Provenance[str]


class RegionalNat(Struct, frozen=True):
    """AWS's regional NAT gateway: one per VPC across its AZs (pricing not known)."""

    terraform_argument: str
    terraform_value: str
    provider_from: VersionText  # hashicorp/aws
    confidence: Confidence
    source: Provenance[str]


class NatGatewayPrices(Table, frozen=True):
    monthly_hours: int
    regions: tuple[NatPrice, ...]
    public_ipv4: PublicIpv4Charge | None = None
    regional_nat: RegionalNat | None = None

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        ascending([r.region for r in self.regions], "regions")

    def price(self, region: str) -> NatPrice | None:
        return next((r for r in self.regions if r.region == region), None)


# --- vpc-module ----------------------------------------------------------------------------

class SubnetCountRule(Struct, frozen=True):
    """Which subnet kinds count towards the module's `max_subnet_length`, for a version range."""

    from_: VersionText = field(name="from")
    below: VersionText | None
    kinds: tuple[str, ...]
    ipv6_prefixes: bool
    note: Provenance[str] = ""


class VpcModule(Table, frozen=True):
    module_sources: tuple[str, ...]
    known_versions: tuple[VersionText, ...]
    latest_known: VersionText
    max_subnet_length: tuple[SubnetCountRule, ...]
    input_defaults: Mapping[str, bool]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        ascending([v.parsed for v in self.known_versions], "known_versions")
        if self.latest_known != self.known_versions[-1]:
            raise ValueError("latest_known must be the last of known_versions")
        rows = self.max_subnet_length
        for a, b in zip(rows, rows[1:]):
            if a.below is None or a.below.parsed != b.from_.parsed:
                raise ValueError(f"max_subnet_length rows must be contiguous ({a.below} then {b.from_})")
        if rows and rows[-1].below is not None:
            raise ValueError("the last max_subnet_length row must be open (below: null)")


# --- eks-blueprints-addons -------------------------------------------------------------------

class EksBlueprintsAddons(Table, frozen=True):
    module_sources: tuple[str, ...]
    version_key: str  # the key of a helm_releases entry that holds the chart version
    helm_releases_keys_read: tuple[str, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        if self.version_key not in self.helm_releases_keys_read:
            raise ValueError("version_key must be one of helm_releases_keys_read")


# --- eks-modules ---------------------------------------------------------------------------

class EksClusterModule(Struct, frozen=True):
    """A Terraform module that creates an EKS cluster: where it is published and which of
    its inputs set the Kubernetes version (the first one given wins)."""

    module_source: str
    version_inputs: tuple[str, ...]
    node_groups: bool  # its node-group inputs are read (terraform-aws-modules/eks)
    source: Provenance[str]


class EksModules(Table, frozen=True):
    cluster_modules: tuple[EksClusterModule, ...]
    node_group_submodules: tuple[str, ...]

    def cluster_module(self, source: str) -> EksClusterModule | None:
        """The cluster module a call's `source` names (a submodule of it is not the cluster)."""
        if "//modules/" in source:
            return None
        return next((m for m in self.cluster_modules if m.module_source in source), None)

    def is_node_group_submodule(self, source: str) -> bool:
        return any(s in source for s in self.node_group_submodules)


# --- aws-arch --------------------------------------------------------------------------------

class AmiTypes(Struct, frozen=True):
    arm64_marker: str
    amd64_marker: str
    unknown: tuple[str, ...]


class AwsArch(Table, frozen=True):
    graviton_family_regex: re.Pattern[str]
    extra_arm64_families: tuple[str, ...]
    ami_types: AmiTypes
    default_ami_arch: str
    fargate_arch: str
    karpenter_default_archs: tuple[str, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        for arch in (self.default_ami_arch, self.fargate_arch, *self.karpenter_default_archs):
            if arch not in ARCHS:
                raise ValueError(f"{arch!r} is not one of {', '.join(ARCHS)}")


# --- image-arch ------------------------------------------------------------------------------

class ImageArchRow(Struct, frozen=True):
    """The architectures of the images matching `match` (tags, version range, pull window)."""

    match: str
    archs: tuple[str, ...]
    confidence: Confidence
    why: str
    tags: tuple[str, ...] = ()
    versions: str | None = None  # a Helm-style range over tags that are versions
    from_: _dt.date | None = field(default=None, name="from")
    until: _dt.date | None = None

    def __post_init__(self) -> None:
        if not self.archs or any(a not in ARCHS for a in self.archs):
            raise ValueError(f"{self.match}: archs must be some of {', '.join(ARCHS)}")
        if self.versions is not None and helm_constraint(self.versions) is None:
            raise ValueError(f"{self.match}: {self.versions!r} is not a version range")
        if self.from_ and self.until and self.from_ >= self.until:
            raise ValueError(f"{self.match}: from must come before until")


class ImageArch(Table, frozen=True):
    images: tuple[ImageArchRow, ...]  # first match wins: order matters


# --- istio-releases --------------------------------------------------------------------------

class IstioRelease(Struct, frozen=True):
    minor: VersionText
    released: _dt.date | None  # announcement of x.0
    eol: _dt.date | None  # None: not known
    kubernetes: tuple[VersionText, ...] | None  # supported Kubernetes minors
    kiali_addon: VersionText | None  # the Kiali in samples/addons at the x.0 tag
    confidence: Confidence
    source: Provenance[str]
    note: Provenance[str] = ""

    def __post_init__(self) -> None:
        if self.released and self.eol and not self.released < self.eol:
            raise ValueError(f"{self.minor}: released must come before eol")
        if self.kubernetes:
            ascending([v.parsed for v in self.kubernetes], f"{self.minor}: kubernetes")


class IstioReleases(Table, frozen=True):
    helm_repository: str
    charts: Mapping[str, str]  # chart name -> mesh component
    releases: tuple[IstioRelease, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        ascending([r.minor.parsed for r in self.releases], "releases")
        ascending([r.released for r in self.releases if r.released], "release dates")

    def release(self, minor: str) -> IstioRelease | None:
        return next((r for r in self.releases if r.minor == minor), None)

    def ended(self, minor: str, as_of: _dt.date) -> bool:
        """Whether `minor` had reached end of life by `as_of` (False when not known)."""
        row = self.release(minor)
        return row is not None and row.eol is not None and row.eol <= as_of


# --- infrastructure-namespaces ---------------------------------------------------------------

class InfrastructureNamespaces(Table, frozen=True):
    names: tuple[str, ...]  # namespaces of cluster infrastructure (MESH401 leaves them alone)
    prefixes: tuple[str, ...]  # ... and those whose name starts with one of these


# --- istio-protocols -------------------------------------------------------------------------

class IstioProtocols(Table, frozen=True):
    port_name_prefixes: tuple[str, ...]  # `<prefix>` or `<prefix>-<suffix>` declares the protocol


#: file stem in rules/data -> the record class it loads into
TABLES: dict[str, type[Table]] = {
    "artifact-hosts": ArtifactHosts,
    "aws-arch": AwsArch,
    "eks-blueprints-addons": EksBlueprintsAddons,
    "eks-modules": EksModules,
    "eks-versions": EksVersions,
    "gateway-api": GatewayApi,
    "image-arch": ImageArch,
    "infrastructure-namespaces": InfrastructureNamespaces,
    "istio-patches": IstioPatches,
    "istio-protocols": IstioProtocols,
    "istio-releases": IstioReleases,
    "kiali-compat": KialiCompat,
    "kiali-gateway-detection": KialiGatewayDetection,
    "nat-gateway-prices": NatGatewayPrices,
    "vpc-module": VpcModule,
}

"""Lifecycle tables: Istio patch releases, the EKS version calendar, retired artifact hosts
and the Gateway API CRD bundles each Istio minor reads. Dates decide what is true on a
run's --as-of, so every question here takes that date."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping

from msgspec import Struct, field
from packaging.version import Version

from meshlint.knowledge.base import Confidence, Table
from meshlint.knowledge.schema import Provenance, VersionText, ascending

# --- istio-patches ---------------------------------------------------------------------------


class IstioPatch(Struct, frozen=True):
    version: VersionText
    date: _dt.date | None  # published; None: exists, day not known
    confidence: Confidence
    source: Provenance[str]


class PatchChoice(Struct, frozen=True):
    """What a range or an unpinned chart resolves to on a date."""

    patch: IstioPatch
    final: bool  # the last patch of its minor (no newer one can appear)

    @property
    def version(self) -> Version:
        return self.patch.version.parsed

    def describe(self, as_of: _dt.date) -> str:
        """How the choice reads in a note: the table may lack the newest patches, so an
        open minor says 'or a newer patch'."""
        v = self.version
        day = f"published {self.patch.date}"
        if self.patch.confidence is Confidence.LOW:
            day += ", a low-confidence date"
        if self.final:
            return f"resolves to {v}, the last {v.major}.{v.minor} patch ({day})"
        return f"resolves to {v} or a newer {v.major}.{v.minor} patch as of {as_of} ({v} {day})"


class IstioPatches(Table, frozen=True):
    patches: tuple[IstioPatch, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        ascending([p.version.parsed for p in self.patches], "patches")

    def newest(self, admits: Callable[[Version], bool], as_of: _dt.date,
               ended: Callable[[str, _dt.date], bool]) -> PatchChoice | None:
        """The newest patch `admits` accepts that was published on or before `as_of`.
        `final` when its minor had ended by then and no later patch of it is listed."""
        published = [p for p in self.patches if p.date is not None and p.date <= as_of
                     and not p.version.parsed.is_prerelease and admits(p.version.parsed)]
        if not published:
            return None
        best = max(published, key=lambda p: p.version.parsed)
        minor = f"{best.version.parsed.major}.{best.version.parsed.minor}"
        later = [p for p in self.patches if p.version.parsed > best.version.parsed
                 and f"{p.version.parsed.major}.{p.version.parsed.minor}" == minor]
        return PatchChoice(best, final=ended(minor, as_of) and not later)


# --- eks-versions ----------------------------------------------------------------------------


class EksPricing(Struct, frozen=True):
    standard_hourly: float  # USD per cluster-hour
    extended_hourly: float
    effective_from: _dt.date
    confidence: Confidence
    source: Provenance[str]

    def __post_init__(self) -> None:
        if not 0 < self.standard_hourly < self.extended_hourly < 10:
            raise ValueError("prices out of range")


class EksVersion(Struct, frozen=True):
    kubernetes: VersionText
    eks_release: _dt.date
    end_standard: _dt.date
    end_extended: _dt.date
    confidence: Confidence
    source: Provenance[str]
    note: Provenance[str] = ""

    def __post_init__(self) -> None:
        if not self.eks_release < self.end_standard < self.end_extended:
            raise ValueError(f"{self.kubernetes}: release, end of standard, end of extended must rise")


class EksSupport:
    """Where a version stands on a date."""

    STANDARD = "standard"
    EXTENDED = "extended"
    ENDED = "ended"


class EksVersions(Table, frozen=True):
    monthly_hours: int
    pricing: EksPricing
    versions: tuple[EksVersion, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        ascending([v.kubernetes.parsed for v in self.versions], "versions")

    def version(self, kubernetes: str) -> EksVersion | None:
        return next((v for v in self.versions if v.kubernetes == kubernetes), None)

    def support(self, row: EksVersion, as_of: _dt.date) -> str:
        """Standard support until its last day; extended support is billed from the day
        standard support ends (UTC); after extended support AWS upgrades the cluster."""
        if as_of < row.end_standard:
            return EksSupport.STANDARD
        if as_of < row.end_extended:
            return EksSupport.EXTENDED
        return EksSupport.ENDED

    def extra_monthly_cost(self) -> float:
        """What extended support adds per cluster and month."""
        return (self.pricing.extended_hourly - self.pricing.standard_hourly) * self.monthly_hours

    def in_standard_support(self, as_of: _dt.date) -> list[str]:
        return [str(v.kubernetes) for v in self.versions
                if v.eks_release <= as_of and self.support(v, as_of) == EksSupport.STANDARD]


# --- artifact-hosts --------------------------------------------------------------------------

ARTIFACT_KINDS = ("charts", "oci-charts", "images")


class RetiredHost(Struct, frozen=True):
    id: str
    publisher: str
    match: str  # host and path prefix, no scheme
    kinds: tuple[str, ...]
    replacements: Mapping[str, str]  # kind -> where the same artifacts live now
    announced: _dt.date
    last_minor: VersionText  # the last minor release published there
    switch_off: _dt.date | None  # None: no exact day announced
    switch_off_text: str
    outages: tuple[str, ...]  # announced test switch-offs (UTC)
    confidence: Confidence
    source: Provenance[str]
    # without an exact day: the day by which it is expected to be off (inferred, e.g. from
    # an announced month), how sure that is, and what it is inferred from
    expected_off_by: _dt.date | None = None
    expected_off_confidence: Confidence = Confidence.LOW
    expected_off_basis: str = ""

    def __post_init__(self) -> None:
        if not self.kinds or any(k not in ARTIFACT_KINDS for k in self.kinds):
            raise ValueError(f"{self.id}: kinds must be some of {', '.join(ARTIFACT_KINDS)}")
        if set(self.replacements) != set(self.kinds):
            raise ValueError(f"{self.id}: one replacement per kind")
        if self.switch_off is not None and self.switch_off <= self.announced:
            raise ValueError(f"{self.id}: switch_off must come after announced")
        if self.expected_off_by is not None and (self.switch_off is not None or not self.expected_off_basis
                                                 or self.expected_off_by <= self.announced):
            raise ValueError(f"{self.id}: expected_off_by is for a host without an exact switch_off "
                             "day, after announced, with expected_off_basis saying why")

    def matches(self, reference: str) -> bool:
        """Whether a repository URL or image reference points at this host."""
        bare = reference.strip().lower()
        for scheme in ("oci://", "https://", "http://"):
            if bare.startswith(scheme):
                bare = bare[len(scheme):]
        prefix = self.match.lower()
        return bare == prefix or bare.startswith(prefix + "/") or bare.startswith(prefix + ":")

    def off_since(self, as_of: _dt.date) -> _dt.date | None:
        """The day the host went off, if it is off on `as_of`: the announced day, else the
        day it was expected to be off by (see `off_date_inferred`)."""
        day = self.switch_off if self.switch_off is not None else self.expected_off_by
        return day if day is not None and day <= as_of else None

    def switched_off(self, as_of: _dt.date) -> bool:
        return self.off_since(as_of) is not None

    @property
    def off_date_inferred(self) -> bool:
        """Whether the switch-off day is meshlint's inference, not the publisher's word."""
        return self.switch_off is None and self.expected_off_by is not None


class ArtifactHosts(Table, frozen=True):
    hosts: tuple[RetiredHost, ...]

    def last_minor_published(self, repository: object) -> VersionText | None:
        """The last Istio minor a retired chart repository received (it offers nothing newer,
        whatever the date); None for any other repository."""
        if not isinstance(repository, str):
            return None
        host = next((h for h in self.hosts if ("charts" in h.kinds or "oci-charts" in h.kinds)
                     and h.matches(repository)), None)
        return host.last_minor if host is not None else None

    def retired(self, reference: str, kind: str, as_of: _dt.date) -> RetiredHost | None:
        """The host `reference` points at, if its retirement was announced by `as_of`."""
        return next((h for h in self.hosts if kind in h.kinds and h.announced <= as_of
                     and h.matches(reference)), None)


# --- gateway-api -----------------------------------------------------------------------------


class GatewayApiMinimums(Struct, frozen=True):
    istio: VersionText
    crds: Mapping[str, VersionText]  # CRD plural -> oldest bundle-version read
    confidence: Confidence
    source: Provenance[str]


class GatewayApi(Table, frozen=True):
    annotation: str  # the CRD annotation that carries the bundle version
    kinds: Mapping[str, str]  # CRD plural -> kind
    minimums: tuple[GatewayApiMinimums, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        ascending([m.istio.parsed for m in self.minimums], "minimums")
        for m in self.minimums:
            unknown = set(m.crds) - set(self.kinds)
            if unknown:
                raise ValueError(f"{m.istio}: no kind for {', '.join(sorted(unknown))}")

    def for_istio(self, minor: str) -> GatewayApiMinimums | None:
        return next((m for m in self.minimums if m.istio == minor), None)

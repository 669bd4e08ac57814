"""The kiali-compat table: Kiali versions tested with each Istio minor (as sets, the way
kiali.io publishes them since Kiali 2.4), what a Kiali requires of Istio, known
incompatibilities, and settings a Kiali major stopped reading."""

from __future__ import annotations

import enum

from msgspec import Struct, field
from packaging.version import Version

from meshlint.knowledge.base import Confidence, Table
from meshlint.knowledge.schema import Provenance, VersionText, ascending
from meshlint.versioning import parse_version


class KialiSpan(Struct, frozen=True):
    """One item of a tested set: `low` .. `high` inclusive. A `high` written as major.minor
    takes that whole line; None: no upper bound."""

    low: Version
    high: Version | None
    high_is_line: bool

    @classmethod
    def parse(cls, item: str) -> KialiSpan:
        text = item.strip()
        if text.endswith("+"):
            low = _version(text[:-1])
            return cls(low, None, False)
        lo_text, _, hi_text = text.partition(" - ")
        hi_text = hi_text or lo_text
        return cls(_version(lo_text), _version(hi_text), len(hi_text.strip().split(".")) == 2)

    def admits(self, version: Version, whole_line: bool) -> bool:
        """Whether `version` is in the span; with `whole_line` (a floating tag such as
        `v2.4`) whether some patch of its line is."""
        line = (version.major, version.minor)
        if whole_line:
            low_ok = (self.low.major, self.low.minor) <= line
        else:
            low_ok = self.low <= version
        if not low_ok:
            return False
        if self.high is None:
            return True
        if self.high_is_line or whole_line:
            return line <= (self.high.major, self.high.minor)
        return version <= self.high

    def __str__(self) -> str:
        if self.high is None:
            return f"{self.low} or newer"
        high = f"{self.high.major}.{self.high.minor}.x" if self.high_is_line else str(self.high)
        if self.high_is_line and (self.low.major, self.low.minor) == (self.high.major, self.high.minor) \
                and self.low.micro == 0:
            return high
        return f"{self.low} – {high}"


def _version(text: str) -> Version:
    parsed = parse_version(text.strip())
    if parsed is None:
        raise ValueError(f"{text!r} is not a version")
    return parsed


class KialiTested(Struct, frozen=True):
    istio: VersionText
    kiali: tuple[str, ...]  # "2.4" (that line), "1.82.0 - 1.86" (inclusive), "2.0.0+" (and newer)
    confidence: Confidence
    source: Provenance[str]
    note: Provenance[str] = ""

    def __post_init__(self) -> None:
        if not self.kiali:
            raise ValueError(f"istio {self.istio}: an empty tested set")
        for span in self.spans():
            if span.high is not None and span.high < Version(f"{span.low.major}.{span.low.minor}"):
                raise ValueError(f"istio {self.istio}: {span} ends before it starts")

    def spans(self) -> list[KialiSpan]:
        return [KialiSpan.parse(item) for item in self.kiali]

    def admits(self, kiali: str, floating: bool) -> bool:
        version = parse_version(kiali)
        return version is not None and any(s.admits(version, floating) for s in self.spans())

    def listing(self) -> str:
        return ", ".join(str(s) for s in self.spans())


class KialiRequirement(Struct, frozen=True):
    """Kiali from `kiali_from` on needs Istio `istio_min` or newer."""

    kiali_from: VersionText
    istio_min: VersionText
    confidence: Confidence
    source: Provenance[str]


class KialiRemovedSetting(Struct, frozen=True):
    key: str  # dotted, under the Kiali server configuration (Helm values, CR spec, config.yaml)
    kiali_from: VersionText  # the first Kiali that no longer reads it
    replacement: str
    confidence: Confidence
    source: Provenance[str]


class KialiBackport(Struct, frozen=True):
    line: VersionText
    fixed: VersionText


class KialiIncompatibility(Struct, frozen=True):
    id: str
    istio_from: VersionText
    kiali_below: VersionText
    fixed_backports: tuple[KialiBackport, ...]
    needs: str | None  # a model feature the problem needs (serviceentry-exportto)
    symptom: str
    cause: str
    first_fixed: str
    issue: Provenance[str]

    def __post_init__(self) -> None:
        for bp in self.fixed_backports:
            if not bp.fixed.parsed < self.kiali_below.parsed:
                raise ValueError(f"{self.id}: backport {bp.fixed} is not below {self.kiali_below}")


class KialiCompat(Table, frozen=True):
    tested: tuple[KialiTested, ...]
    requirements: tuple[KialiRequirement, ...]
    removed_settings: tuple[KialiRemovedSetting, ...]
    incompatibilities: tuple[KialiIncompatibility, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        ascending([r.istio.parsed for r in self.tested], "tested istio minors")

    def tested_for(self, istio_minor: str) -> KialiTested | None:
        return next((r for r in self.tested if r.istio == istio_minor), None)

    def requirement_unmet(self, kiali: str, istio: str) -> KialiRequirement | None:
        """The requirement a Kiali version puts on Istio that `istio` does not meet."""
        kv, iv = parse_version(kiali), parse_version(istio)
        if kv is None or iv is None:
            return None
        return next((r for r in self.requirements
                     if kv >= r.kiali_from.parsed and iv < r.istio_min.parsed), None)


# --- kiali-gateway-detection ------------------------------------------------------------------

class KialiDetection(enum.StrEnum):
    """How a Kiali version finds the Istio gateways it reports (see the table's comments)."""

    APP_LABEL = "app-label"
    LABEL = "label"
    ANY_NAMESPACE = "any-namespace"


class KialiDetectionEra(Struct, frozen=True):
    detection: KialiDetection
    below: VersionText | None  # the first Kiali version that no longer detects this way


class KialiGatewayDetection(Table, frozen=True):
    eras: tuple[KialiDetectionEra, ...]

    def __post_init__(self) -> None:
        Table.__post_init__(self)
        bounds = [e.below for e in self.eras]
        if not bounds or bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError("eras: only the last era is open-ended")
        ascending([b.parsed for b in bounds[:-1] if b is not None], "eras")

"""Versions: Istio components that drift apart, Kiali that cannot talk to Istio, unpinned
charts, Kubernetes versions Istio does not support, and Istio past its end of life."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator

from packaging.version import Version

from meshlint import knowledge
from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.findings import Finding, Severity
from meshlint.model import Component, Model
from meshlint.model.derive_inventory import data_as_of
from meshlint.values import Location, Unknown, text
from meshlint.versioning import (
    ABSENT,
    FLOATING,
    IGNORED,
    LATEST,
    PINNED,
    RANGE,
    helm_constraint,
    minor_of,
    parse_version,
)

_ZERO = Version("0")


def _v(version: str | None) -> Version:
    """A version for ordering: the parsed one, else 0 (callers keep only parseable ones)."""
    return parse_version(version) or _ZERO

ISTIO_KINDS = ("istiod", "istio-base", "gateway", "cni", "ztunnel", "proxy")


def _where(loc: Location) -> str:
    return f"{loc.path.rsplit('/', 1)[-1]}:{loc.line}"


def _describe(c: Component) -> str:
    shown = c.effective if c.effective else "?"
    note = f" ({c.effective_note})" if c.effective_note else ""
    return f"{c.kind} {shown}{note} at {_where(c.location)}"


def _istio_reference(model: Model) -> Component | None:
    """The control plane's version decides compatibility; else any Istio chart's."""
    for kinds in (("istiod",), ("istio-base", "gateway", "cni", "ztunnel")):
        comps = [c for c in model.components_of(*kinds) if parse_version(c.effective)]
        if comps:
            return max(comps, key=lambda c: _v(c.effective))
    return None


def _release_row(minor: str | None) -> dict | None:
    for row in knowledge.data("istio-releases")["releases"]:
        if text(row["minor"]) == minor:
            return row
    return None


def _date(value: object) -> _dt.date | None:
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# --- MESH101 -------------------------------------------------------------------------------


@rule("MESH101")
def istio_version_skew(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    comps = [c for c in model.components if c.kind in ISTIO_KINDS and parse_version(c.effective)]
    if len(comps) < 2:
        return
    revisions = {c.revision for c in comps if c.kind == "istiod" and not isinstance(c.revision, Unknown)}
    groups: list[list[Component]]
    if len(revisions) > 1:
        # a canary upgrade: istiod revisions differ on purpose; compare within a revision
        groups = [[c for c in comps if c.kind in ("istiod", "gateway") and c.revision == r]
                  for r in sorted(revisions, key=lambda r: r or "")]
    else:
        groups = [comps]
    for group in groups:
        versions = {c.effective for c in group}
        if len(versions) < 2:
            continue
        ref = next((c for c in group if c.kind == "istiod"), None) or max(
            group, key=lambda c: (sum(1 for o in group if o.effective == c.effective), _v(c.effective)))
        listing = "; ".join(_describe(c) for c in group)
        for c in group:
            if c.effective == ref.effective or _range_covers(c, ref) or _range_covers(ref, c):
                continue
            across_minors = minor_of(c.effective) != minor_of(ref.effective)
            newer = _v(c.effective) > _v(ref.effective)
            why = ""
            if c.kind in ("gateway", "proxy") and newer and ref.kind == "istiod":
                why = " A data-plane proxy must never be newer than istiod."
            message = (f"Istio components run different versions: {_named(c)} is "
                       f"{c.effective} while {ref.kind} is {ref.effective}. All: {listing}.{why} "
                       f"Pin every Istio chart and image of one installation to the same version "
                       f"(upgrade base first, then istiod, then gateways).")
            yield report(message, c.location, object=c.object, detail=f"{c.kind}:{c.name}",
                         severity=Severity.ERROR if across_minors else Severity.WARNING,
                         fix=f"set {_named(c)} to {ref.effective}")


def _named(c: Component) -> str:
    """`gateway istio-ingress`; the kind alone when the name repeats it or is empty."""
    return c.kind if not c.name or c.name == c.kind else f"{c.kind} {c.name}"


def _range_covers(ranged: Component, other: Component) -> bool:
    """Does a component written as a range (`1.21.*`, `~1.21.0`) admit the version the other
    runs? Then the two agree: the range was written to follow the installation, and which
    patch it resolves to on a given day is a guess, not a skew."""
    if ranged.pin != RANGE or not isinstance(ranged.version, str):
        return False
    admits = helm_constraint(ranged.version)
    other_version = parse_version(other.version if other.pin == PINNED and isinstance(other.version, str)
                                  else other.effective)
    return admits is not None and other_version is not None and bool(admits(other_version))


# --- MESH102 -------------------------------------------------------------------------------


def _kiali_affected(kiali: str, inc: dict, floating: bool) -> bool | None:
    kv = parse_version(kiali)
    below = parse_version(text(inc["kiali_below"]))
    if kv is None or below is None or kv >= below:
        return False
    for bp in inc.get("fixed_backports") or []:
        if minor_of(kiali) == text(bp["line"]):
            if floating:
                return None  # a floating tag on a patched line: the patch that runs is unknown
            fixed = parse_version(text(bp["fixed"]))
            return fixed is not None and kv < fixed
    return True


def _has_serviceentry_exportto(model: Model) -> bool:
    for obj in model.objects:
        if obj.kind == "ServiceEntry" and obj.api_version.startswith("networking.istio.io/"):
            spec = obj.body.get("spec")
            if isinstance(spec, dict) and spec.get("exportTo"):
                return True
    return False


@rule("MESH102")
def kiali_istio_incompatible(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    istio = _istio_reference(model)
    if istio is None or istio.effective is None:
        return
    iv = _v(istio.effective)
    imin = minor_of(istio.effective) or istio.effective
    istio_desc = f"Istio {istio.effective}" + (f" ({istio.effective_note})" if istio.effective_note else "") + \
        f", {istio.kind} at {_where(istio.location)}"
    compat = knowledge.data("kiali-compat")
    exportto = _has_serviceentry_exportto(model)
    for kiali in model.components_of("kiali"):
        kv_text = kiali.effective
        if kv_text is None or not parse_version(kv_text):
            continue
        floating = kiali.pin == FLOATING
        broken = False
        for inc in compat["incompatibilities"]:
            if iv < _v(text(inc["istio_from"])):
                continue
            if inc.get("needs") == "serviceentry-exportto" and not exportto:
                continue
            affected = _kiali_affected(kv_text, inc, floating)
            if not affected:
                continue
            broken = True
            extra = " (this scope has a ServiceEntry with exportTo)" if inc.get("needs") else ""
            message = (f"Kiali {kv_text} ({kiali.name}) does not work with {istio_desc}: "
                       f"{inc['cause']}{extra}. Kiali fails with `{inc['symptom']}`. "
                       f"Use Kiali {inc['first_fixed']} or newer, matching Istio {imin}.")
            yield report(message, kiali.location, object=kiali.object, detail=f"{inc['id']}", severity=Severity.ERROR,
                         fix=f"upgrade Kiali to {(text(inc['first_fixed']) or '').split(' ')[0]} or newer")
            break
        if broken:
            continue
        unmet = knowledge.kiali_compat().requirement_unmet(kv_text, istio.effective)
        if unmet is not None:
            message = (f"Kiali {kv_text} ({kiali.name}) requires Istio {unmet.istio_min} or newer "
                       f"(kiali.io: Istio {unmet.istio_min} is required starting with Kiali "
                       f"{unmet.kiali_from}), but the scope runs {istio_desc}. Use a Kiali older than "
                       f"{unmet.kiali_from} with Istio {imin}, or upgrade Istio.")
            yield report(message, kiali.location, object=kiali.object, detail=f"requires-istio-{unmet.istio_min}", severity=Severity.ERROR,
                          fix=f"use Kiali below {unmet.kiali_from}, or Istio {unmet.istio_min} or newer")
            continue
        tested = knowledge.kiali_compat().tested_for(imin)
        if tested is None or tested.admits(kv_text, floating):
            continue
        span = tested.listing()
        caveat = tested.confidence.caveat("that row")
        message = (f"Kiali {kv_text} ({kiali.name}) is outside the versions tested with "
                   f"{istio_desc}: the Kiali compatibility table lists {span} for Istio {imin}"
                   f"{' (' + caveat + ')' if caveat else ''}. "
                   f"Untested pairs often break the graph or validations; use a tested Kiali.")
        yield report(message, kiali.location, object=kiali.object, detail="untested", severity=Severity.WARNING,
                      fix=f"use Kiali {span} with Istio {imin}")


# --- MESH103 -------------------------------------------------------------------------------


@rule("MESH103")
def chart_version_unpinned(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    effective = {c.object: c for c in model.components}
    for rel in model.releases:
        if rel.is_local_chart or isinstance(rel.chart, Unknown):
            continue
        pin = rel.pin
        if pin not in (ABSENT, RANGE, LATEST, IGNORED):
            continue
        comp = effective.get(rel.object)
        resolves = f" ({comp.effective_note})" if comp is not None and comp.effective_note else ""
        chart = rel.chart_name or rel.chart
        if pin == IGNORED:
            value = rel.ignored_values.get("version")
            shown = f' = "{value}"' if isinstance(value, (str, int, float)) else ""
            loc = rel.pin_location
            message = (f"{rel.object} sets `version{shown}`, but eks-blueprints-addons reads "
                       f"`chart_version` and silently ignores `version`: the {chart} chart is not "
                       f"pinned and Helm installs the newest one at apply time{resolves}. "
                       f"Use chart_version{shown}.")
            fix = "rename version to chart_version"
        elif pin == ABSENT:
            loc = rel.location
            key = rel.pin_key or "version"
            message = (f"{rel.object} installs the {chart} chart without a version: Helm takes "
                       f"the newest at every apply{resolves}, so two applies can install different "
                       f"releases. Pin it with `{key}`.")
            fix = f"pin {chart} with {key}"
        else:
            loc = rel.pin_location
            kind = "latest" if pin == LATEST else "a range"
            message = (f'{rel.object} pins the {chart} chart to "{rel.version}", which is {kind}: '
                       f"what gets installed changes over time{resolves}. Pin an exact version.")
            fix = f"pin {chart} to an exact version"
        yield report(message, loc, object=rel.object, detail=pin, fix=fix)


# --- MESH104 -------------------------------------------------------------------------------


@rule("MESH104")
def istio_kubernetes_unsupported(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    istio = _istio_reference(model)
    if istio is None:
        return
    row = _release_row(minor_of(istio.effective))
    if row is None or not row.get("kubernetes"):
        return
    supported = [text(v) for v in row["kubernetes"]]
    for k8s in model.components_of("kubernetes"):
        kmin = minor_of(k8s.effective) or k8s.effective or ""
        if kmin in supported:
            continue
        fitting = [text(r["minor"]) for r in knowledge.data("istio-releases")["releases"]
                   if r.get("kubernetes") and kmin in [text(v) for v in r["kubernetes"]]]
        span = fitting[0] if len(fitting) == 1 else f"{fitting[0]}–{fitting[-1]}" if fitting else ""
        advice = (f"Istio releases listed for Kubernetes {kmin}: {span}."
                  if fitting else f"No Istio release in meshlint's table lists Kubernetes {kmin}.")
        note = f" ({istio.effective_note})" if istio.effective_note else ""
        message = (f"Istio {istio.effective}{note} supports Kubernetes "
                   f"{supported[0]}–{supported[-1]}, but the cluster runs {kmin} "
                   f"({k8s.object} at {_where(k8s.location)}). {advice}")
        yield report(message, istio.location, object=istio.object, detail=kmin, fix=f"use an Istio release that supports Kubernetes {kmin}")


# --- MESH105 -------------------------------------------------------------------------------


@rule("MESH105")
def istio_end_of_life(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    istio = _istio_reference(model)
    if istio is None:
        return
    minor = minor_of(istio.effective)
    row = _release_row(minor)
    eol = _date(row.get("eol")) if row else None
    if eol is None or eol > ctx.as_of:
        return
    supported = []
    for r in knowledge.data("istio-releases")["releases"]:
        released, end = _date(r.get("released")), _date(r.get("eol"))
        if released and released <= ctx.as_of and (end is None or end > ctx.as_of):
            supported.append(text(r["minor"]) or "")
    stale = ""
    if ctx.as_of > data_as_of("istio-releases"):
        stale = f" (release data as of {data_as_of('istio-releases')})"
    note = f" ({istio.effective_note})" if istio.effective_note else ""
    message = (f"Istio {istio.effective}{note} reached end of life on {eol}: no more security "
               f"fixes as of {ctx.as_of}. Supported releases then: "
               f"{', '.join(supported) or 'unknown'}{stale}. Upgrade one minor at a time.")
    # no version in the identity: upgrading to another end-of-life minor (or fixing a skew)
    # leaves the same finding, not a "new" one for baselines, --new-since and `meshlint diff`
    yield report(message, istio.location, object=istio.object, detail="", fix=f"upgrade Istio to {supported[-1] if supported else 'a supported release'}")


# --- MESH106 (--online) --------------------------------------------------------------------


@rule("MESH106")
def chart_version_not_found(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    for rel in model.releases:
        available = rel.available
        if available is None or getattr(available, "error", None) or not isinstance(rel.version, str):
            continue
        if rel.pin != PINNED:
            continue
        offered: list[str] = [v for v, _ in getattr(available, "versions", ())]
        wanted = rel.version.strip()
        if wanted in offered or wanted.lstrip("v") in offered or f"v{wanted}" in offered:
            continue
        same_line = sorted((v for v in offered if minor_of(v) and minor_of(v) == minor_of(wanted)),
                           key=_v)
        newest = sorted((v for v in offered if (pv := parse_version(v)) is not None and not pv.is_prerelease),
                        key=_v)[-3:]
        hint = (f"versions of {minor_of(wanted)}: {', '.join(same_line)}" if same_line
                else f"newest: {', '.join(newest)}")
        chart = rel.chart_name or rel.chart
        message = (f'{rel.object} pins the {chart} chart to "{wanted}", which {rel.repository} does '
                   f"not publish ({hint}). Helm will fail at apply time.")
        yield report(message, rel.version_location or rel.location, object=rel.object,
                      detail=wanted, fix=f"use a published version ({hint})")

"""Lifecycle: things that stop working on a date — a chart repository or image registry its
publisher retires (MESH107), and an EKS Kubernetes version in paid extended support or
past it (MESH502). Both are judged on the run's --as-of."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator

from meshlint import knowledge
from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.findings import Finding, Severity
from meshlint.images import parse_image
from meshlint.knowledge.lifecycle import EksSupport, RetiredHost
from meshlint.locate import key_location
from meshlint.model import HelmRelease, Model
from meshlint.values import Location
from meshlint.versioning import minor_of, parse_version

# --- MESH107 -------------------------------------------------------------------------------


def _newer_than_published(host: RetiredHost, version: object) -> bool:
    """Whether `version` is a release the host never received (after its last minor)."""
    parsed = parse_version(version) if isinstance(version, str) else None
    return parsed is not None and not parsed.is_prerelease and \
        (parsed.major, parsed.minor) > (host.last_minor.parsed.major, host.last_minor.parsed.minor)


def _switch_off_words(host: RetiredHost, as_of: _dt.date) -> str:
    """When the host goes (or went) off, saying so when the day is only inferred."""
    off = host.off_since(as_of)
    if off is None:
        when = f"switches it off {host.switch_off_text}"
        if host.outages:
            when += f"; test switch-offs (UTC): {', '.join(host.outages)}"
        return when
    if not host.off_date_inferred:
        return f"switched it off on {off}"
    sureness = host.expected_off_confidence.caveat(f"the date {off}")
    return (f"is expected to have switched it off by {off} ({sureness or 'the date ' + str(off)}, "
            f"{host.expected_off_basis})")


def _retired_message(host: RetiredHost, what: str, kind: str, missing: bool, as_of: _dt.date) -> str:
    replacement = host.replacements[kind]
    when = _switch_off_words(host, as_of)
    caveat = host.confidence.caveat("the retirement")
    missing_text = (f" {host.publisher} {host.last_minor} was the last release published there, so this "
                    f"version is not there at all." if missing else "")
    return (f"{what}: {host.match} is being retired by {host.publisher}: nothing after "
            f"{host.last_minor} is published there and {host.publisher} {when}"
            f"{' (' + caveat + ')' if caveat else ''}.{missing_text} "
            f"Use {replacement} instead (the same artifacts).")


def _severity(host: RetiredHost, missing: bool, as_of: _dt.date) -> Severity:
    return Severity.ERROR if missing or host.switched_off(as_of) else Severity.WARNING


def _release_repository(rel: HelmRelease, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    repo = rel.repository
    if not isinstance(repo, str):
        return
    kind = "oci-charts" if repo.strip().startswith("oci://") else "charts"
    chart = rel.chart if isinstance(rel.chart, str) else ""
    if kind == "charts" and chart.startswith("oci://"):
        kind, repo = "oci-charts", chart
    host = knowledge.artifact_hosts().retired(repo, kind, ctx.as_of)
    if host is None:
        return
    missing = rel.pin == "pinned" and _newer_than_published(host, rel.version)
    what = f"{rel.object} installs the {rel.chart_name or chart} chart" + (
        f" {rel.version}" if isinstance(rel.version, str) else "") + f" from {repo}"
    yield report(_retired_message(host, what, kind, missing, ctx.as_of), rel.repository_location or rel.location,
                 object=rel.object, detail=host.id, severity=_severity(host, missing, ctx.as_of),
                 fix=f"use the repository {host.replacements[kind]}")


def _value_location(rel: HelmRelease, dotted: str) -> Location:
    """Where a values key is written (the last values document that has it), else the release."""
    keys = dotted.split(".")
    for doc in reversed(rel.values):
        node = doc
        for k in keys[:-1]:
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, dict) and keys[-1] in node:
            return key_location(node, keys[-1], rel.location)
    return rel.location


def _hub_values(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    """Istio charts take their image registry from `hub` / `global.hub`."""
    istio_charts = knowledge.istio_releases().charts
    for rel in model.releases:
        if rel.chart_name not in istio_charts:
            continue
        for key in ("global.hub", "hub"):
            hub = rel.value(key)
            if not isinstance(hub, str):
                continue
            host = knowledge.artifact_hosts().retired(hub, "images", ctx.as_of)
            if host is None:
                continue
            missing = rel.pin == "pinned" and _newer_than_published(host, rel.version)
            what = f"{rel.object} pulls the Istio images from {key} = {hub}"
            yield report(_retired_message(host, what, "images", missing, ctx.as_of),
                         _value_location(rel, key), object=rel.object, detail=host.id,
                         severity=_severity(host, missing, ctx.as_of),
                         fix=f"set {key} to {host.replacements['images']}")


def _images(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    seen: set[tuple[str, Location]] = set()
    for subject in model.arch_subjects:
        for image, loc in subject.images:
            if not isinstance(image, str) or (image, loc) in seen:
                continue
            seen.add((image, loc))
            host = knowledge.artifact_hosts().retired(image, "images", ctx.as_of)
            if host is None:
                continue
            tag = parse_image(image).tag
            missing = _newer_than_published(host, tag.lstrip("v").split("-")[0] if tag else None)
            what = f"{subject.name} pulls the image {image}"
            yield report(_retired_message(host, what, "images", missing, ctx.as_of), loc,
                         object=subject.name, detail=host.id,
                         severity=_severity(host, missing, ctx.as_of),
                         fix=f"pull from {host.replacements['images']}")


@rule("MESH107")
def retired_artifact_host(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    for rel in model.releases:
        yield from _release_repository(rel, ctx, report)
    yield from _hub_values(model, ctx, report)
    yield from _images(model, ctx, report)


# --- MESH502 -------------------------------------------------------------------------------


@rule("MESH502")
def eks_version_support(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    clusters = model.components_of("kubernetes")
    if not clusters:
        return  # the table is read only when there is a cluster version (start-up time)
    table = knowledge.eks_versions()
    for comp in clusters:
        minor = minor_of(comp.effective) if comp.effective else None
        row = table.version(minor) if minor else None
        if row is None or row.eks_release > ctx.as_of:
            continue  # not an EKS version meshlint knows on the run's date
        support = table.support(row, ctx.as_of)
        if support == EksSupport.STANDARD:
            continue
        current = table.in_standard_support(ctx.as_of)
        upgrade = f"Kubernetes {current[0]} or newer" if current else "a version in standard support"
        caveat = row.confidence.caveat(f"the EKS calendar row for {minor}")
        caveat = f" ({caveat})" if caveat else ""
        if support == EksSupport.EXTENDED:
            pricing = table.pricing
            extra = table.extra_monthly_cost()
            message = (f"{comp.object} runs Kubernetes {minor}, which is in EKS extended support on "
                       f"{ctx.as_of}: standard support ended {row.end_standard} and extended support "
                       f"ends {row.end_extended}{caveat}. Extended support bills "
                       f"${pricing.extended_hourly:.2f} per cluster-hour instead of "
                       f"${pricing.standard_hourly:.2f} (since {pricing.effective_from}): "
                       f"(${pricing.extended_hourly:.2f} − ${pricing.standard_hourly:.2f}) × "
                       f"{table.monthly_hours} h = ${extra:,.0f}/month more per cluster. Upgrade to {upgrade}.")
            severity = Severity.WARNING
        else:
            message = (f"{comp.object} runs Kubernetes {minor}, whose EKS extended support ended on "
                       f"{row.end_extended}{caveat}: EKS no longer creates clusters at {minor} and "
                       f"upgrades existing control planes itself, so this configuration no longer "
                       f"describes the cluster. Upgrade to {upgrade}.")
            severity = Severity.ERROR
        yield report(message, comp.location, object=comp.object, detail=f"{minor}:{support}",
                     severity=severity, fix=f"upgrade the cluster to {upgrade}")

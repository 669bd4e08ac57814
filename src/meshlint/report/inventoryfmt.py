"""`meshlint versions`: the mesh inventory per scope, and drift between scopes."""

from __future__ import annotations

import json
from collections.abc import Sequence

from meshlint import __version__
from meshlint.model import Model
from meshlint.report.safety import clean, neutralise, neutralise_json

ORDER = ("kubernetes", "istio-base", "istiod", "cni", "ztunnel", "gateway", "proxy", "kiali")


def _rows(model: Model) -> list[dict]:
    rows = []
    for c in sorted(model.components, key=lambda c: (ORDER.index(c.kind) if c.kind in ORDER else 99,
                                                     str(c.name))):
        rows.append({
            "component": c.kind, "name": str(c.name),
            "version": c.version if isinstance(c.version, (str, type(None))) else None,
            "pinning": c.pin, "effective": c.effective, "note": c.effective_note,
            "revision": c.revision if isinstance(c.revision, (str, type(None))) else None,
            "path": c.location.path, "line": c.location.line, "object": c.object,
            "origin": c.origin,
        })
    return rows


def _release_rows(model: Model) -> list[dict]:
    """Helm releases that are not mesh components (add-ons, applications): what a scope
    installs besides Istio and Kiali, with how each is pinned."""
    mesh = {c.object for c in model.components}
    rows = []
    for rel in sorted(model.releases, key=lambda r: r.object):
        if rel.object in mesh:
            continue
        version = rel.version if isinstance(rel.version, str) else None
        if version is None and rel.local_chart is not None:
            version = rel.local_chart.version
        where = rel.pin_location
        rows.append({"release": rel.object, "chart": rel.chart_name or "?", "version": version,
                     "pinning": "local" if rel.is_local_chart else rel.pin,
                     "path": where.path, "line": where.line, "origin": rel.origin})
    return rows


def drift(models: list[Model]) -> list[dict]:
    """Components whose effective versions differ between scopes (environments)."""
    by_key: dict[tuple[str, str], dict[str, set]] = {}
    for m in models:
        for c in m.components:
            key = (c.kind, str(c.name) if c.kind in ("gateway", "proxy") else "")
            by_key.setdefault(key, {}).setdefault(m.scope, set()).add(c.effective or "?")
    out = []
    for (kind, name), scopes in sorted(by_key.items()):
        versions = {v for vs in scopes.values() for v in vs}
        if len(scopes) > 1 and len(versions) > 1:
            out.append({"component": kind, "name": name,
                        "scopes": {s: sorted(vs) for s, vs in sorted(scopes.items())}})
    return out


def render(models: list[Model], fmt: str = "text") -> str:
    models = [m for m in models if m.components or m.releases]
    if fmt == "json":
        return neutralise_json(json.dumps({"version": __version__,
                           "scopes": [{"scope": m.scope, "components": _rows(m),
                                       "releases": _release_rows(m)} for m in models],
                           "drift": drift(models)}, indent=2) + "\n")
    if not models:
        return "No mesh components or Helm releases found.\n"
    lines = []
    headers = ("COMPONENT", "NAME", "VERSION", "PINNING", "EFFECTIVE", "WHERE")
    for m in models:
        table = []
        for r in _rows(m):
            effective = r["effective"] or "?"
            table.append((r["component"], r["name"], str(r["version"] or "-"), r["pinning"],
                          effective, f"{r['path']}:{r['line']}"))
        lines.append(f"scope {clean(m.scope)}")
        lines.extend(_table(headers, table))
        notes = [r for r in _rows(m) if r["note"]]
        for r in notes:
            lines.append(f"  note: {r['component']} {clean(r['name'])}: {clean(r['note'])}")
        lines.extend(_table(("RELEASE", "CHART", "VERSION", "PINNING", "WHERE"),
                            [(r["release"], r["chart"], str(r["version"] or "-"), r["pinning"],
                              f"{r['path']}:{r['line']}") for r in _release_rows(m)]))
        lines.append("")
    d = drift(models)
    if d:
        lines.append("drift between scopes")
        for item in d:
            label = item["component"] + (f" {item['name']}" if item["name"] else "")
            parts = ", ".join(f"{s} {'/'.join(v)}" for s, v in item["scopes"].items())
            lines.append(f"  {clean(label)}: {clean(parts)}")
        lines.append("")
    return neutralise("\n".join(lines))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """An aligned table, indented under its scope; nothing when there are no rows."""
    if not rows:
        return []
    widths = [max(len(h), *(len(clean(row[i])) for row in rows)) for i, h in enumerate(headers)]
    out = ["  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    for row in rows:
        out.append("  " + "  ".join(clean(v).ljust(w) for v, w in zip(row, widths)).rstrip())
    return out

"""`meshlint data update`: refresh some data tables from their public sources (network,
opt-in), into the user cache.

Each fetched source is merged onto the table in force: it can fill what the table does not
know (a new minor, an end-of-life date, a patch release) but never removes a row, so a
partial download cannot lose facts. The merged table is validated against the same schema
as the shipped one before it is written (`knowledge.store`); a source that fails to
download, parse or validate leaves the table as it was. Rows dated after the run's date are
ignored by the rules that read them, so `--as-of` results stay reproducible.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

from msgspec import Struct

from meshlint.knowledge import KnowledgeError, in_force, reload
from meshlint.knowledge.store import REFRESHABLE, store
from meshlint.online import HttpClient, LookupError_
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import text
from meshlint.versioning import parse_version

#: table -> the public source it is refreshed from (overridable for tests and mirrors)
DEFAULT_URLS = {
    "istio-releases": "https://raw.githubusercontent.com/istio/istio.io/master/data/compatibility/supportStatus.yml",
    "kiali-compat": "https://raw.githubusercontent.com/kiali/kiali.io/master/data/compatibility/istio.yaml",
    "istio-patches": "https://blob.istio.io/istio-release/charts/index.yaml",
    "eks-versions": "https://endoflife.date/api/amazon-eks.json",
}


class UpdateResult(Struct, frozen=True):
    table: str
    url: str
    ok: bool
    message: str  # what changed, or why nothing was written


def _date(value: object) -> _dt.date | None:
    """A day from '2026-05-18', 'May 14, 2026', 'Sept 30, 2025'; None for '~Nov 2026 (Expected)'."""
    if isinstance(value, _dt.date):
        return value
    raw = (text(value) or "").strip().replace("Sept ", "Sep ")
    for fmt in ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y"):
        try:
            return _dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def _yaml(raw: bytes, where: str) -> object:
    parsed = parse_yaml_bytes(raw, where)
    if parsed.error or len(parsed.documents) != 1:
        raise KnowledgeError(f"{where}: not one YAML document")
    return parsed.documents[0].value


def _plain(node: object) -> object:
    """A parsed table as plain dicts and lists (to merge and serialise)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _minor_key(minor: object) -> tuple:
    parsed = parse_version(text(minor))
    return (parsed.major, parsed.minor) if parsed is not None else (0, 0)


# --- per table: fetched source + table in force -> merged document, and what changed ------------


def merge_istio_releases(raw: bytes, doc: dict, url: str) -> tuple[dict, list[str]]:
    rows = _yaml(raw, url)
    if not isinstance(rows, list):
        raise KnowledgeError(f"{url}: expected a list of releases")
    by_minor = {text(r["minor"]): r for r in doc["releases"]}
    changed = []
    for row in rows:
        if not isinstance(row, dict) or parse_version(text(row.get("version"))) is None:
            continue
        minor = text(row["version"]) or ""
        released, eol = _date(row.get("releaseDate")), _date(row.get("eolDate"))
        k8s = [text(v) for v in row.get("k8sVersions") or [] if parse_version(text(v))]
        current = by_minor.get(minor)
        if current is None:
            current = {"minor": minor, "released": released, "eol": eol, "kubernetes": k8s or None,
                       "kiali_addon": None, "confidence": "medium", "source": url}
            by_minor[minor] = current
            changed.append(f"{minor} added")
            continue
        for key, value in (("released", released), ("eol", eol), ("kubernetes", k8s or None)):
            if current.get(key) is None and value is not None:
                current[key] = value
                current["source"] = f"{current.get('source', '')}; {key} from {url}".lstrip("; ")
                changed.append(f"{minor} {key}")
    doc["releases"] = sorted(by_minor.values(), key=lambda r: _minor_key(r["minor"]))
    return doc, changed


def merge_istio_patches(raw: bytes, doc: dict, url: str) -> tuple[dict, list[str]]:
    index = _yaml(raw, url)
    entries = index.get("entries") if isinstance(index, dict) else None
    if not isinstance(entries, dict) or not isinstance(entries.get("istiod") or entries.get("base"), list):
        raise KnowledgeError(f"{url}: not a Helm chart index with the istiod chart")
    known = {text(p["version"]) for p in doc["patches"]}
    changed: list[str] = []
    for entry in entries.get("istiod") or entries.get("base") or []:
        version = (text(entry.get("version")) or "") if isinstance(entry, dict) else ""
        parsed = parse_version(version)
        created = (text(entry.get("created")) or "")[:10] if isinstance(entry, dict) else ""
        if parsed is None or parsed.is_prerelease or version in known or not _date(created):
            continue
        doc["patches"].append({"version": version, "date": created, "confidence": "medium",
                               "source": f"{url} (created)"})
        known.add(version)
        changed.append(version)
    doc["patches"].sort(key=lambda p: parse_version(text(p["version"])))
    return doc, changed


_KIALI_ITEM = re.compile(r"^\s*v?(\d+\.\d+(?:\.\d+)?)\s*(?:(to|-)\s*v?(\d+\.\d+(?:\.\d+)?)|(and higher|\+))?\s*$")


def _kiali_set(cell: str) -> list[str] | None:
    """kiali.io's 'Tested Kiali Versions' cell ('1.82 to 1.86, 2.4', '2.0 and higher') as items."""
    out = []
    for part in cell.split(","):
        if not part.strip():
            continue
        m = _KIALI_ITEM.match(part)
        if m is None:
            return None
        low, _, high, open_ = m.groups()
        out.append(f"{low}+" if open_ else f"{low} - {high}" if high else low)
    return out or None


def merge_kiali_compat(raw: bytes, doc: dict, url: str) -> tuple[dict, list[str]]:
    rows = _yaml(raw, url)
    if not isinstance(rows, list):
        raise KnowledgeError(f"{url}: expected a list")
    by_minor = {text(r["istio"]): r for r in doc["tested"]}
    changed = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        minor = text(row.get("istioVersion") or row.get("istio")) or ""
        items = _kiali_set(text(row.get("kialiVersions")) or "")
        if parse_version(minor) is None or items is None:
            continue
        current = by_minor.get(minor)
        if current is not None and current.get("confidence") == "high":
            continue  # already kiali.io's own row
        by_minor[minor] = {"istio": minor, "kiali": items, "confidence": "high", "source": url}
        changed.append(minor)
    doc["tested"] = sorted(by_minor.values(), key=lambda r: _minor_key(r["istio"]))
    return doc, changed


def merge_eks_versions(raw: bytes, doc: dict, url: str) -> tuple[dict, list[str]]:
    import json

    try:
        rows = json.loads(raw)
    except ValueError:
        raise KnowledgeError(f"{url}: not JSON") from None
    if not isinstance(rows, list):
        raise KnowledgeError(f"{url}: expected a list of cycles")
    by_minor = {text(r["kubernetes"]): r for r in doc["versions"]}
    changed = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        minor = text(row.get("cycle")) or ""
        release, end_std, end_ext = (_date(row.get(k)) for k in ("releaseDate", "eol", "extendedSupport"))
        if parse_version(minor) is None or not (release and end_std and end_ext):
            continue
        current = by_minor.get(minor)
        if current is not None and current.get("confidence") == "high":
            continue  # the AWS calendar row stays
        by_minor[minor] = {"kubernetes": minor, "eks_release": release, "end_standard": end_std,
                           "end_extended": end_ext, "confidence": "medium", "source": url}
        changed.append(minor)
    doc["versions"] = sorted(by_minor.values(), key=lambda r: _minor_key(r["kubernetes"]))
    return doc, changed


MERGERS: dict[str, Callable[[bytes, dict, str], tuple[dict, list[str]]]] = {
    "istio-releases": merge_istio_releases,
    "istio-patches": merge_istio_patches,
    "kiali-compat": merge_kiali_compat,
    "eks-versions": merge_eks_versions,
}
assert set(MERGERS) == set(DEFAULT_URLS) == set(REFRESHABLE)


def update(urls: dict[str, str], today: _dt.date, client: HttpClient) -> list[UpdateResult]:
    """Fetch each table's source, merge, validate and store it; one result per table."""
    results = []
    for name, url in urls.items():
        try:
            status, _headers, body = client.get(url)
            if status != 200:
                raise LookupError_(f"HTTP {status}")
            doc = _plain(in_force(name).document)
            assert isinstance(doc, dict)
            merged, changed = MERGERS[name](body, doc, url)
            if not changed:
                results.append(UpdateResult(name, url, True, "nothing new"))
                continue
            merged["as_of"] = today.isoformat()
            merged["sources"] = [*merged["sources"], f"{url} (meshlint data update {today})"]
            path = store(name, merged)
            results.append(UpdateResult(name, url, True, f"{', '.join(changed)} -> {path}"))
        except (LookupError_, KnowledgeError, KeyError, TypeError, AttributeError) as exc:
            results.append(UpdateResult(name, url, False, f"kept the data in force: {exc}"))
    reload()
    return results

"""SARIF 2.1.0 for code scanning: every rule in tool.driver.rules, real regions, paths
relative to the repository, partialFingerprints from the line-independent fingerprint."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from meshlint import __version__
from meshlint.findings import Report
from meshlint.project import repository_root
from meshlint.report.ruledocs import doc_url
from meshlint.report.safety import neutralise_json

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def sarif_root(start: str | None = None) -> str:
    """The enclosing git work tree (where code scanning resolves paths), else the cwd."""
    here = os.path.abspath(start or os.getcwd())
    return repository_root(here) or here


def _uri(abspath: str, fallback: str, root: str) -> str:
    """A relative URI reference (RFC 3986): the path with spaces, `#`, `%`, `?` ...
    percent-encoded, so that `a b.tf` or `values#1.yaml` resolve to the file."""
    path = fallback
    if abspath:
        rel = os.path.relpath(abspath, root)
        if not rel.startswith(".."):
            path = rel
    # a file name that is not UTF-8 arrives with surrogate escapes: percent-encode its bytes
    return quote(path.replace(os.sep, "/"), safe="/", errors="surrogateescape")


def render(report: Report, **_) -> str:
    from meshlint.knowledge import catalog  # lazy: loaded for SARIF output only

    docs = catalog()
    ids = sorted(docs)
    index = {code: i for i, code in enumerate(ids)}
    rules = []
    for code in ids:
        d = docs[code]
        rules.append({
            "id": d.id,
            "name": d.name,
            "shortDescription": {"text": d.summary},
            "fullDescription": {"text": d.description},
            "help": {"text": f"{d.description}\n\nHow to fix: {d.fix}\n\nExample:\n{d.example}",
                     "markdown": f"{d.description}\n\n**How to fix:** {d.fix}\n\n```\n{d.example}\n```"},
            "helpUri": doc_url(d.id),
            "defaultConfiguration": {"level": LEVEL[d.severity]},
            "properties": {"tags": ["meshlint", d.family]},
        })
    root = sarif_root()
    results = []
    for f in report.findings:
        loc = f.location
        region = {"startLine": loc.line, "startColumn": loc.column,
                  "endLine": max(loc.end_line, loc.line)}
        if loc.end_column and (loc.end_line > loc.line or loc.end_column > loc.column):
            region["endColumn"] = loc.end_column
        location: dict[str, object] = {"physicalLocation": {
            "artifactLocation": {"uri": _uri(f.abspath, loc.path, root), "uriBaseId": "SRCROOT"},
            "region": region}}
        if f.object:
            location["logicalLocations"] = [{"fullyQualifiedName": f.object}]
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [location],
            "partialFingerprints": {"meshlintFingerprint/v1": f.fingerprint},
        }
        if f.fingerprint in report.fixes:  # filled only when the run was asked for fixes
            from meshlint.fix.report import sarif_fix

            result["fixes"] = [sarif_fix(report.fixes[f.fingerprint], lambda p: _uri(p, p, root))]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "meshlint", "version": __version__,
                                "informationUri": "https://meshlint.dev", "rules": rules}},
            "originalUriBaseIds": {"SRCROOT": {"uri": Path(root).as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return neutralise_json(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

"""Baselines: the findings a repository already had, recorded by fingerprint (never by
line), so adopting meshlint on an old repository reports only what is new."""

from __future__ import annotations

import json

from meshlint import __version__
from meshlint.findings import Finding


class BaselineError(Exception):
    pass


def write(path: str, findings: list[Finding]) -> None:
    entries = {f.fingerprint: {"rule": f.rule, "path": f.relpath or f.location.path,
                               "object": f.object, "message": f.message[:200]} for f in findings}
    doc = {"tool": "meshlint", "version": __version__, "format": 1,
           "findings": dict(sorted(entries.items(), key=lambda kv: (kv[1]["path"], kv[1]["rule"], kv[0])))}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")


def load(path: str) -> set[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("tool") != "meshlint" or not isinstance(doc.get("findings"), dict):
        raise BaselineError(f"{path} is not a meshlint baseline")
    return set(doc["findings"])

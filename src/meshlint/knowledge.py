"""Knowledge: the rule catalog and the data tables in `rules/`, loaded once and validated.

`rules/` is data shipped inside the wheel (as `meshlint/rules`); in a source checkout
it is the top-level `rules/` folder. Adding a fact is a data change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import YMap, text

CATALOG_FIELDS = ("id", "name", "family", "severity", "summary", "description", "fix", "example")


class KnowledgeError(Exception):
    """The shipped rules/ data is broken: an internal error, exit 2."""


@dataclass(frozen=True)
class RuleDoc:
    id: str
    name: str
    family: str
    severity: str
    summary: str
    description: str
    fix: str
    example: str
    references: tuple[str, ...] = ()

    @property
    def help_uri(self) -> str:
        return f"https://meshlint.dev/rules/{self.id}"


def rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent.parent / "rules"):
        if (candidate / "catalog").is_dir():
            return candidate
    raise KnowledgeError("the rule catalog (rules/) is missing from this installation")


def _load_yaml(path: Path) -> object:
    parsed = parse_yaml_bytes(path.read_bytes(), str(path))
    if parsed.error or len(parsed.documents) != 1:
        raise KnowledgeError(f"{path}: invalid data file ({parsed.error})")
    return parsed.documents[0].value


@lru_cache(maxsize=1)
def catalog() -> dict[str, RuleDoc]:
    out: dict[str, RuleDoc] = {}
    for path in sorted((rules_dir() / "catalog").glob("MESH*.yaml")):
        doc = _load_yaml(path)
        if not isinstance(doc, YMap):
            raise KnowledgeError(f"{path}: not a mapping")
        missing = [f for f in CATALOG_FIELDS if not doc.get(f)]
        if missing:
            raise KnowledgeError(f"{path}: missing {', '.join(missing)}")
        if doc["id"] != path.stem:
            raise KnowledgeError(f"{path}: id {doc['id']} does not match the file name")
        if doc["severity"] not in ("info", "warning", "error"):
            raise KnowledgeError(f"{path}: bad severity {doc['severity']}")
        refs = doc.get("references") or []
        out[doc["id"]] = RuleDoc(
            id=str(doc["id"]), name=str(doc["name"]), family=str(doc["family"]),
            severity=str(doc["severity"]), summary=str(doc["summary"]).strip(),
            description=str(doc["description"]).strip(), fix=str(doc["fix"]).strip(),
            example=str(doc["example"]).rstrip(), references=tuple(str(r) for r in refs))
    return out


@lru_cache(maxsize=None)
def data(name: str) -> YMap:
    """A data table from rules/data/<name>.yaml; each must carry `as_of` and `sources`."""
    path = rules_dir() / "data" / f"{name}.yaml"
    if not path.is_file():
        raise KnowledgeError(f"data table {name} is missing")
    doc = _load_yaml(path)
    if not isinstance(doc, YMap) or not text(doc.get("as_of")) or not doc.get("sources"):
        raise KnowledgeError(f"{path}: a data table needs as_of and sources")
    return doc


def data_names() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "data").glob("*.yaml"))


def rule_doc(code: str) -> RuleDoc | None:
    return catalog().get(code.upper())


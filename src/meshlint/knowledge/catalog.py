"""The rule catalog, `rules/catalog/MESH*.yaml`: the one list of rule codes, with each
rule's name, default severity and documentation."""

from __future__ import annotations

from functools import lru_cache

from msgspec import Struct
from msgspec.structs import replace

from meshlint.findings import Severity
from meshlint.knowledge.files import load_yaml, rules_dir
from meshlint.knowledge.schema import KnowledgeError, build


class RuleDoc(Struct, frozen=True):
    id: str
    name: str
    family: str
    severity: Severity  # the default; configuration may override it per rule
    summary: str
    description: str
    fix: str
    example: str
    references: tuple[str, ...] = ()
    autofix: str = ""  # "safe" / "unsafe" (and when) for rules `meshlint fix` can fix; "" none

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            if name not in ("references", "autofix") and not getattr(self, name):
                raise ValueError(f"missing {name}")


@lru_cache(maxsize=1)
def codes() -> tuple[str, ...]:
    """Every rule code, in order: the catalog's file names (no entry is read)."""
    return tuple(sorted(path.stem for path in (rules_dir() / "catalog").glob("MESH*.yaml")))


def catalog() -> dict[str, RuleDoc]:
    """Every rule's entry, by code."""
    return {code: _entry(code) for code in codes()}


def rule_doc(code: str) -> RuleDoc | None:
    code = code.upper()
    return _entry(code) if code in codes() else None


@lru_cache(maxsize=None)
def _entry(code: str) -> RuleDoc:
    """One rule's entry, read when first asked for: a run reads only the entries of the
    rules that report something (reading all of them was a tenth of a small run)."""
    path = rules_dir() / "catalog" / f"{code}.yaml"
    doc = build(RuleDoc, load_yaml(path), str(path))
    if doc.id != code:
        raise KnowledgeError(f"{path}: id {doc.id} does not match the file name")
    return replace(doc, summary=doc.summary.strip(), description=doc.description.strip(),
                   fix=doc.fix.strip(), example=doc.example.rstrip())

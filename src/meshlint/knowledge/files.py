"""Where `rules/` is, and reading one of its YAML files."""

from __future__ import annotations

from pathlib import Path

from meshlint.knowledge.schema import KnowledgeError
from meshlint.parse.yamlfront import parse_yaml_bytes


def rules_dir() -> Path:
    package = Path(__file__).resolve().parent.parent  # .../meshlint
    for candidate in (package / "rules", package.parent.parent / "rules"):
        if (candidate / "catalog").is_dir():
            return candidate
    raise KnowledgeError("the rule catalog (rules/) is missing from this installation")


def load_yaml(path: Path) -> object:
    parsed = parse_yaml_bytes(path.read_bytes(), str(path))
    if parsed.error or len(parsed.documents) != 1:
        raise KnowledgeError(f"{path}: invalid data file ({parsed.error})")
    return parsed.documents[0].value

"""Where `rules/` is, and reading one of its YAML files."""

from __future__ import annotations

from pathlib import Path

# the schema and the YAML parser are imported where they are used: a run answered from the run
# cache only asks where `rules/` is


def rules_dir() -> Path:
    package = Path(__file__).resolve().parent.parent  # .../meshlint
    for candidate in (package / "rules", package.parent.parent / "rules"):
        if (candidate / "catalog").is_dir():
            return candidate
    from meshlint.knowledge.schema import KnowledgeError

    raise KnowledgeError("the rule catalog (rules/) is missing from this installation")


def load_yaml(path: Path) -> object:
    from meshlint.knowledge.schema import KnowledgeError
    from meshlint.parse.yamlfront import parse_yaml_bytes

    parsed = parse_yaml_bytes(path.read_bytes(), str(path))
    if parsed.error or len(parsed.documents) != 1:
        raise KnowledgeError(f"{path}: invalid data file ({parsed.error})")
    return parsed.documents[0].value

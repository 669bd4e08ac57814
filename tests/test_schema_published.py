"""The configuration schema published for editors: at a stable path, the same bytes as the copy
in the wheel, referenced by the README, and accepting the configurations the repository shows."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from conftest import REPO
from meshlint.config import ConfigError, load_config
from readme_text import README, readme_section, yaml_blocks

PUBLISHED = REPO / "schema" / "meshlint-config.schema.json"
PACKAGED = REPO / "src" / "meshlint" / "schema" / "meshlint-config.schema.json"
MODELINE = re.compile(r"#\s*yaml-language-server:\s*\$schema=(\S+)")


def schema() -> dict:
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


def example_configs() -> list[tuple[str, str]]:
    """Every configuration the repository shows: README snippets and .meshlint.y*ml files."""
    found = [(f"README {title} #{i}", block)
             for title in ("Configuration", "Editor support for .meshlint.yaml")
             for i, block in enumerate(yaml_blocks(readme_section(title)))]
    for path in sorted(REPO.rglob(".meshlint.y*ml")):
        if ".git" not in path.relative_to(REPO).parts:
            found.append((str(path.relative_to(REPO)), path.read_text(encoding="utf-8")))
    return found


def test_published_copy_is_the_packaged_schema():
    assert PUBLISHED.read_bytes() == PACKAGED.read_bytes(), (
        "schema/meshlint-config.schema.json is the published copy of "
        "src/meshlint/schema/meshlint-config.schema.json: copy it over after changing the schema")
    # the wheel's copy is what an installed meshlint has
    installed = resources.files("meshlint") / "schema" / "meshlint-config.schema.json"
    assert installed.read_bytes() == PUBLISHED.read_bytes()


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(schema())


def test_readme_points_editors_at_the_published_path():
    urls = MODELINE.findall(readme_section("Editor support for .meshlint.yaml"))
    assert urls, "the README shows the yaml-language-server modeline"
    # the same organisation as the pre-commit snippet's repository
    org_repo = re.search(r"repo: https://github\.com/([\w-]+/[\w-]+)", README)
    assert org_repo, "the README's pre-commit snippet names the repository"
    for url in urls:
        m = re.fullmatch(r"https://raw\.githubusercontent\.com/([\w-]+/[\w-]+)/main/(.+)", url)
        assert m and m.group(1) == org_repo.group(1), url
        assert (REPO / m.group(2)).resolve() == PUBLISHED.resolve(), url


@pytest.mark.parametrize("where, text", [pytest.param(w, t, id=w) for w, t in example_configs()])
def test_repository_configs_are_valid(where, text, tmp_path: Path):
    assert re.search(r"^\w", text, re.M), f"{where} holds no configuration"
    data = YAML(typ="safe").load(text)
    jsonschema.validate(data, schema())
    # meshlint itself agrees
    (tmp_path / ".meshlint.yaml").write_text(text, encoding="utf-8")
    load_config(str(tmp_path / ".meshlint.yaml"))


@pytest.mark.parametrize("config", [
    {"selct": ["MESH4"]},                        # a misspelt top-level key
    {"select": ["MESH4"], "fail_on": "error"},   # snake_case for kebab-case
    {"registries": {"timeout": 5, "proxy": "http://p"}},
])
def test_unknown_keys_are_rejected(config, tmp_path: Path):
    with pytest.raises(jsonschema.ValidationError, match="Additional properties are not allowed"):
        jsonschema.validate(config, schema())
    (tmp_path / ".meshlint.yaml").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path / ".meshlint.yaml"))

"""Configuration edges from issue 15's "Smaller" list: the max-file-bytes hard cap,
malformed pyproject/.meshlint.yaml shapes, and where the search for configuration stops."""

from meshlint.config import MAX_FILE_BYTES_CAP, load_settings


def test_max_file_bytes_is_capped_even_in_the_users_own_configuration(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    (home / "meshlint").mkdir(parents=True)
    (home / "meshlint" / "config.yaml").write_text(f"max-file-bytes: {10**12}\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / ".git").mkdir()
    config = load_settings(None, str(tree))
    assert MAX_FILE_BYTES_CAP == 64 * 1024 * 1024
    assert config.max_file_bytes == MAX_FILE_BYTES_CAP
    assert any("hard cap" in n for n in config.notes)


def test_max_file_bytes_under_the_cap_is_kept_from_the_users_configuration(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    (home / "meshlint").mkdir(parents=True)
    (home / "meshlint" / "config.yaml").write_text("max-file-bytes: 20000000\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / ".git").mkdir()
    assert load_settings(None, str(tree)).max_file_bytes == 20_000_000


import pytest  # noqa: E402

from conftest import meshlint_cli  # noqa: E402
from meshlint.config import ConfigError, load_config  # noqa: E402


@pytest.mark.parametrize("text", [
    "tool = 5\n",
    "[tool]\nmeshlint = \"x\"\n",
    "[[tool.meshlint]]\nselect = [\"MESH4\"]\n",
    "tool = [1, 2]\n",
])
def test_pyproject_shapes_that_are_not_tables_are_configuration_errors(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(str(tmp_path / "pyproject.toml"))
    assert "must be a table" in exc.value.message


@pytest.mark.parametrize("text, words", [
    ("[tool.meshlint]\nselect = 5\n", "select must be a list"),
    ("[tool.meshlint]\nseverity = []\n", "severity must map"),
    ("[tool.meshlint]\nregistries = [1]\n", "registries must be a mapping"),
    ("[tool.meshlint]\nas-of = 1979-05-27T07:32:00\n", "as-of must be a date"),
])
def test_pyproject_values_of_the_wrong_shape_are_configuration_errors(tmp_path, text, words):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(str(tmp_path / "pyproject.toml"))
    assert words in exc.value.message


@pytest.mark.parametrize("text", ["- select\n- ignore\n", "just a string\n", "5\n"])
def test_meshlint_yaml_that_is_not_a_mapping_is_a_configuration_error(tmp_path, text):
    (tmp_path / ".meshlint.yaml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(str(tmp_path / ".meshlint.yaml"))
    assert "must be a mapping" in exc.value.message


@pytest.mark.parametrize("text", ["tool = 5\n", "[tool.meshlint]\nas-of = 1979-05-27T07:32:00\n"])
def test_bad_pyproject_exits_2_with_one_line_and_no_internal_error(tmp_path, text):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(text)
    result = meshlint_cli("check", str(tmp_path), "--config", str(tmp_path / "pyproject.toml"))
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "internal error" not in result.stderr


def test_repository_max_file_bytes_over_the_cap_gets_one_note_that_says_what_happens(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # no user configuration
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / ".git").mkdir()
    (tree / ".meshlint.yaml").write_text(f"max-file-bytes: {10**12}\n")
    config = load_settings(None, str(tree))
    notes = [n for n in config.notes if "max-file-bytes" in n]
    assert config.max_file_bytes is None
    assert len(notes) == 1, notes
    assert "ignored in a repository's configuration" in notes[0] and "hard cap" not in notes[0]
    assert "the limit stays 5,242,880 bytes" in notes[0]

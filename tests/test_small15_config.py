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

"""Without `.git`, the search for configuration (and for the project root) stops at $HOME
and never reaches `/` (issue 15, "Smaller")."""

from pathlib import Path

from meshlint.config import find_config
from meshlint.project import project_root, search_upwards


def test_configuration_above_home_is_not_picked_up(tmp_path, monkeypatch):
    home = tmp_path / "home" / "user"
    tree = home / "work" / "infra"
    tree.mkdir(parents=True)
    (tmp_path / ".meshlint.yaml").write_text("select: [MESH4]\n")  # a parent of $HOME
    (tmp_path / "home" / ".meshlint.yaml").write_text("select: [MESH4]\n")
    monkeypatch.setenv("HOME", str(home))
    assert find_config(str(tree)) is None
    assert project_root(str(tree)) is None


def test_configuration_in_home_or_below_is_picked_up(tmp_path, monkeypatch):
    home = tmp_path / "user"
    tree = home / "work" / "infra"
    tree.mkdir(parents=True)
    (home / ".meshlint.yaml").write_text("select: [MESH4]\n")
    monkeypatch.setenv("HOME", str(home))
    assert find_config(str(tree)) == str((home / ".meshlint.yaml").resolve())
    assert project_root(str(tree)) == str(home)


def test_the_search_never_reaches_the_filesystem_root(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    chain = search_upwards(tmp_path.resolve())
    assert chain[0] == tmp_path.resolve()
    assert Path("/") not in chain

"""MESH002 quotes the suppression comment as it is written (`# meshlint: ignore[MESH9999]`),
not an internal name of its kind (`meshlint: line[...]`)."""

from conftest import check, write_tree


def _messages(root):
    return sorted(f.message for f in check(root).report.findings if f.rule == "MESH002")


def test_mesh002_quotes_each_comment_as_written(tmp_path):
    write_tree(tmp_path, {
        "ns.yaml": "# meshlint: ignore[MESH9999]\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n",
        "main.tf": 'resource "x" "y" { # meshlint: ignore[mesh401, MESH402] why\n'
                   "  a = 1 /* meshlint: ignore */\n}\n",
        "other.yaml": "# meshlint: ignore-file[MESH501] legacy\napiVersion: v1\nkind: ConfigMap\n"
                      "metadata:\n  name: c\n",
    })
    messages = _messages(tmp_path)
    assert any(m.startswith("suppression (`# meshlint: ignore[MESH9999]`) names no rule") for m in messages)
    assert any(m.startswith("unused suppression (`# meshlint: ignore[mesh401, MESH402]`)") for m in messages)
    assert any(m.startswith("unused suppression (`/* meshlint: ignore */`)") for m in messages)
    assert any(m.startswith("unused suppression (`# meshlint: ignore-file[MESH501]`)") for m in messages)
    assert not any("meshlint: line" in m or "meshlint: file" in m for m in messages), messages

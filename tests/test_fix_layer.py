"""The fix layer's guarantees: edits check the text they replace, overlapping edits are
refused, and a fix that would leave a file unparseable is not written."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshlint.discover import MANIFEST, TERRAFORM, FileEntry
from meshlint.findings import Finding
from meshlint.fix import Fix, Safety, TextEdit, apply_edits, disk_reader, plan
from meshlint.fix.edits import EditConflict
from meshlint.values import Location


def test_edit_refuses_stale_text() -> None:
    with pytest.raises(EditConflict):
        apply_edits("a = 1\n", [TextEdit("f", 1, 1, "b", "c")])


def test_overlapping_edits_are_refused_and_identical_ones_merge() -> None:
    with pytest.raises(EditConflict):
        apply_edits("abcdef", [TextEdit("f", 1, 1, "abc", "x"), TextEdit("f", 1, 2, "bcd", "y")])
    same = TextEdit("f", 1, 5, "1", "2")
    assert apply_edits("a = 1\n", [same, same]) == "a = 2\n"


def _finding(path: str) -> Finding:
    return Finding("MESH401", "warning", "m", Location(path, 1, 1), object="Namespace/x")


@pytest.mark.parametrize(("name", "kind", "text", "old", "new"), [
    ("main.tf", TERRAFORM, 'locals {\n  a = "1"\n}\n', '"1"', '"1'),
    ("ns.yaml", MANIFEST, "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n", "{name: x}", "{name: x"),
])
def test_a_fix_that_would_not_parse_is_not_written(tmp_path: Path, name: str, kind: str, text: str,
                                                   old: str, new: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if old in s)
    col = text.splitlines()[line - 1].index(old) + 1
    fix = Fix("MESH401", "break it", Safety.SAFE, (TextEdit(str(path), line, col, old, new),))
    entry = FileEntry(name, str(path), kind)
    done = plan([(_finding(name), fix)], [entry], disk_reader(), unsafe=True)
    assert done.changes == []
    assert "would not parse" in done.skipped[0][1]
    good = Fix("MESH401", "keep it", Safety.SAFE, (TextEdit(str(path), line, col, old, old),))
    assert plan([(_finding(name), good)], [entry], disk_reader()).skipped == []

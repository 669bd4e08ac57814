"""Hostile input to the parsing layer: each input is generated here, in tmp_path."""

from __future__ import annotations

from pathlib import Path

from meshlint.discover import MANIFEST, FileEntry
from meshlint.parse.batch import PARALLEL_MIN_BYTES, parse_files


def _entry(path: Path, kind: str = MANIFEST) -> FileEntry:
    return FileEntry(path=str(path), abspath=str(path), kind=kind)


def test_one_large_file_with_several_jobs_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "crds.yaml"
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{}\ndata:\n  k: " + "x" * 200 + "\n---\n"
    big.write_text("".join(doc.format(i) for i in range(PARALLEL_MIN_BYTES // 200 + 10)))
    assert big.stat().st_size >= PARALLEL_MIN_BYTES
    results = parse_files([_entry(big)], max_bytes=50_000_000, jobs=4)
    pf = results[str(big)]
    assert pf.error is None
    assert pf.yaml is not None and len(pf.yaml.documents) > 1000

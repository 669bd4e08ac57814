"""The run cache against files the run read without discovering them: `file()`,
`templatefile()` and `yamldecode(file())` of a file meshlint does not check by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import meshlint_cli, write_tree

RELEASE = ('resource "helm_release" "istiod" {{\n  name       = "istiod"\n'
           '  repository = "https://blob.istio.io/istio-release/charts"\n'
           '  chart      = "istiod"\n  version    = "1.28.3"\n  values     = [{read}]\n}}\n')
READS = {
    "file": 'file("${path.module}/istiod.values")',
    "templatefile": 'templatefile("${path.module}/istiod.values.tpl", { hub = "gcr.io/istio-release" })',
    "yamldecode": 'yamlencode(yamldecode(file("${path.module}/istiod.values")))',
}
BAD_HUB = "global:\n  hub: gcr.io/istio-release\n"
GOOD_HUB = "global:\n  hub: docker.io/istio\n"


@pytest.mark.parametrize("how", sorted(READS))
def test_an_edited_file_read_by_hcl_is_a_run_cache_miss(tmp_path: Path, how: str) -> None:
    name = "istiod.values.tpl" if how == "templatefile" else "istiod.values"
    bad = "global:\n  hub: ${hub}\n" if how == "templatefile" else BAD_HUB
    good = bad.replace("${hub}", "docker.io/istio").replace("gcr.io/istio-release", "docker.io/istio")
    repo = write_tree(tmp_path / "repo", {"main.tf": RELEASE.format(read=READS[how]), name: bad})
    env = {"MESHLINT_CACHE_DIR": str(tmp_path / "cache")}
    args = ("check", str(repo), "--select", "MESH107", "--as-of", "2026-11-27", "-v")
    first = meshlint_cli(*args, env=env)
    assert first.returncode == 1 and "MESH107" in first.stdout
    assert "run cache" in meshlint_cli(*args, env=env).stderr  # unchanged: answered from the cache
    (repo / name).write_text(good)
    edited = meshlint_cli(*args, env=env)
    assert "run cache" not in edited.stderr
    assert edited.returncode == 0 and "MESH107" not in edited.stdout
    (repo / name).unlink()  # a deleted file is a miss too
    assert "run cache" not in meshlint_cli(*args, env=env).stderr


def test_the_run_key_does_not_read_files_past_the_size_limit(tmp_path: Path) -> None:
    from meshlint import runcache

    big = tmp_path / "big.yaml"
    big.write_bytes(b"a" * 5000)
    digest = runcache.file_digest(str(big), max_bytes=100)
    assert digest.startswith("oversize:5000:")
    assert runcache.file_digest(str(big), max_bytes=10_000) != digest
    assert runcache.file_digest(str(tmp_path / "nothing"), 100) == "missing"


def test_a_file_edited_while_the_run_used_it_is_a_miss_next_time(tmp_path: Path, monkeypatch) -> None:
    # the run read BAD_HUB; the file changes before its result is stored: the stored result
    # depends on what the run read, so the next run (reading GOOD_HUB) is not answered by it
    import datetime as _dt

    from meshlint import runcache
    from meshlint.engine import Options, run

    repo = write_tree(tmp_path / "repo", {"main.tf": RELEASE.format(read=READS["file"]), "istiod.values": BAD_HUB})
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(tmp_path / "cache"))
    options = Options(paths=[str(repo)], select=["MESH107"], as_of=_dt.date(2026, 11, 27), cache=True, jobs=1)
    store = runcache.store

    def edited_meanwhile(*args, **kwargs):
        (repo / "istiod.values").write_text(GOOD_HUB)
        store(*args, **kwargs)

    monkeypatch.setattr(runcache, "store", edited_meanwhile)
    assert [f.rule for f in run(options).report.findings] == ["MESH107"]
    monkeypatch.setattr(runcache, "store", store)
    assert [f.rule for f in run(options).report.findings] == []

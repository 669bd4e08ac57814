"""Hostile input to the parsing layer: each input is generated here, in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from meshlint.discover import MANIFEST, FileEntry
from meshlint.parse.batch import PARALLEL_MIN_BYTES, parse_files
from conftest import meshlint_cli


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


def _run_isolated(code: str) -> subprocess.CompletedProcess:
    """A crash of the interpreter (SIGSEGV) must fail the test, not the test run."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")})


@pytest.mark.parametrize("style", ["flow", "block", "sequence", "flow-map"])
def test_deep_nesting_is_a_parse_error_not_a_crash(style: str) -> None:
    code = f"""
from meshlint.parse.yamlfront import parse_yaml_bytes
n = 30000
style = {style!r}
if style == "flow":
    data = b"[" * n + b"]" * n
elif style == "flow-map":
    data = b"a: " + b"{{a: " * n + b"}}" * n
elif style == "sequence":
    data = b"- " * n + b"x"
else:
    data = "".join(" " * i + "a:\\n" for i in range(n)).encode()
r = parse_yaml_bytes(data, "deep.yaml")
print(r.error)
"""
    proc = _run_isolated(code)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-500:])
    assert "nested too deeply" in proc.stdout or "nesting deeper" in proc.stdout


def test_deep_nesting_in_utf16_is_refused_too() -> None:
    code = """
from meshlint.parse.yamlfront import parse_yaml_bytes
n = 30000
data = ("[" * n + "]" * n).encode("utf-16")
print(parse_yaml_bytes(data, "deep.yaml").error)
"""
    proc = _run_isolated(code)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-500:])
    assert "nested too deeply" in proc.stdout


def test_deep_nesting_through_the_cli_is_mesh001(tmp_path: Path) -> None:
    n = 30000
    (tmp_path / "values.yaml").write_bytes(b"a: " + b"[" * n + b"]" * n)
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    proc = meshlint_cli("check", str(tmp_path), "--format", "json", "--no-cache")
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr[-500:])
    assert "nested too deeply" in proc.stdout


def test_deep_configuration_is_a_configuration_error(tmp_path: Path) -> None:
    n = 30000
    (tmp_path / ".meshlint.yaml").write_bytes(b"exclude: " + b"[" * n + b"]" * n)
    proc = meshlint_cli("check", str(tmp_path), "--no-cache")
    assert proc.returncode == 2 and "nested too deeply" in proc.stderr, (proc.returncode, proc.stderr[-500:])


def test_merge_keys_share_one_expansion_budget_per_file() -> None:
    code = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))
from meshlint.parse.yamlfront import parse_yaml_bytes
keys = "".join(f"  k{i}: v{i}\\n" for i in range(2000))
doc = "base: &base\\n" + keys + "items:\\n" + "".join(f"  - <<: *base\\n    n: {i}\\n" for i in range(900))
data = "---\\n".join([doc] * 20).encode()
r = parse_yaml_bytes(data, "merge.yaml")
print(r.error)
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""
    proc = _run_isolated(code)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert "merge keys copy more than" in proc.stdout  # the merge budget, before the general one
    assert int(proc.stdout.split("MAXRSS")[1]) < 300


def test_merge_keys_within_budget_still_merge() -> None:
    from meshlint.parse.yamlfront import parse_yaml_bytes

    y = parse_yaml_bytes(b"base: &b {x: 1}\nitems:\n" + b"".join(b"  - <<: *b\n    n: %d\n" % i for i in range(500)), "f")
    assert y.error is None
    assert y.documents[0].value["items"][499] == {"x": 1, "n": 499}


def test_a_parse_stopped_by_the_time_budget_leaves_no_garbage_behind() -> None:
    import gc

    from meshlint.parse.yamlfront import parse_yaml_bytes

    data = b"".join(b"- {a: [1, 2, {b: c}], d: e}\n" for _ in range(200_000))
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            r = parse_yaml_bytes(data, "slow.yaml", budget=0.05)
            assert r.error is not None and "took longer" in r.error[2]
            ok = parse_yaml_bytes(b"a: &x {b: 1}\nc: *x\n", "ok.yaml")
            assert ok.error is None
        assert gc.collect() < 100  # everything was freed by reference counting
    finally:
        if was:
            gc.enable()


class _Payload:
    """What a hostile cache writer would store: a pickle that runs code when loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _poisoned_cache(tmp_path: Path, entry: FileEntry, blob: bytes) -> Path:
    from meshlint.parse.cachestore import ParseCache

    cache_root = tmp_path / "cache"
    cache = ParseCache(cache_root, None)
    cache.store(cache.key(entry, Path(entry.abspath).read_bytes(), 5_000_000), blob)
    cache.flush()
    return cache_root


def test_the_parse_cache_never_unpickles(tmp_path: Path) -> None:
    import pickle

    manifest = tmp_path / "ns.yaml"
    manifest.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    marker = tmp_path / "pwned"
    entry = _entry(manifest)
    root = _poisoned_cache(tmp_path, entry, pickle.dumps(_Payload(marker)))
    pf = parse_files([entry], max_bytes=5_000_000, cache_root=root)[str(manifest)]
    assert not marker.exists()
    assert pf.yaml is not None and pf.yaml.documents[0].value["metadata"]["name"] == "shop"


@pytest.mark.parametrize("blob", [b"{}", b'{"format": 2, "marked": false, "skipped": null, "yaml": '
                                  b'{"error": null, "complex": false, "documents": [[[0, 1, 1, 1, [5], [1], [[1, 1]]], 1, 1, 0, false]]}}',
                                  b"\x80\x04garbage", b"[" * 100_000])
def test_a_forged_cache_entry_is_a_miss(tmp_path: Path, blob: bytes) -> None:
    manifest = tmp_path / "ns.yaml"
    manifest.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    entry = _entry(manifest)
    root = _poisoned_cache(tmp_path, entry, blob)
    pf = parse_files([entry], max_bytes=5_000_000, cache_root=root)[str(manifest)]
    assert pf.yaml is not None and pf.yaml.documents[0].value["metadata"]["name"] == "shop"


def test_cached_parse_equals_a_fresh_parse(tmp_path: Path) -> None:
    from meshlint.parse import parse_entry

    manifest = tmp_path / "d.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                        "data: &d {v: 1.10, n: 3, b: yes, s: 'x', z: ~}\nother: *d\nlist: [1, 2.5, [a]]\n"
                        "---\nkind: [\n")
    entry = _entry(manifest)
    fresh = parse_entry(entry)
    root = tmp_path / "cache"
    parse_files([entry], max_bytes=5_000_000, cache_root=root)
    cached = parse_files([entry], max_bytes=5_000_000, cache_root=root)[str(manifest)]
    assert cached.yaml is not None and fresh.yaml is not None
    got, want = cached.yaml.documents[0].value, fresh.yaml.documents[0].value
    assert got == want and str(got["data"]["v"]) == "1.10"
    assert got["other"] is got["data"]  # aliases stay shared
    assert got.keypos == want.keypos and got["list"].itempos == want["list"].itempos
    assert (cached.error.message, cached.error.location) == (fresh.error.message, fresh.error.location)
    assert cached.yaml.error == fresh.yaml.error


def test_chart_templates_are_not_read_through_links_out_of_the_tree(tmp_path: Path) -> None:
    from meshlint.parse import template_kinds

    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: SecretKindFromOutside\n")
    templates = tmp_path / "chart" / "templates"
    templates.mkdir(parents=True)
    (templates / "ok.yaml").write_text("kind: Service\n")
    (templates / "out.yaml").symlink_to(outside)
    (templates / "stdin.yaml").symlink_to("/dev/stdin")
    os.mkfifo(templates / "fifo.yaml")
    proc = _run_isolated(f"from meshlint.parse import template_kinds; print(sorted(template_kinds({str(templates)!r})))")
    assert proc.returncode == 0, proc.stderr
    kinds = template_kinds(str(templates))
    assert "Service" in kinds and "SecretKindFromOutside" not in kinds

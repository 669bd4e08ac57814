"""The caches: a repeated run is answered from the run cache, an edited file is parsed
again while the others come from the parse cache, --no-cache touches neither."""

from conftest import meshlint_cli, write_tree

# a comment that makes a few files more YAML than meshlint parses without the parse cache
PAD = ("# " + "x" * 78 + "\n") * 80
NS = PAD + \
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {n}\n  labels:\n    istio-injection: enabled\n    istio.io/rev: canary\n"


def test_run_cache_parse_cache_and_no_cache(tmp_path):
    repo = write_tree(tmp_path / "repo", {f"k8s/ns{i}.yaml": NS.format(n=f"n{i}") for i in range(3)})
    env = {"MESHLINT_CACHE_DIR": str(tmp_path / "cache")}
    first = meshlint_cli("check", str(repo), "-v", env=env)
    assert "files: 3 parsed, 0 from the parse cache" in first.stderr
    second = meshlint_cli("check", str(repo), "-v", env=env)
    assert "run cache" in second.stderr and second.stdout == first.stdout
    assert second.returncode == first.returncode == 1
    (repo / "k8s" / "ns1.yaml").write_text(NS.format(n="n1").replace("    istio.io/rev: canary\n", ""))
    third = meshlint_cli("check", str(repo), "-v", env=env)
    assert "files: 1 parsed, 2 from the parse cache" in third.stderr
    assert third.stdout.count("MESH402") == 2
    fresh = tmp_path / "fresh"
    nocache = meshlint_cli("check", str(repo), "--no-cache", env={"MESHLINT_CACHE_DIR": str(fresh)})
    assert nocache.stdout == third.stdout and not fresh.exists()


def test_a_corrupt_cache_is_a_miss(tmp_path):
    repo = write_tree(tmp_path / "repo", {"ns.yaml": NS.format(n="a")})
    cache = tmp_path / "cache"
    env = {"MESHLINT_CACHE_DIR": str(cache)}
    good = meshlint_cli("check", str(repo), env=env)
    for path in cache.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage")
    again = meshlint_cli("check", str(repo), env=env)
    assert again.stdout == good.stdout and again.returncode == good.returncode


def test_run_cache_records_every_field_of_a_finding():
    """The run cache writes findings field by field (not msgspec.to_builtins, for speed): a
    field added to Finding or Location must be stored too, or a warm run would drop it."""
    import msgspec

    from meshlint.findings import Finding, Severity
    from meshlint.findings import finding_from_record, finding_record
    from meshlint.values import Location

    finding = Finding("MESH101", Severity.ERROR, "message", Location("a.tf", 3, 4, 5, 6), object="o",
                      scope="s", detail="d", fix="f", name="n", relpath="r", abspath="/a")
    assert finding_record(finding) == msgspec.to_builtins(finding)
    assert finding_from_record(finding_record(finding)) == finding


def test_the_parse_cache_of_another_build_is_not_read(tmp_path, monkeypatch):
    """Parsing code that changed (an edited checkout, a rebuilt wheel of the same version)
    must not be answered with what the old code parsed: each build has its cache file, and
    only the most recently used few of the others are kept."""
    from meshlint import cachedir
    from meshlint.discover import discover
    from meshlint.parse import batch, cachestore

    write_tree(tmp_path / "repo", {"ns.yaml": PAD * 3 + "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"})
    files = discover([str(tmp_path / "repo")]).files
    cache = tmp_path / "cache"

    def parse_with(build: str) -> dict:
        monkeypatch.setattr(cachestore, "code_digest", lambda: build * 16)
        batch.parse_files(files, 5_000_000, cache_root=cache)
        return dict(batch.STATS)

    assert parse_with("a")["cached"] == 0
    assert parse_with("a")["cached"] == 1
    assert parse_with("b")["cached"] == 0  # another build: parsed again
    for build in "cdef":
        parse_with(build)
    kept = sorted(p.name for p in cache.glob("parse-*.sqlite"))
    assert len(kept) == cachestore.KEPT_BUILDS + 1 and any("ffff" in name for name in kept)
    assert cachedir.code_digest() == cachedir.code_digest()  # worked out once per process


def test_a_run_right_after_another_reads_the_cache_it_left(tmp_path):
    """A command-line run writes the parse cache in a forked child once its report is out;
    the next run, started at once, finds every unchanged file in the cache."""
    import os
    import re
    import subprocess
    import sys

    from conftest import REPO

    files = {f"k8s/app{i}.yaml": PAD + f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app{i}\n"
             for i in range(60)}
    write_tree(tmp_path / "repo", files)
    env = {**os.environ, "MESHLINT_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO / "src")}

    def run() -> str:
        proc = subprocess.run([sys.executable, "-m", "meshlint", "check", str(tmp_path / "repo"), "--verbose"],
                              capture_output=True, text=True, env=env, timeout=60)
        return re.search(r"files: \d+ parsed, \d+ from the parse cache", proc.stderr).group()

    assert run() == "files: 60 parsed, 0 from the parse cache"
    (tmp_path / "repo" / "k8s" / "app0.yaml").write_text(files["k8s/app0.yaml"] + "  labels: {a: b}\n")
    assert run() == "files: 1 parsed, 59 from the parse cache"


def test_a_reader_waits_for_the_writer_that_holds_the_lock(tmp_path):
    """The writer's lock is taken when the writes are deferred and given up when they are
    done; a run starting meanwhile (another process) waits for it before reading."""
    import subprocess
    import sys
    import time

    from conftest import REPO
    from meshlint.parse.cachestore import ParseCache

    cache = ParseCache(tmp_path, None)
    write = cache.held(lambda: None)  # the lock is held from here
    reader = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from meshlint.parse.cachestore import ParseCache; "
        "t = time.monotonic(); ParseCache(Path(sys.argv[1]), None).load_many(['k']); "
        "print(time.monotonic() - t)"), str(tmp_path)], stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(REPO / "src")})
    time.sleep(1.0)
    write()  # the writes are done: the lock is given up
    waited = float(reader.communicate(timeout=30)[0])
    assert 0.7 < waited < 5.0


def test_a_few_kilobytes_of_yaml_are_parsed_not_looked_up(tmp_path):
    """Parsing a few KB costs less than opening the parse cache: a small run neither reads
    nor writes it (Terraform files are never cached, for the same reason)."""
    repo = write_tree(tmp_path / "repo", {"k8s/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"})
    env = {"MESHLINT_CACHE_DIR": str(tmp_path / "cache")}
    meshlint_cli("check", str(repo), env=env)
    assert not list((tmp_path / "cache").glob("parse-*.sqlite"))


def test_the_writer_that_outlives_the_run_does_not_hold_its_output_open(tmp_path):
    """The run's output ends when the run does: a reader of its pipe (`| head`, a CI step)
    does not wait for the parse cache's writer, which keeps no copy of the run's streams.
    The writer is held up here by a write lock on the cache's database."""
    import os
    import sqlite3
    import subprocess
    import sys
    import threading
    import time

    from conftest import REPO
    from meshlint.model.types import FULL_KINDS
    from meshlint.parse.cachestore import ParseCache

    files = {f"k8s/app{i}.yaml": PAD + f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app{i}\n"
             for i in range(40)}
    write_tree(tmp_path / "repo", files)
    cache = tmp_path / "cache"
    cache.mkdir()
    db = sqlite3.connect(str(ParseCache(cache, FULL_KINDS).path), isolation_level=None, check_same_thread=False)
    db.execute("CREATE TABLE parsed (key TEXT PRIMARY KEY, blob BLOB)")
    db.execute("BEGIN IMMEDIATE")  # readers go on; the writer waits for this
    released = threading.Timer(4.0, lambda: db.execute("COMMIT"))
    released.start()
    env = {**os.environ, "MESHLINT_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO / "src")}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "meshlint", "check", str(tmp_path / "repo")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, _ = proc.communicate(timeout=60)  # until every holder of the pipes has closed them
    took = time.monotonic() - started
    released.join()
    assert proc.returncode in (0, 1) and out
    assert took < 3.5, f"the output ended {took:.1f} s after the start: the writer held it open"


def test_a_damaged_parse_cache_is_started_over(tmp_path):
    """A parse cache that is not a database any more (a writer killed mid-way on a machine
    with a torn file, a bad restore) is deleted and written anew, not missed forever."""
    from meshlint.discover import discover
    from meshlint.parse import batch
    from meshlint.parse.cachestore import ParseCache

    write_tree(tmp_path / "repo", {"ns.yaml": PAD * 3 + "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"})
    files = discover([str(tmp_path / "repo")]).files
    cache = tmp_path / "cache"
    batch.parse_files(files, 5_000_000, cache_root=cache)
    db = ParseCache(cache, None).path
    db.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 512)
    batch.parse_files(files, 5_000_000, cache_root=cache)  # finds it damaged: starts over, writes
    assert batch.STATS["cached"] == 0
    batch.parse_files(files, 5_000_000, cache_root=cache)
    assert batch.STATS["cached"] == 1

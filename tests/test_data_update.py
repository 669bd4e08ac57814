"""`meshlint data` and `meshlint data update` against a local HTTP server serving fixture
copies of the public sources (and broken ones)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest
from conftest import meshlint_cli, write_tree

FIXTURES = Path(__file__).parent / "fixtures" / "datasync"
TABLES = {"istio-releases": "supportStatus.yml", "istio-patches": "index.yaml",
          "kiali-compat": "istio.yaml", "eks-versions": "amazon-eks.json"}


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _cli(cache: Path, *args: str, cwd: Path | None = None):
    return meshlint_cli(*args, cwd=cwd, env={"MESHLINT_CACHE_DIR": str(cache)})


def _update(cache: Path, server: str, files: dict[str, str] | None = None, as_of: str = "2026-12-05"):
    urls = [f"--url={t}={server}/{f}" for t, f in {**TABLES, **(files or {})}.items()]
    return _cli(cache, "data", "update", "--as-of", as_of, *urls)


def _in_force(cache: Path) -> dict[str, dict]:
    proc = _cli(cache, "data", "--format", "json", "--as-of", "2026-11-27")
    assert proc.returncode == 0, proc.stderr
    return {r["table"]: r for r in json.loads(proc.stdout)}


def _unpinned_istiod(tmp_path: Path, cache: Path, as_of: str) -> str:
    tf = ('resource "helm_release" "base" {\n  name = "base"\n  repository = "https://blob.istio.io/istio-release/charts"\n'
          '  chart = "base"\n  version = "1.18.1"\n}\nresource "helm_release" "istiod" {\n  name = "istiod"\n'
          '  repository = "https://blob.istio.io/istio-release/charts"\n  chart = "istiod"\n}\n')
    write_tree(tmp_path / "repo", {"main.tf": tf})
    proc = _cli(cache, "check", str(tmp_path / "repo"), "--select", "MESH101", "--format", "json",
                "--as-of", as_of, "--no-cache")
    return json.loads(proc.stdout)["findings"][0]["message"]


def test_shipped_tables_are_in_force_without_an_update(tmp_path):
    rows = _in_force(tmp_path / "cache")
    assert {r["origin"] for r in rows.values()} == {"shipped"}
    assert rows["istio-releases"]["as_of"] == "2026-11-27" and not rows["istio-releases"]["stale"]


def test_update_stores_newer_tables_and_keeps_runs_reproducible(tmp_path, server):
    cache = tmp_path / "cache"
    proc = _update(cache, server)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "istio-releases: updated" in proc.stdout and "1.32 released, 1.32 kubernetes, 1.30 eol" in proc.stdout
    rows = _in_force(cache)
    assert {n: rows[n]["origin"] for n in TABLES} == {n: "cache" for n in TABLES}
    assert rows["istio-releases"]["as_of"] == "2026-12-05" and rows["aws-arch"]["origin"] == "shipped"
    # rows dated after the run's date are not used: 1.32.0 (2026-12-01) only from then on
    assert "istiod is 1.31.2." in _unpinned_istiod(tmp_path, cache, "2026-11-27")
    assert "istiod is 1.32.0." in _unpinned_istiod(tmp_path, cache, "2026-12-05")
    # and without the cache, the shipped facts
    assert "istiod is 1.31.1." in _unpinned_istiod(tmp_path, tmp_path / "other", "2026-12-05")


@pytest.mark.parametrize("broken", ["broken-supportStatus.yml", "invalid-supportStatus.yml", "missing.yml"])
def test_a_bad_download_never_replaces_good_data(tmp_path, server, broken):
    cache = tmp_path / "cache"
    assert _update(cache, server).returncode == 0
    stored = (cache / "data" / "istio-releases.yaml").read_bytes()
    proc = _update(cache, server, {"istio-releases": broken}, as_of="2026-12-20")
    assert proc.returncode == 1 and "istio-releases: FAILED" in proc.stdout
    assert "kiali-compat: FAILED" not in proc.stdout  # one bad source does not stop the others
    assert (cache / "data" / "istio-releases.yaml").read_bytes() == stored


def test_a_partial_download_removes_nothing(tmp_path, server):
    cache = tmp_path / "cache"
    proc = _update(cache, server, {"istio-releases": "partial-supportStatus.yml"})
    assert proc.returncode == 0, proc.stdout
    doc = json.loads((cache / "data" / "istio-releases.yaml").read_text())
    minors = [r["minor"] for r in doc["releases"]]
    assert minors[0] == "1.7" and "1.31" in minors
    assert next(r for r in doc["releases"] if r["minor"] == "1.30")["eol"] == "2027-01-12"


def test_a_corrupted_cache_file_is_ignored(tmp_path):
    cache = tmp_path / "cache"
    write_tree(cache / "data", {"istio-releases.yaml": "as_of: 2027-01-01\nsources: [x]\nreleases: oops\n"})
    row = _in_force(cache)["istio-releases"]
    assert row["origin"] == "shipped" and "cached copy ignored" in row["note"]

"""--online chart lookups against real HTTP servers on loopback (no mocks of HTTP)."""

import datetime as dt
import http.server
import socket
import threading
import time

import pytest

from conftest import hits, only, write_tree
from meshlint.engine import Options, run

INDEX = '''apiVersion: v1
entries:
  istiod:
    - {version: 1.20.0, created: "2023-11-13T10:00:00Z"}
    - {version: 1.20.1, created: "2023-12-13T10:00:00Z"}
    - {version: 1.21.0-beta.1, created: "2024-02-01T10:00:00Z"}
    - {version: 1.19.4, created: "2023-11-01T10:00:00Z"}
    - {version: 1.10, created: "2021-05-18T10:00:00Z"}
  base:
    - {version: 1.20.0, created: "2023-11-13T10:00:00Z"}
'''


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 - stdlib API
        type(self).hits.append(self.path)
        if self.path == "/charts/index.yaml":
            body = INDEX.encode()
            self.send_response(200)
        elif self.path == "/slow/index.yaml":
            time.sleep(3)
            body = INDEX.encode()
            self.send_response(200)
        elif self.path == "/garbage/index.yaml":
            body = b"\x00\xff not yaml {{{"
            self.send_response(200)
        elif self.path == "/redirect/index.yaml":
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/index.yaml")
            self.end_headers()
            return
        else:
            body = b"nope"
            self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the slow case): that is the point

    def log_message(self, *args):
        pass


@pytest.fixture
def chart_server():
    _Handler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Handler.hits
    server.shutdown()


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(tmp_path / "cache"))


def _tf(repo, chart="istiod", version=None):
    v = f'  version    = "{version}"\n' if version else ""
    return (f'resource "helm_release" "{chart}" {{\n  name       = "{chart}"\n  repository = "{repo}"\n'
            f'  chart      = "{chart}"\n{v}}}\n')


def _run(root, online=True, as_of="2023-12-20", **kw):
    return run(Options(paths=[str(root)], online=online, as_of=dt.date.fromisoformat(as_of), **kw))


def test_pinned_version_missing_from_the_index(tmp_path, chart_server):
    url, _ = chart_server
    write_tree(tmp_path / "r", {"main.tf": _tf(url + "/charts", version="1.20.9")})
    result = _run(tmp_path / "r", select=["MESH106"])
    f = only(result, "MESH106")
    assert f.location.line == 5 and f.severity == "error"
    assert "1.20.0, 1.20.1" in f.message
    write_tree(tmp_path / "r", {"main.tf": _tf(url + "/charts", version="1.20.1")})
    assert hits(_run(tmp_path / "r", select=["MESH106"])) == []


def test_versions_stay_strings(tmp_path, chart_server):
    url, _ = chart_server
    write_tree(tmp_path, {"main.tf": _tf(url + "/charts", version="1.10")})
    assert hits(_run(tmp_path, select=["MESH106"])) == []  # 1.10 is not 1.1


def test_unpinned_resolves_with_the_index_by_date(tmp_path, chart_server):
    url, _ = chart_server
    write_tree(tmp_path, {"main.tf": _tf(url + "/charts")})
    result = _run(tmp_path, select=["MESH103"], as_of="2023-12-20")
    assert "resolves to 1.20.1 as of 2023-12-20 (repository index)" in only(result, "MESH103").message
    result = _run(tmp_path, select=["MESH103"], as_of="2023-11-20")
    assert "resolves to 1.20.0 as of 2023-11-20" in only(result, "MESH103").message  # beta skipped


def test_second_run_is_served_from_the_cache(tmp_path, chart_server):
    url, served = chart_server
    write_tree(tmp_path, {"main.tf": _tf(url + "/charts", version="1.20.1") + _tf(url + "/charts", "base", "1.20.0")})
    _run(tmp_path)
    assert served == ["/charts/index.yaml"]  # one request for two charts of one repository
    _run(tmp_path)
    assert served == ["/charts/index.yaml"]


@pytest.mark.parametrize("path, reason", [
    ("/missing", "HTTP 500"),
    ("/garbage", "not a Helm repository index"),
    ("/redirect", "redirect to another host"),
])
def test_broken_repositories_are_an_info_note(tmp_path, chart_server, path, reason):
    url, _ = chart_server
    write_tree(tmp_path, {"main.tf": _tf(url + path, version="1.20.9")})
    result = _run(tmp_path)
    f = only(result, "MESH003")
    assert f.severity == "info" and reason in f.message
    assert hits(result, "MESH106") == []


def test_unreachable_and_slow_repositories_are_bounded(tmp_path, chart_server):
    url, _ = chart_server
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    write_tree(tmp_path, {"main.tf": _tf(closed, version="1.0.0") + _tf(url + "/slow", "base", "1.0.0")})
    start = time.monotonic()
    result = _run(tmp_path, timeout=1.0)
    assert time.monotonic() - start < 10
    notes = [f for f in result.report.findings if f.rule == "MESH003"]
    assert len(notes) == 2 and {("unreachable" in f.message) for f in notes} == {True}


def test_offline_runs_open_no_connection(tmp_path, monkeypatch):
    write_tree(tmp_path, {"main.tf": _tf("https://istio-release.storage.googleapis.com/charts", version="1.20.9") +
                          'module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  eks_managed_node_groups = '
                          '{ a = { ami_type = "AL2_ARM_64" } }\n}\n',
                          "app.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                                      "    - {name: a, image: quay.io/example/unknown:1.0}\n"})

    def refuse(*args, **kwargs):
        raise AssertionError("an offline run tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = _run(tmp_path, online=False)
    assert hits(result, "MESH106") == [] and hits(result, "MESH003") == []

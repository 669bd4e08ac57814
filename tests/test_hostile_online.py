"""Hostile repositories and servers against the online path: a local server on 127.0.0.1
records what meshlint sends; every server here stops by itself."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest
from conftest import meshlint_cli, write_tree

from meshlint.online import HttpClient

INDEX = b"apiVersion: v1\nentries:\n  istiod:\n    - version: 1.22.3\n      created: 2024-07-01T00:00:00Z\n"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):  # noqa: N802
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(200)
        self.send_header("Content-Length", str(len(INDEX)))
        self.end_headers()
        self.wfile.write(INDEX)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hostile_home(tmp_path: Path, monkeypatch):
    """A HOME whose ~/.netrc has a `default` entry (credentials for any host)."""
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text("default login someone password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return home


def test_netrc_credentials_are_never_sent(recorder, hostile_home) -> None:
    status, _headers, body = HttpClient(timeout=(2.0, 2.0)).get(f"http://{recorder}/charts/index.yaml")
    assert status == 200 and body == INDEX
    assert _Recorder.seen == [("/charts/index.yaml", None)]


def _chart_repo(tmp_path: Path, host: str, config: str) -> Path:
    tree = tmp_path / "repo"
    write_tree(tree, {
        ".meshlint.yaml": config,
        "main.tf": f'''
            resource "helm_release" "istiod" {{
              name       = "istiod"
              repository = "http://{host}/charts"
              chart      = "istiod"
              version    = "1.22.3"
              namespace  = "istio-system"
            }}
            ''',
    })
    return tree


def test_a_repository_cannot_turn_the_network_on(tmp_path, recorder, hostile_home) -> None:
    tree = _chart_repo(tmp_path, recorder, "online: true\nregistries:\n  use-docker-config: true\n"
                                           "  insecure: ['evil.example:80']\n  timeout: 100000\n"
                                           "max-file-bytes: 999999999\n")
    proc = meshlint_cli("check", str(tree), "--format", "json", "--no-cache",
                        env={"HOME": str(hostile_home), "MESHLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode in (0, 1), proc.stderr
    assert _Recorder.seen == []
    notes = "\n".join(json.loads(proc.stdout)["notes"])
    for key in ("`online`", "`max-file-bytes`", "`registries.use-docker-config`", "`registries.insecure`",
                "`registries.timeout`"):
        assert key in notes and "ignored" in notes


def test_privileged_settings_come_from_the_user_configuration(tmp_path, hostile_home, monkeypatch) -> None:
    from meshlint.config import load_settings

    tree = tmp_path / "repo"
    write_tree(tree, {".meshlint.yaml": "online: true\nmax-file-bytes: 2048\n"})
    user = tmp_path / "xdg" / "meshlint" / "config.yaml"
    user.parent.mkdir(parents=True)
    # under the 64 MiB hard cap (issue 15, Smaller: even the user's own file cannot raise it past
    # that; it was 99999999 here, which the cap now lowers, see tests/test_small15_config.py)
    user.write_text("online: true\nmax-file-bytes: 50000000\nregistries:\n  use-docker-config: true\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    config = load_settings(None, str(tree))
    assert config.online is True and config.max_file_bytes == 50000000
    assert config.registries == {"use-docker-config": True}
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing"))
    config = load_settings(None, str(tree))
    assert config.online is None and config.max_file_bytes == 2048  # lowering the cap is fine


class _Dripping(http.server.BaseHTTPRequestHandler):
    """Answers one byte every half second, in the headers or the body; gives up after 30 bytes."""

    where = "headers"
    requests = 0

    def do_GET(self):  # noqa: N802
        import time

        type(self).requests += 1
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
        payload = head + b"x" * 30 if type(self).where == "headers" else head
        if type(self).where == "body":
            self.wfile.write(head)
            self.wfile.flush()
            payload = b"x" * 30
        for byte in payload[: 30 if type(self).where == "headers" else None]:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.5)
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_dripping_server_cannot_hold_a_request_past_its_deadline(where: str) -> None:
    import time

    from meshlint.online import LookupError_

    _Dripping.where, _Dripping.requests = where, 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Dripping)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = HttpClient(timeout=(1.0, 1.0))  # 3 s per request
        url = f"http://127.0.0.1:{server.server_address[1]}/index.yaml"
        start = time.monotonic()
        with pytest.raises(LookupError_, match="unreachable"):
            client.get(url)
        assert time.monotonic() - start < 5
        with pytest.raises(LookupError_, match="unreachable"):  # the failure is cached for the run
            client.get(url)
        assert _Dripping.requests == 1
    finally:
        server.shutdown()
        server.server_close()


def test_the_run_has_one_deadline_for_all_lookups() -> None:
    from meshlint.online import LookupError_

    client = HttpClient(timeout=(1.0, 1.0), run_budget=0.0)
    with pytest.raises(LookupError_, match="time for online lookups"):
        client.get("http://127.0.0.1:9/index.yaml")

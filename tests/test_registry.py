"""--online image lookups against a real OCI registry on loopback (Debian's
docker-registry, CNCF distribution), with images pushed over the OCI API by the test:
amd64-only, arm64-only, multi-arch as OCI index and as Docker manifest list."""

import gzip
import hashlib
import http.server
import io
import json
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.request

import pytest
import requests

from conftest import hits, only, write_tree
from meshlint.engine import Options, run
from meshlint.online import DiskCache, HttpClient
from meshlint.images import parse_image as parse_reference
from meshlint.registry import Registries

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
D2_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
D2_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    exe = shutil.which("docker-registry")
    if exe is None:
        pytest.skip("docker-registry is not installed (apt-get install -y docker-registry)")
    port = _free_port()
    root = tmp_path_factory.mktemp("registry")
    cfg = root / "config.yml"
    cfg.write_text("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                   f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
                   f"http:\n  addr: 127.0.0.1:{port}\n")
    proc = subprocess.Popen([exe, "serve", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(url + "/v2/", timeout=0.2).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("registry did not start")
    pusher = _Pusher(url, "mesh/app")
    pusher.image("amd64", docker=False, tag="amd64-only")
    pusher.image("arm64", docker=True, tag="arm64-only")
    pusher.multiarch("multi-oci", docker=False)
    pusher.multiarch("multi-docker", docker=True)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


class _Pusher:
    def __init__(self, url, repo):
        self.url, self.repo = url, repo

    @staticmethod
    def sha(b: bytes) -> str:
        return "sha256:" + hashlib.sha256(b).hexdigest()

    def blob(self, data: bytes) -> str:
        d = self.sha(data)
        r = requests.post(f"{self.url}/v2/{self.repo}/blobs/uploads/", timeout=10)
        loc = r.headers["Location"]
        loc = self.url + loc if loc.startswith("/") else loc
        sep = "&" if "?" in loc else "?"
        r = requests.put(f"{loc}{sep}digest={d}", data=data, headers={"Content-Type": "application/octet-stream"}, timeout=10)
        assert r.status_code == 201, r.text
        return d

    def manifest(self, ref, body, media):
        raw = json.dumps(body, separators=(",", ":")).encode()
        r = requests.put(f"{self.url}/v2/{self.repo}/manifests/{ref}", data=raw, headers={"Content-Type": media}, timeout=10)
        assert r.status_code == 201, r.text
        return r.headers["Docker-Content-Digest"], len(raw)

    def image(self, arch, docker, tag):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tf:
            data = f"hello {arch}\n".encode()
            info = tarfile.TarInfo("hello.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        layer = gzip.compress(buf.getvalue(), mtime=0)
        cfg = json.dumps({"architecture": arch, "os": "linux",
                          "rootfs": {"type": "layers", "diff_ids": [self.sha(gzip.decompress(layer))]}}).encode()
        media = D2_MANIFEST if docker else OCI_MANIFEST
        body = {"schemaVersion": 2, "mediaType": media,
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json" if docker
                           else "application/vnd.oci.image.config.v1+json", "digest": self.blob(cfg), "size": len(cfg)},
                "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip" if docker
                            else "application/vnd.oci.image.layer.v1.tar+gzip", "digest": self.blob(layer), "size": len(layer)}]}
        return self.manifest(tag, body, media)

    def multiarch(self, tag, docker):
        kids = []
        for arch in ("amd64", "arm64"):
            digest, size = self.image(arch, docker, f"{tag}-{arch}")
            kids.append({"mediaType": D2_MANIFEST if docker else OCI_MANIFEST, "digest": digest, "size": size,
                         "platform": {"os": "linux", "architecture": arch}})
        kids.append({"mediaType": OCI_MANIFEST, "digest": kids[0]["digest"], "size": kids[0]["size"],
                     "platform": {"os": "unknown", "architecture": "unknown"}})  # an attestation entry
        media = D2_LIST if docker else OCI_INDEX
        self.manifest(tag, {"schemaVersion": 2, "mediaType": media, "manifests": kids}, media)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(tmp_path / "cache"))


def _client(timeout=3.0):
    return HttpClient(timeout=(timeout, timeout))


@pytest.mark.slow  # starts a real OCI registry (docker-registry)
@pytest.mark.parametrize("tag, archs, how", [
    ("amd64-only", {"amd64"}, "single-platform"), ("arm64-only", {"arm64"}, "single-platform"),
    ("multi-oci", {"amd64", "arm64"}, "OCI index"), ("multi-docker", {"amd64", "arm64"}, "manifest list"),
])
def test_platforms_of_every_manifest_kind(registry, tmp_path, tag, archs, how):
    regs = Registries(_client(), DiskCache(tmp_path / "c"))
    found, source = regs.platforms(f"{registry}/mesh/app:{tag}")
    assert found == archs and how in source


def test_reference_parsing():
    assert str(parse_reference("nginx")) == "docker.io/library/nginx:latest"
    assert str(parse_reference("istio/pilot:1.20.0")) == "docker.io/istio/pilot:1.20.0"
    assert parse_reference("localhost:5000/a/b@sha256:ab").reference == "sha256:ab"
    assert parse_reference("quay.io/kiali/kiali:v1.67").api_host == "quay.io"
    assert parse_reference("docker.io/library/nginx").api_host == "registry-1.docker.io"


GRAVITON = ('module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  eks_managed_node_groups = {\n'
            '    arm = {\n      instance_types = ["m7g.large"]\n      ami_type = "AL2023_ARM_64_STANDARD"\n    }\n  }\n}\n')


def _deploy(image):
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: apps\nspec:\n"
            f"  template:\n    spec:\n      containers:\n        - name: app\n          image: {image}\n")


@pytest.mark.slow  # starts a real OCI registry (docker-registry)
def test_online_check_finds_an_amd64_only_image_on_graviton(registry, tmp_path):
    write_tree(tmp_path / "r", {"main.tf": GRAVITON, "app.yaml": _deploy(f"{registry}/mesh/app:amd64-only")})
    result = run(Options(paths=[str(tmp_path / "r")], online=True, select=["MESH3"]))
    f = only(result, "MESH301")
    assert f.location.line == 11 and "single-platform" in f.message
    write_tree(tmp_path / "r", {"app.yaml": _deploy(f"{registry}/mesh/app:multi-docker")})
    assert hits(run(Options(paths=[str(tmp_path / "r")], online=True, select=["MESH3"]))) == []
    # offline, the image is unknown: nothing is said
    write_tree(tmp_path / "r", {"app.yaml": _deploy(f"{registry}/mesh/app:amd64-only")})
    assert hits(run(Options(paths=[str(tmp_path / "r")], select=["MESH3"]))) == []


class _AuthProxy(http.server.BaseHTTPRequestHandler):
    """A token-protected front for the real registry: 401 + Bearer challenge, a token
    endpoint, then requests forwarded to the registry. Counts what reaches it."""

    backend = ""
    hits: list = []
    token_requests: list = []

    def do_GET(self):  # noqa: N802
        cls = type(self)
        cls.hits.append(self.path)
        if self.path.startswith("/token"):
            cls.token_requests.append(self.path)
            body = json.dumps({"token": "good-token", "expires_in": 300}).encode()
            return self._send(200, body, {"Content-Type": "application/json"})
        if self.headers.get("Authorization") != "Bearer good-token":
            port = self.server.server_address[1]
            challenge = (f'Bearer realm="http://127.0.0.1:{port}/token",service="test-registry",'
                         f'scope="repository:mesh/app:pull"')
            return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"WWW-Authenticate": challenge})
        req = urllib.request.Request(cls.backend + self.path, headers={"Accept": self.headers.get("Accept", "*/*")})
        with urllib.request.urlopen(req, timeout=5) as resp:
            self._send(resp.status, resp.read(), {"Content-Type": resp.headers.get("Content-Type", "")})

    def _send(self, status, body, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def auth_registry(registry):
    _AuthProxy.backend = f"http://{registry}"
    _AuthProxy.hits, _AuthProxy.token_requests = [], []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AuthProxy)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.slow  # starts a real OCI registry (docker-registry)
def test_token_flow_and_cache(auth_registry, tmp_path):
    cache = DiskCache(tmp_path / "c")
    regs = Registries(_client(), cache)
    archs, _ = regs.platforms(f"{auth_registry}/mesh/app:multi-oci")
    assert archs == {"amd64", "arm64"}
    assert len(_AuthProxy.token_requests) == 1
    assert "scope=repository%3Amesh%2Fapp%3Apull" in _AuthProxy.token_requests[0]
    assert "service=test-registry" in _AuthProxy.token_requests[0]
    before = len(_AuthProxy.hits)
    # a second run (new client, same cache) makes no request at all
    archs2, _ = Registries(_client(), cache).platforms(f"{auth_registry}/mesh/app:multi-oci")
    assert archs2 == archs and len(_AuthProxy.hits) == before


class _Broken(http.server.BaseHTTPRequestHandler):
    mode = "garbage"

    def do_GET(self):  # noqa: N802
        if type(self).mode == "slow":
            time.sleep(4)
        body = b"{not json" if type(self).mode == "garbage" else b'{"schemaVersion": 2}'
        self.send_response(200)
        self.send_header("Content-Type", OCI_MANIFEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("mode, words", [("garbage", "malformed manifest"), ("noconfig", "no config"),
                                         ("slow", "unreachable")])
def test_broken_registries_are_bounded_info_notes(tmp_path, mode, words):
    _Broken.mode = mode
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        host = f"127.0.0.1:{server.server_address[1]}"
        write_tree(tmp_path, {"main.tf": GRAVITON, "app.yaml": _deploy(f"{host}/x/y:1")})
        start = time.monotonic()
        result = run(Options(paths=[str(tmp_path)], online=True, timeout=1.0))
        assert time.monotonic() - start < 10
        f = only(result, "MESH003")
        assert f.severity == "info" and words in f.message
    finally:
        server.shutdown()


def test_unreachable_registry(tmp_path):
    host = f"127.0.0.1:{_free_port()}"
    write_tree(tmp_path, {"main.tf": GRAVITON, "app.yaml": _deploy(f"{host}/x/y:1")})
    result = run(Options(paths=[str(tmp_path)], online=True, timeout=1.0))
    assert "unreachable" in only(result, "MESH003").message
    assert hits(result, "MESH301") == []


class _Hostile(http.server.BaseHTTPRequestHandler):
    """A registry that challenges with a token realm; the realm misbehaves as told."""

    mode = "hang"
    seen_auth: list = []

    def do_GET(self):  # noqa: N802
        cls = type(self)
        port = self.server.server_address[1]
        if self.path.startswith("/token"):
            cls.seen_auth.append(self.headers.get("Authorization"))
            if cls.mode == "hang":
                time.sleep(5)
                return
            body = b'{"token": "t"}'
        elif self.path.startswith("/v2/") and cls.mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", OCI_MANIFEST)
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b" " * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        elif self.headers.get("Authorization") != "Bearer t":
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Bearer realm="http://127.0.0.1:{port}/token",service="s"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        else:
            body = b'{"schemaVersion": 2, "manifests": [{"platform": {"os": "linux", "architecture": "arm64"}}]}'
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile():
    _Hostile.seen_auth = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_token_endpoint_that_never_answers_is_bounded(hostile, tmp_path):
    _Hostile.mode = "hang"
    start = time.monotonic()
    archs, why = Registries(_client(1.0), DiskCache(tmp_path)).platforms(f"{hostile}/a/b:1")
    assert archs is None and "unreachable" in why and time.monotonic() - start < 5


def test_huge_bodies_are_cut_off(hostile, tmp_path):
    _Hostile.mode = "huge"
    client = HttpClient(timeout=(2.0, 2.0), max_body=1_000_000)
    archs, why = Registries(client, DiskCache(tmp_path)).platforms(f"{hostile}/a/b:1")
    assert archs is None and "larger than" in why


def test_docker_credentials_only_on_opt_in_and_never_shown(hostile, tmp_path, monkeypatch):
    _Hostile.mode = "ok"
    import base64
    secret = base64.b64encode(b"user:s3cret-password").decode()
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "config.json").write_text(json.dumps({"auths": {hostile: {"auth": secret}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    archs, _ = Registries(_client(), DiskCache(tmp_path / "c1")).platforms(f"{hostile}/a/b:1")
    assert archs == {"arm64"} and _Hostile.seen_auth == [None]
    archs, how = Registries(_client(), DiskCache(tmp_path / "c2"), use_docker_config=True).platforms(f"{hostile}/a/b:1")
    assert archs == {"arm64"} and _Hostile.seen_auth[-1] == f"Basic {secret}"
    assert secret not in how and "s3cret" not in how

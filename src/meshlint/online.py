"""Online lookups (only with --online): Helm chart repository indexes, later image registries.

Everything here is bounded: short timeouts, a size cap on every body, no redirects to other
hosts, and an on-disk cache (`MESHLINT_CACHE_DIR`, default the user cache dir) so that a
second run makes no requests. A lookup that fails is an answer too ("unreachable: ..."),
which the checks report at info level; it never fails the run. Checks never call this
module: the engine asks it while building the model.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from msgspec import Struct

from meshlint.cachedir import cache_dir
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import text

DEFAULT_TIMEOUT = (3.05, 10.0)  # connect, read (seconds)
MAX_BODY = 32 * 1024 * 1024
INDEX_TTL = 3600.0
RUN_BUDGET = 120.0  # seconds of online lookups per run, all hosts together


class DiskCache:
    """Small blobs by key; entries older than their TTL are ignored (ttl None: forever)."""

    def __init__(self, root: Path | None = None):
        self.root = (root or cache_dir()) / "http"

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.root / digest[:2] / digest

    def get(self, key: str, ttl: float | None) -> bytes | None:
        path = self._path(key)
        try:
            if ttl is not None and time.time() - path.stat().st_mtime > ttl:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs time


class LookupError_(Exception):
    """A lookup that could not be answered; the message is safe to show."""


class HttpClient:
    """requests, bounded: (connect, read) timeouts, one wall-clock deadline per request
    (headers and body), one per run, a body cap, same-host redirects only; a host that
    failed is not asked again in the same run."""

    def __init__(self, timeout: tuple[float, float] = DEFAULT_TIMEOUT, max_body: int = MAX_BODY,
                 run_budget: float = RUN_BUDGET):
        import requests  # only online runs pay for importing requests

        from meshlint.deadline import DeadlineAdapter

        self.timeout = timeout
        self.max_body = max_body
        # a server that drips a byte per read never trips a read timeout: this one it trips
        self.request_deadline = timeout[0] + 2 * timeout[1]
        self.run_deadline = time.monotonic() + run_budget
        self._requests = requests
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "meshlint"
        # no ~/.netrc (a `default` entry would go to every host a repository names), no
        # REQUESTS_CA_BUNDLE or proxies picked up behind our back: what the environment
        # configures is passed explicitly per request (`_environment_settings`)
        self.session.trust_env = False
        adapter = DeadlineAdapter()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._failed: dict[str, str] = {}  # host -> why (failures are cached for the run)

    def get(self, url: str, headers: dict | None = None, allow_hosts: set[str] | None = None,
            follow_cross_host: bool = False):
        """GET with bounded time and size. Redirects stay on the same host, unless
        `follow_cross_host` (registries send blobs to storage hosts): then credentials are
        dropped before leaving the host."""
        from meshlint.deadline import watchdog

        host = urlsplit(url).hostname
        allowed: set[str | None] = set(allow_hosts) if allow_hosts else {host}
        headers = dict(headers or {})
        for _ in range(5):
            netloc = urlsplit(url).netloc
            if netloc in self._failed:
                raise LookupError_(self._failed[netloc])
            left = min(self.request_deadline, self.run_deadline - time.monotonic())
            if left <= 0:
                raise LookupError_("unreachable (the run's time for online lookups is spent)")
            with watchdog(left) as expired:
                try:
                    resp = self.session.get(url, headers=headers, timeout=self.timeout,
                                            stream=True, allow_redirects=False,
                                            **_environment_settings(self._requests, url))
                except self._requests.RequestException as exc:
                    why = "no answer in time" if expired.is_set() else type(exc).__name__
                    raise self._fail(netloc, f"unreachable ({why})") from None
                if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
                    target = urljoin(url, resp.headers["location"])
                    if urlsplit(target).hostname not in allowed:
                        if not follow_cross_host or urlsplit(target).scheme not in ("http", "https"):
                            resp.close()
                            raise LookupError_(f"redirect to another host ({urlsplit(target).hostname}) refused")
                        headers.pop("Authorization", None)
                        allowed = {urlsplit(target).hostname}
                    url = target
                    resp.close()
                    continue
                body = self._read(resp, netloc, expired)
            return resp.status_code, resp.headers, body
        raise LookupError_("too many redirects")

    def _fail(self, netloc: str, why: str) -> LookupError_:
        self._failed[netloc] = why
        return LookupError_(why)

    def _read(self, resp, netloc: str = "", expired=None) -> bytes:
        chunks = []
        size = 0
        try:
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > self.max_body:
                    raise LookupError_(f"response larger than {self.max_body:,} bytes")
                chunks.append(chunk)
        except self._requests.RequestException as exc:
            why = "response too slow" if expired is not None and expired.is_set() else type(exc).__name__
            raise self._fail(netloc, f"unreachable ({why})") from None
        finally:
            resp.close()
        if expired is not None and expired.is_set():
            raise self._fail(netloc, "unreachable (response too slow)")
        return b"".join(chunks)


def _environment_settings(requests, url: str) -> dict:
    """The user's proxy and CA bundle from the environment, as `trust_env` would read them,
    without netrc credentials."""
    proxies = requests.utils.get_environ_proxies(url)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return {"proxies": proxies, "verify": bundle or True}


class ChartVersions(Struct, frozen=True):
    """What a chart repository offers for one chart (or why it could not be read)."""

    versions: tuple[tuple[str, _dt.date | None], ...] = ()
    error: str | None = None


class ChartRepositories:
    """Reads `index.yaml` of HTTP(S) chart repositories, cached on disk and per run."""

    def __init__(self, client: "HttpClient | None" = None, cache: DiskCache | None = None):
        self._client = client
        self.cache = cache or DiskCache()
        self._indexes: dict[str, dict | str] = {}

    @property
    def client(self) -> HttpClient:
        if self._client is None:
            self._client = HttpClient()
        return self._client

    def lookup(self, repository: str, chart: str) -> ChartVersions | None:
        if not repository.startswith(("http://", "https://")):
            return None  # oci:// and local paths are not index-based
        index = self._index(repository.rstrip("/"))
        if isinstance(index, str):
            return ChartVersions(error=index)
        entries = index.get(chart)
        if entries is None:
            return ChartVersions(error=f"the repository has no chart named {chart!r}")
        return ChartVersions(tuple(entries))

    def _index(self, repo: str) -> dict | str:
        if repo in self._indexes:
            return self._indexes[repo]
        url = repo + "/index.yaml"
        data = self.cache.get(url, INDEX_TTL)
        if data is None:
            try:
                status, _, data = self.client.get(url)
            except LookupError_ as exc:
                self._indexes[repo] = f"{url}: {exc}"
                return self._indexes[repo]
            if status != 200:
                self._indexes[repo] = f"{url}: HTTP {status}"
                return self._indexes[repo]
            parsed = _parse_index(data)
            if isinstance(parsed, str):
                self._indexes[repo] = f"{url}: {parsed}"
                return self._indexes[repo]
            self.cache.put(url, json.dumps(_serialise(parsed)).encode("utf-8"))
            self._indexes[repo] = parsed
            return parsed
        try:
            self._indexes[repo] = _deserialise(json.loads(data))
        except (ValueError, TypeError, KeyError):
            self._indexes[repo] = f"{url}: corrupt cache entry"
        return self._indexes[repo]


def _parse_index(data: bytes) -> dict | str:
    """index.yaml -> {chart: [(version, created date)]}; versions stay strings."""
    parsed = parse_yaml_bytes(data, "index.yaml")
    if parsed.error or not parsed.documents or not isinstance(parsed.documents[0].value, dict):
        return "not a Helm repository index"
    entries = parsed.documents[0].value.get("entries")
    if not isinstance(entries, dict):
        return "not a Helm repository index (no entries)"
    out: dict[str, list] = {}
    for chart, items in entries.items():
        if not isinstance(items, list):
            continue
        versions = []
        for item in items:
            if not isinstance(item, dict) or item.get("version") is None:
                continue
            created = text(item.get("created")) or ""
            try:
                day = _dt.date.fromisoformat(created[:10]) if created else None
            except ValueError:
                day = None
            versions.append((text(item["version"]), day))
        out[str(chart)] = versions
    return out


def _serialise(index: dict) -> dict:
    return {c: [[v, d.isoformat() if d else None] for v, d in vs] for c, vs in index.items()}


def _deserialise(raw: dict) -> dict:
    return {c: [(v, _dt.date.fromisoformat(d) if d else None) for v, d in vs] for c, vs in raw.items()}

"""OCI Distribution client (only with --online): which platforms does an image provide?

Resolves the reference (docker.io by default, `library/` for single names), follows the
anonymous Bearer token flow from the `WWW-Authenticate` challenge, asks for the manifest
with every index and manifest media type in `Accept` (registries answer 404/400 otherwise),
and reads platforms from an index, or `architecture` from a single manifest's config blob.
Answers are cached on disk: by digest forever, by tag for a TTL. Credentials from
`~/.docker/config.json` are used only when the configuration opts in, and never logged.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from meshlint.images import ImageRef, parse_image
from meshlint.online import DiskCache, HttpClient, LookupError_

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
D2_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
D2_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST, D2_LIST, D2_MANIFEST])
MAX_MANIFEST = 4 * 1024 * 1024
TAG_TTL = 24 * 3600.0
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


class Registries:
    """Looks up image platforms; thread-safe; one instance per run."""

    def __init__(self, client: HttpClient, cache: DiskCache | None = None, insecure=(),
                 use_docker_config: bool = False, tag_ttl: float = TAG_TTL):
        self.client = client
        self.cache = cache or DiskCache()
        self.insecure = set(insecure)
        self.tag_ttl = tag_ttl
        self._tokens: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._auths = _docker_auths() if use_docker_config else {}

    def scheme(self, host: str) -> str:
        bare = host.split(":")[0]
        if bare in ("localhost", "127.0.0.1", "[::1]") or host in self.insecure:
            return "http"
        return "https"

    def platforms_many(self, images: list[str], workers: int = 8) -> dict[str, tuple[frozenset | None, str]]:
        unique = sorted(set(images))
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique) or 1))) as pool:
            results = list(pool.map(self.platforms, unique))
        return dict(zip(unique, results))

    def platforms(self, image: str) -> tuple[frozenset | None, str]:
        """(architectures, how it was found); (None, reason) when it could not be read."""
        try:
            ref = parse_image(image)
        except ValueError:
            return None, "not an image reference"
        is_digest = ref.reference.startswith("sha256:")
        key = f"image:{ref}"
        cached = self.cache.get(key, None if is_digest else self.tag_ttl)
        if cached is not None:
            try:
                doc = json.loads(cached)
                return frozenset(doc["archs"]), doc["source"]
            except (ValueError, KeyError, TypeError):
                pass
        try:
            archs, how = self._lookup(ref)
        except LookupError_ as exc:
            message = str(exc)
            if message.startswith("unreachable"):
                return None, f"registry {ref.registry}: {message}"  # one cause for all its images
            return None, f"registry {ref.registry}, {ref}: {message}"
        self.cache.put(key, json.dumps({"archs": sorted(archs), "source": how}).encode())
        return archs, how

    # -- protocol ---------------------------------------------------------------------------

    def _url(self, ref: ImageRef, path: str) -> str:
        return f"{self.scheme(ref.api_host)}://{ref.api_host}/v2/{ref.repository}/{path}"

    def _get(self, ref: ImageRef, path: str, accept: str | None = None):
        url = self._url(ref, path)
        headers = {"Accept": accept} if accept else {}
        token = self._tokens.get((ref.api_host, ref.repository))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status, resp_headers, body = self.client.get(url, headers, follow_cross_host=True)
        if status == 401:
            challenge = resp_headers.get("www-authenticate", "")
            auth = self._authorise(ref, challenge)
            if auth is None:
                raise LookupError_("authentication required (HTTP 401)")
            headers["Authorization"] = auth
            status, resp_headers, body = self.client.get(url, headers, follow_cross_host=True)
        if status == 404:
            raise LookupError_(f"{ref} not found (HTTP 404)")
        if status != 200:
            raise LookupError_(f"HTTP {status}")
        return resp_headers, body

    def _authorise(self, ref: ImageRef, challenge: str) -> str | None:
        scheme = challenge.split(" ", 1)[0].lower()
        params = dict(_CHALLENGE.findall(challenge))
        creds = self._auths.get(ref.registry) or self._auths.get(ref.api_host)
        if scheme == "basic":
            return f"Basic {creds}" if creds else None
        if scheme != "bearer" or "realm" not in params:
            return None
        query = {"scope": f"repository:{ref.repository}:pull"}
        if "service" in params:
            query["service"] = params["service"]
        from urllib.parse import urlencode

        url = params["realm"] + ("&" if "?" in params["realm"] else "?") + urlencode(query)
        headers = {"Authorization": f"Basic {creds}"} if creds else {}
        status, _h, body = self.client.get(url, headers, follow_cross_host=True)
        if status != 200:
            raise LookupError_(f"token endpoint answered HTTP {status}")
        try:
            doc = json.loads(body)
            token = doc.get("token") or doc.get("access_token")
        except (ValueError, AttributeError):
            raise LookupError_("token endpoint answered garbage") from None
        if not isinstance(token, str) or not token:
            raise LookupError_("token endpoint gave no token")
        with self._lock:
            self._tokens[(ref.api_host, ref.repository)] = token
        return f"Bearer {token}"

    def _lookup(self, ref: ImageRef) -> tuple[frozenset, str]:
        headers, body = self._get(ref, f"manifests/{ref.reference}", ACCEPT)
        if len(body) > MAX_MANIFEST:
            raise LookupError_("manifest too large")
        try:
            manifest = json.loads(body)
        except ValueError:
            raise LookupError_("malformed manifest (not JSON)") from None
        if not isinstance(manifest, dict):
            raise LookupError_("malformed manifest")
        media = (headers.get("content-type") or manifest.get("mediaType") or "").split(";")[0].strip()
        if media in (OCI_INDEX, D2_LIST) or "manifests" in manifest:
            archs = set()
            for item in manifest.get("manifests") or []:
                platform = item.get("platform") if isinstance(item, dict) else None
                if isinstance(platform, dict) and platform.get("architecture") not in (None, "unknown") \
                        and platform.get("os", "linux") == "linux":
                    archs.add(str(platform["architecture"]))
            if not archs:
                raise LookupError_("image index without linux platforms")
            kind = "OCI index" if media == OCI_INDEX else "manifest list"
            return frozenset(archs), f"registry {ref.registry} ({kind})"
        config = manifest.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
            raise LookupError_("malformed manifest (no config)")
        _h, blob = self._get(ref, f"blobs/{config['digest']}")
        try:
            cfg = json.loads(blob)
            arch = cfg["architecture"]
        except (ValueError, KeyError, TypeError):
            raise LookupError_("malformed image config") from None
        return frozenset([str(arch)]), f"registry {ref.registry} (single-platform image)"


def _docker_auths() -> dict[str, str]:
    """host -> base64(user:password) from ~/.docker/config.json (opt-in only)."""
    path = os.path.join(os.environ.get("DOCKER_CONFIG", os.path.expanduser("~/.docker")), "config.json")
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return {}
    out = {}
    for host, entry in (doc.get("auths") or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("auth"), str):
            try:
                base64.b64decode(entry["auth"], validate=True)
            except ValueError:
                continue
            bare = host.replace("https://", "").replace("http://", "").split("/")[0]
            out[bare] = entry["auth"]
    return out

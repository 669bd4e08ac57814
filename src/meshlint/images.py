"""Container image references: `quay.io/kiali/kiali:v1.67` -> registry, repository, tag or
digest, with Docker's defaults (docker.io, `library/` for single names)."""

from __future__ import annotations

from msgspec import Struct

DOCKER_HUB_API = "registry-1.docker.io"


class ImageRef(Struct, frozen=True):
    registry: str  # as written (docker.io, quay.io, 127.0.0.1:5000)
    repository: str
    tag: str | None
    digest: str | None = None

    @property
    def reference(self) -> str:
        """What to ask the registry for: the digest, else the tag, else latest."""
        return self.digest or self.tag or "latest"

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry in ("docker.io", "index.docker.io") else self.registry

    def __str__(self) -> str:
        ref = self.reference
        return f"{self.name}{'@' if ref.startswith('sha256:') else ':'}{ref}"


def parse_image(image: str) -> ImageRef:
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = None
    if ":" in image.rsplit("/", 1)[-1]:
        image, tag = image.rsplit(":", 1)
    parts = image.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, repo = parts[0], "/".join(parts[1:])
    else:
        registry, repo = "docker.io", image
    if registry in ("docker.io", "index.docker.io") and "/" not in repo:
        repo = "library/" + repo
    return ImageRef(registry, repo, tag, digest)

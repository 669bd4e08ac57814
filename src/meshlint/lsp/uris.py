"""file:// URIs <-> paths, for the language server and SARIF."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse


def path_to_uri(path: str) -> str:
    return Path(os.path.abspath(path)).as_uri()


def uri_to_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return os.path.abspath(unquote(parsed.path))

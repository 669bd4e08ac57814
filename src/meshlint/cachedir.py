"""Where meshlint keeps its caches (parsed files, whole runs, HTTP answers):
$MESHLINT_CACHE_DIR, else $XDG_CACHE_HOME/meshlint, else ~/.cache/meshlint."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path


def cache_dir() -> Path:
    env = os.environ.get("MESHLINT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "meshlint"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """meshlint's own code, as its files' names, sizes and mtimes: a cache entry written by
    other code (an edited checkout, another build of the same version) is never read back."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()

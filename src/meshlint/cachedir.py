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
    for path in files_under(os.path.dirname(os.path.realpath(__file__)), ".py"):
        st = os.stat(path)
        h.update(f"{os.path.basename(path)}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def files_under(top: str, suffix: str) -> list[str]:
    """The files under `top` whose names end in `suffix`, sorted, bytecode caches left out:
    what the run key is made of, listed with os.scandir (a third of what rglob costs, on
    every run, warm ones too)."""
    found: list[str] = []
    todo = [top]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        todo.append(entry.path)
                elif entry.name.endswith(suffix):
                    found.append(entry.path)
    return sorted(found)

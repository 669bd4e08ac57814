"""Where meshlint keeps its caches (parsed files, whole runs, HTTP answers):
$MESHLINT_CACHE_DIR, else $XDG_CACHE_HOME/meshlint, else ~/.cache/meshlint."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    env = os.environ.get("MESHLINT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "meshlint"

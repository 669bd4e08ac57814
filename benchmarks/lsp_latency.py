"""Latency of the language server's re-check after a one-file edit (the parse cache warm,
the edited buffer as an overlay), as `meshlint lsp` runs it.

    python benchmarks/lsp_latency.py PROJECT_DIR [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("MESHLINT_CACHE_DIR", tempfile.mkdtemp(prefix="meshlint-latency-"))
    from meshlint.lsp.project import check_project  # after the cache directory is set

    root = os.path.abspath(args.project)
    files = sorted(p for p in Path(root).rglob("*") if p.suffix in (".yaml", ".tf") and p.is_file())
    target = next(p for p in files if p.suffix == ".yaml")
    first = time.perf_counter()
    check_project(root, {})  # fills the parse cache, like the first open
    cold = time.perf_counter() - first
    samples = []
    for i in range(args.repeat):
        edited = target.read_bytes() + f"\n# edit {i}\n".encode()
        started = time.perf_counter()
        check_project(root, {str(target): edited})
        samples.append(time.perf_counter() - started)
    print(f"{root}: {len(files)} files; first check {cold * 1000:.0f} ms; one-file edit "
          f"median {statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f}, "
          f"max {max(samples) * 1000:.0f})", file=sys.stdout)


if __name__ == "__main__":
    main()

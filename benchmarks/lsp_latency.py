"""Latency of the language server's re-check after a one-file edit, driven as `meshlint lsp`
drives it: one `ProjectSession` per project, the edited buffer as an overlay, the young
garbage collected and the rest frozen after each check (see lsp/server.py).

    python benchmarks/lsp_latency.py PROJECT_DIR [--repeat 7]

It edits (appends a comment to) a Kubernetes manifest, a values file and a Terraform file in
turn, each --repeat times, and prints the median per kind and over all edits. The first
check fills the parse cache and the session (what opening the first file costs).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("MESHLINT_CACHE_DIR", tempfile.mkdtemp(prefix="meshlint-latency-"))
    # after the cache directory is set
    from meshlint.discover import MANIFEST, TERRAFORM, VALUES
    from meshlint.lsp.session import ProjectSession

    root = os.path.abspath(args.project)
    session = ProjectSession(root)
    first = time.perf_counter()
    result = session.refresh({})  # like the first open
    cold = time.perf_counter() - first
    settle()
    targets = {}
    for kind in (MANIFEST, VALUES, TERRAFORM):
        entry = next((e for e in result.entries if e.kind == kind), None)
        if entry is not None:
            targets[kind] = entry.abspath
    samples: dict[str, list[float]] = {kind: [] for kind in targets}
    for i in range(args.repeat):
        for kind, path in targets.items():
            with open(path, "rb") as fh:
                edited = fh.read() + f"\n# edit {i}\n".encode()
            started = time.perf_counter()
            session.refresh({path: edited})
            samples[kind].append(time.perf_counter() - started)
            settle()
    every = [s for values in samples.values() for s in values]
    parts = ", ".join(f"{kind} {ms(statistics.median(s))}" for kind, s in samples.items())
    print(f"{root}: {len(result.entries)} files, {len(result.scopes)} scopes; first check {ms(cold)}; "
          f"one-file edit median {ms(statistics.median(every))} (min {ms(min(every))}, max {ms(max(every))}; "
          f"{parts})", file=sys.stdout)


def settle() -> None:
    """What the server does after each check (MeshlintServer.collect_garbage)."""
    gc.collect(1)
    gc.freeze()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    main()

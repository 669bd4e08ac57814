"""One memory budget for the Terraform of a run (issue 15): trees stay alive for the whole run.

Every .tf/.tfvars file's syntax tree is kept until the checks are done (the evaluator reads
its nodes), and tree-sitter-hcl costs ~250 bytes per node. The budget is counted in nodes, not
bytes, because nodes are what cost memory: real Terraform makes one node per ~4 bytes, dense
hostile syntax up to ~2.7 per byte, so a byte budget loose enough for real repositories would
let hostile files take four to ten times as much.

Files are taken folder by folder, in the order given, and a folder is parsed whole or not at
all: a Terraform module is never half-read (a half-read module could take a variable's default
where its tfvars would have set it). Once a folder does not fit, it and every later folder are
skipped: one MESH001 finding on the first skipped file names how many were skipped. A finding,
not a note: a note would let `meshlint check` pass on a pull request that hides its Terraform
behind padding; the run is not complete and the gate says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from meshlint.discover import FileEntry
from meshlint.parse import ParsedFile, parse_error
from meshlint.parse.hclfront import HclRoomSpent

# Measured on whole runs (peak RSS of `meshlint check`, tests/test_hostile_hcl_budget.py): with
# this limit the worst generated input (thousands of 4 KB folders of string locals) peaks at
# ~320 MB, three copies of ../shared/corpus's Terraform at ~280 MB (1M nodes: ~390 MB). The
# corpus (1,276 .tf files of five real repositories, checked in one run) keeps ~580,000 nodes.
MAX_HCL_NODES = 800_000
SKIPPED = "not parsed: the run's budget for Terraform syntax trees is spent"


def parse_terraform(files: list[tuple[FileEntry, bytes]], parse: Callable[[FileEntry, bytes, int], ParsedFile],
                    max_nodes: int | None = None) -> dict[str, ParsedFile]:
    """abspath -> parsed file for every one of `files`; `parse(entry, data, room)` parses one
    file that may keep at most `room` tree nodes (HclRoomSpent otherwise)."""
    if max_nodes is None:
        max_nodes = MAX_HCL_NODES
    folders: dict[str, list[tuple[FileEntry, bytes]]] = {}
    for entry, data in files:
        folders.setdefault(os.path.dirname(entry.abspath), []).append((entry, data))
    results: dict[str, ParsedFile] = {}
    used = 0
    skipped: list[FileEntry] = []
    for folder in folders.values():
        if skipped:
            skipped.extend(entry for entry, _ in folder)
            continue
        here: list[ParsedFile] = []
        nodes = 0
        try:
            for entry, data in folder:
                pf = parse(entry, data, max_nodes - used - nodes)
                nodes += pf.hcl.tree_nodes() if pf.hcl is not None else 0
                here.append(pf)
        except HclRoomSpent:
            skipped.extend(entry for entry, _ in folder)  # the trees parsed here are dropped
            continue
        used += nodes
        results.update((pf.entry.abspath, pf) for pf in here)
    if skipped:
        results.update(_skipped(skipped, max_nodes))
    return results


def _skipped(entries: list[FileEntry], max_nodes: int) -> dict[str, ParsedFile]:
    out = {e.abspath: ParsedFile(e, skipped=SKIPPED) for e in entries}
    folders = len({os.path.dirname(e.abspath) for e in entries})
    first = out[entries[0].abspath]
    first.skipped = None
    first.error = parse_error(
        first.entry.path, 1, 1,
        f"Terraform not checked: this file and {len(entries) - 1} more .tf/.tfvars files in "
        f"{folders} folder(s) were skipped, past the run's limit of {max_nodes:,} HCL syntax "
        f"nodes (~3 MB of ordinary Terraform)")
    return out

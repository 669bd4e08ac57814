"""Discovery: walk the checked paths, classify files, and split them into scopes.

A scope is one deployment target; rules correlate facts only inside one scope.

* Every Terraform *root* module (a directory of .tf files that no other discovered module
  calls with a local `source = "./..."`) starts a scope; the local modules it calls, and
  their files, belong to it.
* A non-Terraform file inside a root's directory belongs to the deepest such root.
* A file outside every root looks upwards: at the first ancestor directory that holds
  roots, it joins that root if there is one, or all of them if they are *environments*
  of one deployment: sibling directories that are named like environments (`dev`,
  `prod`, ...), or sit in a folder named like it (`envs/`, `environments/`, `clusters/`,
  ...), or call a common local module. So `envs/dev` and `envs/prod` both see the shared
  `k8s/`. Otherwise the roots are unrelated projects (a folder of patterns), and the file
  forms a scope of its own with its neighbours (the top-level folder it sits in below
  that ancestor).
* Without any Terraform root, everything under a checked path is one scope.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from dataclasses import dataclass, field

SKIP_DIRS = frozenset((".git", ".terraform", "node_modules", "__pycache__", ".venv", "venv"))
YAML_SUFFIXES = (".yaml", ".yml")
KUSTOMIZATION_NAMES = frozenset(("kustomization.yaml", "kustomization.yml", "Kustomization"))
ENV_PARENTS = frozenset(("env", "envs", "environment", "environments", "stage", "stages",
                         "cluster", "clusters", "account", "accounts", "region", "regions",
                         "workspace", "workspaces", "live", "deployments", "tenants"))
ENV_NAMES = re.compile(r"^(dev|develop|development|test|testing|qa|int|integration|stag|stage|"
                       r"staging|preprod|pre-prod|uat|perf|sandbox|demo|prod|production|prd|"
                       r"blue|green|canary|shared|global|[a-z]{2}-[a-z]+-\d)([-_].*)?$")
_LOCAL_SOURCE = re.compile(rb'\bsource\s*=\s*"(\.\.?/[^"$]*)"')

# file kinds
TERRAFORM = "terraform"
TFVARS = "tfvars"
MANIFEST = "manifest"  # YAML/JSON that may hold Kubernetes objects
CHART = "chart"  # a Chart.yaml
VALUES = "values"  # a Helm values file
KUSTOMIZATION = "kustomization"


@dataclass(slots=True)
class FileEntry:
    path: str  # display path: relative to the current directory, '/' separators
    abspath: str
    kind: str
    chart_dir: str | None = None  # for chart/values files: the chart's directory


@dataclass
class Scope:
    name: str
    roots: list[str] = field(default_factory=list)  # Terraform root module dirs (abspath)
    files: list[FileEntry] = field(default_factory=list)


@dataclass
class Discovery:
    files: list[FileEntry] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    skipped_templates: int = 0
    template_dirs: dict[str, str] = field(default_factory=dict)  # chart dir -> its templates/
    tree_roots: list[str] = field(default_factory=list)


def display_path(abspath: str, cwd: str) -> str:
    """Paths are shown relative to the current directory, with '/' separators."""
    try:
        rel = os.path.relpath(abspath, cwd)
    except ValueError:  # another drive on Windows
        rel = abspath
    return rel.replace(os.sep, "/")


def classify(name: str, in_chart: bool) -> str | None:
    lower = name.lower()
    if lower.endswith(".tf"):
        return TERRAFORM
    if lower == "terraform.tfvars" or lower.endswith(".auto.tfvars"):
        return TFVARS
    if name in KUSTOMIZATION_NAMES:
        return KUSTOMIZATION
    if name in ("Chart.yaml", "Chart.lock"):
        return CHART
    if lower.endswith(YAML_SUFFIXES):
        if in_chart and lower.startswith("values"):
            return VALUES
        if _looks_like_values(lower):
            return VALUES
        return MANIFEST
    if lower.endswith(".json"):
        return MANIFEST
    return None


def _looks_like_values(lower: str) -> bool:
    stem = lower.rsplit(".", 1)[0]
    return stem == "values" or stem.startswith("values-") or stem.endswith("-values") or \
        stem.endswith("_values") or stem.endswith(".values")


def discover(paths: list[str], cwd: str | None = None, exclude=None) -> Discovery:
    """Walk `paths` (files or directories) and build the scopes."""
    cwd = os.path.realpath(cwd or os.getcwd())
    result = Discovery()
    per_path: list[tuple[str, list[FileEntry]]] = []
    for p in paths:
        top = os.path.realpath(p)
        if not os.path.exists(top):
            result.problems.append((p, "no such file or directory"))
            continue
        result.tree_roots.append(top if os.path.isdir(top) else os.path.dirname(top))
        entries: list[FileEntry] = []
        if os.path.isfile(top):
            kind = classify(os.path.basename(top), False)
            if kind:
                entries.append(FileEntry(display_path(top, cwd), top, kind))
        else:
            _walk(top, cwd, entries, result, exclude)
        per_path.append((top, entries))
        result.files.extend(entries)
    for top, entries in per_path:
        result.scopes.extend(_scopes(top, entries, cwd))
    return result


class GitTracked:
    """What `git ls-files` would list under a directory of a git work tree: tracked files and
    untracked files that are not ignored (.gitignore, .git/info/exclude, the global excludes).
    None when `top` is in no work tree or git is unavailable: then every file counts."""

    def __init__(self, files: set[str], dirs: set[str], whole: set[str]):
        self.files, self.dirs, self.whole = files, dirs, whole

    @classmethod
    def of(cls, top: str) -> GitTracked | None:
        probe = top
        while not os.path.exists(os.path.join(probe, ".git")):
            parent = os.path.dirname(probe)
            if parent == probe:
                return None  # no work tree: skip the git call (start-up time)
            probe = parent
        try:
            proc = subprocess.run(["git", "-C", top, "ls-files", "-z", "--cached", "--others",
                                   "--exclude-standard"], capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if proc.returncode != 0:
            return None
        files: set[str] = set()
        dirs: set[str] = {top}
        whole: set[str] = set()
        for raw in proc.stdout.split(b"\0"):
            if not raw:
                continue
            full = os.path.join(top, os.fsdecode(raw).replace("/", os.sep))
            if os.path.isdir(full):
                whole.add(full)  # a submodule or nested repository: all of it
            files.add(full)
            parent = os.path.dirname(full)
            while parent not in dirs and len(parent) > len(top):
                dirs.add(parent)
                parent = os.path.dirname(parent)
        return cls(files, dirs, whole)

    def keeps(self, path: str, is_dir: bool) -> bool:
        if any(path == w or path.startswith(w + os.sep) for w in self.whole):
            return True
        return path in (self.dirs if is_dir else self.files)


def _walk(top: str, cwd: str, out: list[FileEntry], result: Discovery, exclude) -> None:
    seen_dirs: set[tuple[int, int]] = set()
    tracked = GitTracked.of(top)
    # stack of (directory, enclosing chart dir or None, inside chart templates)
    stack: list[tuple[str, str | None]] = [(top, None)]
    top_prefix = top.rstrip(os.sep) + os.sep
    while stack:
        directory, chart_dir = stack.pop()
        try:
            st = os.stat(directory)
        except OSError as exc:
            result.problems.append((display_path(directory, cwd), f"cannot read: {exc.strerror}"))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            continue  # symlink loop or repeated mount
        seen_dirs.add(key)
        try:
            with os.scandir(directory) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            result.problems.append((display_path(directory, cwd), f"cannot read directory: {exc.strerror}"))
            continue
        names = {c.name for c in children}
        if "Chart.yaml" in names:
            chart_dir = directory
        subdirs = []
        shown_dir = display_path(directory, cwd)  # once per directory: relpath is slow
        shown_prefix = "" if shown_dir == "." else shown_dir + "/"
        for child in children:
            name = child.name
            full = child.path
            try:
                is_link = child.is_symlink()
                if is_link:
                    real = os.path.realpath(full)
                    if not (real == top or real.startswith(top_prefix)):
                        continue  # never follow links out of the checked tree
                is_dir = child.is_dir()
            except OSError:
                continue
            if exclude is not None and exclude(os.path.relpath(full, top).replace(os.sep, "/"),
                                               shown_prefix + name, full):
                continue
            if tracked is not None and not tracked.keeps(full, is_dir):
                continue  # ignored by git (.gitignore): not part of the repository
            if is_dir:
                if name in SKIP_DIRS or name.startswith("."):
                    continue
                if chart_dir is not None and directory == chart_dir and name in ("templates", "crds", "charts"):
                    # Go templates are not YAML; subcharts are rendered by Helm
                    if name == "templates":
                        result.skipped_templates += 1
                        result.template_dirs[chart_dir] = full
                    continue
                subdirs.append((full, chart_dir))
                continue
            if name.startswith("."):
                continue
            try:
                mode = child.stat().st_mode
            except OSError:
                continue
            if not stat.S_ISREG(mode):
                continue
            in_chart = chart_dir is not None and directory == chart_dir
            kind = classify(name, in_chart)
            if kind is None:
                continue
            if chart_dir is not None and directory != chart_dir and kind != TERRAFORM:
                # a non-standard folder inside a chart (ci/, examples/): values variants
                kind = VALUES if name.lower().endswith(YAML_SUFFIXES) else kind
            out.append(FileEntry(shown_prefix + name, full, kind,
                                 chart_dir if kind in (CHART, VALUES) and chart_dir else None))
        stack.extend(reversed(subdirs))


def module_calls(entries: list[FileEntry]) -> dict[str, set[str]]:
    """Directory -> local module directories it calls (read from the raw text: cheap)."""
    calls: dict[str, set[str]] = {}
    for e in entries:
        if e.kind != TERRAFORM:
            continue
        d = os.path.dirname(e.abspath)
        calls.setdefault(d, set())
        try:
            with open(e.abspath, "rb") as fh:
                data = fh.read(4 * 1024 * 1024)
        except OSError:
            continue
        for m in _LOCAL_SOURCE.finditer(data):
            target = os.path.normpath(os.path.join(d, m.group(1).decode("utf-8", "replace")))
            calls[d].add(target)
    return calls


def _is_within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _scopes(top: str, entries: list[FileEntry], cwd: str) -> list[Scope]:
    calls = module_calls(entries)
    module_dirs = set(calls)
    called = {t for targets in calls.values() for t in targets if t in module_dirs}
    roots = sorted(d for d in module_dirs if d not in called)

    def scope_name(directory: str) -> str:
        name = display_path(directory, cwd)
        return name if name != "" else "."

    if not roots:
        return [Scope(scope_name(top), [], list(entries))] if entries else []

    # each root with the local modules it reaches
    reach: dict[str, set[str]] = {}
    for r in roots:
        seen = {r}
        todo = [r]
        while todo:
            d = todo.pop()
            for t in calls.get(d, ()):
                if t in module_dirs and t not in seen:
                    seen.add(t)
                    todo.append(t)
        reach[r] = seen
    scopes = {r: Scope(scope_name(r), [r], []) for r in roots}
    loose: dict[str, Scope] = {}

    by_dir: dict[str, tuple[list[str], str]] = {}  # directory -> (owners, loose group)
    for e in entries:
        d = os.path.dirname(e.abspath)
        owners: list[str] = []
        if e.kind in (TERRAFORM, TFVARS) and d in module_dirs:
            owners = [r for r in roots if d in reach[r]]
        if not owners and d in by_dir:
            owners, group = by_dir[d]
            if not owners:
                loose.setdefault(group, Scope(scope_name(group), [], [])).files.append(e)
                continue
        elif not owners:
            inside = [r for r in roots if _is_within(d, r)]
            if inside:
                owners = [max(inside, key=len)]
            else:
                # files inside a called module's directory go with its callers
                mods = [m for m in module_dirs if _is_within(d, m) and m in called]
                if mods:
                    m = max(mods, key=len)
                    owners = [r for r in roots if m in reach[r]]
            group = ""
            if not owners:
                owners, group = _look_up(d, top, roots, reach)
            by_dir[d] = (owners, group)
            if not owners:
                loose.setdefault(group, Scope(scope_name(group), [], [])).files.append(e)
                continue
        for r in owners:
            scopes[r].files.append(e)
    return [s for s in scopes.values()] + list(loose.values())


def _environments(roots: list[str], reach: dict[str, set[str]]) -> bool:
    """Are these sibling roots environments of one deployment (see the module doc)?"""
    parents = {os.path.dirname(r) for r in roots}
    if len(parents) != 1:
        return False
    if os.path.basename(parents.pop()).lower() in ENV_PARENTS:
        return True
    if all(ENV_NAMES.match(os.path.basename(r).lower()) for r in roots):
        return True
    shared = set.intersection(*(reach[r] - {r} for r in roots))
    return bool(shared)


def _look_up(d: str, top: str, roots: list[str], reach: dict[str, set[str]]) -> tuple[list[str], str]:
    """For a file outside every root: the roots it belongs to, or its own group dir."""
    current = d
    previous = d
    while True:
        under = [r for r in roots if _is_within(r, current)]
        if under:
            if len(under) == 1 or _environments(under, reach):
                return under, ""
            return [], previous if previous != current else current
        if current == top or not _is_within(current, top):
            return [], current
        previous = current
        current = os.path.dirname(current)

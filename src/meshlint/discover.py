"""Discovery: walk the checked paths, classify files, and split them into scopes.

A scope is one deployment target; rules correlate facts only inside one scope.

* Every Terraform *root* module (a directory of .tf files that no other discovered module
  calls with a local `source = "./..."`) starts a scope; the local modules it calls, and
  their files, belong to it.
* A non-Terraform file inside a root's directory belongs to the deepest such root.
* A file outside every root joins the roots whose Terraform names its path (`file()`,
  `templatefile()`, a `kubectl_path_documents` pattern, a local chart path). Otherwise it
  looks upwards: at the first ancestor directory that holds roots, it joins the root that
  sits right beside it (`infra/` + `k8s/`), or all of them if they are *environments* of
  one deployment: sibling directories named like environments (`dev`, `prod`, ...), or in
  a folder named like it (`envs/`, `clusters/`, ...), or calling a common local module. So
  `envs/dev` and `envs/prod` both see the shared `k8s/`. Otherwise the roots are unrelated
  projects, and the file forms a scope of its own with its neighbours (the top-level folder
  it sits in below that ancestor).
* Vendored release trees, rendered output and other tools' test fixtures are set aside
  (no scope) unless a root names them; Terraform in hidden folders is noted, not read.
* Without any Terraform root, everything under a checked path is one scope.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable

from msgspec import Struct, field

from meshlint.deployments import LAYER_NAME, layer_groups, set_aside_dir
from meshlint.project import within
from meshlint.tfrefs import local_module_calls, named_paths

# the largest file meshlint reads (bigger ones are reported, not parsed)
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024

SKIP_DIRS = frozenset((".git", ".terraform", "node_modules", "__pycache__", ".venv", "venv"))
YAML_SUFFIXES = (".yaml", ".yml")
KUSTOMIZATION_NAMES = frozenset(("kustomization.yaml", "kustomization.yml", "Kustomization"))
ENV_PARENTS = frozenset(("env", "envs", "environment", "environments", "stage", "stages",
                         "cluster", "clusters", "account", "accounts", "region", "regions",
                         "workspace", "workspaces", "live", "deployments", "tenants"))
ENV_NAMES = re.compile(r"^(dev|develop|development|test|testing|qa|int|integration|stag|stage|"
                       r"staging|preprod|pre-prod|uat|perf|sandbox|demo|prod|production|prd|"
                       r"blue|green|canary|shared|global|[a-z]{2}-[a-z]+-\d)([-_].*)?$")

# file kinds
TERRAFORM = "terraform"
TFVARS = "tfvars"
MANIFEST = "manifest"  # YAML/JSON that may hold Kubernetes objects
CHART = "chart"  # a Chart.yaml
VALUES = "values"  # a Helm values file
KUSTOMIZATION = "kustomization"


class FileEntry(Struct):
    path: str  # display path: relative to the current directory, '/' separators
    abspath: str
    kind: str
    chart_dir: str | None = None  # for chart/values files: the chart's directory


class Scope(Struct):
    name: str
    roots: list[str] = field(default_factory=list)  # Terraform root module dirs (abspath)
    files: list[FileEntry] = field(default_factory=list)
    # folder (display path) -> why its files joined this scope (for --verbose)
    reasons: dict[str, str] = field(default_factory=dict)


class Discovery(Struct):
    files: list[FileEntry] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    skipped_templates: int = 0
    template_dirs: dict[str, str] = field(default_factory=dict)  # chart dir -> its templates/
    hidden_terraform: list[str] = field(default_factory=list)  # hidden folders holding .tf files
    tree_roots: list[str] = field(default_factory=list)
    # folder (display path) -> why its files are in no scope: not a deployment (--verbose)
    set_aside: dict[str, str] = field(default_factory=dict)
    # what each path's walk found, kept so that scopes can be cut later (see directory_scopes)
    walked: list[tuple[str, list[FileEntry]]] = field(default_factory=list)
    cwd: str = ""
    scopes_cut: bool = False


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


def discover(paths: list[str], cwd: str | None = None, exclude=None, scopes: bool = True) -> Discovery:
    """Walk `paths` (files or directories) and build the scopes (with `scopes=False`, only
    the walk: a run answered from the run cache needs no scopes, see directory_scopes)."""
    cwd = os.path.realpath(cwd or os.getcwd())
    result = Discovery(cwd=cwd)
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
    result.walked = per_path
    if scopes:
        directory_scopes(result)
    if result.hidden_terraform:
        first = result.hidden_terraform[0]
        more = len(result.hidden_terraform) - 1
        result.problems.append((first, "hidden folder with Terraform, not read" +
                                (f" (and {more} more hidden folders)" if more else "") +
                                ": check it by naming its path"))
    return result


def directory_scopes(disc: Discovery) -> Discovery:
    """Cut the walked files into scopes by the repository's layout (once)."""
    if not disc.scopes_cut:
        disc.scopes_cut = True
        for top, entries in disc.walked:
            disc.scopes.extend(_scopes(top, entries, disc.cwd, disc.set_aside))
    return disc


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
        import subprocess  # only in a work tree (start-up time)

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
                    if name not in SKIP_DIRS and _holds_terraform(full):
                        result.hidden_terraform.append(shown_prefix + name)
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


def module_calls(entries: list[FileEntry], top: str | None = None) -> dict[str, set[str]]:
    """Directory -> module directories it calls inside the checked tree `top` (read from
    the raw text: cheap)."""
    return local_module_calls((e.abspath for e in entries if e.kind == TERRAFORM), [top] if top else [])


def _holds_terraform(directory: str) -> bool:
    """Does a (hidden) folder hold .tf files? Such roots are not read, but noted."""
    for _, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        if any(f.endswith(".tf") for f in files):
            return True
    return False


def references(entries: list[FileEntry]) -> dict[str, set[str]]:
    """Module directory -> the paths its Terraform names (see `tfrefs.named_paths`)."""
    return named_paths(e.abspath for e in entries if e.kind == TERRAFORM)


def _scopes(top: str, entries: list[FileEntry], cwd: str,
            set_aside: dict[str, str] | None = None) -> list[Scope]:
    calls = module_calls(entries, top)
    refs = references(entries)
    module_dirs = set(calls)
    called = {t for targets in calls.values() for t in targets if t in module_dirs}
    roots = sorted(d for d in module_dirs if d not in called)

    names: dict[str, str] = {}

    def scope_name(directory: str) -> str:
        if directory not in names:  # asked once per file: relpath is the costly part
            names[directory] = display_path(directory, cwd) or "."
        return names[directory]

    # each root with the local modules it reaches, and the paths they name
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
    named = {r: [p for m in reach[r] for p in refs.get(m, ())] for r in roots}
    # path named by Terraform (a file, or a folder) -> the roots naming it: a file is named
    # when it or one of its folders is, found by walking up its path, not by comparing all pairs
    named_by: dict[str, list[str]] = {}
    for r in roots:
        for p in named[r]:
            owners = named_by.setdefault(p.rstrip(os.sep) or os.sep, [])
            if r not in owners:
                owners.append(r)

    folder_namers: dict[str, frozenset[str]] = {}  # folder -> roots naming it or a folder above

    def namers(folder: str) -> frozenset[str]:
        chain = []  # the folders up to the first one already known (no recursion: paths may be deep)
        probe = folder
        while probe not in folder_namers:
            chain.append(probe)
            parent = os.path.dirname(probe)
            if parent == probe:
                folder_namers[probe] = frozenset(named_by.get(probe, ()))
                chain.pop()
                break
            probe = parent
        for f in reversed(chain):
            folder_namers[f] = folder_namers[os.path.dirname(f)].union(named_by.get(f, ()))
        return folder_namers[folder]

    def naming_roots(path: str) -> list[str]:
        found = namers(os.path.dirname(path)).union(named_by.get(path, ()))
        return [r for r in roots if r in found] if found else []  # in the roots' order

    aside: dict[str, tuple[str, str] | None] = {}  # directory -> set-aside folder and why
    kept = []
    for e in entries:
        d = os.path.dirname(e.abspath)
        if d not in aside:
            aside[d] = set_aside_dir(d, top)
        hit = aside[d]
        if hit is not None and e.kind not in (TERRAFORM, TFVARS) and not naming_roots(e.abspath):
            if set_aside is not None:
                set_aside.setdefault(scope_name(hit[0]), hit[1])
            continue
        kept.append(e)
    entries = kept

    if not roots:
        if not entries:
            return []
        return [Scope(scope_name(top), [], list(entries), {scope_name(top): "the checked path (no Terraform root)"})]

    scopes = {r: Scope(scope_name(r), [r], []) for r in roots}
    loose: dict[str, Scope] = {}

    def join(owners: list[str], e: FileEntry, why: str) -> None:
        for r in owners:
            scopes[r].files.append(e)
            scopes[r].reasons.setdefault(scope_name(os.path.dirname(e.abspath)), why)

    by_dir: dict[str, tuple[list[str], str, str]] = {}  # directory -> (owners, loose group, why)
    for e in entries:
        d = os.path.dirname(e.abspath)
        if e.kind in (TERRAFORM, TFVARS) and d in module_dirs:
            owners = [r for r in roots if d in reach[r]]
            if owners:
                join(owners, e, "Terraform root" if d in roots else "local module of the root")
                continue
        referencing = naming_roots(e.abspath)
        if referencing:
            join(referencing, e, "named by the root's Terraform (a path it reads or applies)")
            continue
        if d not in by_dir:
            by_dir[d] = _owners(d, top, roots, reach, module_dirs, called)
        owners, group, why = by_dir[d]
        if owners:
            join(owners, e, why)
        else:
            loose.setdefault(group, Scope(scope_name(group), [], [], {scope_name(group): why})).files.append(e)
    return _layered(scopes, roots, entries, scope_name) + list(loose.values())


def _layered(scopes: dict[str, Scope], roots: list[str], entries: list[FileEntry],
             scope_name: Callable[[str], str]) -> list[Scope]:
    """Roots that are layers of one deployment (see `deployments.layer_groups`) share one
    scope: their files, once each, and why each joined."""
    texts: dict[str, list[str]] = {}
    for e in entries:
        if e.kind == TERRAFORM:
            texts.setdefault(os.path.dirname(e.abspath), []).append(e.abspath)
    out = []
    for members in layer_groups(roots, texts):
        if len(members) == 1:
            out.append(scopes[members[0]])
            continue
        merged = Scope(scope_name(os.path.commonpath(members)), list(members), [], {})
        seen: set[str] = set()
        for r in members:
            for e in scopes[r].files:
                if e.abspath not in seen:
                    seen.add(e.abspath)
                    merged.files.append(e)
            for folder, why in scopes[r].reasons.items():
                if folder == scope_name(r):
                    others = ", ".join(scope_name(m) for m in members if m != r)
                    why = f"{why}: a layer of one deployment with {others}"
                merged.reasons.setdefault(folder, why)
        out.append(merged)
    return out


def _owners(d: str, top: str, roots: list[str], reach: dict[str, set[str]], module_dirs: set[str],
            called: set[str]) -> tuple[list[str], str, str]:
    """The roots a folder's files go with, else its own group folder, and why."""
    inside = [r for r in roots if within(d, r)]
    if inside:
        return [max(inside, key=len)], "", "inside the root's folder"
    # files inside a called module's directory go with its callers
    mods = [m for m in module_dirs if within(d, m) and m in called]
    if mods:
        m = max(mods, key=len)
        return [r for r in roots if m in reach[r]], "", "inside a local module's folder"
    owners, group = _look_up(d, top, roots, reach)
    if owners:
        return owners, "", "deployment layout: the only root (or environment roots) beside this folder"
    return [], group, "no Terraform root names this folder"


def _environments(roots: list[str], reach: dict[str, set[str]]) -> bool:
    """Are these sibling roots environments of one deployment (see the module doc)?"""
    parents = {os.path.dirname(r) for r in roots}
    if len(parents) != 1:
        return False
    if all(ENV_NAMES.match(os.path.basename(r).lower()) for r in roots):
        return True
    if len(roots) > 1 and all(LAYER_NAME.match(os.path.basename(r)) for r in roots):
        return True  # numbered layers of one deployment: one scope (see _layered)
    if len(roots) == 1:  # one root in `cluster/terraform` is a project, not an environment
        return False
    if os.path.basename(parents.pop()).lower() in ENV_PARENTS:
        return True
    shared = set.intersection(*(reach[r] - {r} for r in roots))
    return bool(shared)


def _look_up(d: str, top: str, roots: list[str], reach: dict[str, set[str]]) -> tuple[list[str], str]:
    """For a file outside every root: the roots it belongs to, or its own group dir."""
    current = d
    previous = d
    while True:
        under = [r for r in roots if within(r, current)]
        if under:
            # the plain layout: the root's folder beside this one (`infra/` + `k8s/`), or
            # environment roots in a folder beside it (`envs/dev`, `envs/prod` + `k8s/`);
            # a root deeper down is a project of its own and names what it applies
            beside = all(os.path.dirname(r) == current for r in under)
            in_env_folder = all(os.path.dirname(os.path.dirname(r)) == current for r in under)
            if (beside or in_env_folder) and _environments(under, reach) or \
                    beside and len(under) == 1:
                return under, ""
            return [], previous if previous != current else current
        if current == top or not within(current, top):
            return [], current
        previous = current
        current = os.path.dirname(current)

"""What a Terraform module names on disk, read from its raw text before any evaluation
(cheap): the modules it calls (`source = "./..."`, or a GitHub source naming the checked
repository's own module folder) and the paths it reads or applies
(`file()`, `templatefile()`, a `kubectl_path_documents` pattern, a local chart path).
Discovery ties folders to the roots that name them with these."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from meshlint.project import within

_SOURCE = re.compile(rb'\bsource\s*=\s*"([^"$\n]*)"')
# The GitHub module sources Terraform fetches from one repository's subfolder:
# `github.com/<org>/<repo>//<dir>`, `git::https://github.com/<org>/<repo>.git//<dir>` and
# `git@github.com:<org>/<repo>.git//<dir>` (each optionally `?ref=...`).
_GITHUB_SOURCE = re.compile(
    r"(?:github\.com/|git::https://github\.com/|(?:git::)?git@github\.com:)"
    r"(?P<org>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?//(?P<dir>[^?#]+)(?:\?[^#]*)?")
_REMOTE_URL = re.compile(r"^\s*url\s*=\s*(\S+)\s*$", re.MULTILINE)
_GIT_CONFIG_LIMIT = 256 * 1024
_PATH_LITERAL = re.compile(rb'"((?:\$\{path\.(?:module|root|cwd)\}/|\.\.?/)[^"\n]*)"')
_PATH_END = re.compile(r"[$%*?\[{]")
# `variable "x" { ... default = "literal" ... }` (no nested braces before the default)
_VARIABLE_DEFAULT = re.compile(rb'\bvariable\s+"([\w-]+)"\s*\{[^{}]*?\bdefault\s*=\s*"([^"$%\n]*)"')
_VAR_REF = re.compile(r"\$\{var\.([\w-]+)\}")
_READ_LIMIT = 4 * 1024 * 1024


_READS: dict[tuple[str, int, int], bytes] = {}  # (path, mtime, size) -> text: scope cutting asks thrice


def read_tf(path: str) -> bytes | None:
    """A .tf file's text (capped), read once while it is unchanged (by mtime and size)."""
    try:
        st = os.stat(path)
        key = (path, st.st_mtime_ns, st.st_size)
        if key in _READS:
            return _READS[key]
        with open(path, "rb") as fh:
            data = fh.read(_READ_LIMIT)
    except OSError:
        return None
    if len(_READS) > 20_000:  # a long-lived process (the language server) must not grow
        _READS.clear()
    _READS[key] = data
    return data


def _names_repository(root: str, org: str, repo: str) -> bool:
    """Is the checked tree at `root` the GitHub repository `org/repo`? Its folder is named
    `repo`, or its `.git/config` has a remote url naming `org/repo`. The config is only
    compared, never shown: a remote url can hold credentials."""
    if os.path.basename(root.rstrip(os.sep)).lower() == repo.lower():
        return True
    try:
        with open(os.path.join(root, ".git", "config"), "rb") as fh:
            config = fh.read(_GIT_CONFIG_LIMIT).decode("utf-8", "replace")
    except OSError:
        return False
    wanted = f"{org}/{repo}".lower()
    for m in _REMOTE_URL.finditer(config):
        url = m.group(1).lower().rstrip("/")
        url = url[:-4] if url.endswith(".git") else url
        if url.endswith(("github.com/" + wanted, "github.com:" + wanted)):
            return True
    return False


def own_repository_module(source: str, caller_dir: str, tree_roots: Iterable[str]) -> str | None:
    """The folder a GitHub module source names when the checked tree is that repository:
    `<tree root>/<dir>` for the tree root holding the caller, if that folder lies inside it
    and holds .tf files; else None. A `?ref=` may name another commit than the one checked
    out: the folder is read as checked out (the closest answer meshlint can give offline)."""
    m = _GITHUB_SOURCE.fullmatch(source)
    if m is None:
        return None
    subdir = m.group("dir").strip("/")
    parts = subdir.split("/")
    if not subdir or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None  # empty, escaping or hidden (version-control metadata): not followed
    real_caller = os.path.realpath(caller_dir)
    for root in tree_roots:
        real_root = os.path.realpath(root)
        if not within(real_caller, real_root):
            continue
        if not _names_repository(real_root, m.group("org"), m.group("repo")):
            return None
        target = os.path.join(real_root, *parts)
        if not within(os.path.realpath(target), real_root):
            return None  # a symlink out of the checked tree
        try:
            holds_tf = any(n.endswith(".tf") and os.path.isfile(os.path.join(target, n))
                           for n in os.listdir(target))
        except OSError:
            return None
        return os.path.normpath(target) if holds_tf else None
    return None


def module_source_dir(source: str, caller_dir: str, tree_roots: Iterable[str]) -> str | None:
    """The folder a module `source` names inside the checked tree: a local path
    (`./x`, `../x`) joined to the caller, or the checked repository's own module folder
    (`own_repository_module`); None for any other source."""
    if source.startswith("./") or source.startswith("../"):
        return os.path.normpath(os.path.join(caller_dir, source))
    return own_repository_module(source, caller_dir, tree_roots)


def local_module_calls(tf_files: Iterable[str], tree_roots: Iterable[str] = ()) -> dict[str, set[str]]:
    """Module directory -> module directories it calls inside the checked tree, for the
    given .tf files (every directory holding one is a key, even when it calls nothing).
    `tree_roots` are the checked paths, for sources naming the repository itself. A module
    calling its own folder (`source = "./"`) is no call: Terraform refuses the cycle, and one
    such line must not make the folder look called (and so not a root)."""
    roots = list(tree_roots)
    calls: dict[str, set[str]] = {}
    for path in tf_files:
        d = os.path.dirname(path)
        calls.setdefault(d, set())
        data = read_tf(path)
        if data is None:
            continue
        for m in _SOURCE.finditer(data):
            target = module_source_dir(m.group(1).decode("utf-8", "replace"), d, roots)
            if target is not None and target != d:
                calls[d].add(target)
    return calls


def named_paths(tf_files: Iterable[str]) -> dict[str, set[str]]:
    """Module directory -> the paths its Terraform names: every string that starts with
    `${path.module}/`, `./` or `../`, resolved against the module, with `${var.x}` replaced
    by the variable's literal string default (`istio-${var.istio_version}/manifests/charts/base`
    names the chart of the default version), cut before the first other interpolation or
    glob."""
    texts: dict[str, list[bytes]] = {}
    for path in tf_files:
        d = os.path.dirname(path)
        texts.setdefault(d, [])
        data = read_tf(path)
        if data is not None:
            texts[d].append(data)
    refs: dict[str, set[str]] = {}
    for d, datas in texts.items():
        out = refs.setdefault(d, set())
        defaults = {m.group(1).decode("utf-8", "replace"): m.group(2).decode("utf-8", "replace")
                    for data in datas for m in _VARIABLE_DEFAULT.finditer(data)}

        def default_of(m: re.Match[str]) -> str:
            return defaults.get(m.group(1), m.group(0))

        for data in datas:
            for m in _PATH_LITERAL.finditer(data):
                literal = m.group(1).decode("utf-8", "replace")
                literal = re.sub(r"^\$\{path\.(module|root|cwd)\}/", "./", literal)
                literal = _VAR_REF.sub(default_of, literal)
                cut = _PATH_END.search(literal)
                if cut:  # drop the partial segment an interpolation or glob sits in
                    literal = literal[:cut.start()].rsplit("/", 1)[0]
                target = os.path.normpath(os.path.join(d, literal))
                if target != d:  # the module's own folder: says nothing
                    out.add(target)
    return refs

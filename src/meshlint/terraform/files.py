"""File access for `file()` and `templatefile()`: only regular files inside the checked tree.

A repository is hostile input, so what HCL may read is fenced here, in one place: no path
outside the checked tree, no file over MAX_FILE_READ, each file read once per run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from meshlint.discover import display_path
from meshlint.parse.yamlfront import YamlFile
from meshlint.values import Unknown

from .convert import EvalError, Value, to_string
from .rendering import rendered
from .yamlread import YamlReads

if TYPE_CHECKING:  # type-only: the evaluator calls these functions with itself
    from .evaluate import Evaluator

MAX_FILE_READ = 2 * 1024 * 1024
# version-control metadata: `.git/config` holds the token CI checkouts use
VCS_DIRECTORIES = frozenset((".git", ".hg", ".svn", ".bzr", "_darcs", "CVS"))


class FileText(str):
    """What `file()` returns: the text, remembering the file it came from, so a YAML file
    already parsed by the parse layer is not parsed again and keeps its positions."""

    source: str  # real path

    def __new__(cls, text: str, source: str) -> FileText:
        obj = super().__new__(cls, text)
        obj.source = source
        return obj


class TreeFiles:
    """The files HCL may read: the checked tree's roots, a read cache, and the YAML files
    the parse layer already parsed (so `yamldecode(file(...))` keeps their positions)."""

    def __init__(self, tree_roots: list[str], yaml_files: dict[str, YamlFile] | None = None,
                 overlay: Mapping[str, bytes] | None = None):
        self.tree_roots = [os.path.realpath(r) for r in tree_roots]
        # real path -> an editor's unsaved text, read instead of the disk (the language server)
        self.overlay = {os.path.realpath(p): data for p, data in (overlay or {}).items()}
        self._cache: dict[str, bytes | None] = {}
        # every real path file()/templatefile() read or tried to read, in order, with the
        # sha256 of the bytes read (None: none were): the run cache's key must cover them (an
        # edited or deleted one makes a cached run stale)
        self.read_paths: dict[str, str | None] = {}
        self._yaml = yaml_files or {}  # real path -> YamlFile parsed by the parse layer
        # YAML read into the model through file() or a renderer, and the MESH001s it gave
        self.yaml = YamlReads(self._yaml, lambda real: self._yaml[real].path if real in self._yaml
                              else display_path(real, os.getcwd()))

    @property
    def layer_yaml(self) -> dict[str, YamlFile]:
        return self._yaml

    @staticmethod
    def resolve(path: str, module_dir: str) -> str:
        return os.path.realpath(path if os.path.isabs(path) else os.path.join(module_dir, path))


    def refusal(self, path: str, module_dir: str) -> str | None:
        """Why file() may not read a path at all, else None."""
        if "\x00" in path or "\x00" in module_dir:
            return "a file name with a NUL character"  # the OS would refuse it
        real = self.resolve(path, module_dir)
        for root in self.tree_roots:
            if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
                if VCS_DIRECTORIES.intersection(Path(os.path.relpath(real, root)).parts):
                    return "version-control metadata is never read"
                return None
        return "outside the checked tree"

    def read(self, path: str, module_dir: str) -> bytes | None:
        """file()/templatefile(): only regular files inside the checked tree, outside
        version-control metadata, size-capped."""
        if self.refusal(path, module_dir) is not None:
            return None
        real = self.resolve(path, module_dir)
        if real in self._cache:
            return self._cache[real]
        data = None
        if real in self.overlay:
            data = self.overlay[real] if len(self.overlay[real]) <= MAX_FILE_READ else None
        else:
            try:
                p = Path(real)
                if p.is_file() and p.stat().st_size <= MAX_FILE_READ:
                    data = p.read_bytes()
            except OSError:
                data = None
        self._cache[real] = data
        # what was read, hashed as it was read: the run cache keys on it (hashing the file
        # again after the run would miss a change made while the run used the old bytes)
        self.read_paths[real] = hashlib.sha256(data).hexdigest() if data is not None else None
        return data


def _read_for(ev: Evaluator, fn: str, path: Value) -> tuple[str, bytes] | Unknown:
    """(real path, bytes) of the file a function names, or Unknown saying why not."""
    if isinstance(path, Unknown):
        return path
    files = ev.ctx.project.files
    where = to_string(path)
    if (why := files.refusal(where, ev.ctx.module.directory)) is not None:
        return Unknown(f"{fn} not read: {why}")
    data = files.read(where, ev.ctx.module.directory)
    if data is None:
        return Unknown(f"{fn} outside the checked tree or unreadable")
    return files.resolve(where, ev.ctx.module.directory), data


def fn_file(ev: Evaluator, args: list[Value]) -> Value:
    (path,) = args
    read = _read_for(ev, "file()", path)
    if isinstance(read, Unknown):
        return read
    real, data = read
    try:
        return FileText(data.decode("utf-8"), real)
    except UnicodeDecodeError:
        raise EvalError("file() of a non-UTF-8 file") from None


def fn_templatefile(ev: Evaluator, args: list[Value]) -> Value:
    """The rendered text (a RenderedText that knows its template's lines), or Unknown when a
    variable is unknown or the template uses what is not rendered (see `rendering`)."""
    path, variables = args
    if isinstance(path, Unknown) or isinstance(variables, Unknown):
        return Unknown("templatefile with unknown arguments")
    read = _read_for(ev, "templatefile()", path)
    if isinstance(read, Unknown):
        return read
    real, data = read
    return rendered(data.decode("utf-8", "replace"), variables, real, "templatefile()", ev.f.path)


FILE_FUNCTIONS = {
    "file": fn_file,
    "templatefile": fn_templatefile,
}

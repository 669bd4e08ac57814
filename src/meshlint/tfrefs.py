"""What a Terraform module names on disk, read from its raw text before any evaluation
(cheap): the local modules it calls (`source = "./..."`) and the paths it reads or applies
(`file()`, `templatefile()`, a `kubectl_path_documents` pattern, a local chart path).
Discovery ties folders to the roots that name them with these."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

_LOCAL_SOURCE = re.compile(rb'\bsource\s*=\s*"(\.\.?/[^"$]*)"')
_PATH_LITERAL = re.compile(rb'"((?:\$\{path\.(?:module|root|cwd)\}/|\.\.?/)[^"\n]*)"')
_PATH_END = re.compile(r"[$%*?\[{]")
# `variable "x" { ... default = "literal" ... }` (no nested braces before the default)
_VARIABLE_DEFAULT = re.compile(rb'\bvariable\s+"([\w-]+)"\s*\{[^{}]*?\bdefault\s*=\s*"([^"$%\n]*)"')
_VAR_REF = re.compile(r"\$\{var\.([\w-]+)\}")
_READ_LIMIT = 4 * 1024 * 1024


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(_READ_LIMIT)
    except OSError:
        return None


def local_module_calls(tf_files: Iterable[str]) -> dict[str, set[str]]:
    """Module directory -> local module directories it calls, for the given .tf files
    (every directory holding one is a key, even when it calls nothing)."""
    calls: dict[str, set[str]] = {}
    for path in tf_files:
        d = os.path.dirname(path)
        calls.setdefault(d, set())
        data = _read(path)
        if data is None:
            continue
        for m in _LOCAL_SOURCE.finditer(data):
            target = os.path.normpath(os.path.join(d, m.group(1).decode("utf-8", "replace")))
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
        data = _read(path)
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

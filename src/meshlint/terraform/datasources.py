"""Data sources whose result is known before apply because they only render files of the
checked tree: `kubectl_path_documents` (`documents`, `manifests`) and `template_file`
(`rendered`). Every other data source is read at apply time: Unknown.

Rendering goes through `rendering` (known variables only) and reading through the
`TreeFiles` fence, so a data source sees no more than `templatefile()` does.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
from typing import TYPE_CHECKING

from meshlint.parse.hclfront import HclBlock
from meshlint.values import Unknown

from .convert import EvalError, Value, new_map, to_string
from .files import FileText
from .rendering import RenderedText, rendered

if TYPE_CHECKING:  # type-only: the evaluator calls these with the module instance
    from .context import ModuleContext

MAX_MATCHES = 200  # files one `pattern` may render
# gavinbunney/kubectl splits at every "\n---" and drops the rest of that line, so `----` or
# `--- # x` end a document too
_SEPARATOR = re.compile(r"^---")


def data_source(ctx: ModuleContext, dtype: str, blk: HclBlock) -> Value:
    """The attributes of a `data` block that are known, else Unknown (the module instance
    remembers the answer and guards against cycles)."""
    if dtype not in _READERS or "count" in blk.body.attrs or "for_each" in blk.body.attrs:
        return Unknown(f"data.{dtype} is read at apply time")
    try:
        return _READERS[dtype](ctx, blk.body.attrs, blk.file.path)
    except EvalError as exc:
        return Unknown(str(exc))


def _template_file(ctx: ModuleContext, attrs, named_in: str) -> Value:
    template = ctx.eval_attr(attrs.get("template"))
    if isinstance(template, Unknown):
        return template
    if not isinstance(template, str):
        raise EvalError("template_file needs a template string")
    variables = ctx.eval_attr(attrs.get("vars")) if "vars" in attrs else {}
    source = template.source if isinstance(template, FileText) else None
    text = rendered(str(template), variables if variables is not None else {}, source,
                    "template_file", named_in)
    out = new_map()
    out["rendered"] = text
    return out


def _path_documents(ctx: ModuleContext, attrs, named_in: str) -> Value:
    pattern = ctx.eval_attr(attrs.get("pattern"))
    if isinstance(pattern, Unknown):
        return pattern
    variables = ctx.eval_attr(attrs.get("vars")) if "vars" in attrs else {}
    secret = ctx.eval_attr(attrs.get("sensitive_vars")) if "sensitive_vars" in attrs else {}
    if isinstance(secret, dict) and isinstance(variables, dict):
        variables = {**variables, **secret}
    elif isinstance(secret, Unknown):
        variables = secret
    if ctx.eval_attr(attrs.get("disable_template")) is True:
        variables = None  # read as written
    documents: list[RenderedText] = []
    for path in _matches(ctx, to_string(pattern)):
        data = ctx.project.files.read(path, ctx.module.directory)
        if data is None:
            return Unknown(f"kubectl_path_documents cannot read {os.path.basename(path)}")
        text = data.decode("utf-8", "replace")
        if variables is None:
            whole: Value = RenderedText(text, path, "kubectl_path_documents", named_in,
                                        tuple(range(1, text.count("\n") + 2)))
        else:
            whole = rendered(text, variables, path, "kubectl_path_documents", named_in)
        if not isinstance(whole, RenderedText):
            return whole  # unknown variables: the documents are not known
        documents.extend(split_documents(whole))
    out = new_map()
    out["documents"] = documents
    manifests: dict[str, Value] = {}
    for i, doc in enumerate(documents):
        key = _self_link(doc, i)
        manifests[key if key not in manifests else f"{key} ({i})"] = doc
    out["manifests"] = manifests
    return out


def _matches(ctx: ModuleContext, pattern: str) -> list[str]:
    """The files a glob names (Go's filepath.Glob: no `**`), inside the checked tree only."""
    files = ctx.project.files
    path = pattern if os.path.isabs(pattern) else os.path.join(ctx.module.directory, pattern)
    fixed = re.split(r"[*?\[]", path, maxsplit=1)[0]
    if files.refusal(os.path.dirname(fixed) or ".", ctx.module.directory) is not None:
        raise EvalError("kubectl_path_documents pattern outside the checked tree")
    found = sorted(itertools.islice(glob.iglob(path), MAX_MATCHES + 1)) if fixed != path \
        else [path] if os.path.isfile(path) else []
    if len(found) > MAX_MATCHES:
        raise EvalError(f"kubectl_path_documents pattern matches more than {MAX_MATCHES} files")
    return [p for p in found if files.refusal(p, ctx.module.directory) is None and os.path.isfile(p)]


def split_documents(text: RenderedText) -> list[RenderedText]:
    """The provider's split (see _SEPARATOR): one string per YAML document, empty and
    comment-only documents left out, each keeping the template lines it came from."""
    lines = text.split("\n")
    out: list[RenderedText] = []
    start = 0
    for i in range(len(lines) + 1):
        if i < len(lines) and not _SEPARATOR.match(lines[i]):
            continue
        body = lines[start:i]
        if any(ln.strip() and not ln.lstrip().startswith("#") for ln in body):
            first = next(n for n, ln in enumerate(body) if ln.strip())  # leading blanks trimmed
            out.append(text.part(start + first, i, "\n".join(body[first:]).rstrip()))
        start = i + 1
    return out


_PLAIN = re.compile(r"^(apiVersion|kind):\s*[\"']?([^\"'\s#]+)", re.MULTILINE)
_META = re.compile(r"^  (name|namespace):\s*[\"']?([^\"'\s#]+)", re.MULTILINE)


def _self_link(doc: str, index: int) -> str:
    """A key like the provider's (`/apis/<group/version>/namespaces/<ns>/<kind>s/<name>`),
    read from the document's top-level lines; the index keeps keys apart where they are
    not all written plainly."""
    top = {m.group(1): m.group(2) for m in _PLAIN.finditer(doc)}
    meta = {m.group(1): m.group(2) for m in _META.finditer(doc)}
    api, kind, name = top.get("apiVersion"), top.get("kind"), meta.get("name")
    if not (api and kind and name):
        return f"document {index}"
    prefix = f"/apis/{api}" if "/" in api else f"/api/{api}"
    ns = f"/namespaces/{meta['namespace']}" if "namespace" in meta else ""
    return f"{prefix}{ns}/{kind.lower()}s/{name}"


_READERS = {
    "template_file": _template_file,
    "kubectl_path_documents": _path_documents,
}

"""The module index: what each Terraform directory declares, found once by block type.

The evaluator and the model builders look names up here (`local.x`, `var.y`, a resource by
type and name, a module call) instead of walking the HCL bodies again.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct, field

from meshlint.parse.hclfront import HclAttr, HclBlock, HclFile
from meshlint.tfrefs import module_source_dir

# the block types a Terraform configuration file may hold (Terraform 1.14: `action` the newest);
# another is a file Terraform rejects, or one newer than this list
BLOCK_TYPES = frozenset(("terraform", "provider", "variable", "output", "locals", "module", "resource",
                         "data", "moved", "import", "check", "removed", "ephemeral", "action"))


class TfModule(Struct):
    """All .tf files of one directory, indexed by what they declare."""

    directory: str  # path as discovered
    files: list[HclFile] = field(default_factory=list)
    tfvars: list[HclFile] = field(default_factory=list)
    variables: dict[str, HclBlock] = field(default_factory=dict)
    locals: dict[str, HclAttr] = field(default_factory=dict)
    outputs: dict[str, HclBlock] = field(default_factory=dict)
    resources: dict[tuple[str, str], HclBlock] = field(default_factory=dict)
    data: dict[tuple[str, str], HclBlock] = field(default_factory=dict)
    module_calls: dict[str, HclBlock] = field(default_factory=dict)
    providers: list[HclBlock] = field(default_factory=list)
    unknown_blocks: list[HclBlock] = field(default_factory=list)  # types not in BLOCK_TYPES: not read

    def add_file(self, f: HclFile) -> None:
        self.files.append(f)
        for blk in f.body.blocks:
            t, labels = blk.type, blk.labels
            if t == "variable" and labels:
                self.variables[labels[0]] = blk
            elif t == "locals":
                self.locals.update(blk.body.attrs)
            elif t == "output" and labels:
                self.outputs[labels[0]] = blk
            elif t == "resource" and len(labels) >= 2:
                self.resources[(labels[0], labels[1])] = blk
            elif t == "data" and len(labels) >= 2:
                self.data[(labels[0], labels[1])] = blk
            elif t == "module" and labels:
                self.module_calls[labels[0]] = blk
            elif t == "provider":
                self.providers.append(blk)
            elif t not in BLOCK_TYPES:
                self.unknown_blocks.append(blk)


def local_module_source(call: HclBlock) -> str | None:
    """The relative path of a local module call (`source = "../x"`), else None."""
    attr = call.body.attrs.get("source")
    if attr is None:
        return None
    node = attr.expr
    text = attr.file.text(node).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "${" not in text:
        src = text[1:-1]
        if src.startswith("./") or src.startswith("../"):
            return src
    return None


def called_module_dir(call: HclBlock, caller_dir: str, tree_roots: Iterable[str]) -> str | None:
    """The folder inside the checked tree a module call reads: a local source joined to the
    caller, or a GitHub source naming the checked repository's own module folder (read as
    checked out, whatever its `?ref=`; see `tfrefs.own_repository_module`); else None."""
    src = literal_string(call.body.attrs.get("source"))
    return None if src is None else module_source_dir(src, caller_dir, tree_roots)


def literal_string(attr: HclAttr | None) -> str | None:
    """A plain quoted string attribute's text (module `source`, `version`), else None."""
    if attr is None:
        return None
    text = attr.file.text(attr.expr).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "${" not in text:
        return text[1:-1]
    return None

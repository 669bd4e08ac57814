"""Terraform helpers every Terraform extractor shares: where a block or attribute is, the
module contexts under a root, and the instances (count / for_each) of a block."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.parse.hclfront import HclAttr, HclBlock
from meshlint.terraform import ModuleContext, expand_instances, instance_key
from meshlint.values import Location


def block_location(blk: HclBlock) -> Location:
    """The block's header line: where editors and SARIF viewers should point."""
    src = blk.file.src
    lines = src.split(b"\n", blk.line)  # cheap enough: only on findings' blocks
    header = lines[blk.line - 1] if len(lines) >= blk.line else b""
    end_col = len(header.rstrip().decode("utf-8", "replace")) + 1
    return Location(blk.file.path, blk.line, blk.col, blk.line, max(end_col, blk.col))


def attr_location(attr: HclAttr) -> Location:
    return Location(attr.file.path, attr.line, attr.col, attr.end_line, attr.end_col)


def module_contexts(root: ModuleContext) -> Iterator[ModuleContext]:
    """The root module and every instance of every local module it calls, each with its own
    inputs: a wrapper module called twice, or once per `for_each` key, is read once per call
    (an enable flag that sets `count = 0` gives none). The evaluator bounds the instances
    and cuts recursive calls."""
    stack = [root]
    while stack:
        ctx = stack.pop()
        yield ctx
        for name in sorted(ctx.module.module_calls, reverse=True):
            stack.extend(reversed(ctx.instances(name) or []))


def instances(ctx: ModuleContext, blk: HclBlock, address: str) -> Iterator[tuple[str, dict]]:
    """(address of each instance, its count/each binding); nothing when not knowable."""
    binds = expand_instances(ctx, blk)
    if binds is None:
        return
    for bind in binds:
        yield f"{address}{instance_key(bind)}", bind


def first(value: object) -> object:
    """Terraform nested blocks evaluate to lists; most are single blocks."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def aws_region(ctx: ModuleContext) -> str | None:
    providers = [p for p in ctx.module.providers if p.labels and p.labels[0] == "aws"]
    providers.sort(key=lambda p: "alias" in p.body.attrs)
    for p in providers:
        region = ctx.eval_attr(p.body.attrs.get("region"))
        if isinstance(region, str):
            return region
        break
    return None

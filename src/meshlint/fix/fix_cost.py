"""Fix of MESH501: one NAT gateway (`single_nat_gateway = true`) in a terraform-aws-modules
VPC module call."""

from __future__ import annotations

from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import NoFix, Safety, TextEdit
from meshlint.fix.hcledit import insert_attribute, literal_kind, replace_value
from meshlint.fix.registry import fixer
from meshlint.fix.values import NotLiteral, value_edit
from meshlint.values import Location


@fixer("MESH501", Safety.UNSAFE)
def single_nat_gateway(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
    nat = next((n for n in ctx.model.nat_gateways if n.object == finding.object), None)
    if nat is None:
        return NoFix("MESH501", "the NAT gateways are not in the model")
    if "aws_nat_gateway" in nat.object:
        return NoFix("MESH501", "aws_nat_gateway resources: remove the extra ones by hand")
    f = ctx.hcl(nat.location)
    path = ctx.abspath(nat.location)
    # the module block around the location (module blocks are top-level)
    blk = next((b for b in f.body.blocks_of("module") if b.line <= nat.location.line <= b.end_line),
               None) if f is not None else None
    if blk is None or f is None or path is None:
        return NoFix("MESH501", f"no module block at {nat.location}")
    title = "set single_nat_gateway = true"
    attr = blk.body.attrs.get("single_nat_gateway")
    if attr is None:
        after = blk.body.attrs.get("enable_nat_gateway") or blk.body.attrs.get("source")
        try:
            return title, [insert_attribute(f, path, blk, "single_nat_gateway = true", after=after)]
        except ValueError as why:
            return NoFix("MESH501", str(why))
    if literal_kind(attr) == "bool_lit":
        return title, [replace_value(f, path, attr, "true")]
    display = nat.location.path
    try:
        return title, [value_edit(ctx, Location(display, attr.line, attr.col), "false", "true")]
    except NotLiteral as why:
        return NoFix("MESH501", f"single_nat_gateway is not a literal: {why}")

"""NAT gateways: how many one terraform-aws-modules/vpc instance creates (the module's
count formula, by module version, from rules/data/vpc-module.yaml), and `aws_nat_gateway`
resources."""

from __future__ import annotations

import re

from meshlint import knowledge
from meshlint.model.collect import Collector
from meshlint.model.tf_walk import attr_location, block_location, instances
from meshlint.model.types import NatGateways
from meshlint.parse.hclfront import HclBlock
from meshlint.terraform import ModuleContext, expand_instances, literal_string
from meshlint.values import Unknown
from meshlint.versioning import parse_version, resolve_terraform_constraint


def is_vpc_module(source: str) -> bool:
    table = knowledge.data("vpc-module")
    base = source.split("?")[0].split("//")[0] if "://" not in source else source.split("?")[0]
    return any(s in base or s in source for s in table["module_sources"])


def _vpc_version(call: HclBlock, source: str) -> tuple[str, str]:
    """(version whose formula applies, how it was chosen)."""
    table = knowledge.data("vpc-module")
    known = [str(v) for v in table["known_versions"]]
    latest = str(table["latest_known"])
    constraint = literal_string(call.body.attrs.get("version"))
    if constraint is None and "ref=" in source:
        constraint = source.split("ref=", 1)[1].split("&")[0].lstrip("v")
    if constraint is None:
        return latest, "vpc module version not pinned (newest release assumed)"
    resolved = resolve_terraform_constraint(constraint, known)
    if resolved is None:
        return latest, f'vpc module version "{constraint}" not understood (newest release assumed)'
    return resolved, f'vpc module "{constraint}"'


def _subnet_kinds(version: str) -> tuple[list[str], bool]:
    v = parse_version(version)
    for row in knowledge.data("vpc-module")["max_subnet_length"]:
        lo = parse_version(str(row["from"]))
        hi = parse_version(str(row["below"])) if row.get("below") else None
        if v is not None and lo is not None and v >= lo and (hi is None or v < hi):
            return [str(k) for k in row["kinds"]], bool(row.get("ipv6_prefixes"))
    rows = knowledge.data("vpc-module")["max_subnet_length"]
    return [str(k) for k in rows[-1]["kinds"]], True


def vpc_module(out: Collector, ctx: ModuleContext, call: HclBlock, address: str, source: str) -> None:
    defaults = knowledge.data("vpc-module")["input_defaults"]
    version, version_note = _vpc_version(call, source)
    kinds, ipv6 = _subnet_kinds(version)
    attrs = call.body.attrs
    for inst_address, bind in instances(ctx, call, address):
        def value(name, default=None):
            a = attrs.get(name)
            if a is None:
                return defaults.get(name, default)
            return ctx.eval_attr(a, bind)

        def where(name):
            a = attrs.get(name)
            return attr_location(a) if a is not None else block_location(call)

        count, reason, loc = _nat_count(value, where, kinds, ipv6)
        if count is _SKIP:
            continue
        if "subnet index" in reason:  # only this branch of the formula changed by version
            counted = ", ".join(kinds[:-1]) + f" and {kinds[-1]}"
            reason = f"{reason}; {version_note} counts {counted} subnets"
        out.nat_gateways.append(NatGateways(
            count, reason, loc or block_location(call), inst_address, out.region))


_SKIP = object()


def _nat_count(value, where, kinds: list[str], ipv6: bool):
    create = value("create_vpc")
    enable = value("enable_nat_gateway")
    for flag in (create, enable):
        if isinstance(flag, Unknown):
            return None, "whether NAT is enabled is not known", where("enable_nat_gateway")
    if create is False or enable is not True:
        return _SKIP, "", None
    single = value("single_nat_gateway")
    if isinstance(single, Unknown):
        return None, "single_nat_gateway is not known", where("single_nat_gateway")
    if single is True:
        return 1, "single_nat_gateway = true", where("single_nat_gateway")
    per_az = value("one_nat_gateway_per_az")
    if isinstance(per_az, Unknown):
        return None, "one_nat_gateway_per_az is not known", where("one_nat_gateway_per_az")
    if per_az is True:
        azs = value("azs", [])
        if not isinstance(azs, list):
            return None, "the number of azs is not known", where("azs")
        return len(azs), f"one_nat_gateway_per_az = true and azs has {len(azs)} entries", \
            where("one_nat_gateway_per_az")
    lengths = []
    for kind in kinds:
        for name in [f"{kind}_subnets"] + ([f"{kind}_subnet_ipv6_prefixes"] if ipv6 else []):
            v = value(name, [])
            if v is None:
                v = []
            if not isinstance(v, list):
                return None, f"the number of {name} is not known", where(name)
            if v:
                lengths.append((len(v), name))
    count = max((n for n, _ in lengths), default=0)
    parts = ", ".join(f"{name} {n}" for n, name in lengths) or "no subnets"
    return count, (f"enable_nat_gateway = true without single_nat_gateway or "
                   f"one_nat_gateway_per_az, so one per subnet index: max({parts}) = {count}"), \
        where("enable_nat_gateway")


def nat_gateway_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str, blk: HclBlock) -> None:
    binds = expand_instances(ctx, blk)
    attrs = blk.body.attrs
    if binds is None:
        out.nat_gateways.append(NatGateways(None, "count/for_each not known", block_location(blk),
                                              address, out.region))
        return
    how = "count" if "count" in attrs else "for_each" if "for_each" in attrs else ""
    where = attr_location(attrs[how]) if how else block_location(blk)
    reason = f"{how} gives {len(binds)} instances" if how else "one resource"
    out.nat_gateways.append(NatGateways(len(binds), reason, where, address, out.region,
                                        _vpc_of(ctx, blk), _is_regional(ctx, blk)))


def _is_regional(ctx: ModuleContext, blk: HclBlock) -> bool:
    """`availability_mode = "regional"`: one NAT gateway for the whole VPC, not one per AZ."""
    regional = knowledge.nat_gateway_prices().regional_nat
    if regional is None:
        return False
    attr = blk.body.attrs.get(regional.terraform_argument)
    return attr is not None and ctx.eval_attr(attr) == regional.terraform_value


_SUBNET_REF = re.compile(r"\baws_subnet\.([A-Za-z0-9_-]+)")
_VPC_REF = re.compile(r"\b(aws_vpc\.[A-Za-z0-9_-]+|module\.[A-Za-z0-9_-]+|var\.[A-Za-z0-9_-]+|"
                      r"data\.aws_vpc\.[A-Za-z0-9_-]+|local\.[A-Za-z0-9_-]+)")


def _expr_text(blk: HclBlock, name: str) -> str:
    attr = blk.body.attrs.get(name)
    node = getattr(attr, "expr", None)
    raw = getattr(node, "text", None)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""


def _vpc_of(ctx: ModuleContext, blk: HclBlock) -> str | None:
    """The VPC a NAT gateway resource's subnet belongs to, named by the Terraform reference
    that gives it (`aws_vpc.main`, `module.vpc`, `var.vpc_id`) within this module instance;
    None when the subnet is not declared here."""
    subnet = _SUBNET_REF.search(_expr_text(blk, "subnet_id"))
    if subnet is None:
        via_module = _VPC_REF.search(_expr_text(blk, "subnet_id"))
        return f"{ctx.address}{via_module.group(1)}" if via_module and via_module.group(1).startswith("module.") else None
    subnet_blk = ctx.module.resources.get(("aws_subnet", subnet.group(1)))
    if subnet_blk is None:
        return None
    vpc = _VPC_REF.search(_expr_text(subnet_blk, "vpc_id"))
    return f"{ctx.address}{vpc.group(1)}" if vpc else None


def per_vpc(nat_gateways: list[NatGateways]) -> list[NatGateways]:
    """Separate aws_nat_gateway resources in one VPC add up: two single resources in one
    VPC are two NAT gateways, just as `count = 2` is."""
    groups: dict[str, list[NatGateways]] = {}
    for nat in nat_gateways:
        if nat.vpc is not None and nat.count is not None:
            groups.setdefault(nat.vpc, []).append(nat)
    out = []
    for nat in nat_gateways:
        group = groups.get(nat.vpc or "", [])
        if len(group) < 2:
            out.append(nat)
        elif nat is group[0]:
            parts = ", ".join(f"{n.object} ({n.count})" for n in group)
            out.append(NatGateways(sum(n.count or 0 for n in group),
                                   f"{len(group)} aws_nat_gateway resources in the VPC of {nat.vpc}: {parts}",
                                   nat.location, " + ".join(n.object for n in group), nat.region, nat.vpc,
                                   regional=all(n.regional for n in group)))
    return out

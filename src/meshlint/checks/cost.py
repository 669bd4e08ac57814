"""Cost: infrastructure that quietly multiplies the bill."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator

from meshlint import knowledge
from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.findings import Finding
from meshlint.knowledge.tables import Confidence, NatGatewayPrices
from meshlint.model import Model
from meshlint.model.types import NatGateways


def _ipv4_hourly(table: NatGatewayPrices, as_of: _dt.date) -> float:
    """What each zonal NAT gateway's Elastic IP adds per hour on the run's date."""
    charge = table.public_ipv4
    return charge.hourly if charge is not None and charge.effective_from <= as_of else 0.0


def _monthly_cost(nat: NatGateways, as_of: _dt.date) -> str:
    """The monthly base for zonal NAT gateways: hours × (NAT gateway-hour + the public IPv4
    address each one holds), before data processing."""
    if not nat.region or nat.count is None:
        return ""
    table = knowledge.nat_gateway_prices()
    price = table.price(nat.region)
    if price is None:
        return ""
    count, hours, hourly = nat.count, table.monthly_hours, price.hourly
    ipv4 = _ipv4_hourly(table, as_of)
    single = (hourly + ipv4) * hours
    total = single * count
    caveat = "" if price.confidence is Confidence.HIGH else ", price not confirmed by AWS data"
    ipv4_text = f" + ${ipv4} public IPv4 address" if ipv4 else ""
    since = (f"; the public IPv4 charge applies since {table.public_ipv4.effective_from}"
             if ipv4 and table.public_ipv4 is not None else "")
    return (f" That is ~${total:,.2f}/month before traffic in {nat.region} ({count} × (${hourly} NAT "
            f"gateway{ipv4_text})/h × {hours} h; plus ${price.per_gb}/GB processed; list prices as of "
            f"{table.as_of.isoformat()}{caveat}{since}), against ~${single:,.2f} for one.")


def _regional_alternative() -> str:
    """One regional NAT gateway serves every AZ of a VPC: the HA answer without one per AZ."""
    regional = knowledge.nat_gateway_prices().regional_nat
    if regional is None:
        return ""
    caveat = regional.confidence.caveat("the regional NAT gateway data")
    return (f"; or one regional NAT gateway for the VPC ({regional.terraform_argument} = "
            f"\"{regional.terraform_value}\" on aws_nat_gateway, hashicorp/aws {regional.provider_from} "
            f"or newer{'; ' + caveat if caveat else ''}), which spans its AZs")


@rule("MESH501")
def multi_nat_gateway(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    for nat in model.nat_gateways:
        if nat.count is None or nat.count <= 1:
            continue
        resource = nat.object.split(".")[-1].startswith("aws_nat_gateway") or "aws_nat_gateway." in nat.object
        if nat.regional:
            fix_text = "keep one regional NAT gateway per VPC (it already spans every AZ)"
            message = (f"{nat.object} creates {nat.count} regional NAT gateways ({nat.reason}): a regional "
                       f"NAT gateway serves every AZ of its VPC, so one is enough (regional NAT gateway "
                       f"pricing is not in meshlint's data). Fix: {fix_text}.")
            yield report(message, nat.location, object=nat.object, fix=fix_text)
            continue
        cost = _monthly_cost(nat, ctx.as_of)
        if resource:
            fix_text = "create a single aws_nat_gateway for non-production environments"
        else:
            fix_text = "set single_nat_gateway = true (non-production), or keep one per AZ deliberately for production"
        message = (f"{nat.object} creates {nat.count} NAT gateways ({nat.reason}).{cost} "
                   f"Fix: {fix_text}{_regional_alternative()}.")
        yield report(message, nat.location, object=nat.object, fix=fix_text)

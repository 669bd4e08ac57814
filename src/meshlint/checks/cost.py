"""Cost: infrastructure that quietly multiplies the bill."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint import knowledge
from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.findings import Finding
from meshlint.knowledge.tables import Confidence
from meshlint.model import Model


def _monthly_cost(region: str | None, count: int) -> str:
    if not region:
        return ""
    table = knowledge.nat_gateway_prices()
    price = table.price(region)
    if price is None:
        return ""
    hours, hourly = table.monthly_hours, price.hourly
    total = hourly * hours * count
    single = hourly * hours
    caveat = "" if price.confidence is Confidence.HIGH else ", price not confirmed by AWS data"
    return (f" That is ~${total:,.2f}/month before traffic in {region} ({count} × ${hourly}/h × "
            f"{hours} h; list price as of {table.as_of.isoformat()}{caveat}), against ~${single:,.2f} "
            f"for one.")


@rule("MESH501")
def multi_nat_gateway(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    for nat in model.nat_gateways:
        if nat.count is None or nat.count <= 1:
            continue
        cost = _monthly_cost(nat.region, nat.count)
        if nat.object.split(".")[-1].startswith("aws_nat_gateway") or "aws_nat_gateway." in nat.object:
            fix_text = "create a single aws_nat_gateway for non-production environments"
        else:
            fix_text = "set single_nat_gateway = true (non-production), or keep one per AZ deliberately for production"
        message = (f"{nat.object} creates {nat.count} NAT gateways ({nat.reason}).{cost} "
                   f"Fix: {fix_text}.")
        yield report(message, nat.location, object=nat.object, fix=fix_text)

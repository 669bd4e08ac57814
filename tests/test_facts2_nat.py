"""MESH501: the public IPv4 charge of each zonal NAT gateway's Elastic IP and the data
processing price are in the estimate; regional NAT gateways (`availability_mode =
"regional"`) span their VPC's AZs, so one is not multiplied and it is the suggested HA fix."""

from __future__ import annotations

from conftest import check, hits, only, write_tree

PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'
SUBNETS = ('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
           'resource "aws_subnet" "public" {\n  count  = 3\n  vpc_id = aws_vpc.main.id\n'
           '  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)\n}\n')


def _nat(count: int, mode: str | None) -> str:
    mode_line = f'  availability_mode = "{mode}"\n' if mode else ""
    subnet = "  subnet_id     = aws_subnet.public[count.index].id\n" if mode != "regional" else \
        "  vpc_id = aws_vpc.main.id\n"
    return (f'resource "aws_nat_gateway" "nat" {{\n  count         = {count}\n{subnet}{mode_line}'
            "  connectivity_type = \"public\"\n}\n")


def test_zonal_estimate_includes_the_public_ipv4_address_and_per_gb(tmp_path):
    write_tree(tmp_path, {"main.tf": PROVIDER + SUBNETS + _nat(3, None)})
    f = only(check(tmp_path, select=["MESH501"], as_of="2026-11-27"), "MESH501")
    assert "~$109.50/month" in f.message                # 3 × (0.045 + 0.005) × 730
    assert "$0.005 public IPv4 address" in f.message and "since 2024-02-01" in f.message
    assert "$0.045/GB processed" in f.message
    assert "against ~$36.50 for one" in f.message


def test_before_the_ipv4_charge_it_is_not_added(tmp_path):
    write_tree(tmp_path, {"main.tf": PROVIDER + SUBNETS + _nat(3, None)})
    f = only(check(tmp_path, select=["MESH501"], as_of="2024-01-15"), "MESH501")
    assert "~$98.55/month" in f.message and "IPv4" not in f.message


def test_zonal_fix_suggests_one_regional_nat_gateway(tmp_path):
    write_tree(tmp_path, {"main.tf": PROVIDER + SUBNETS + _nat(3, "zonal")})
    f = only(check(tmp_path, select=["MESH501"], as_of="2026-11-27"), "MESH501")
    assert 'availability_mode = "regional"' in f.message and "hashicorp/aws 6.24.0 or newer" in f.message
    assert "medium-confidence" in f.message


def test_one_regional_nat_gateway_is_quiet(tmp_path):
    write_tree(tmp_path, {"main.tf": PROVIDER + SUBNETS + _nat(1, "regional")})
    assert hits(check(tmp_path, select=["MESH501"], as_of="2026-11-27")) == []


def test_several_regional_nat_gateways_are_not_priced_per_az(tmp_path):
    write_tree(tmp_path, {"main.tf": PROVIDER + SUBNETS + _nat(3, "regional")})
    f = only(check(tmp_path, select=["MESH501"], as_of="2026-11-27"), "MESH501")
    assert "3 regional NAT gateways" in f.message and "one is enough" in f.message
    assert "$" not in f.message  # regional pricing is not known: no made-up estimate

"""MESH501 multi-nat-gateway: the vpc module's own formula, per version, and raw resources."""

import pytest

from conftest import check, hits, only, write_tree

PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'


def _vpc(body: str, version: str | None = '"~> 5.0"') -> str:
    v = f"  version = {version}\n" if version else ""
    return PROVIDER + f'module "vpc" {{\n  source  = "terraform-aws-modules/vpc/aws"\n{v}' + body + "}\n"


AZS3 = '  azs = ["us-east-1a", "us-east-1b", "us-east-1c"]\n'
PRIV3 = '  private_subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]\n'
PUB3 = '  public_subnets = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]\n'


def test_one_per_subnet_index_by_default(tmp_path):
    write_tree(tmp_path, {"main.tf": _vpc(AZS3 + PRIV3 + PUB3 + "  enable_nat_gateway = true\n")})
    result = check(tmp_path)
    assert hits(result, "MESH501") == [("MESH501", "main.tf", 10)]  # enable_nat_gateway
    f = only(result, "MESH501")
    assert "creates 3 NAT gateways" in f.message
    # 3 × ($0.045 NAT gateway + $0.005 for the Elastic IP each one holds) × 730 h: the public
    # IPv4 charge (since 2024-02-01) belongs in the base cost; it once said ~$98.55 without it
    assert "~$109.50/month" in f.message and "us-east-1" in f.message
    assert "single_nat_gateway = true" in f.message
    assert f.object == "module.vpc"


def test_one_per_az_points_at_the_flag(tmp_path):
    body = AZS3 + PRIV3 + PRIV3.replace("private", "database") + \
        "  enable_nat_gateway = true\n  one_nat_gateway_per_az = true\n"
    write_tree(tmp_path, {"main.tf": _vpc(body)})
    result = check(tmp_path)
    assert hits(result, "MESH501") == [("MESH501", "main.tf", 11)]
    assert "one_nat_gateway_per_az = true and azs has 3 entries" in only(result, "MESH501").message


def test_azs_from_a_slice_of_a_data_source_have_a_known_length(tmp_path):
    tf = PROVIDER + '''
data "aws_availability_zones" "available" {}
locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 3)
}
module "vpc" {
  source                 = "terraform-aws-modules/vpc/aws"
  azs                    = local.azs
  private_subnets        = [for k, v in local.azs : cidrsubnet("10.0.0.0/16", 4, k)]
  enable_nat_gateway     = true
  one_nat_gateway_per_az = true
}
'''
    write_tree(tmp_path, {"main.tf": tf})
    assert hits(check(tmp_path), "MESH501") == [("MESH501", "main.tf", 14)]


@pytest.mark.parametrize("version, expected", [
    ('"3.19.0"', 2),   # 3.x: private, elasticache, database, redshift (not public)
    ('"4.0.0"', 4),    # 4.0.0 left private out: public 4
    ('"~> 5.0"', 4),   # public counts from 4.0.1 on
])
def test_formula_follows_the_module_version(tmp_path, version, expected):
    body = '  azs = ["a", "b"]\n  private_subnets = ["1", "2"]\n  public_subnets = ["1", "2", "3", "4"]\n' \
           "  enable_nat_gateway = true\n"
    write_tree(tmp_path, {"main.tf": _vpc(body, version)})
    result = check(tmp_path)
    assert f"creates {expected} NAT gateways" in only(result, "MESH501").message


def test_intra_subnets_stopped_counting_in_5_1_2(tmp_path):
    body = '  private_subnets = ["1"]\n  intra_subnets = ["1", "2", "3"]\n  enable_nat_gateway = true\n'
    write_tree(tmp_path, {"a/main.tf": _vpc(body, '"5.1.1"'), "b/main.tf": _vpc(body, '"5.1.2"')})
    result = check(tmp_path)
    assert hits(result, "MESH501") == [("MESH501", "main.tf", 9)]
    assert only(result, "MESH501").location.path.endswith("a/main.tf")


@pytest.mark.parametrize("flags", [
    "  enable_nat_gateway = true\n  single_nat_gateway = true\n",
    "  enable_nat_gateway = false\n",
    "",  # NAT is off by default
    "  enable_nat_gateway = true\n  create_vpc = false\n",
    "  enable_nat_gateway = true\n  single_nat_gateway = var.single\n",  # unknown: no guess
])
def test_look_alikes_do_not_fire(tmp_path, flags):
    write_tree(tmp_path, {"main.tf": 'variable "single" {}\n' + _vpc(AZS3 + PRIV3 + PUB3 + flags)})
    assert hits(check(tmp_path), "MESH501") == []


def test_raw_nat_gateways_with_count(tmp_path):
    tf = PROVIDER + '''
resource "aws_nat_gateway" "this" {
  count         = 3
  allocation_id = "eipalloc-1"
  subnet_id     = "subnet-1"
}
resource "aws_nat_gateway" "one" {
  allocation_id = "eipalloc-2"
  subnet_id     = "subnet-2"
}
'''
    write_tree(tmp_path, {"main.tf": tf})
    result = check(tmp_path)
    assert hits(result, "MESH501") == [("MESH501", "main.tf", 6)]  # the count attribute
    assert "count gives 3 instances" in only(result, "MESH501").message


def test_no_price_without_a_known_region(tmp_path):
    body = AZS3 + PRIV3 + "  enable_nat_gateway = true\n"
    tf = _vpc(body).replace('region = "us-east-1"', "region = var.region")
    write_tree(tmp_path, {"main.tf": 'variable "region" {}\n' + tf})
    result = check(tmp_path)
    f = only(result, "MESH501")
    assert "creates 3 NAT gateways" in f.message and "$" not in f.message


def test_module_inputs_flow_into_a_local_wrapper(tmp_path):
    write_tree(tmp_path, {
        "envs/dev/main.tf": PROVIDER + 'module "net" {\n  source = "../../modules/net"\n  single = false\n}\n',
        "modules/net/main.tf": 'variable "single" { default = true }\n' + _vpc(
            AZS3 + PRIV3 + "  enable_nat_gateway = true\n  single_nat_gateway = var.single\n"),
    })
    result = check(tmp_path)
    assert hits(result, "MESH501") == [("MESH501", "main.tf", 10)]
    f = only(result, "MESH501")
    assert f.object == "module.net.module.vpc" and f.location.path.endswith("modules/net/main.tf")

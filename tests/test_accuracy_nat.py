"""Issue 11, cause 12: separate aws_nat_gateway resources in one VPC add up (MESH501)."""

from conftest import check, hits, only, write_tree

TF = '''provider "aws" {
  region = "us-east-1"
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_vpc" "other" {
  cidr_block = "10.1.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_subnet" "c" {
  vpc_id     = aws_vpc.other.id
  cidr_block = "10.1.1.0/24"
}
resource "aws_nat_gateway" "a" {
  subnet_id = aws_subnet.a.id
}
resource "aws_nat_gateway" "b" {
  subnet_id = aws_subnet.SECOND.id
}
'''


def test_two_nat_gateway_resources_in_one_vpc_are_multi_nat(tmp_path):
    write_tree(tmp_path, {"main.tf": TF.replace("SECOND", "b")})
    finding = only(check(tmp_path), "MESH501")
    assert "creates 2 NAT gateways" in finding.message
    assert "aws_nat_gateway.a" in finding.message and "aws_nat_gateway.b" in finding.message


def test_one_nat_gateway_per_vpc_is_not(tmp_path):
    write_tree(tmp_path, {"main.tf": TF.replace("SECOND", "c")})
    assert hits(check(tmp_path), "MESH501") == []

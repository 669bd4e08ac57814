provider "aws" {
  region = "us-east-1"
}

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

provider "aws" {
  region = "us-east-1"
}
module "net" {
  source = "../../modules/net"
  single = false
}

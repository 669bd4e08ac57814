provider "aws" {
  region = "us-east-1"
}

resource "aws_nat_gateway" "this" {
  count         = 3
  allocation_id = "eipalloc-1"
  subnet_id     = "subnet-1"
}
resource "aws_nat_gateway" "one" {
  allocation_id = "eipalloc-2"
  subnet_id     = "subnet-2"
}

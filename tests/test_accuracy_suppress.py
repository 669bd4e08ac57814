"""Issue 11, cause 13: a suppression trailing a block's opening line covers the block."""

from conftest import check, hits, write_tree

TF = '''provider "aws" {
  region = "us-east-1"
}
module "vpc" { # meshlint: ignore[MESH501] lab account, cost accepted
  source             = "terraform-aws-modules/vpc/aws"
  version            = "~> 5.0"
  azs                = ["a", "b", "c"]
  private_subnets    = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
  public_subnets     = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]
  enable_nat_gateway = true
}
'''


def test_comment_trailing_a_block_opening_covers_the_block(tmp_path):
    write_tree(tmp_path, {"main.tf": TF})
    result = check(tmp_path)
    assert hits(result, "MESH501") == []
    assert hits(result, "MESH002") == []
    assert result.report.suppressed == 1


def test_comment_trailing_an_attribute_still_covers_only_it(tmp_path):
    tf = TF.replace(' # meshlint: ignore[MESH501] lab account, cost accepted', '').replace(
        '  version            = "~> 5.0"', '  version            = "~> 5.0" # meshlint: ignore[MESH501] not here')
    write_tree(tmp_path, {"main.tf": tf})
    result = check(tmp_path)
    assert hits(result, "MESH501") == [("MESH501", "main.tf", 10)]

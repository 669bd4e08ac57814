module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
  eks_managed_node_groups = {
    g = {
      instance_types = ["t4g.large"]
    }
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
  eks_managed_node_groups = {
    x86 = {
      instance_types = ["m5.large"]
    }
  }
}

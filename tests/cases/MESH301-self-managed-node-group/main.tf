module "eks" {
  source = "terraform-aws-modules/eks/aws"
  self_managed_node_groups = {
    arm = {
      instance_type = "c7g.large"
      ami_type = "AL2023_ARM_64_STANDARD"
    }
  }
}

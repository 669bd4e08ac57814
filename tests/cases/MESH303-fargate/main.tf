module "eks" {
  source = "terraform-aws-modules/eks/aws"
  fargate_profiles = {
    apps = {
      selectors = [{ namespace = "apps" }]
    }
  }
  eks_managed_node_groups = {
    graviton = {
      instance_types = ["m7g.large"]
      ami_type       = "AL2023_ARM_64_STANDARD"
    }
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.31"

  cluster_name    = "shop"
  cluster_version = "1.33"

  vpc_id     = "vpc-0a1b2c3d4e5f60718"
  subnet_ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]

  eks_managed_node_groups = {
    default = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
    }
  }
}

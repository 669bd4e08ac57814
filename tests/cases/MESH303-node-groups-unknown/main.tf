variable "groups" {}
module "eks" {
  source = "terraform-aws-modules/eks/aws"
  eks_managed_node_groups = var.groups
}

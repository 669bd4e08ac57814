module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
  eks_managed_node_groups = {
    graviton = {
      instance_types = ["m7g.large"]
      ami_type       = "AL2023_ARM_64_STANDARD"
    }
  }
}

resource "helm_release" "demo" {
  name       = "demo"
  repository = "https://example.com/charts"
  chart      = "demo"
  version    = "1.0.0"
  namespace  = "demo"
  values     = [file("${path.module}/values/demo.yaml")]
}

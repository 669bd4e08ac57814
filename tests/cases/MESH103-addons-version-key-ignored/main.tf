locals {
  istio_version = "1.18.1"
}
module "addons" {
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.0"
  helm_releases = {
    istiod = {
      chart      = "istiod"
      repository = "https://istio-release.storage.googleapis.com/charts"
      version    = local.istio_version
    }
    fixed = {
      chart         = "base"
      repository    = "https://istio-release.storage.googleapis.com/charts"
      chart_version = local.istio_version
    }
  }
}

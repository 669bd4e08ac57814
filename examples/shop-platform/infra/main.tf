# A small EKS + Istio platform, the way many teams start from the EKS Blueprints patterns.
provider "aws" {
  region = local.region
}

locals {
  name   = "shop-dev"
  region = "us-east-1"

  vpc_cidr = "10.0.0.0/16"
  azs      = slice(data.aws_availability_zones.available.names, 0, 3)

  istio_chart_url     = "https://istio-release.storage.googleapis.com/charts"
  istio_chart_version = "1.20.2"
}

data "aws_availability_zones" "available" {}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name = local.name
  cidr = local.vpc_cidr

  azs             = local.azs
  private_subnets = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 4, k)]
  public_subnets  = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 8, k + 48)]

  enable_nat_gateway = true
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = local.name
  cluster_version = "1.29"
  vpc_id          = module.vpc.vpc_id
  subnet_ids      = module.vpc.private_subnets

  eks_managed_node_groups = {
    default = {
      instance_types = ["m5.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
    }
  }
}

resource "kubernetes_namespace_v1" "istio_system" {
  metadata {
    name = "istio-system"
  }
}

resource "kubernetes_namespace_v1" "orders" {
  metadata {
    name = "orders"
    labels = {
      team = "orders"
    }
  }
}

resource "helm_release" "istio_base" {
  name       = "istio-base"
  repository = local.istio_chart_url
  chart      = "base"
  version    = local.istio_chart_version
  namespace  = kubernetes_namespace_v1.istio_system.metadata[0].name
}

resource "helm_release" "istiod" {
  name       = "istiod"
  repository = local.istio_chart_url
  chart      = "istiod"
  version    = local.istio_chart_version
  namespace  = kubernetes_namespace_v1.istio_system.metadata[0].name

  set {
    name  = "meshConfig.accessLogFile"
    value = "/dev/stdout"
  }

  depends_on = [helm_release.istio_base]
}

resource "helm_release" "istio_ingress" {
  name             = "istio-ingress"
  repository       = local.istio_chart_url
  chart            = "gateway"
  version          = local.istio_chart_version
  namespace        = "istio-ingress"
  create_namespace = true

  values = [
    yamlencode({
      labels = { istio = "ingressgateway" }
    })
  ]

  depends_on = [helm_release.istiod]
}

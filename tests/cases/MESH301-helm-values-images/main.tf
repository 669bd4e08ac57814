resource "aws_eks_node_group" "arm" {
  cluster_name   = "c"
  instance_types = ["t4g.medium"]
  ami_type       = "AL2_ARM_64"
}
resource "helm_release" "demo" {
  name       = "demo"
  repository = "https://example.com/charts"
  chart      = "demo"
  version    = "1.0.0"
  namespace  = "demo"
  values = [yamlencode({
    image = { repository = "docker.io/kennethreitz/httpbin", tag = "latest" }
    sidecar = { image = "docker.io/istio/examples-bookinfo-ratings-v1:1.16.2" }
  })]
}

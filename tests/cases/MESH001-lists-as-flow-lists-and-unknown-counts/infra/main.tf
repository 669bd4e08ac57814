variable "replicas" {}

resource "helm_release" "istiod" {
  count      = var.replicas
  name       = "istiod"
  repository = "https://blob.istio.io/istio-release/charts"
  chart      = "istiod"
  version    = "1.30.1"
}

resource "helm_release" "gateways" {
  for_each   = { ingress = { ports = [80] }, egress = { ports = [443] } }
  name       = each.key
  repository = "https://blob.istio.io/istio-release/charts"
  chart      = "gateway"
  version    = "1.30.1"
}

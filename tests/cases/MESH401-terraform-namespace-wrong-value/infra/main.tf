resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.22.3"
  namespace  = "istio-system"
}

resource "kubernetes_namespace_v1" "orders" {
  metadata {
    name   = "orders"
    labels = { "istio-injection" = "true" }
  }
}

resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "http://127.0.0.1:9/charts"
  chart      = "istiod"
  version    = "1.22.3"
  namespace  = "istio-system"
}

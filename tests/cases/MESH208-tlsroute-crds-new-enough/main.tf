resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://blob.istio.io/istio-release/charts"
  chart      = "istiod"
  version    = "1.30.2"
  namespace  = "istio-system"
}

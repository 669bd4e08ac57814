resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.21.0"
  namespace  = "istio-system"
}
resource "helm_release" "istiod-canary" {
  name       = "istiod-canary"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.22.3"
  namespace  = "istio-system"
  set {
    name  = "revision"
    value = "canary"
  }
}
resource "helm_release" "gw-canary" {
  name       = "gw-canary"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "gateway"
  version    = "1.22.3"
  namespace  = "istio-system"
  set {
    name  = "revision"
    value = "canary"
  }
}

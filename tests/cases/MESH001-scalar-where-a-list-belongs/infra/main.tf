resource "helm_release" "istiod" {
  count      = 1.5
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.30.1"
}

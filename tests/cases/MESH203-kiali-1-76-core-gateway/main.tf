resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = "1.27.1"
  namespace  = "istio-system"
}
resource "helm_release" "gw" {
  name       = "istio-ingress"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "gateway"
  version    = "1.27.1"
  namespace  = "istio-ingress"
  values = [yamlencode({ labels = { istio = "ingressgateway" } })]
}

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
}

resource "helm_release" "kiali" {
  name       = "kiali"
  repository = "https://kiali.org/helm-charts"
  chart      = "kiali-server"
  version    = "1.76.0"
  namespace  = "istio-system"
  values = [yamlencode({
    external_services = { istio = { component_status = { components = [
      { app_label = "istiod", is_core = true },
      { app_label = "istio-ingress", is_core = true, is_proxy = true, namespace = "istio-ingress" },
    ] } } }
  })]
}

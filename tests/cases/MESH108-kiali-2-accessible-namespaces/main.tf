resource "helm_release" "kiali" {
  name       = "kiali"
  repository = "https://kiali.org/helm-charts"
  chart      = "kiali-server"
  version    = "2.4.0"
  namespace  = "istio-system"
  values     = [file("${path.module}/kiali-values.yaml")]
}

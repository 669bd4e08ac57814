resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://blob.istio.io/istio-release/charts"
  chart      = "istiod"
  version    = "1.30.2"
  namespace  = "istio-system"

  set {
    name  = "global.hub"
    value = "docker.io/istio"
  }
}

resource "helm_release" "ztunnel" {
  name       = "ztunnel"
  repository = "oci://ghcr.io/istio/release/charts"
  chart      = "ztunnel"
  version    = "1.30.2"
  namespace  = "istio-system"
}

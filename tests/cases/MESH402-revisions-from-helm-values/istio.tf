resource "helm_release" "istiod_canary" {
  name      = "istiod-canary"
  chart     = "istiod"
  namespace = "istio-system"
  values    = [yamlencode({ revision = "canary", revisionTags = ["prod-stable"] })]
}

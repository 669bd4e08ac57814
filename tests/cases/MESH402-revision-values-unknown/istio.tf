variable "rev" {}
resource "helm_release" "istiod" {
  name   = "istiod"
  chart  = "istiod"
  values = [yamlencode({ revision = var.rev })]
}

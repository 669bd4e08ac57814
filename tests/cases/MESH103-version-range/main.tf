resource "helm_release" "x" {
  name       = "x"
  repository = "https://example.com/charts"
  chart      = "x"
  version    = "^1.20"
}

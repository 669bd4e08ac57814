resource "helm_release" "demo" {
  name  = "demo"
  chart = "./charts/demo"
}

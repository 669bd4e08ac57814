"""meshlint: lint Istio-on-Kubernetes infrastructure repositories before apply."""

__version__ = "0.1.0"

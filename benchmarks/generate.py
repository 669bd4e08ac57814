"""Deterministic benchmark corpus: realistic multi-document manifests with Istio resources,
Terraform roots with VPC/EKS/helm_release, values files, and a few Helm charts.

    python benchmarks/generate.py OUT_DIR [--scale 1] [--seed 7]

Scale 1 is 1,000 manifest files and 100 Terraform roots (about 3.3 MB).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

TEAMS = ["orders", "payments", "catalog", "search", "checkout", "identity", "billing", "shipping",
         "reviews", "ratings", "inventory", "pricing", "ads", "media", "profile", "notify"]


def manifest(rng: random.Random, i: int) -> str:
    team = rng.choice(TEAMS)
    app = f"{team}-svc-{i}"
    ns = f"{team}-{i}"
    port = rng.choice([8080, 8081, 9090, 3000])
    labels = rng.choice(["istio-injection: enabled", "istio.io/rev: default", "team: " + team])
    docs = [f"""apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    {labels}
    owner: {team}""",
            f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
  labels:
    app: {app}
    version: v{i % 3 + 1}
spec:
  replicas: {rng.randint(1, 6)}
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
        version: v{i % 3 + 1}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "{port}"
    spec:
      serviceAccountName: {app}
      containers:
        - name: app
          image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/{team}/{app}:1.{i % 20}.{i % 7}
          ports:
            - containerPort: {port}
              name: http
          env:
            - name: LOG_LEVEL
              value: info
            - name: UPSTREAM
              value: http://{rng.choice(TEAMS)}.{ns}.svc.cluster.local:{port}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: "1", memory: 512Mi}}
          readinessProbe:
            httpGet: {{path: /healthz, port: {port}}}
            periodSeconds: 10""",
            f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {ns}
spec:
  selector:
    app: {app}
  ports:
    - name: {rng.choice(["http", "http-web", "web", "grpc"])}
      port: 80
      targetPort: {port}""",
            f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {app}
  namespace: {ns}
spec:
  hosts: ["{app}.example.com"]
  gateways: ["istio-ingress/public"]
  http:
    - match:
        - uri: {{prefix: /api/{team}}}
      retries: {{attempts: 3, perTryTimeout: 2s}}
      route:
        - destination: {{host: {app}, subset: v{i % 3 + 1}, port: {{number: 80}}}}
          weight: 100""",
            f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: {ns}
data:
  application.yaml: |
    server:
      port: {port}
      shutdown: graceful
    management:
      endpoints:
        web:
          exposure:
            include: health,info,prometheus
    upstream:
      url: http://{rng.choice(TEAMS)}.{ns}.svc.cluster.local
      timeout: {rng.randint(1, 30)}s
      retries: {rng.randint(0, 5)}
  LOG_FORMAT: json
  FEATURE_FLAGS: "{','.join(rng.sample(TEAMS, 4))}"
""",
            f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: {ns}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}
  minReplicas: 2
  maxReplicas: {rng.randint(4, 20)}
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}""",
            f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {app}
  namespace: {ns}
spec:
  host: {app}
  trafficPolicy:
    tls: {{mode: ISTIO_MUTUAL}}
    connectionPool:
      http: {{http2MaxRequests: 1000, maxRequestsPerConnection: 10}}
  subsets:
    - name: v1
      labels: {{version: v1}}
    - name: v2
      labels: {{version: v2}}
    - name: v3
      labels: {{version: v3}}"""]
    return "---\n".join(d + "\n" for d in docs)


def root(rng: random.Random, i: int) -> dict[str, str]:
    region = rng.choice(["us-east-1", "us-west-2", "eu-west-1"])
    istio = rng.choice(["1.26.3", "1.27.1", "1.28.0"])
    single = "true" if i % 3 else "false"
    main = f"""provider "aws" {{
  region = local.region
}}

data "aws_availability_zones" "available" {{}}

locals {{
  name     = "stack-{i}"
  region   = "{region}"
  vpc_cidr = "10.{i % 200}.0.0/16"
  azs      = slice(data.aws_availability_zones.available.names, 0, 3)
  istio    = "{istio}"
  tags = {{
    Stack = local.name
    Team  = "{rng.choice(TEAMS)}"
  }}
}}

module "vpc" {{
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name = local.name
  cidr = local.vpc_cidr
  azs  = local.azs

  private_subnets = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 4, k)]
  public_subnets  = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 8, k + 48)]

  enable_nat_gateway = true
  single_nat_gateway = {single}
  tags               = local.tags
}}

module "eks" {{
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = local.name
  cluster_version = "1.3{i % 3}"
  vpc_id          = module.vpc.vpc_id
  subnet_ids      = module.vpc.private_subnets

  eks_managed_node_groups = {{
    default = {{
      instance_types = ["{rng.choice(["m5.large", "m6i.large", "m7g.large"])}"]
      min_size       = 2
      max_size       = 6
      desired_size   = 3
    }}
  }}
  tags = local.tags
}}

resource "kubernetes_namespace_v1" "istio_system" {{
  metadata {{
    name = "istio-system"
  }}
}}

resource "helm_release" "istio_base" {{
  name       = "istio-base"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "base"
  version    = local.istio
  namespace  = kubernetes_namespace_v1.istio_system.metadata[0].name
}}

resource "helm_release" "istiod" {{
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = local.istio
  namespace  = kubernetes_namespace_v1.istio_system.metadata[0].name
  values     = [file("${{path.module}}/values/istiod.yaml")]
}}

resource "helm_release" "ingress" {{
  name             = "istio-ingress"
  repository       = "https://istio-release.storage.googleapis.com/charts"
  chart            = "gateway"
  version          = local.istio
  namespace        = "istio-ingress"
  create_namespace = true
  values = [yamlencode({{
    labels  = {{ istio = "ingressgateway" }}
    service = {{ annotations = {{ "service.beta.kubernetes.io/aws-load-balancer-type" = "external" }} }}
  }})]
}}
"""
    variables = """variable "environment" {
  type    = string
  default = "dev"
}

variable "owners" {
  type    = list(string)
  default = ["platform"]
}
"""
    values = f"""meshConfig:
  accessLogFile: /dev/stdout
  enableTracing: {str(i % 2 == 0).lower()}
pilot:
  autoscaleEnabled: true
  resources:
    requests:
      cpu: 500m
      memory: 2Gi
global:
  proxy:
    resources:
      requests:
        cpu: 100m
        memory: 128Mi
"""
    return {"main.tf": main, "variables.tf": variables, "values/istiod.yaml": values}


CHART = """apiVersion: v2
name: {name}
version: 0.{i}.0
dependencies:
  - name: gateway
    version: 1.27.1
    repository: https://istio-release.storage.googleapis.com/charts
"""


def generate(out: Path, scale: int = 1, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(1000 * scale):
        path = out / "k8s" / f"team-{i % 25}" / f"app-{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(manifest(rng, i))
    for i in range(100 * scale):
        for rel, text in root(rng, i).items():
            path = out / "infra" / f"stack-{i}" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for i in range(5 * scale):
        chart = out / "charts" / f"chart-{i}"
        (chart / "templates").mkdir(parents=True, exist_ok=True)
        (chart / "Chart.yaml").write_text(CHART.format(name=f"chart-{i}", i=i))
        (chart / "values.yaml").write_text("gateway:\n  labels:\n    istio: ingressgateway\n")
        (chart / "templates" / "deployment.yaml").write_text(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.scale, args.seed)


if __name__ == "__main__":
    main()

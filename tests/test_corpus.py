"""meshlint over ../shared/corpus: real repositories, every finding defended.

The expected findings are listed one by one; a new finding on the corpus must be looked
at (and defended, or fixed) before it is added here.

`real/` (five whole real repositories, trimmed to what meshlint reads) is judged too: every
finding there is listed with why it is right, and its errors are certain problems (duplicate
keys kubectl rejects, EKS versions EKS no longer runs).
"""

import json
import shutil

import pytest

from conftest import CORPUS, meshlint_cli

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")

# (rule, path relative to the corpus, line): why each is right
EXPECTED = {
    # MESH001 (real/data-on-eks-2025.02): a duplicate `volumes` key in a pod template: kubectl's strict decoding rejects the document, and YAML 1.2 forbids duplicate keys
    ("MESH001", "real/data-on-eks-2025.02/analytics/terraform/emr-eks-karpenter/examples/nvme-ssd/karpenter-yunikorn-gangscheduling/executor-pod-template.yaml", 14),
    # MESH001 (real/data-on-eks-2025.02): `spark.hadoop.fs.s3a.multipart.size` twice in one SparkApplication's sparkConf ("128M" at line 80, "67108864" at 101): kubectl's strict decoding rejects the document; found since duplicate keys are looked for in the kinds converted only up to metadata (issue 15)
    ("MESH001", "real/data-on-eks-2025.02/analytics/terraform/spark-k8s-operator/examples/benchmark/tpcds-benchmark-1t-ebs.yaml", 101),
    ("MESH001", "real/data-on-eks-2025.02/analytics/terraform/spark-k8s-operator/examples/benchmark/tpcds-benchmark-1t-ssd.yaml", 101),
    # MESH001 (real/eks-workshop-v2): a duplicate `apiVersion` key: kubectl rejects the document (strict decoding)
    ("MESH001", "real/eks-workshop-v2/manifests/modules/troubleshooting/workernodes/yaml/configmaps-new.yaml", 59),
    # MESH001 (real/kubernetes-ops): a duplicate `nodeSelector` key in a Job: kubectl rejects the document (strict decoding)
    ("MESH001", "real/kubernetes-ops/old/kubernetes/helm/kube-bench/kops/job-master.yaml", 42),
    # MESH103 (real/data-on-eks-2025.02): `version` in an eks-blueprints-addons helm_releases entry is ignored (the module reads chart_version): the same mistake the 2023 Istio pattern had
    ("MESH103", "real/data-on-eks-2025.02/ai-ml/nvidia-triton-server/addons.tf", 160),
    # MESH103 (real/kubernetes-ops): the generic Helm module's default version "x.x.x" is a wildcard constraint: an unpinned chart unless every caller overrides it
    ("MESH103", "real/kubernetes-ops/terraform-modules/aws/helm/helm_generic/main.tf", 6),
    # MESH104 (eks-blueprints-istio-2023-10): the ignored `version` keys leave the Istio charts unpinned, and on 2026-11-26 the retired GCS host serves 1.30.5 at most, which supports Kubernetes 1.32-1.36 while the cluster is 1.27
    ("MESH104", "eks-blueprints-istio-2023-10/main.tf", 139),
    # MESH105 (real/istio-on-eks): Istio 1.20.2, 1.22.0, 1.26.1 and 1.26.2 are pinned in these patterns and all are past end of life on 2026-11-26 (istio.io support status)
    ("MESH105", "real/istio-on-eks/modules/04-security/terraform/istio.tf", 157),
    ("MESH105", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_1.tf", 199),
    ("MESH105", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_1.tf", 218),
    ("MESH105", "real/istio-on-eks/terraform-blueprint/ambient/main.tf", 156),
    ("MESH105", "real/istio-on-eks/terraform-blueprint/sidecar/main.tf", 127),
    # MESH105 (real/kubernetes-ops): the Istio module installs its vendored istio-1.20.0 charts (var.istio_version defaults to 1.20.0; the local Chart.yaml says appVersion 1.20.0), and 1.20 reached end of life on 2024-06-25 (issue 11, cause 6: the SOURCES.md note says so)
    ("MESH105", "real/kubernetes-ops/terraform-modules/aws/istio/main.tf", 29),
    # MESH107 findings on a chart repository point at the `repository` / `repoURL` line (the line
    # to change), not the release block's first line as they once did.
    # MESH107 (eks-blueprints-istio-2023-10): the Istio charts come from istio-release.storage.googleapis.com, which Istio is switching off in December 2026 (1.31 upgrade notes): warning, the exact day is not announced
    ("MESH107", "eks-blueprints-istio-2023-10/main.tf", 132),
    ("MESH107", "eks-blueprints-istio-2023-10/main.tf", 140),
    ("MESH107", "eks-blueprints-istio-2023-10/main.tf", 155),
    # MESH107 (eks-blueprints-patterns): the current Istio pattern also pulls its charts from the retired GCS host
    ("MESH107", "eks-blueprints-patterns/istio/main.tf", 140),
    ("MESH107", "eks-blueprints-patterns/istio/main.tf", 148),
    ("MESH107", "eks-blueprints-patterns/istio/main.tf", 163),
    # MESH107 (istio-analyzers): istioctl's fixtures pull images from registry.istio.io/release, which stops being published to from Istio 1.31 and is being switched off with the GCP hosts
    ("MESH107", "istio-analyzers/injection-image-distroless-no-meshconfig.yaml", 56),
    ("MESH107", "istio-analyzers/injection-image-distroless-no-meshconfig.yaml", 58),
    ("MESH107", "istio-analyzers/injection-image-distroless-no-meshconfig.yaml", 72),
    ("MESH107", "istio-analyzers/injection-image-distroless-no-meshconfig.yaml", 74),
    ("MESH107", "istio-analyzers/injection-image-distroless-no-meshconfig.yaml", 98),
    ("MESH107", "istio-analyzers/injection-image-distroless-no-meshconfig.yaml", 100),
    ("MESH107", "istio-analyzers/injection-image-distroless.yaml", 27),
    ("MESH107", "istio-analyzers/injection-image-distroless.yaml", 29),
    ("MESH107", "istio-analyzers/injection-image-distroless.yaml", 42),
    ("MESH107", "istio-analyzers/injection-image-distroless.yaml", 44),
    ("MESH107", "istio-analyzers/injection-image-distroless.yaml", 57),
    ("MESH107", "istio-analyzers/injection-image-distroless.yaml", 59),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 19),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 21),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 42),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 45),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 58),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 60),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 73),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 76),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 89),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 91),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 104),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 106),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 119),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 121),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 137),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 139),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 159),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 161),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 182),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 184),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 197),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 199),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 215),
    ("MESH107", "istio-analyzers/injection-with-mismatched-sidecar.yaml", 217),
    ("MESH107", "istio-analyzers/injection.yaml", 69),
    # MESH107 (real/istio-on-eks): every istio-on-eks pattern installs base/istiod/gateway from the retired GCS chart host
    ("MESH107", "real/istio-on-eks/modules/04-security/terraform/istio.tf", 146),
    ("MESH107", "real/istio-on-eks/modules/04-security/terraform/istio.tf", 158),
    ("MESH107", "real/istio-on-eks/modules/04-security/terraform/istio.tf", 194),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_1.tf", 192),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_1.tf", 200),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_1.tf", 251),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_1.tf", 289),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_2.tf", 192),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_2.tf", 200),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_2.tf", 254),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_2.tf", 292),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_1.tf", 211),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_1.tf", 219),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_1.tf", 272),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_2.tf", 211),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_2.tf", 219),
    ("MESH107", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_2.tf", 272),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/ambient/main.tf", 134),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/ambient/main.tf", 142),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/ambient/main.tf", 157),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/ambient/main.tf", 176),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/ambient/main.tf", 184),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/sidecar/main.tf", 120),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/sidecar/main.tf", 128),
    ("MESH107", "real/istio-on-eks/terraform-blueprint/sidecar/main.tf", 143),
    # MESH207 (real/istio-on-eks): the SPIRE federation example's helloworld Gateway takes any Host on port 80 (info)
    ("MESH207", "real/istio-on-eks/patterns/eks-istio-mesh-spire-federation/examples/helloworld-gateway.yaml", 14),
    # MESH207 (real/kubernetes-ops): the istio-networking Gateway templates bind ports 80 and 443 to hosts "*" (info: the hosts are literal even where the namespace is a template variable)
    ("MESH207", "real/kubernetes-ops/terraform-environments/aws/dev/helm/istio-networking/gateway.tpl.yaml", 17),
    ("MESH207", "real/kubernetes-ops/terraform-environments/aws/dev/helm/istio-networking/gateway.tpl.yaml", 26),
    ("MESH207", "real/kubernetes-ops/terraform-environments/aws/terragrunt-dev/us-east-1/terragrunt-dev/300-kubernetes/200-istio/30-gw-vs/yaml/gateway.yaml", 19),
    ("MESH207", "real/kubernetes-ops/terraform-environments/aws/terragrunt-dev/us-east-1/terragrunt-dev/300-kubernetes/200-istio/30-gw-vs/yaml/gateway.yaml", 28),
    ("MESH207", "real/kubernetes-ops/terraform-environments/azure/dev/east-us-2/dev/100-kubernetes/200-istio/30-gw-vs/yaml/gateway.yaml", 19),
    ("MESH207", "real/kubernetes-ops/terraform-environments/azure/dev/east-us-2/dev/100-kubernetes/200-istio/30-gw-vs/yaml/gateway.yaml", 28),
    # the module's `data "template_file" "gateway"` renders `hosts: ${gateway_hosts}` (line 16) with
    # jsonencode(var.gateway_hosts), whose default is ["*"]: rendered and read (issue 11 cause 4), the
    # port-80 server takes any Host too; before, the placeholder left its hosts unknown
    ("MESH207", "real/kubernetes-ops/terraform-modules/aws/istio-networking/main-gateway/gateway.tpl.yaml", 16),
    ("MESH207", "real/kubernetes-ops/terraform-modules/aws/istio-networking/main-gateway/gateway.tpl.yaml", 25),
    # MESH501 (real/kubernetes-ops): the VPC module enables NAT without single_nat_gateway: one NAT gateway per private subnet index, 3 here (the SOURCES.md note says so)
    ("MESH501", "real/kubernetes-ops/terraform-modules/aws/vpc/main.tf", 18),
    # MESH502 (eks-blueprints-istio-2023-10): EKS 1.27 is past extended support (ended 2025-07-24): EKS creates no new 1.27 cluster and has upgraded existing ones, so applying this fails or drifts
    ("MESH502", "eks-blueprints-istio-2023-10/main.tf", 58),
    # MESH502 (eks-blueprints-patterns): the patterns pin EKS 1.28-1.31 (past extended support on 2026-11-26: error) or 1.32/1.33 (in extended support, $0.60 instead of $0.10 per cluster-hour: warning), per the EKS version calendar in rules/data/eks-versions.yaml
    ("MESH502", "eks-blueprints-patterns/agones-game-controller/main.tf", 52),
    ("MESH502", "eks-blueprints-patterns/aws-neuron-efa/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/aws-vpc-cni-network-policy/main.tf", 61),
    ("MESH502", "eks-blueprints-patterns/blue-green-upgrade/modules/eks_cluster/main.tf", 207),
    ("MESH502", "eks-blueprints-patterns/bottlerocket/eks.tf", 9),
    ("MESH502", "eks-blueprints-patterns/ecr-pull-through-cache/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/eks-automode/automode-custom-nodepools/main.tf", 87),
    ("MESH502", "eks-blueprints-patterns/external-secrets/main.tf", 71),
    ("MESH502", "eks-blueprints-patterns/fargate-serverless/main.tf", 62),
    ("MESH502", "eks-blueprints-patterns/fully-private-cluster/main.tf", 35),
    ("MESH502", "eks-blueprints-patterns/gitops/getting-started-argocd/main.tf", 194),
    ("MESH502", "eks-blueprints-patterns/gitops/multi-cluster-hub-spoke-argocd/hub/main.tf", 247),
    ("MESH502", "eks-blueprints-patterns/ipv6-eks-cluster/main.tf", 35),
    ("MESH502", "eks-blueprints-patterns/istio/main.tf", 64),
    ("MESH502", "eks-blueprints-patterns/karpenter-mng/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/karpenter/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/kubecost/main.tf", 51),
    ("MESH502", "eks-blueprints-patterns/ml-capacity-block/eks.tf", 22),
    ("MESH502", "eks-blueprints-patterns/ml-container-cache/eks.tf", 20),
    ("MESH502", "eks-blueprints-patterns/multi-node-vllm/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/multi-tenancy-with-teams/main.tf", 47),
    ("MESH502", "eks-blueprints-patterns/nvidia-gpu-efa/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/private-public-ingress/main.tf", 49),
    ("MESH502", "eks-blueprints-patterns/privatelink-access/eks.tf", 22),
    ("MESH502", "eks-blueprints-patterns/sso-iam-identity-center/main.tf", 47),
    ("MESH502", "eks-blueprints-patterns/sso-okta/main.tf", 35),
    ("MESH502", "eks-blueprints-patterns/stateful/main.tf", 68),
    ("MESH502", "eks-blueprints-patterns/targeted-odcr/eks.tf", 19),
    ("MESH502", "eks-blueprints-patterns/tls-with-aws-pca-issuer/main.tf", 64),
    ("MESH502", "eks-blueprints-patterns/vpc-lattice/client-server-communication/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/vpc-lattice/cross-cluster-pod-communication/cluster/eks.tf", 10),
    ("MESH502", "eks-blueprints-patterns/wireguard-with-cilium/eks.tf", 10),
    # MESH502 (real/data-on-eks-2025.02): data-on-eks blueprints pin EKS 1.26-1.31, all past extended support on 2026-11-26
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/bionemo/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/emr-spark-rapids/eks.tf", 10),
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/jark-stack/terraform/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/jupyterhub/main.tf", 51),
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/mlflow/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/nvidia-triton-server/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/ray/terraform/main.tf", 96),
    ("MESH502", "real/data-on-eks-2025.02/ai-ml/trainium-inferentia/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/analytics/terraform/datahub-on-eks/main.tf", 6),
    ("MESH502", "real/data-on-eks-2025.02/analytics/terraform/emr-eks-ack/main.tf", 59),
    ("MESH502", "real/data-on-eks-2025.02/analytics/terraform/emr-eks-fargate/main.tf", 47),
    ("MESH502", "real/data-on-eks-2025.02/analytics/terraform/emr-eks-karpenter/main.tf", 75),
    ("MESH502", "real/data-on-eks-2025.02/analytics/terraform/spark-eks-ipv6/eks.tf", 6),
    ("MESH502", "real/data-on-eks-2025.02/analytics/terraform/spark-k8s-operator/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/analytics/terraform/superset-on-eks/main.tf", 21),
    ("MESH502", "real/data-on-eks-2025.02/distributed-databases/cloudnative-postgres/main.tf", 6),
    ("MESH502", "real/data-on-eks-2025.02/distributed-databases/pinot/main.tf", 57),
    ("MESH502", "real/data-on-eks-2025.02/distributed-databases/trino/eks.tf", 6),
    ("MESH502", "real/data-on-eks-2025.02/schedulers/terraform/argo-workflow/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/schedulers/terraform/aws-batch-eks/eks.tf", 10),
    ("MESH502", "real/data-on-eks-2025.02/schedulers/terraform/managed-airflow-mwaa/eks.tf", 6),
    ("MESH502", "real/data-on-eks-2025.02/schedulers/terraform/self-managed-airflow/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/streaming/emr-eks-flink/main.tf", 43),
    ("MESH502", "real/data-on-eks-2025.02/streaming/flink/main.tf", 24),
    ("MESH502", "real/data-on-eks-2025.02/streaming/kafka/eks.tf", 9),
    ("MESH502", "real/data-on-eks-2025.02/streaming/nifi/main.tf", 11),
    ("MESH502", "real/data-on-eks-2025.02/streaming/spark-streaming/terraform/eks.tf", 9),
    # MESH502 (real/eks-blueprints-v4.32.1): EKS Blueprints v4 examples pin EKS 1.23-1.26 (long past extended support); the root module called by several examples is reported once per version it is called with
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/agones-game-controller/main.tf", 50),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/amp-amg-opensearch/main.tf", 55),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/appmesh-mtls/main.tf", 57),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/argocd/main.tf", 52),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/eks-efa/main.tf", 94),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/external-secrets/main.tf", 63),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/fargate-serverless/main.tf", 48),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/fully-private-cluster/main.tf", 30),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/ipv4-prefix-delegation/main.tf", 50),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/ipv6-eks-cluster/main.tf", 48),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/karpenter/main.tf", 66),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/multi-tenancy-with-teams/main.tf", 57),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/stateful/main.tf", 52),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/tls-with-aws-pca-issuer/main.tf", 57),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/vpc-cni-custom-networking/main.tf", 59),
    ("MESH502", "real/eks-blueprints-v4.32.1/examples/wireguard-with-cilium/main.tf", 57),
    ("MESH502", "real/eks-blueprints-v4.32.1/main.tf", 28),
    # MESH502 (real/eks-workshop-v2): the workshop cluster runs EKS 1.33, in extended support on 2026-11-26 (warning, with the monthly cost difference)
    ("MESH502", "real/eks-workshop-v2/cluster/terraform/eks.tf", 11),
    # MESH502 (real/istio-on-eks): istio-on-eks patterns pin EKS 1.28-1.31, past extended support on 2026-11-26
    ("MESH502", "real/istio-on-eks/modules/04-security/terraform/eks.tf", 6),
    ("MESH502", "real/istio-on-eks/patterns/eks-istio-mesh-spire-federation/terraform/1.foo-eks/main.tf", 76),
    ("MESH502", "real/istio-on-eks/patterns/eks-istio-mesh-spire-federation/terraform/2.bar-eks/main.tf", 76),
    ("MESH502", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_1.tf", 78),
    ("MESH502", "real/istio-on-eks/patterns/multi-cluster-multi-primary/multi-network/eks_2.tf", 78),
    ("MESH502", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_1.tf", 38),
    ("MESH502", "real/istio-on-eks/patterns/multi-cluster-multi-primary/single-network/eks_2.tf", 38),
    ("MESH502", "real/istio-on-eks/terraform-blueprint/ambient/main.tf", 58),
    ("MESH502", "real/istio-on-eks/terraform-blueprint/sidecar/main.tf", 58),
    # MESH502 (real/kubernetes-ops): kubernetes-ops' EKS module pins 1.23, past extended support since 2024
    ("MESH502", "real/kubernetes-ops/terraform-modules/aws/eks/main.tf", 137),
    # MESH207 (info): istioctl's gateway fixtures bind HTTP servers of ingress Gateways to
    # hosts "*" (or "*/*"): each answers for any Host header, exactly what the rule reports
    ("MESH207", "istio-analyzers/gateway-correct-port.yaml", 16),
    ("MESH207", "istio-analyzers/gateway-custom-ingressgateway-badport-notarget.yaml", 16),
    ("MESH207", "istio-analyzers/gateway-custom-ingressgateway-badport.yaml", 16),
    ("MESH207", "istio-analyzers/gateway-custom-ingressgateway-svcselector.yaml", 16),
    ("MESH207", "istio-analyzers/gateway-custom-ingressgateway-svcselector.yaml", 31),
    ("MESH207", "istio-analyzers/gateway-custom-ingressgateway-translation.yaml", 16),
    ("MESH207", "istio-analyzers/gateway-custom-ingressgateway.yaml", 16),
    ("MESH207", "istio-analyzers/gateway-no-port.yaml", 16),
    ("MESH207", "istio-analyzers/gateway-no-port.yaml", 22),
    ("MESH207", "istio-analyzers/virtualservice_host_not_found_gateway_with_ns_prefix.yaml", 115),
    ("MESH207", "istio-analyzers/virtualservice_host_not_found_gateway_with_ns_prefix_beta.yaml", 115),
    # istioctl's own fixture for IST0123 (both injection labels); istioctl reports both too
    ("MESH402", "istio-analyzers/injection.yaml", 57),
    ("MESH402", "istio-analyzers/injection.yaml", 156),
    # the 2023 Istio pattern: `version` in eks-blueprints-addons helm_releases is ignored
    # (fixed upstream in 06b994fe, "Corrections to the Helm chart versions")
    ("MESH103", "eks-blueprints-istio-2023-10/main.tf", 131),
    ("MESH103", "eks-blueprints-istio-2023-10/main.tf", 139),
    ("MESH103", "eks-blueprints-istio-2023-10/main.tf", 154),
    # the same mistake, still at HEAD, in the cilium pattern: cilium 1.14.1 is not pinned
    ("MESH103", "eks-blueprints-patterns/wireguard-with-cilium/eks.tf", 78),
    # the current Istio pattern pins 1.20.2 on EKS 1.30: 1.20 supports 1.25-1.29, and it
    # reached end of life on 2024-06-25
    ("MESH104", "eks-blueprints-patterns/istio/main.tf", 147),
    ("MESH105", "eks-blueprints-patterns/istio/main.tf", 147),
    # istioctl's gateway fixtures: files that redefine the same Gateways are alternatives,
    # each checked alone; these are the problems each fixture was written to contain
    # (see tests/test_peer_istioctl.py), plus the conflicts in the secrets fixtures, whose
    # gateways all bind httpbin.example.com:443 on one selector
    ("MESH204", "istio-analyzers/analyze-list-type.yaml", 10),
    ("MESH204", "istio-analyzers/analyze-list-type.yaml", 28),
    ("MESH204", "istio-analyzers/analyze-list-type.yaml", 43),
    ("MESH204", "istio-analyzers/conflicting-gateways-multiple-ports.yaml", 16),
    ("MESH204", "istio-analyzers/conflicting-gateways-multiple-ports.yaml", 37),
    ("MESH204", "istio-analyzers/conflicting-gateways-subSelector.yaml", 12),
    ("MESH204", "istio-analyzers/conflicting-gateways-subSelector.yaml", 28),
    ("MESH204", "istio-analyzers/conflicting-gateways.yaml", 10),
    ("MESH204", "istio-analyzers/conflicting-gateways.yaml", 25),
    ("MESH205", "istio-analyzers/gateway-custom-ingressgateway-badport-notarget.yaml", 12),
    ("MESH205", "istio-analyzers/gateway-custom-ingressgateway-badport.yaml", 12),
    ("MESH205", "istio-analyzers/gateway-custom-ingressgateway-svcselector.yaml", 27),
    ("MESH204", "istio-analyzers/gateway-secrets-validation.yaml", 20),
    ("MESH204", "istio-analyzers/gateway-secrets-validation.yaml", 47),
    ("MESH204", "istio-analyzers/gateway-secrets-validation.yaml", 75),
    ("MESH204", "istio-analyzers/gateway-secrets-validation.yaml", 103),
    ("MESH204", "istio-analyzers/gateway-secrets.yaml", 27),
    ("MESH204", "istio-analyzers/gateway-secrets.yaml", 45),
    ("MESH204", "istio-analyzers/gateway-secrets.yaml", 63),
    ("MESH204", "istio-analyzers/gateway-secrets.yaml", 81),
    ("MESH204", "istio-analyzers/gateway-secrets.yaml", 99),
    ("MESH206", "istio-analyzers/virtualservice_gateways.yaml", 28),
    ("MESH202", "istio-analyzers/virtualservice_gateways.yaml", 38),
    ("MESH206", "istio-analyzers/virtualservice_gateways.yaml", 59),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway.yaml", 43),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway.yaml", 95),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway.yaml", 166),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway.yaml", 242),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway_beta.yaml", 43),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway_beta.yaml", 95),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway_beta.yaml", 166),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway_beta.yaml", 242),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway_with_ns_prefix.yaml", 42),
    ("MESH206", "istio-analyzers/virtualservice_host_not_found_gateway_with_ns_prefix_beta.yaml", 42),
    ("MESH206", "istio-analyzers/virtualservice_kubernetes_gateways.yaml", 53),
    # istioctl's injection fixture: sidecar and ambient labels on one namespace (IST0123)
    ("MESH402", "istio-analyzers/injection.yaml", 164),
    ("MESH402", "istio-analyzers/injection.yaml", 172),
}


NOT_YET_JUDGED: set[str] = set()  # every folder of the corpus is judged, real/ included


@pytest.fixture(scope="module")
def judged_corpus(tmp_path_factory):
    """A copy of the corpus without the folders not yet judged."""
    root = tmp_path_factory.mktemp("corpus")
    for item in sorted(CORPUS.iterdir()):
        if item.name in NOT_YET_JUDGED:
            continue
        if item.is_dir():
            shutil.copytree(item, root / item.name, symlinks=True)
        else:
            shutil.copy2(item, root / item.name)
    return root


def _run(root, *args):
    proc = meshlint_cli("check", ".", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_corpus_findings_are_exactly_the_defended_ones(judged_corpus):
    doc = _run(judged_corpus)
    got = {(f["rule"], f["path"], f["line"]) for f in doc["findings"]}
    # a file meshlint cannot read is a finding only when the file is really broken: the five
    # listed are duplicate keys; templates and valid YAML libyaml rejects are not MESH001
    assert {(f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "MESH001"} == \
        {(path, line) for rule, path, line in EXPECTED if rule == "MESH001"}
    assert got == EXPECTED


def test_the_2023_istio_pattern_as_it_was_judged_in_november_2023():
    proc = meshlint_cli("check", "eks-blueprints-istio-2023-10", "--format", "json",
                        "--as-of", "2023-11-28", cwd=CORPUS)
    doc = json.loads(proc.stdout)
    found = sorted((f["rule"], f["line"]) for f in doc["findings"])
    assert found == [("MESH103", 131), ("MESH103", 139), ("MESH103", 154)]
    for f in doc["findings"]:
        assert "use chart_version" in f["message"].lower()
        assert "resolves to 1.20.0" in f["message"] and "as of 2023-11-28" in f["message"]

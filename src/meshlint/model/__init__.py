"""The model: one per scope, the facts every rule reads.

`types`, `istio` and `nodes` hold the typed records; `build` turns one scope's parsed
documents into a finished `Model`, with one extractor per source (`extract_*`) and the
derived views (`derive_*`). Checks import the records from here; only the engine imports
the builders.
"""

from meshlint.model.istio import (
    GATEWAY_API_GROUP,
    ISTIO_NET,
    Gateway,
    GatewayRef,
    Host,
    HostIndex,
    KialiExpectation,
    KialiInstall,
    Server,
    VirtualService,
    hosts_overlap,
    selector_matches,
)
from meshlint.model.nodes import (
    ARCH_LABELS,
    ARCHS,
    ArchSubject,
    FargateSelector,
    ImageArchs,
    ImageUse,
    NodePool,
    Taint,
    Toleration,
    candidate_pools,
)
from meshlint.model.types import (
    FULL_KINDS,
    SYSTEM_NAMESPACES,
    WORKLOAD_KINDS,
    Component,
    GatewayWorkload,
    HelmRelease,
    IstioInstall,
    K8sObject,
    LookupFailure,
    Model,
    Namespace,
    NatGateways,
    Workload,
    as_mapping,
)

__all__ = [
    "ARCHS", "ARCH_LABELS", "FULL_KINDS", "GATEWAY_API_GROUP", "ISTIO_NET", "SYSTEM_NAMESPACES",
    "WORKLOAD_KINDS", "ArchSubject", "Component", "FargateSelector", "Gateway", "GatewayRef",
    "GatewayWorkload", "HelmRelease", "Host", "ImageArchs", "ImageUse", "IstioInstall", "K8sObject",
    "KialiExpectation", "KialiInstall", "LookupFailure", "Model", "Namespace", "NatGateways",
    "NodePool", "Server", "Taint", "Toleration", "VirtualService", "Workload", "as_mapping",
    "candidate_pools", "HostIndex", "hosts_overlap", "selector_matches",
]

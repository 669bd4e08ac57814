"""Kubernetes objects from manifest files. The namespace is resolved from metadata, then the
outermost kustomization's `namespace:` (extract_kustomize), then `default`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from meshlint.model.types import K8sObject, as_mapping
from meshlint.parse import ParsedFile
from meshlint.values import Location, text

# Kinds that live outside namespaces (the common ones; others default to namespaced).
CLUSTER_SCOPED = frozenset((
    "Namespace", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition",
    "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "APIService", "PriorityClass", "IngressClass",
    "RuntimeClass", "CSIDriver", "CSINode", "VolumeSnapshotClass", "GatewayClass",
    "ClusterIssuer", "NodePool", "EC2NodeClass", "NodeClass", "Provisioner",
    "AWSNodeTemplate", "ClusterPolicy", "ClusterSecretStore", "ClusterIssuer",
    "PodSecurityPolicy", "IngressClassParams", "TargetGroupPolicy",
))


def yaml_location(path: str, mapping: object) -> Location:
    """The span of a YAML mapping (its first line and column, where it ends)."""
    line = getattr(mapping, "line", 1) or 1
    col = getattr(mapping, "col", 1) or 1
    end = getattr(mapping, "end_line", line) or line
    return Location(path, line, col, end, 1 if end > line else col)


def manifest_objects(pf: ParsedFile, kustomize_ns: list[str] | None) -> Iterator[K8sObject]:
    if pf.yaml is None:
        return
    path = pf.entry.path
    for doc in pf.yaml.documents:
        value = doc.value
        if not isinstance(value, Mapping):
            continue
        items = [value]
        if value.get("kind") == "List" and isinstance(value.get("items"), list):
            items = [i for i in value["items"] if isinstance(i, Mapping)]
        for item in items:
            kind, api = item.get("kind"), item.get("apiVersion")
            if not isinstance(kind, str) or not isinstance(api, str):
                continue
            meta = as_mapping(item.get("metadata"))
            name = text(meta.get("name")) or text(meta.get("generateName")) or ""
            loc = yaml_location(path, item)
            if kind in CLUSTER_SCOPED:
                yield K8sObject(kind, api, name, None, item, loc)
                continue
            explicit = text(meta.get("namespace"))
            if kustomize_ns:
                for ns in kustomize_ns:
                    yield K8sObject(kind, api, name, ns, item, loc)
            else:
                yield K8sObject(kind, api, name, explicit or "default", item, loc)

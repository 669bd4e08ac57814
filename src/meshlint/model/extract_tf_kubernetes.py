"""Kubernetes objects declared in Terraform: `kubernetes_manifest`, `kubectl_manifest`,
namespaces (`kubernetes_namespace*`, `kubernetes_labels`) and the kubernetes provider's
workload resources (snake_case blocks reduced to the Kubernetes shape)."""

from __future__ import annotations

from collections.abc import Mapping

from meshlint.model.collect import Collector
from meshlint.model.extract_manifests import CLUSTER_SCOPED, yaml_location
from meshlint.model.tf_walk import block_location, first, instances
from meshlint.model.types import K8sObject, Namespace, Workload, as_mapping, as_sequence
from meshlint.parse.hclfront import HclBlock
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.terraform import EncodedDocument, ModuleContext
from meshlint.values import Location, Unknown, is_unknown

NAMESPACE_TYPES = ("kubernetes_namespace", "kubernetes_namespace_v1")
MANIFEST_TYPES = ("kubernetes_manifest", "kubectl_manifest")
WORKLOAD_TYPES = {
    "kubernetes_deployment": "Deployment", "kubernetes_deployment_v1": "Deployment",
    "kubernetes_stateful_set": "StatefulSet", "kubernetes_stateful_set_v1": "StatefulSet",
    "kubernetes_daemonset": "DaemonSet", "kubernetes_daemon_set_v1": "DaemonSet",
    "kubernetes_job": "Job", "kubernetes_job_v1": "Job",
    "kubernetes_cron_job": "CronJob", "kubernetes_cron_job_v1": "CronJob",
    "kubernetes_pod": "Pod", "kubernetes_pod_v1": "Pod",
    "kubernetes_replication_controller": "ReplicationController",
}


def _labels(value: object) -> Mapping | Unknown:
    if value is None:
        return {}
    return value if isinstance(value, (Mapping, Unknown)) else {}


def manifest_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str, blk: HclBlock) -> None:
    """`kubernetes_manifest` (an HCL object) and `kubectl_manifest` (a YAML string)."""
    block_loc = block_location(blk)
    for inst, bind in instances(ctx, blk, address):
        loc = block_loc
        body = ctx.eval_body(blk.body, bind)
        if rtype == "kubernetes_manifest":
            manifest = body.get("manifest")
        else:
            manifest, loc = _yaml_body(ctx, body.get("yaml_body"), f"{address} in {blk.file.path}", block_loc)
        if not isinstance(manifest, Mapping) or is_unknown(manifest.get("kind")):
            continue
        kind, api = manifest.get("kind"), manifest.get("apiVersion")
        if not isinstance(kind, str) or not isinstance(api, str):
            continue
        meta = as_mapping(manifest.get("metadata"))
        name: str = meta["name"] if isinstance(meta.get("name"), str) else ""
        ns: str | None = None if kind in CLUSTER_SCOPED else (
            meta.get("namespace") if isinstance(meta.get("namespace"), str) else "default")
        if "\n" in inst:  # for_each over whole documents: Terraform's key is the text itself
            inst = f"{address}[{kind}/{name}]"
        if kind == "Namespace" and isinstance(meta.get("labels"), Unknown):
            out.add_namespace(Namespace(name, meta["labels"], loc, inst, "terraform"))
            continue
        out.add_object(K8sObject(kind, api, name, ns, manifest, loc, "terraform"), declared_as=inst)


def _yaml_body(ctx: ModuleContext, text: object, reader: str, loc: Location) -> tuple[object, Location]:
    """A kubectl_manifest's `yaml_body` as an object, and where it is declared: a file read
    with file() or a rendered template (templatefile(), template_file, one document of
    kubectl_path_documents) is located in that file; an inline string at the block."""
    if isinstance(text, EncodedDocument):
        return text.data, loc
    if not isinstance(text, str):
        return None, loc
    read = ctx.project.files.yaml.documents(text, reader)
    if isinstance(read, Unknown):
        return None, loc
    if read is None:
        parsed = parse_yaml_bytes(text.encode("utf-8"), loc.path)
        one = parsed.documents[0].value if not parsed.error and len(parsed.documents) == 1 else None
        return one, loc
    docs = [d for d in read if d is not None]
    if len(docs) != 1:
        return None, loc  # the provider takes exactly one document
    return docs[0], yaml_location(getattr(docs[0], "path", loc.path), docs[0])


def namespace_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str, blk: HclBlock) -> None:
    """`kubernetes_namespace(_v1)` and `kubernetes_labels` of kind Namespace."""
    loc = block_location(blk)
    labels_resource = rtype == "kubernetes_labels"
    for inst, bind in instances(ctx, blk, address):
        body = ctx.eval_body(blk.body, bind)
        meta = as_mapping(first(body.get("metadata")))
        name = meta.get("name")
        if not isinstance(name, str):
            continue
        if labels_resource:
            if body.get("kind") == "Namespace":
                out.add_namespace(Namespace(name, _labels(body.get("labels", {})), loc, inst, "terraform"))
        else:
            out.add_namespace(Namespace(name, _labels(meta.get("labels", {})), loc, inst, "terraform"))


def workload_resource(out: Collector, ctx: ModuleContext, rtype: str, address: str, blk: HclBlock) -> None:
    loc = block_location(blk)
    kind = WORKLOAD_TYPES[rtype]
    for inst, bind in instances(ctx, blk, address):
        body = ctx.eval_body(blk.body, bind)
        meta = as_mapping(first(body.get("metadata")))
        name = meta.get("name")
        if not isinstance(name, str):
            continue
        namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else (
            "default" if meta.get("namespace") is None else None)
        if namespace is None:
            continue  # an unknown namespace: nothing to correlate
        obj = K8sObject(kind, "apps/v1", name, namespace, {"metadata": meta}, loc, "terraform")
        out.objects.append(obj)
        pod_meta, pod_spec = _pod_template(kind, body)
        out.workloads.append(Workload(obj, pod_spec, as_mapping(pod_meta.get("labels")),
                                      as_mapping(pod_meta.get("annotations")), loc))


def _pod_template(kind: str, body: Mapping) -> tuple[Mapping, Mapping]:
    spec = as_mapping(first(body.get("spec")))
    if kind == "Pod":
        return as_mapping(first(body.get("metadata"))), _pod_spec(spec)
    if kind == "CronJob":
        job = as_mapping(first(spec.get("job_template")))
        spec = as_mapping(first(job.get("spec")))
    template = as_mapping(first(spec.get("template")))
    return as_mapping(first(template.get("metadata"))), _pod_spec(as_mapping(first(template.get("spec"))))


def _pod_spec(spec: Mapping) -> dict:
    def containers(key: str) -> list[dict]:
        return [{"name": c.get("name"), "image": c.get("image")}
                for c in as_sequence(spec.get(key)) if isinstance(c, Mapping)]

    return {
        "containers": containers("container"),
        "initContainers": containers("init_container"),
        "nodeSelector": as_mapping(spec.get("node_selector")),
    }

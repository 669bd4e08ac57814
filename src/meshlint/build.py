"""Building the model: parsed documents of one scope -> one `Model`.

Kubernetes objects come from manifests (namespace resolved from metadata, then the
outermost kustomization's `namespace:`, then `default`) and from Terraform
(`kubernetes_manifest`, `kubectl_manifest`, `kubernetes_*` resources). Helm releases come
from `helm_release` and the eks-blueprints-addons `helm_releases` map. Terraform values
are read through the evaluator, so rules only ever see values or `Unknown`.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterator

from meshlint import arch, knowledge
from meshlint.arch import derive_arch
from meshlint.discover import (
    CHART,
    KUSTOMIZATION,
    MANIFEST,
    VALUES,
    Scope,
    display_path,
)
from meshlint.gateways import derive_gateways
from meshlint.inventory import derive_components
from meshlint.locate import key_location
from meshlint.model import (
    WORKLOAD_KINDS,
    Component,
    HelmRelease,
    IstioInstall,
    K8sObject,
    Model,
    Namespace,
    NatGateways,
    Workload,
)
from meshlint.parse import ParsedFile
from meshlint.parse.hclfront import HclBlock
from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.terraform import (
    EncodedDocument,
    FileText,
    ModuleContext,
    Project,
    expand_instances,
    literal_string,
)
from meshlint.values import Location, Unknown, YMap, is_unknown, text
from meshlint.versioning import parse_version, resolve_terraform_constraint

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

TF_NAMESPACE_TYPES = ("kubernetes_namespace", "kubernetes_namespace_v1")
TF_WORKLOAD_TYPES = {
    "kubernetes_deployment": "Deployment", "kubernetes_deployment_v1": "Deployment",
    "kubernetes_stateful_set": "StatefulSet", "kubernetes_stateful_set_v1": "StatefulSet",
    "kubernetes_daemonset": "DaemonSet", "kubernetes_daemon_set_v1": "DaemonSet",
    "kubernetes_job": "Job", "kubernetes_job_v1": "Job",
    "kubernetes_cron_job": "CronJob", "kubernetes_cron_job_v1": "CronJob",
    "kubernetes_pod": "Pod", "kubernetes_pod_v1": "Pod",
    "kubernetes_replication_controller": "ReplicationController",
}
ADDONS_SOURCES = ("aws-ia/eks-blueprints-addons/aws", "terraform-aws-eks-blueprints-addons")
ISTIOD_CHARTS = frozenset(("istiod", "istio-discovery"))
EKS_SOURCES = ("terraform-aws-modules/eks/aws", "terraform-aws-modules/terraform-aws-eks")


def build_model(scope: Scope, parsed: dict[str, ParsedFile], project: Project,
                as_of: _dt.date | None = None, charts=None) -> Model:
    """`charts` (an online.ChartRepositories, only with --online) answers which versions
    each release's chart repository offers; the answers are stored in the model."""
    model = Model(scope.name)
    files = [parsed[e.abspath] for e in scope.files if e.abspath in parsed]
    kustomize_ns = _kustomize_namespaces(files)
    for pf in files:
        if pf.entry.kind == MANIFEST and pf.yaml is not None:
            for obj in _manifest_objects(pf, kustomize_ns.get(pf.entry.abspath)):
                _add_object(model, obj)
    _chart_dependencies(model, files)
    for root in scope.roots:
        if root in project.modules:
            _from_terraform(model, project.root_context(root))
    _istio_from_objects(model)
    _istio_from_releases(model)
    if charts is not None:
        for rel in model.releases:
            if isinstance(rel.repository, str) and isinstance(rel.chart, str):
                rel.available = charts.lookup(rel.repository, rel.chart_name or rel.chart)
    derive_components(model, as_of or _dt.date.today())
    derive_gateways(model)
    derive_arch(model, as_of or _dt.date.today())
    return model


# --- manifests -----------------------------------------------------------------------------


def _kustomize_namespaces(files: list[ParsedFile]) -> dict[str, list[str]]:
    """File -> namespaces the kustomizations that include it put its objects in.
    The outermost kustomization with a `namespace:` wins, as kustomize does."""
    kustomizations: dict[str, tuple[str | None, list[str]]] = {}
    for pf in files:
        if pf.entry.kind != KUSTOMIZATION or pf.yaml is None or not pf.yaml.documents:
            continue
        doc = pf.yaml.documents[0].value
        if not isinstance(doc, dict):
            continue
        base = os.path.dirname(pf.entry.abspath)
        ns = text(doc.get("namespace"))
        refs = []
        for key in ("resources", "bases", "components"):
            items = doc.get(key)
            if isinstance(items, list):
                for item in items:
                    item = text(item)
                    if item and "://" not in item and not item.startswith("github.com/"):
                        refs.append(os.path.normpath(os.path.join(base, item)))
        kustomizations[base] = (ns, refs)
    if not kustomizations:
        return {}
    referenced = {r for _, refs in kustomizations.values() for r in refs}
    roots = [d for d in kustomizations if d not in referenced]
    out: dict[str, list[str]] = {}
    for root in roots:
        stack = [(root, None)]
        seen = set()
        while stack:
            d, outer = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            ns, refs = kustomizations[d]
            effective = outer or ns
            for r in refs:
                if r in kustomizations:
                    stack.append((r, effective))
                elif effective:
                    out.setdefault(r, [])
                    if effective not in out[r]:
                        out[r].append(effective)
    return out


def _manifest_objects(pf: ParsedFile, kustomize_ns: list[str] | None) -> Iterator[K8sObject]:
    path = pf.entry.path
    for doc in pf.yaml.documents:
        value = doc.value
        if not isinstance(value, dict):
            continue
        items = [value]
        if value.get("kind") == "List" and isinstance(value.get("items"), list):
            items = [i for i in value["items"] if isinstance(i, dict)]
        for item in items:
            kind, api = item.get("kind"), item.get("apiVersion")
            if not isinstance(kind, str) or not isinstance(api, str):
                continue
            meta = item.get("metadata")
            meta = meta if isinstance(meta, dict) else {}
            name = text(meta.get("name")) or text(meta.get("generateName")) or ""
            loc = _yaml_location(path, item)
            if kind in CLUSTER_SCOPED:
                yield K8sObject(kind, api, name, None, item, loc)
                continue
            explicit = text(meta.get("namespace"))
            if kustomize_ns:
                for ns in kustomize_ns:
                    yield K8sObject(kind, api, name, ns, item, loc)
            else:
                yield K8sObject(kind, api, name, explicit or "default", item, loc)


def _yaml_location(path: str, mapping) -> Location:
    line = getattr(mapping, "line", 1) or 1
    col = getattr(mapping, "col", 1) or 1
    end = getattr(mapping, "end_line", line) or line
    return Location(path, line, col, end, 1 if end > line else col)


def _add_object(model: Model, obj: K8sObject) -> None:
    model.objects.append(obj)
    if obj.kind in ("Application", "ApplicationSet") and obj.api_version.startswith("argoproj.io/"):
        model.releases.extend(_argocd_releases(obj))
        return
    if obj.kind == "Namespace" and obj.name:
        location = obj.location
        meta = obj.body.get("metadata")
        if obj.origin == "manifest" and isinstance(meta, YMap) and "name" in meta.keypos:
            location = key_location(meta, "name", location)
            location = Location(location.path, location.line, location.column, location.line,
                                location.column + len("name: ") + len(obj.name))
        model.add_namespace(Namespace(obj.name, obj.labels, location,
                                      f"Namespace/{obj.name}", obj.origin))
        return
    if obj.kind in WORKLOAD_KINDS:
        template = _pod_template(obj.kind, obj.body)
        if template is not None:
            meta, spec = template
            model.workloads.append(Workload(
                obj, spec, _as_dict(meta.get("labels")), _as_dict(meta.get("annotations")),
                obj.location))


def _as_dict(v) -> dict:
    return v if isinstance(v, dict) else {}


def _pod_template(kind: str, body: dict) -> tuple[dict, dict] | None:
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return None
    if kind == "Pod":
        return _as_dict(body.get("metadata")), spec
    if kind == "CronJob":
        job = spec.get("jobTemplate")
        spec = job.get("spec") if isinstance(job, dict) else None
        if not isinstance(spec, dict):
            return None
    template = spec.get("template")
    if not isinstance(template, dict):
        return None
    return _as_dict(template.get("metadata")), _as_dict(template.get("spec"))


# --- Helm releases from Argo CD and umbrella charts ------------------------------------------


def _templated(value):
    """ApplicationSet template strings ({{...}}) are only known per generated app."""
    if isinstance(value, str) and "{{" in value:
        return Unknown("templated by an ApplicationSet")
    return value


def _argocd_releases(obj: K8sObject) -> list[HelmRelease]:
    spec = _as_dict(obj.body.get("spec"))
    if obj.kind == "ApplicationSet":
        spec = _as_dict(_as_dict(spec.get("template")).get("spec"))
    sources = [spec.get("source")] if isinstance(spec.get("source"), dict) else []
    if isinstance(spec.get("sources"), list):
        sources += [s for s in spec["sources"] if isinstance(s, dict)]
    dest_ns = _templated(text(_as_dict(spec.get("destination")).get("namespace"))) or "default"
    out = []
    for i, src in enumerate(sources):
        chart = src.get("chart")
        if not isinstance(chart, str):
            continue  # a git path, not a chart from a Helm repository
        helm = _as_dict(src.get("helm"))
        values: list = []
        if isinstance(helm.get("values"), str):
            parsed = parse_yaml_bytes(helm["values"].encode("utf-8"), obj.location.path)
            values.extend(d.value for d in parsed.documents if isinstance(d.value, dict))
            if parsed.error:
                values.append(Unknown("helm.values is not YAML"))
        if isinstance(helm.get("valuesObject"), dict):
            values.append(helm["valuesObject"])
        sets = [(text(p.get("name")), p.get("value")) for p in helm.get("parameters") or []
                if isinstance(p, dict)]
        version = src.get("targetRevision")
        fallback = obj.location
        out.append(HelmRelease(
            name=_templated(text(helm.get("releaseName"))) or obj.name, chart=_templated(chart),
            repository=_templated(text(src.get("repoURL"))),
            version=_templated(text(version)) if version is not None else None,
            version_key="targetRevision" if version is not None else None,
            version_location=key_location(src, "targetRevision", fallback) if version is not None else None,
            namespace=dest_ns, values=values, sets=sets, location=key_location(src, "chart", fallback),
            object=f"{obj.kind}/{obj.name}" + (f".sources[{i}]" if len(sources) > 1 else ""),
            origin="argocd"))
    return out


def _chart_dependencies(model: Model, files: list[ParsedFile]) -> None:
    """An umbrella chart's `dependencies:` are releases too (Chart.lock pins ranges)."""
    by_dir: dict[str, dict[str, ParsedFile]] = {}
    for pf in files:
        if pf.entry.kind in (CHART, VALUES) and pf.entry.chart_dir and pf.yaml is not None:
            by_dir.setdefault(pf.entry.chart_dir, {})[os.path.basename(pf.entry.abspath)] = pf
    for chart_dir, chart_files in sorted(by_dir.items()):
        chart_yaml = chart_files.get("Chart.yaml")
        if chart_yaml is None or not chart_yaml.yaml.documents:
            continue
        doc = chart_yaml.yaml.documents[0].value
        deps = doc.get("dependencies") if isinstance(doc, dict) else None
        if not isinstance(deps, list):
            continue
        locked = {}
        lock = chart_files.get("Chart.lock")
        if lock is not None and lock.yaml.documents and isinstance(lock.yaml.documents[0].value, dict):
            for d in lock.yaml.documents[0].value.get("dependencies") or []:
                if isinstance(d, dict):
                    locked[text(d.get("name"))] = text(d.get("version"))
        values_file = chart_files.get("values.yaml")
        defaults = values_file.yaml.documents[0].value if values_file is not None and \
            values_file.yaml.documents and isinstance(values_file.yaml.documents[0].value, dict) else {}
        umbrella = text(doc.get("name")) or os.path.basename(chart_dir)
        for dep in deps:
            if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
                continue
            name = dep["name"]
            alias = text(dep.get("alias")) or name
            version = text(dep.get("version"))
            if name in locked and locked[name]:
                version = locked[name]  # what `helm dependency build` downloaded
            loc = _yaml_location(chart_yaml.entry.path, dep)
            sub_values = defaults.get(alias) if isinstance(defaults.get(alias), dict) else {}
            model.releases.append(HelmRelease(
                name=alias, chart=name, repository=text(dep.get("repository")), version=version,
                version_key="version" if dep.get("version") is not None else None,
                version_location=key_location(dep, "version", loc) if "version" in dep else None,
                namespace=Unknown("the umbrella chart's release namespace"), values=[sub_values],
                location=key_location(dep, "name", loc),
                object=f"{umbrella}/dependencies/{alias}", origin="chart-dependency"))


# --- Istio installations -------------------------------------------------------------------


def _istio_from_objects(model: Model) -> None:
    for obj in model.objects:
        if obj.kind == "IstioOperator":
            spec = _as_dict(obj.body.get("spec"))
            rev = text(spec.get("revision")) or ""
            model.istio.append(IstioInstall(rev, [], obj.location, f"IstioOperator/{obj.name}",
                                            "istiooperator"))
        elif obj.kind == "Deployment" and _is_istiod_deployment(obj):
            labels = obj.labels
            rev = text(labels.get("istio.io/rev")) or ""
            if rev == "default":
                rev = ""
            model.istio.append(IstioInstall(rev, [], obj.location, f"Deployment/{obj.namespace}/{obj.name}",
                                            "manifest"))


def _is_istiod_deployment(obj: K8sObject) -> bool:
    name = obj.name or ""
    if name == "istiod" or (name.startswith("istiod-") and obj.labels.get("app") == "istiod"):
        return True
    template = _pod_template(obj.kind, obj.body)
    if template is None:
        return False
    for c in template[1].get("containers") or []:
        image = text(c.get("image")) if isinstance(c, dict) else None
        if image and ("/pilot:" in image or image.rsplit("/", 1)[-1].startswith("pilot:")):
            return True
    return False


def _istio_from_releases(model: Model) -> None:
    for rel in model.releases:
        if rel.chart_name not in ISTIOD_CHARTS:
            continue
        rev = rel.value("revision")
        tags = rel.value("revisionTags")
        if rev is None:
            rev = ""
        elif not isinstance(rev, Unknown):
            rev = text(rev) or ""
        if tags is None:
            tags = []
        elif not isinstance(tags, (list, Unknown)):
            tags = Unknown("revisionTags is not a list")
        model.istio.append(IstioInstall(rev, tags, rel.location, rel.object, "helm"))


# --- Terraform ------------------------------------------------------------------------------


def block_location(blk: HclBlock) -> Location:
    """The block's header line: where editors and SARIF viewers should point."""
    src = blk.file.src
    lines = src.split(b"\n", blk.line)  # cheap enough: only on findings' blocks
    header = lines[blk.line - 1] if len(lines) >= blk.line else b""
    end_col = len(header.rstrip().decode("utf-8", "replace")) + 1
    return Location(blk.file.path, blk.line, blk.col, blk.line, max(end_col, blk.col))


def attr_location(attr) -> Location:
    return Location(attr.file.path, attr.line, attr.col, attr.end_line, attr.end_col)


def _contexts(root: ModuleContext) -> Iterator[ModuleContext]:
    stack = [root]
    seen = set()
    while stack:
        ctx = stack.pop()
        yield ctx
        for name in sorted(ctx.module.module_calls):
            child = ctx.child(name)
            if child is not None and id(child.module) not in seen | {id(ctx.module)}:
                seen.add(id(child.module))
                stack.append(child)


def _from_terraform(model: Model, root: ModuleContext) -> None:
    if model.region is None:
        model.region = _aws_region(root)
    for ctx in _contexts(root):
        prefix = ctx.address
        for (rtype, rname), blk in sorted(ctx.module.resources.items()):
            if rtype in TF_NAMESPACE_TYPES or rtype == "kubernetes_labels" or \
                    rtype in TF_WORKLOAD_TYPES or rtype in ("kubernetes_manifest", "kubectl_manifest"):
                _tf_kubernetes(model, ctx, prefix, rtype, rname, blk)
            elif rtype == "helm_release":
                for address, bind in _instances(ctx, blk, f"{prefix}{rtype}.{rname}"):
                    model.releases.append(_tf_helm_release(ctx, blk, address, bind))
            elif rtype == "aws_nat_gateway":
                _tf_nat_resource(model, ctx, blk, f"{prefix}{rtype}.{rname}")
        for name, call in sorted(ctx.module.module_calls.items()):
            source = literal_string(call.body.attrs.get("source")) or ""
            address = f"{prefix}module.{name}"
            if any(s in source for s in ADDONS_SOURCES):
                _tf_addons_releases(model, ctx, call, address)
            elif _is_vpc_module(source):
                _tf_vpc_nat(model, ctx, call, address, source)
            elif "//modules/eks-managed-node-group" in source or "//modules/self-managed-node-group" in source:
                arch.pool_from_node_group_module(model, ctx, call, address, block_location(call))
            elif any(s in source for s in EKS_SOURCES) and "//modules/" not in source:
                _tf_cluster_version(model, ctx, call.body.attrs.get("cluster_version") or
                                    call.body.attrs.get("kubernetes_version"), address)
                arch.pools_from_eks_module(model, ctx, call, address, attr_location, key_location)
        for (rtype, rname), blk in sorted(ctx.module.resources.items()):
            if rtype == "aws_eks_cluster":
                _tf_cluster_version(model, ctx, blk.body.attrs.get("version"),
                                    f"{prefix}{rtype}.{rname}", block_location(blk))
            elif rtype in ("aws_eks_node_group", "aws_eks_fargate_profile"):
                for address, bind in _instances(ctx, blk, f"{prefix}{rtype}.{rname}"):
                    body = ctx.eval_body(blk.body, bind)
                    if rtype == "aws_eks_node_group":
                        arch.pool_from_aws_node_group(model, body, address, block_location(blk))
                    else:
                        arch.pool_from_fargate_resource(model, body, address, block_location(blk))


def _aws_region(ctx: ModuleContext) -> str | None:
    providers = [p for p in ctx.module.providers if p.labels and p.labels[0] == "aws"]
    providers.sort(key=lambda p: "alias" in p.body.attrs)
    for p in providers:
        region = ctx.eval_attr(p.body.attrs.get("region"))
        if isinstance(region, str):
            return region
        break
    return None


def _instances(ctx: ModuleContext, blk: HclBlock, address: str):
    binds = expand_instances(ctx, blk)
    if binds is None:
        return
    for bind in binds:
        if "each" in bind:
            yield f'{address}["{bind["each"]["key"]}"]', bind
        elif "count" in bind:
            yield f'{address}[{bind["count"]["index"]}]', bind
        else:
            yield address, bind


def _first(value):
    """Terraform nested blocks evaluate to lists; most are single blocks."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _tf_kubernetes(model: Model, ctx: ModuleContext, prefix: str, rtype: str, rname: str,
                   blk: HclBlock) -> None:
    loc = block_location(blk)
    for address, bind in _instances(ctx, blk, f"{prefix}{rtype}.{rname}"):
        body = ctx.eval_body(blk.body, bind)
        if rtype in ("kubernetes_manifest", "kubectl_manifest"):
            if rtype == "kubernetes_manifest":
                manifest = body.get("manifest")
            else:
                manifest = body.get("yaml_body")
                if isinstance(manifest, EncodedDocument):
                    manifest = manifest.data
                elif isinstance(manifest, str):
                    parsed = parse_yaml_bytes(manifest.encode("utf-8"), loc.path)
                    manifest = parsed.documents[0].value if not parsed.error and len(parsed.documents) == 1 else None
            if not isinstance(manifest, dict) or is_unknown(manifest.get("kind")):
                continue
            kind, api = manifest.get("kind"), manifest.get("apiVersion")
            if not isinstance(kind, str) or not isinstance(api, str):
                continue
            meta = _as_dict(manifest.get("metadata"))
            name = meta.get("name") if isinstance(meta.get("name"), str) else ""
            ns = None if kind in CLUSTER_SCOPED else (
                meta.get("namespace") if isinstance(meta.get("namespace"), str) else "default")
            if kind == "Namespace" and isinstance(meta.get("labels"), Unknown):
                model.add_namespace(Namespace(name, meta["labels"], loc, address, "terraform"))
                continue
            _add_object(model, K8sObject(kind, api, name, ns, manifest, loc, "terraform"))
            if kind == "Namespace":
                model.namespaces[name][-1].object = address
            continue
        meta = _as_dict(_first(body.get("metadata")))
        name = meta.get("name")
        if not isinstance(name, str):
            continue
        if rtype in TF_NAMESPACE_TYPES:
            labels = meta.get("labels", {})
            if labels is None:
                labels = {}
            model.add_namespace(Namespace(name, labels if isinstance(labels, (dict, Unknown)) else {},
                                          loc, address, "terraform"))
        elif rtype == "kubernetes_labels":
            if body.get("kind") == "Namespace":
                labels = body.get("labels", {})
                model.add_namespace(Namespace(name, labels if isinstance(labels, (dict, Unknown)) else {},
                                              loc, address, "terraform"))
        else:
            kind = TF_WORKLOAD_TYPES[rtype]
            namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else (
                "default" if meta.get("namespace") is None else None)
            if namespace is None:
                continue  # an unknown namespace: nothing to correlate
            obj = K8sObject(kind, "apps/v1", name, namespace, {"metadata": meta}, loc, "terraform")
            model.objects.append(obj)
            pod_meta, pod_spec = _tf_pod_template(kind, body)
            model.workloads.append(Workload(obj, pod_spec, _as_dict(pod_meta.get("labels")),
                                            _as_dict(pod_meta.get("annotations")), loc))


def _tf_pod_template(kind: str, body: dict) -> tuple[dict, dict]:
    """The kubernetes provider's snake_case blocks, reduced to the Kubernetes shape."""
    spec = _as_dict(_first(body.get("spec")))
    if kind == "Pod":
        return _as_dict(_first(body.get("metadata"))), _tf_pod_spec(spec)
    if kind == "CronJob":
        job = _as_dict(_first(spec.get("job_template")))
        spec = _as_dict(_first(job.get("spec")))
    template = _as_dict(_first(spec.get("template")))
    return _as_dict(_first(template.get("metadata"))), _tf_pod_spec(_as_dict(_first(template.get("spec"))))


def _tf_pod_spec(spec: dict) -> dict:
    def containers(key):
        out = []
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                out.append({"name": c.get("name"), "image": c.get("image")})
        return out

    return {
        "containers": containers("container"),
        "initContainers": containers("init_container"),
        "nodeSelector": spec.get("node_selector") if isinstance(spec.get("node_selector"), dict) else {},
    }


def _tf_cluster_version(model: Model, ctx: ModuleContext, attr, address: str,
                        fallback: Location | None = None) -> None:
    """The EKS Kubernetes version (`cluster_version`, `kubernetes_version` from module v21)."""
    if attr is None:
        return  # the module's default changes with its version: not guessed
    value = ctx.eval_attr(attr)
    loc = attr_location(attr)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value:.2f}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        model.components.append(Component("kubernetes", address, value, "pinned", loc, address,
                                          "terraform", effective=value))


# --- Helm releases from Terraform ----------------------------------------------------------


def _values_documents(raw, project: Project | None = None) -> list:
    """helm_release `values`: a list of YAML strings -> documents (or Unknown entries)."""
    if raw is None:
        return []
    if isinstance(raw, Unknown):
        return [raw]
    docs: list = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, EncodedDocument):
            docs.append(item.data)
        elif isinstance(item, FileText) and project is not None and \
                (parsed := project.parsed_documents(item.source)) is not None:
            docs.extend(d for d in parsed if isinstance(d, dict))  # values file, with its lines
        elif isinstance(item, str):
            # a file() the parse layer did not read (not named like a values file) keeps its
            # path; an inline string has none
            where = display_path(item.source, os.getcwd()) if isinstance(item, FileText) else ""
            parsed = parse_yaml_bytes(item.encode("utf-8"), where)
            if parsed.error:
                docs.append(Unknown("values document that is not YAML"))
            else:
                docs.extend(d.value for d in parsed.documents if isinstance(d.value, dict))
        elif isinstance(item, dict):
            docs.append(item)
        else:
            docs.append(Unknown("values entry not known before apply"))
    return docs


def _set_entries(body: dict) -> list:
    """`set` as blocks (helm provider 2.x) or a list attribute (3.x): (name, value) pairs."""
    entries = []
    for key in ("set", "set_sensitive"):
        raw = body.get(key)
        if isinstance(raw, Unknown):
            entries.append((Unknown("set not known"), raw))
            continue
        for item in raw or []:
            if isinstance(item, dict):
                entries.append((item.get("name"), item.get("value")))
    return entries


def _tf_helm_release(ctx: ModuleContext, blk: HclBlock, address: str, bind: dict) -> HelmRelease:
    body = ctx.eval_body(blk.body, bind)
    loc = block_location(blk)
    version_attr = blk.body.attrs.get("version")
    return HelmRelease(
        name=body.get("name", Unknown("no name")), chart=body.get("chart", Unknown("no chart")),
        repository=body.get("repository"), version=body.get("version"),
        version_key="version" if "version" in body else None,
        version_location=attr_location(version_attr) if version_attr else None,
        namespace=body.get("namespace", "default"), values=_values_documents(body.get("values"), ctx.project),
        sets=_set_entries(body), location=loc, object=address, origin="helm_release")


def _tf_addons_releases(model: Model, ctx: ModuleContext, call: HclBlock, address: str) -> None:
    attr = call.body.attrs.get("helm_releases")
    if attr is None:
        return
    releases = ctx.eval_attr(attr)
    if not isinstance(releases, dict):
        return
    read_keys = set(knowledge.data("eks-blueprints-addons").get("helm_releases_keys_read") or [])
    call_loc = attr_location(attr)
    for key, entry in releases.items():
        if not isinstance(entry, dict):
            continue
        entry_loc = key_location(releases, key, call_loc)
        ignored = {k: key_location(entry, k, entry_loc) for k in entry if k not in read_keys}
        version_loc = key_location(entry, "chart_version", entry_loc) if "chart_version" in entry else None
        model.releases.append(HelmRelease(
            name=entry.get("name", key), chart=entry.get("chart", Unknown("no chart")),
            repository=entry.get("repository"), version=entry.get("chart_version"),
            version_key="chart_version" if "chart_version" in entry else None,
            version_location=version_loc, namespace=entry.get("namespace", "default"),
            values=_values_documents(entry.get("values"), ctx.project), sets=_set_entries(entry),
            location=entry_loc, object=f'{address}.helm_releases["{key}"]',
            origin="eks-blueprints-addons", ignored_keys=ignored,
            ignored_values={k: entry[k] for k in ignored}))


# --- NAT gateways --------------------------------------------------------------------------


def _is_vpc_module(source: str) -> bool:
    table = knowledge.data("vpc-module")
    base = source.split("?")[0].split("//")[0] if "://" not in source else source.split("?")[0]
    return any(s in base or s in source for s in table["module_sources"])


def _vpc_version(call: HclBlock, source: str) -> tuple[str, str]:
    """(version whose formula applies, how it was chosen)."""
    table = knowledge.data("vpc-module")
    known = [str(v) for v in table["known_versions"]]
    latest = str(table["latest_known"])
    constraint = literal_string(call.body.attrs.get("version"))
    if constraint is None and "ref=" in source:
        constraint = source.split("ref=", 1)[1].split("&")[0].lstrip("v")
    if constraint is None:
        return latest, "vpc module version not pinned (newest release assumed)"
    resolved = resolve_terraform_constraint(constraint, known)
    if resolved is None:
        return latest, f'vpc module version "{constraint}" not understood (newest release assumed)'
    return resolved, f'vpc module "{constraint}"'



def _subnet_kinds(version: str) -> tuple[list[str], bool]:
    v = parse_version(version)
    for row in knowledge.data("vpc-module")["max_subnet_length"]:
        lo = parse_version(str(row["from"]))
        hi = parse_version(str(row["below"])) if row.get("below") else None
        if v is not None and lo is not None and v >= lo and (hi is None or v < hi):
            return [str(k) for k in row["kinds"]], bool(row.get("ipv6_prefixes"))
    rows = knowledge.data("vpc-module")["max_subnet_length"]
    return [str(k) for k in rows[-1]["kinds"]], True


def _tf_vpc_nat(model: Model, ctx: ModuleContext, call: HclBlock, address: str, source: str) -> None:
    defaults = knowledge.data("vpc-module")["input_defaults"]
    version, version_note = _vpc_version(call, source)
    kinds, ipv6 = _subnet_kinds(version)
    attrs = call.body.attrs
    for inst_address, bind in _instances(ctx, call, address):
        def value(name, default=None):
            a = attrs.get(name)
            if a is None:
                return defaults.get(name, default)
            return ctx.eval_attr(a, bind)

        def where(name):
            a = attrs.get(name)
            return attr_location(a) if a is not None else block_location(call)

        count, reason, loc = _nat_count(value, where, kinds, ipv6)
        if count is _SKIP:
            continue
        if "subnet index" in reason:  # only this branch of the formula changed by version
            counted = ", ".join(kinds[:-1]) + f" and {kinds[-1]}"
            reason = f"{reason}; {version_note} counts {counted} subnets"
        model.nat_gateways.append(NatGateways(
            count, reason, loc or block_location(call), inst_address, model.region))


_SKIP = object()


def _nat_count(value, where, kinds: list[str], ipv6: bool):
    create = value("create_vpc")
    enable = value("enable_nat_gateway")
    for flag in (create, enable):
        if isinstance(flag, Unknown):
            return None, "whether NAT is enabled is not known", where("enable_nat_gateway")
    if create is False or enable is not True:
        return _SKIP, "", None
    single = value("single_nat_gateway")
    if isinstance(single, Unknown):
        return None, "single_nat_gateway is not known", where("single_nat_gateway")
    if single is True:
        return 1, "single_nat_gateway = true", where("single_nat_gateway")
    per_az = value("one_nat_gateway_per_az")
    if isinstance(per_az, Unknown):
        return None, "one_nat_gateway_per_az is not known", where("one_nat_gateway_per_az")
    if per_az is True:
        azs = value("azs", [])
        if not isinstance(azs, list):
            return None, "the number of azs is not known", where("azs")
        return len(azs), f"one_nat_gateway_per_az = true and azs has {len(azs)} entries", \
            where("one_nat_gateway_per_az")
    lengths = []
    for kind in kinds:
        for name in [f"{kind}_subnets"] + ([f"{kind}_subnet_ipv6_prefixes"] if ipv6 else []):
            v = value(name, [])
            if v is None:
                v = []
            if not isinstance(v, list):
                return None, f"the number of {name} is not known", where(name)
            if v:
                lengths.append((len(v), name))
    count = max((n for n, _ in lengths), default=0)
    parts = ", ".join(f"{name} {n}" for n, name in lengths) or "no subnets"
    return count, (f"enable_nat_gateway = true without single_nat_gateway or "
                   f"one_nat_gateway_per_az, so one per subnet index: max({parts}) = {count}"), \
        where("enable_nat_gateway")


def _tf_nat_resource(model: Model, ctx: ModuleContext, blk: HclBlock, address: str) -> None:
    binds = expand_instances(ctx, blk)
    attrs = blk.body.attrs
    if binds is None:
        model.nat_gateways.append(NatGateways(None, "count/for_each not known", block_location(blk),
                                              address, model.region))
        return
    how = "count" if "count" in attrs else "for_each" if "for_each" in attrs else ""
    where = attr_location(attrs[how]) if how else block_location(blk)
    reason = f"{how} gives {len(binds)} instances" if how else "one resource"
    model.nat_gateways.append(NatGateways(len(binds), reason, where, address, model.region))

"""Sidecar injection: namespaces whose pods would run without the Istio proxy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase

from meshlint import knowledge
from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.findings import Finding, Severity
from meshlint.locate import item_location, key_location
from meshlint.model import SYSTEM_NAMESPACES, Model, Workload
from meshlint.model.placeholders import has_placeholder
from meshlint.model.types import as_sequence
from meshlint.values import Unknown, text

INJECTION = "istio-injection"
REV = "istio.io/rev"
DATAPLANE = "istio.io/dataplane-mode"
POD_INJECT = "sidecar.istio.io/inject"


def _pod_opt(w: Workload) -> str | None:
    """A pod's own `sidecar.istio.io/inject` choice ("true"/"false"), if any."""
    value = w.pod_labels.get(POD_INJECT)
    if value is None:
        value = w.pod_annotations.get(POD_INJECT)
    return None if value is None else (text(value) or "").lower()


@rule("MESH401")
def namespace_injection_missing(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    if not model.installs_istio:
        return
    by_namespace: dict[str, list[Workload]] = {}
    for w in model.workloads:
        by_namespace.setdefault(w.namespace, []).append(w)
    infrastructure = _infrastructure_namespace(ctx.ignore_namespaces)
    ambient = model.installs_ambient
    for name, workloads in sorted(by_namespace.items()):
        if name in SYSTEM_NAMESPACES or infrastructure(name) or has_placeholder(name):
            continue
        if all(w.object.kind in RUN_TO_COMPLETION for w in workloads):
            continue  # Jobs and CronJobs only: a sidecar keeps their pods from completing
        labels = model.namespace_labels(name)
        if labels is None or isinstance(labels, Unknown):
            continue  # not declared here, or labels only known after apply: no guess
        if any(isinstance(v, Unknown) for v in labels.values()):
            continue
        injection = text(labels.get(INJECTION))
        if injection == "enabled" or injection == "disabled" or REV in labels:
            continue
        if text(labels.get(DATAPLANE)) == "ambient":
            continue
        # pods that choose for themselves (sidecar.istio.io/inject) are not affected
        undecided = [w for w in workloads if _pod_opt(w) not in ("true", "false")]
        if not undecided:
            continue
        decl = model.namespaces[name][0]
        names = ", ".join(f"{w.object.kind}/{w.object.name}" for w in undecided[:3])
        more = f" and {len(undecided) - 3} more" if len(undecided) > 3 else ""
        revisions = model.revisions_provided() or {"default"}
        if ambient:
            label_fix = f"{DATAPLANE}: ambient"
            kubectl = f"kubectl label namespace {name} {DATAPLANE}=ambient"
        elif "default" in revisions:
            label_fix = f"{INJECTION}: enabled"
            kubectl = f"kubectl label namespace {name} {INJECTION}=enabled"
        else:
            rev = sorted(revisions)[0]
            label_fix = f"{REV}: {rev}"
            kubectl = f"kubectl label namespace {name} {REV}={rev}"
        wrong = ""
        if injection is not None:
            wrong = f' (its {INJECTION}="{injection}" is not a value Istio knows; it must be "enabled")'
        if ambient:
            message = (f"namespace {name} runs {names}{more} but has no {DATAPLANE}=ambient, "
                       f"{INJECTION}=enabled or {REV} label{wrong}: in this ambient installation its "
                       f"pods are not in the mesh. Add the label `{label_fix}` to the namespace "
                       f"({kubectl}), or `{INJECTION}: disabled` if it is meant to stay outside the mesh.")
        else:
            message = (f"namespace {name} runs {names}{more} but has no {INJECTION}=enabled or "
                       f"{REV} label{wrong}: Istio will not inject sidecars into its pods. "
                       f"Add the label `{label_fix}` to the namespace ({kubectl}), or "
                       f"`{INJECTION}: disabled` if it is meant to stay outside the mesh.")
        yield report(message, decl.location, object=decl.object, detail=name,
                     fix=f"add label {label_fix} to namespace {name}")


RUN_TO_COMPLETION = ("Job", "CronJob")


def _infrastructure_namespace(configured: tuple[str, ...] | None) -> Callable[[str], bool]:
    """Is a namespace one MESH401 leaves alone: one of the configured names or `*` patterns
    (`injection.ignore-namespaces`), else one of the cluster's infrastructure
    (rules/data/infrastructure-namespaces)?"""
    if configured is not None:
        return lambda name: any(fnmatchcase(name, p) for p in configured)
    table = knowledge.data("infrastructure-namespaces")
    names = frozenset(str(n) for n in table.get("names") or [])
    prefixes = tuple(str(p) for p in table.get("prefixes") or [])
    return lambda name: name in names or name.startswith(prefixes)


def _label_decl(decls, label: str):
    """The declaration that writes a label (a namespace may be declared more than once)."""
    for d in reversed(decls):
        if isinstance(d.labels, dict) and label in d.labels:
            return d
    return decls[0]


@rule("MESH402")
def injection_label_conflict(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    provided = model.revisions_provided() if model.installs_istio else None
    for name, decls in sorted(model.namespaces.items()):
        labels = model.namespace_labels(name)
        if labels is None or isinstance(labels, Unknown):
            continue
        decl = decls[0]
        injection, rev = labels.get(INJECTION), labels.get(REV)
        if isinstance(injection, Unknown) or isinstance(rev, Unknown):
            continue
        ambient = text(labels.get(DATAPLANE)) == "ambient"
        if ambient and (text(injection) == "enabled" or (rev is not None and text(injection) != "disabled")):
            sidecar = f"{INJECTION}=enabled" if text(injection) == "enabled" else f"{REV}={text(rev)}"
            message = (f"namespace {name} is labelled for sidecar injection ({sidecar}) and for "
                       f"ambient mode ({DATAPLANE}=ambient): its pods get sidecars and are also "
                       f"captured by ztunnel, which Istio does not support. Choose one data-plane "
                       f"mode: remove {sidecar.split('=')[0]} for ambient, or {DATAPLANE} for sidecars.")
            yield report(message, _label_decl(decls, DATAPLANE).label_location(DATAPLANE),
                         object=decl.object, detail=f"{name}:ambient",
                         fix=f"keep either {sidecar.split('=')[0]} or {DATAPLANE} on namespace {name}")
        elif injection is not None and rev is not None and text(injection) != "disabled":
            # (disabled + a revision is a clear opt-out, as istioctl's IST0123 judges it)
            message = (f"namespace {name} has both {INJECTION}={text(injection)} and "
                       f"{REV}={text(rev)}: {INJECTION} takes precedence and {REV} is ignored, "
                       f"which breaks revision-based (canary) upgrades. Keep only one: "
                       f"{REV} for revisioned installs, or {INJECTION}=enabled.")
            yield report(message, _label_decl(decls, REV).label_location(REV),
                         object=decl.object, detail=f"{name}:both",
                         fix=f"remove one of {INJECTION} / {REV} from namespace {name}")
        elif rev is not None and provided is not None and text(rev) not in provided:
            have = ", ".join(sorted(provided))
            message = (f"namespace {name} asks for Istio revision {REV}={text(rev)}, but the "
                       f"Istio installed in this scope provides only: {have}. No sidecar will be "
                       f"injected. Use one of those revisions, or install istiod with "
                       f"revision={text(rev)}.")
            yield report(message, _label_decl(decls, REV).label_location(REV),
                         object=decl.object, detail=f"{name}:rev",
                         fix=f"set {REV} to one of: {have}")


def _injection_state(model: Model, w: Workload) -> tuple[bool | None, str]:
    """Will the injector handle this pod? (True/False/None unknown, why)."""
    opt = _pod_opt(w)
    if opt == "false":
        return False, "the pod sets sidecar.istio.io/inject=false"
    if opt == "true":
        return True, ""
    labels = model.namespace_labels(w.namespace)
    if labels is None:
        if not model.installs_istio:
            return None, ""
        return False, (f"namespace {w.namespace} is not declared in this scope, so nothing here "
                       f"enables injection for it")
    if isinstance(labels, Unknown) or any(isinstance(v, Unknown) for v in labels.values()):
        return None, ""
    injection = text(labels.get(INJECTION))
    if injection == "disabled":
        return False, f"namespace {w.namespace} has {INJECTION}=disabled"
    if injection == "enabled" or REV in labels:
        return True, ""
    return False, f"namespace {w.namespace} has no {INJECTION}=enabled or {REV} label"


@rule("MESH403")
def image_auto_without_injection(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    for w in model.workloads:
        autos = [c for c in as_sequence(w.pod_spec.get("containers"))
                 if isinstance(c, dict) and text(c.get("image")) == "auto"]
        if not autos:
            continue
        state, why = _injection_state(model, w)
        if state is not False:
            continue
        bare_pod = w.object.kind == "Pod"
        container = autos[0]
        loc = key_location(container, "image", w.location)
        message = (f"{w.object.kind} {w.namespace}/{w.object.name} uses `image: auto` for container "
                   f"{text(container.get('name')) or '?'}, which only the Istio sidecar injector "
                   f"replaces, but {why}: the pod will fail to pull the image \"auto\". Enable "
                   f"injection for it (label the namespace {INJECTION}=enabled, or the pod "
                   f"sidecar.istio.io/inject: \"true\").")
        yield report(message, loc, object=f"{w.object.kind}/{w.namespace}/{w.object.name}", detail="auto",
                     severity=Severity.ERROR if bare_pod else Severity.WARNING,
                     fix=f"enable injection for namespace {w.namespace}")


def _named_by_convention(name: str) -> bool:
    lower = name.lower()
    return any(lower == p or lower.startswith(p + "-") for p in knowledge.istio_protocols().port_name_prefixes)


@rule("MESH404")
def service_port_name_convention(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    if not model.installs_istio:
        return
    for svc in model.objects_of("Service"):
        ns = svc.namespace or "default"
        if ns in SYSTEM_NAMESPACES:
            continue
        labels = model.namespace_labels(ns)
        if isinstance(labels, dict) and text(labels.get(INJECTION)) == "disabled":
            continue
        raw_spec = svc.body.get("spec")
        spec = raw_spec if isinstance(raw_spec, dict) else {}
        if text(spec.get("type")) == "ExternalName":
            continue
        ports = spec.get("ports")
        if not isinstance(ports, list) or _istio_or_webhook_service(svc.name, spec, ports):
            continue
        for i, port in enumerate(ports):
            if not isinstance(port, dict) or port.get("appProtocol"):
                continue
            if (text(port.get("protocol")) or "TCP").upper() == "UDP":
                continue  # Istio never sniffs UDP
            name = text(port.get("name")) or ""
            if name and _named_by_convention(name):
                continue
            loc = key_location(port, "name", item_location(ports, i, svc.location)) if name else \
                item_location(ports, i, svc.location)
            shown = f"named {name!r}" if name else "unnamed"
            message = (f"Service {ns}/{svc.name} port {port.get('port')} is {shown}: without a protocol "
                       f"prefix (http, http2, https, grpc, tcp, tls, ...) or appProtocol, Istio "
                       f"falls back to protocol sniffing, which can misdetect and delays server-first "
                       f"protocols. Name it like `http-web`, or set appProtocol.")
            yield report(message, loc, object=f"Service/{ns}/{svc.name}", detail=f"{port.get('port')}:{name}",
                         fix="prefix the port name with its protocol")


# Istio's own ports: a Service exposing one of them is a gateway or control plane whose
# ports Istio's charts name (and whose traffic Istio does not sniff).
ISTIO_OWN_PORTS = frozenset((15008, 15010, 15012, 15014, 15017, 15020, 15021, 15090))


def _istio_or_webhook_service(name: str, spec: dict, ports: list) -> bool:
    """A Service of Istio itself (a gateway or istiod: it exposes the status port 15021 or
    another of Istio's ports, or selects a gateway or istiod pod), or an admission webhook
    Service (the API server calls it directly, from outside the mesh)."""
    numbers = {p.get("port") for p in ports if isinstance(p, dict)} | {
        p.get("targetPort") for p in ports if isinstance(p, dict)}
    if numbers & ISTIO_OWN_PORTS:
        return True
    selector = spec.get("selector")
    if isinstance(selector, dict) and (text(selector.get("istio")) or text(selector.get("app")) or "") in (
            "ingressgateway", "egressgateway", "eastwestgateway", "pilot", "istiod"):
        return True
    return "webhook" in name.lower()

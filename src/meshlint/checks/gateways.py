"""Gateways: Istio Gateways that select nothing, references to Gateways that do not exist,
conflicting servers, ports the gateway Service does not expose, hosts no Gateway accepts,
and what Kiali will report missing."""

from __future__ import annotations

from meshlint.checks import CheckContext, finding, rule
from meshlint.gateways import GATEWAY_API_GROUP, describe, selector_matches
from meshlint.inventory import kiali_namespace
from meshlint.locate import item_location, key_location
from meshlint.model import GatewayWorkload, K8sObject, Model
from meshlint.values import Location, Unknown, get_path, text

ISTIO_NET = "networking.istio.io/"


def istio_gateways(model: Model) -> list[K8sObject]:
    return model.objects_of("Gateway", ISTIO_NET)


def _spec(obj: K8sObject) -> dict:
    spec = obj.body.get("spec")
    return spec if isinstance(spec, dict) else {}


def _selector(obj: K8sObject) -> dict | None:
    sel = _spec(obj).get("selector")
    if not isinstance(sel, dict) or not sel:
        return None
    return {str(k): text(v) for k, v in sel.items()}


def _selector_text(sel: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(sel.items()))


def _servers(obj: K8sObject) -> list[dict]:
    return [s for s in _spec(obj).get("servers") or [] if isinstance(s, dict)]


def _port_number(server: dict) -> int | None:
    port = server.get("port")
    if isinstance(port, dict) and isinstance(port.get("number"), int):
        return port["number"]
    return None


def _port_loc(obj: K8sObject, server: dict) -> Location:
    port = server.get("port")
    return key_location(port, "number", key_location(server, "port", obj.location))


def _known_workloads(model: Model) -> list[GatewayWorkload] | None:
    """The scope's gateway workloads, or None when they cannot all be known."""
    if model.opaque_kinds & {"gateway-workload", "*"}:
        return None  # a chart in this scope deploys gateways meshlint cannot render
    if any(isinstance(g.labels, Unknown) for g in model.gateway_workloads):
        return None
    return model.gateway_workloads


def _obj_ref(obj: K8sObject) -> str:
    return f"{obj.kind}/{obj.namespace}/{obj.name}" if obj.namespace else f"{obj.kind}/{obj.name}"


# --- MESH201 -------------------------------------------------------------------------------


@rule("MESH201")
def gateway_selector_unmatched(model: Model, ctx: CheckContext):
    gateways = istio_gateways(model)
    if not gateways:
        return
    workloads = _known_workloads(model)
    # only judge a scope that knows its gateways: it deploys some, or installs Istio itself
    if workloads is None or not (workloads or model.installs_istio):
        return
    for gw in gateways:
        sel = _selector(gw)
        if sel is None:
            continue
        if any(selector_matches(sel, w.labels) for w in workloads):
            continue
        existing = "; ".join(describe(w) for w in workloads[:5]) or "none"
        hint = _closest(sel, workloads)
        message = (f"Gateway {gw.namespace}/{gw.name} selects {_selector_text(sel)}, but no gateway "
                   f"workload in this scope has those labels, so its servers are never configured "
                   f"(requests get 404 or connection refused). Gateway workloads here: {existing}."
                   f"{hint}")
        first_key = next(iter(_spec(gw)["selector"]))
        loc = key_location(_spec(gw)["selector"], first_key, gw.location)
        yield finding("MESH201", message, loc, object=_obj_ref(gw), scope=model.scope,
                      detail=_selector_text(sel), fix="make the selector match the gateway pods' labels")


def _closest(sel: dict, workloads: list[GatewayWorkload]) -> str:
    """Point at the likely typo or rename: a workload with the same keys, other values."""
    for w in workloads:
        same_keys = [k for k in sel if k in w.labels]
        if same_keys:
            suggestion = ", ".join(f"{k}: {w.labels[k]}" for k in same_keys)
            return f" Did you mean `{suggestion}` ({w.name})?"
    return ""


# --- MESH202 / MESH206 ---------------------------------------------------------------------


def _vs_gateway_refs(vs: K8sObject):
    """(name, location) for spec.gateways and every route's match[].gateways."""
    spec = _spec(vs)
    seq = spec.get("gateways")
    if isinstance(seq, list):
        for i, name in enumerate(seq):
            if isinstance(name, str):
                yield name, item_location(seq, i, vs.location), True
    for route_kind in ("http", "tls", "tcp"):
        for route in spec.get(route_kind) or []:
            if not isinstance(route, dict):
                continue
            for match in route.get("match") or []:
                if isinstance(match, dict) and isinstance(match.get("gateways"), list):
                    mseq = match["gateways"]
                    for i, name in enumerate(mseq):
                        if isinstance(name, str):
                            yield name, item_location(mseq, i, vs.location), False


def _resolve(name: str, namespace: str) -> tuple[str, str]:
    if "/" in name:
        ns, _, short = name.partition("/")
        return ns, short
    return namespace, name


def _gateway_index(model: Model) -> dict[tuple[str, str], K8sObject]:
    index = {}
    for gw in istio_gateways(model) + model.objects_of("Gateway", GATEWAY_API_GROUP):
        index.setdefault((gw.namespace or "default", gw.name), gw)
    return index


@rule("MESH202")
def gateway_reference_not_found(model: Model, ctx: CheckContext):
    index = _gateway_index(model)
    if not index or model.opaque_kinds & {"Gateway", "*"}:
        return  # no Gateway visible here (managed elsewhere), or some are in chart templates
    for vs in model.objects_of("VirtualService", ISTIO_NET):
        ns = vs.namespace or "default"
        seen = set()
        for name, loc, _top in _vs_gateway_refs(vs):
            if name == "mesh" or name in seen:
                continue
            seen.add(name)
            key = _resolve(name, ns)
            if key in index:
                continue
            candidates = [f"{n}/{g}" for (n, g) in index if g == key[1]] or \
                [f"{n}/{g}" for (n, g) in sorted(index)][:5]
            if "~istio-autogenerated-k8s-gateway" in name:
                message = (f"VirtualService {ns}/{vs.name} is bound to {name!r}, an internal name Istio "
                           f"generates for a Kubernetes Gateway API Gateway; it is not a Gateway you can "
                           f"reference and may change between Istio versions. Bind the routes with an "
                           f"HTTPRoute to the Gateway API Gateway instead.")
                yield finding("MESH202", message, loc, object=_obj_ref(vs), scope=model.scope,
                              detail=name, fix="use an HTTPRoute attached to the Gateway API Gateway")
                continue
            message = (f"VirtualService {ns}/{vs.name} is bound to gateway {name!r} "
                       f"(resolved as {key[0]}/{key[1]}), which is not defined in this scope: its "
                       f"routes are not served there. Gateways defined here: {', '.join(candidates)}. "
                       f"A bare name resolves in the VirtualService's own namespace; use "
                       f"<namespace>/<name> for a Gateway elsewhere.")
            yield finding("MESH202", message, loc, object=_obj_ref(vs), scope=model.scope,
                          detail=name, fix="reference an existing Gateway as <namespace>/<name>")


def hosts_overlap(a: str, b: str) -> bool:
    """Istio's host matching: equal names, or a wildcard whose suffix covers the other."""
    if a == b:
        return True
    aw, bw = a.startswith("*"), b.startswith("*")
    if aw and bw:
        return a[1:].endswith(b[1:]) or b[1:].endswith(a[1:])
    if aw:
        return b.endswith(a[1:])
    if bw:
        return a.endswith(b[1:])
    return False


def _gateway_hosts_for(gw: K8sObject, vs_namespace: str) -> list[str] | None:
    """Hosts a Gateway offers to VirtualServices of a namespace; None = all hosts."""
    if gw.api_version.startswith(GATEWAY_API_GROUP):
        hosts = []
        for listener in _spec(gw).get("listeners") or []:
            if not isinstance(listener, dict):
                continue
            hostname = text(listener.get("hostname"))
            if not hostname:
                return None
            hosts.append(hostname)
        return hosts
    out = []
    gw_ns = gw.namespace or "default"
    for server in _servers(gw):
        for h in server.get("hosts") or []:
            h = text(h) or ""
            if "/" in h:
                ns, _, host = h.partition("/")
                ns = gw_ns if ns == "." else ns
                if ns not in ("*", vs_namespace):
                    continue
                h = host
            out.append(h)
    return out


@rule("MESH206")
def virtualservice_host_not_in_gateway(model: Model, ctx: CheckContext):
    index = _gateway_index(model)
    for vs in model.objects_of("VirtualService", ISTIO_NET):
        ns = vs.namespace or "default"
        hosts = [text(h) for h in _spec(vs).get("hosts") or [] if text(h)]
        if not hosts:
            continue
        seen = set()
        for name, loc, top in _vs_gateway_refs(vs):
            if name == "mesh" or not top or name in seen:
                continue
            seen.add(name)
            gw = index.get(_resolve(name, ns))
            if gw is None:
                continue
            offered = _gateway_hosts_for(gw, ns)
            if offered is None or any(hosts_overlap(g, h) for g in offered for h in hosts):
                continue
            message = (f"VirtualService {ns}/{vs.name} serves {', '.join(hosts)} through gateway "
                       f"{gw.namespace}/{gw.name}, which accepts "
                       f"{'only ' + ', '.join(offered) if offered else 'no hosts'} for namespace {ns}: the routes never "
                       f"match at that gateway. Add the host to the Gateway's servers, or fix the "
                       f"VirtualService's hosts.")
            yield finding("MESH206", message, loc, object=_obj_ref(vs), scope=model.scope,
                          detail=name, fix="make the VirtualService hosts match a Gateway server host")


# --- MESH204 -------------------------------------------------------------------------------


@rule("MESH204")
def conflicting_gateways(model: Model, ctx: CheckContext):
    gateways = [g for g in istio_gateways(model) if _selector(g) is not None]
    workloads = [w for w in model.gateway_workloads if isinstance(w.labels, dict)]
    for gw in gateways:
        sel = _selector(gw)
        stext = _selector_text(sel)
        peers = []
        for other in gateways:
            if other is gw or (other.namespace, other.name) == (gw.namespace, gw.name):
                continue  # the same object (declared twice): not a second Gateway
            osel = _selector(other)
            otext = _selector_text(osel)
            if otext == stext or ((otext in stext or stext in otext) and any(
                    selector_matches(sel, w.labels) and selector_matches(osel, w.labels) for w in workloads)):
                peers.append(other)
        for server in _servers(gw):
            number = _port_number(server)
            if number is None:
                continue
            hosts = {(text(h), text(server.get("bind")) or "") for h in server.get("hosts") or []}
            clashes = []
            for other in peers:
                for oserver in _servers(other):
                    if _port_number(oserver) != number:
                        continue
                    ohosts = {(text(h), text(oserver.get("bind")) or "") for h in oserver.get("hosts") or []}
                    if hosts & ohosts:
                        ref = f"{other.namespace}/{other.name}"
                        if ref not in clashes:
                            clashes.append(ref)
                        break
            if not clashes:
                continue
            shared = ", ".join(sorted({h for h, _ in hosts}))
            message = (f"Gateway {gw.namespace}/{gw.name} and {', '.join(sorted(clashes))} select the "
                       f"same gateway pods ({stext}) and bind port {number} for the same hosts ({shared}): "
                       f"Istio keeps one of them and silently drops the other's routes. Merge the "
                       f"servers into one Gateway or use distinct hosts or ports.")
            yield finding("MESH204", message, _port_loc(gw, server), object=_obj_ref(gw),
                          scope=model.scope, detail=f"{number}",
                          fix="merge the Gateways or use distinct hosts/ports")


# --- MESH205 -------------------------------------------------------------------------------


@rule("MESH205")
def gateway_port_not_exposed(model: Model, ctx: CheckContext):
    workloads = _known_workloads(model)
    if not workloads:
        return
    for gw in istio_gateways(model):
        sel = _selector(gw)
        if sel is None:
            continue
        matched = [w for w in workloads if selector_matches(sel, w.labels)]
        if not matched or any(w.service_ports is None for w in matched):
            continue  # no workload (MESH201) or a Service meshlint cannot see
        exposed = set()
        for w in matched:
            for port, target, _name in w.service_ports:
                exposed.add(port)
                if target is not None:
                    exposed.add(target)
        for server in _servers(gw):
            number = _port_number(server)
            if number is None or number in exposed:
                continue
            where = ", ".join(f"{w.name} ({', '.join(str(p) for p, _, _ in w.service_ports) or 'no ports'})"
                              for w in matched)
            message = (f"Gateway {gw.namespace}/{gw.name} listens on port {number}, but the Service of "
                       f"the selected gateway workload does not expose it (ports: {where}): traffic "
                       f"to that port never reaches Envoy. Add the port to the gateway Service "
                       f"(`service.ports` of the gateway chart), or use an exposed port.")
            yield finding("MESH205", message, _port_loc(gw, server), object=_obj_ref(gw),
                          scope=model.scope, detail=str(number),
                          fix=f"expose port {number} on the gateway Service")


# --- MESH203 -------------------------------------------------------------------------------


@rule("MESH203")
def kiali_gateway_expectation(model: Model, ctx: CheckContext):
    from meshlint.versioning import parse_version

    workloads = _known_workloads(model)
    if not workloads or any(not isinstance(w.namespace, str) for w in workloads):
        return  # nothing known about where gateways run
    for kiali in model.components_of("kiali"):
        version = parse_version(kiali.effective)
        if version is None:
            continue
        config = kiali.config
        if config is None:
            continue  # configured by something meshlint cannot read
        istio_ns = text(config.get("istio_namespace")) or (
            text(get_path(config, "deployment", "namespace")) or kiali_namespace(kiali))
        components = get_path(config, "external_services", "istio", "component_status", "components")
        if get_path(config, "external_services", "istio", "component_status", "enabled") is False:
            continue
        expected = []  # (description, namespace, label key, label value, core)
        if isinstance(components, list) and components:
            for c in components:
                if isinstance(c, dict) and c.get("is_proxy") and text(c.get("app_label")):
                    expected.append((f"app={text(c['app_label'])}", text(c.get("namespace")) or istio_ns,
                                     "app", text(c["app_label"]), bool(c.get("is_core"))))
            era = "static"
        elif version < parse_version("1.88"):
            expected = [("app=istio-ingressgateway", istio_ns, "app", "istio-ingressgateway", True),
                        ("app=istio-egressgateway", istio_ns, "app", "istio-egressgateway", False)]
            era = "app-label"
        elif version < parse_version("2.2"):
            labels = get_path(config, "istio_labels") or {}
            ing = text(labels.get("ingress_gateway_label")) if isinstance(labels, dict) else None
            egr = text(labels.get("egress_gateway_label")) if isinstance(labels, dict) else None
            ing_ns = text(get_path(config, "external_services", "istio", "ingress_gateway_namespace")) or istio_ns
            egr_ns = text(get_path(config, "external_services", "istio", "egress_gateway_namespace")) or istio_ns
            for desc, ns, core in ((ing or "istio=ingressgateway", ing_ns, True),
                                   (egr or "istio=egressgateway", egr_ns, False)):
                key, _, value = desc.partition("=")
                expected.append((desc, ns, key, value, core))
            era = "label"
        else:
            continue  # Kiali 2.2+ detects gateways in every namespace
        missing = [e for e in expected if not any(
            w.namespace == e[1] and text(w.labels.get(e[2])) == e[3] for w in workloads)]
        if not any(core for *_, core in missing):
            continue
        deployed = "; ".join(describe(w) for w in workloads[:4])
        looks = ", ".join(f"{d} in {ns}{' (core)' if core else ''}" for d, ns, _k, _v, core in expected)
        gone = ", ".join(f"{d} in {ns}" for d, ns, *_ in missing)
        ingress = next((w for w in workloads if w.origin != "gateway-api"), workloads[0])
        app = text(ingress.labels.get("app")) or ingress.name
        if era == "label":
            fix = (f"set external_services.istio.ingress_gateway_namespace: {ingress.namespace}"
                   + ("" if text(ingress.labels.get("istio")) == "ingressgateway" else
                      f" and istio_labels.ingress_gateway_label: \"istio={text(ingress.labels.get('istio'))}\""))
        else:
            fix = ("set external_services.istio.component_status.components: "
                   f"[{{app_label: istiod, is_core: true}}, {{app_label: {app}, is_core: true, "
                   f"is_proxy: true, namespace: {ingress.namespace}}}]")
        message = (f"Kiali {kiali.effective} ({kiali.name}) looks for gateways by {looks}; this scope "
                   f"deploys {deployed}. Kiali will report {gone} as missing although a gateway runs. "
                   f"Fix: {fix} in the Kiali configuration (Helm values, Kiali CR spec or the kiali "
                   f"ConfigMap), or use Kiali 2.2+, which finds gateways in every namespace.")
        yield finding("MESH203", message, kiali.location, object=kiali.object, scope=model.scope,
                      detail=era, fix=fix)

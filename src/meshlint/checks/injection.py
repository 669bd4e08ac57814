"""Sidecar injection: namespaces whose pods would run without the Istio proxy."""

from __future__ import annotations

from meshlint.checks import CheckContext, finding, rule
from meshlint.model import SYSTEM_NAMESPACES, Model, Workload
from meshlint.parse.yamlfront import text
from meshlint.terraform import Unknown

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
def namespace_injection_missing(model: Model, ctx: CheckContext):
    if not model.installs_istio:
        return
    by_namespace: dict[str, list[Workload]] = {}
    for w in model.workloads:
        by_namespace.setdefault(w.namespace, []).append(w)
    for name, workloads in sorted(by_namespace.items()):
        if name in SYSTEM_NAMESPACES:
            continue
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
        if "default" in revisions:
            label_fix = f"{INJECTION}: enabled"
            kubectl = f"kubectl label namespace {name} {INJECTION}=enabled"
        else:
            rev = sorted(revisions)[0]
            label_fix = f"{REV}: {rev}"
            kubectl = f"kubectl label namespace {name} {REV}={rev}"
        wrong = ""
        if injection is not None:
            wrong = f' (its {INJECTION}="{injection}" is not a value Istio knows; it must be "enabled")'
        message = (f"namespace {name} runs {names}{more} but has no {INJECTION}=enabled or "
                   f"{REV} label{wrong}: Istio will not inject sidecars into its pods. "
                   f"Add the label `{label_fix}` to the namespace ({kubectl}).")
        yield finding("MESH401", message, decl.location, object=decl.object, scope=model.scope,
                      detail=name, fix=f"add label {label_fix} to namespace {name}")


def _label_decl(decls, label: str):
    """The declaration that writes a label (a namespace may be declared more than once)."""
    for d in reversed(decls):
        if isinstance(d.labels, dict) and label in d.labels:
            return d
    return decls[0]


@rule("MESH402")
def injection_label_conflict(model: Model, ctx: CheckContext):
    provided = model.revisions_provided() if model.installs_istio else None
    for name, decls in sorted(model.namespaces.items()):
        labels = model.namespace_labels(name)
        if labels is None or isinstance(labels, Unknown):
            continue
        decl = decls[0]
        injection, rev = labels.get(INJECTION), labels.get(REV)
        if isinstance(injection, Unknown) or isinstance(rev, Unknown):
            continue
        if injection is not None and rev is not None and text(injection) != "disabled":
            # (disabled + a revision is a clear opt-out, as istioctl's IST0123 judges it)
            message = (f"namespace {name} has both {INJECTION}={text(injection)} and "
                       f"{REV}={text(rev)}: {INJECTION} takes precedence and {REV} is ignored, "
                       f"which breaks revision-based (canary) upgrades. Keep only one: "
                       f"{REV} for revisioned installs, or {INJECTION}=enabled.")
            yield finding("MESH402", message, _label_decl(decls, REV).label_location(REV),
                          object=decl.object, scope=model.scope, detail=f"{name}:both",
                          fix=f"remove one of {INJECTION} / {REV} from namespace {name}")
        elif rev is not None and provided is not None and text(rev) not in provided:
            have = ", ".join(sorted(provided))
            message = (f"namespace {name} asks for Istio revision {REV}={text(rev)}, but the "
                       f"Istio installed in this scope provides only: {have}. No sidecar will be "
                       f"injected. Use one of those revisions, or install istiod with "
                       f"revision={text(rev)}.")
            yield finding("MESH402", message, _label_decl(decls, REV).label_location(REV),
                          object=decl.object, scope=model.scope, detail=f"{name}:rev",
                          fix=f"set {REV} to one of: {have}")

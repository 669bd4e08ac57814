"""Version strings and constraints (Terraform `~>`, Helm/SemVer ranges) as data, not prose."""

from __future__ import annotations

import enum
import re

from packaging.version import InvalidVersion, Version

from meshlint.values import Unknown

# a version part longer than this is not a version (and Python refuses int() of more than
# 4,300 digits): such text is "not a version", never a crash
_HUGE_NUMBER = re.compile(r"\d{40}")
_OP = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*v?([0-9][0-9A-Za-z.+-]*)\s*$")


def parse_version(s: str | None) -> Version | None:
    if s is None:
        return None
    s = str(s).strip()
    if _HUGE_NUMBER.search(s):
        return None
    if s.startswith("v"):
        s = s[1:]
    try:
        return Version(s)
    except InvalidVersion:
        return None


def _pessimistic_upper(raw: str) -> Version:
    parts = [int(p) for p in re.findall(r"\d+", raw.split("-")[0])]
    if len(parts) <= 1:
        return Version(f"{(parts[0] if parts else 0) + 1}")
    head = parts[:-1]
    head[-1] += 1
    return Version(".".join(str(p) for p in head))


def terraform_constraint(constraint: str):
    """A predicate for a Terraform version constraint ('~> 5.0', '>= 4, < 6', '5.1.2');
    None when the text is not a constraint we can read."""
    clauses = []
    for part in str(constraint).split(","):  # parse_version refuses numbers too long to compare
        m = _OP.match(part)
        if not m:
            return None
        op, raw = m.group(1) or "=", m.group(2)
        v = parse_version(raw)
        if v is None:
            return None
        clauses.append((op, v, raw))

    def admits(version: Version) -> bool:
        for op, v, raw in clauses:
            if op == "=" and version != v:
                return False
            if op == "!=" and version == v:
                return False
            if op == ">" and not version > v:
                return False
            if op == ">=" and not version >= v:
                return False
            if op == "<" and not version < v:
                return False
            if op == "<=" and not version <= v:
                return False
            if op == "~>" and not (version >= v and version < _pessimistic_upper(raw)):
                return False
        return True

    admits.lower_bounds = [v for op, v, _ in clauses if op in ("=", ">=", "~>")]  # type: ignore[attr-defined]
    return admits


def resolve_terraform_constraint(constraint: str | None, known: list[str]) -> str | None:
    """The newest version a constraint can install, among known release points and the
    constraint's own lower bounds; None when it cannot be read or admits none of them."""
    if constraint is None or str(constraint).strip() == "":
        return None
    admits = terraform_constraint(constraint)
    if admits is None:
        return None
    candidates = [v for v in (parse_version(k) for k in known) if v is not None]
    candidates += admits.lower_bounds
    ok = [v for v in candidates if admits(v)]
    return str(max(ok)) if ok else None


# --- Helm / SemVer ranges (Masterminds semver, as Helm and Argo CD read them) ------------

_WILDCARD = re.compile(r"^(?:v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?|[xX*])$")
_HELM_CLAUSE = re.compile(r"^(~>|\^|~|>=|<=|!=|=|>|<)?\s*(.+)$")


def _helm_clause(text: str):
    """One comparison like '~1.20.0', '>=1.20', '1.20.x' -> list of (op, Version)."""
    m = _HELM_CLAUSE.match(text.strip())
    if not m:
        return None
    op, raw = m.group(1) or "", m.group(2).strip()
    w = _WILDCARD.match(raw)
    if w is None:
        v = parse_version(raw)
        if v is None:
            return None
        nums = [v.major, v.minor, v.micro]
        given = len(raw.lstrip("v").split("-")[0].split("."))
    else:
        parts = [p for p in w.groups() if p is not None]
        if raw in ("x", "X", "*") or not parts:
            return [(">=", Version("0"))] if op in ("", "=", ">=", "~", "^") else None
        fixed = [int(p) for p in parts if p.isdigit()]
        wildcard = any(not p.isdigit() for p in parts) or len(parts) < 3
        nums = fixed + [0] * (3 - len(fixed))
        given = len(fixed)
        v = Version(".".join(str(n) for n in nums))
        if wildcard and op in ("", "="):
            upper = list(fixed)
            upper[-1] += 1
            return [(">=", v), ("<", Version(".".join(str(n) for n in upper)))]
    if op in ("", "="):
        return [("==", v)]
    if op == "~" or op == "~>":
        if given >= 2:
            return [(">=", v), ("<", Version(f"{nums[0]}.{nums[1] + 1}"))]
        return [(">=", v), ("<", Version(f"{nums[0] + 1}"))]
    if op == "^":
        if nums[0] > 0 or given == 1:
            return [(">=", v), ("<", Version(f"{nums[0] + 1}"))]
        if nums[1] > 0 or given == 2:
            return [(">=", v), ("<", Version(f"0.{nums[1] + 1}"))]
        return [(">=", v), ("<", Version(f"0.0.{nums[2] + 1}"))]
    return [(op, v)]


def helm_constraint(constraint: str):
    """A predicate for a Helm/Argo CD version range ('^1.20', '1.20.*', '>=1.19 <1.21',
    '1.2 - 1.4', 'a || b'); None when unreadable. `.lower_bounds` lists candidates."""
    alternatives = []
    lowers: list[Version] = []
    if _HUGE_NUMBER.search(str(constraint)):
        return None
    for alt in str(constraint).split("||"):
        alt = alt.strip()
        if not alt:
            return None
        clauses = []
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", alt)
        if hyphen:
            lo, hi = parse_version(hyphen.group(1)), parse_version(hyphen.group(2))
            if lo is None or hi is None:
                return None
            clauses = [(">=", lo), ("<=", hi)]
        else:
            tokens = re.findall(r"(?:~>|\^|~|>=|<=|!=|=|>|<)?\s*[^\s,]+", alt.replace(",", " "))
            for tok in tokens:
                c = _helm_clause(tok)
                if c is None:
                    return None
                clauses.extend(c)
        alternatives.append(clauses)
        lowers.extend(v for op, v in clauses if op in (">=", "=="))

    def admits(version: Version) -> bool:
        for clauses in alternatives:
            ok = True
            for op, v in clauses:
                if (op == "==" and version != v) or (op == "!=" and version == v) or \
                        (op == ">" and not version > v) or (op == ">=" and not version >= v) or \
                        (op == "<" and not version < v) or (op == "<=" and not version <= v):
                    ok = False
                    break
            if ok:
                return True
        return False

    admits.lower_bounds = lowers  # type: ignore[attr-defined]
    return admits


class PinKind(enum.StrEnum):
    """How a written version pins what gets installed. A str: reports print the value."""

    PINNED = "pinned"  # one exact version
    RANGE = "range"  # a constraint: the repository picks within it
    LATEST = "latest"  # latest/stable/head: whatever is newest
    ABSENT = "absent"  # no version: the newest
    IGNORED = "ignored-key"  # written under a key the consumer ignores (eks-blueprints-addons `version`)
    UNKNOWN = "unknown"  # only known after apply
    FLOATING = "floating-tag"  # an image tag that moves (1.22, not 1.22.3)


# the names callers import today
PINNED, RANGE, LATEST, ABSENT, IGNORED, UNKNOWN_PIN, FLOATING = (
    PinKind.PINNED, PinKind.RANGE, PinKind.LATEST, PinKind.ABSENT, PinKind.IGNORED,
    PinKind.UNKNOWN, PinKind.FLOATING)


class Origin(enum.StrEnum):
    """Where a release, component or object was declared. A str: reports print the value."""

    MANIFEST = "manifest"  # a Kubernetes manifest file
    TERRAFORM = "terraform"  # a kubernetes_* Terraform resource
    HELM = "helm"  # installed by a Helm chart (gateway and istiod installs)
    HELM_RELEASE = "helm_release"  # a Terraform helm_release
    EKS_BLUEPRINTS_ADDONS = "eks-blueprints-addons"  # a helm_releases entry of that module
    CHART_DEPENDENCY = "chart-dependency"  # a dependency of an umbrella Chart.yaml
    ARGOCD = "argocd"  # an Argo CD Application
    ISTIOOPERATOR = "istiooperator"  # an IstioOperator resource
    GATEWAY_API = "gateway-api"  # a Gateway API Gateway (Istio deploys the workload)
    IMAGE = "image"  # a container image reference
    KIALI_CR = "kiali-cr"  # a Kiali custom resource (kiali-operator)

_RANGE_MARK = re.compile(r"[*^~<>|]|(?:^|\.)[xX](?:$|\.)|\s-\s|,")


def classify_chart_version(version: object) -> PinKind:
    """How a chart version pins what gets installed."""
    if isinstance(version, Unknown):
        return UNKNOWN_PIN
    if version is None or str(version).strip() == "":
        return ABSENT
    text = str(version).strip()
    if text.lower() in ("latest", "stable", "head"):
        return LATEST
    if _RANGE_MARK.search(text):
        return RANGE
    return PINNED  # an exact string, even an odd one: only the repository can say it exists


def minor_of(version: str | None) -> str | None:
    v = parse_version(version)
    return f"{v.major}.{v.minor}" if v is not None else None

"""Version strings and constraints (Terraform `~>`, Helm/SemVer ranges) as data, not prose."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

_OP = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*v?([0-9][0-9A-Za-z.+-]*)\s*$")


def parse_version(s: str | None) -> Version | None:
    if s is None:
        return None
    s = str(s).strip()
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
    for part in str(constraint).split(","):
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

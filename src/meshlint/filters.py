"""Filters: which findings survive (--select/--ignore by code prefix) and the exit code."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from meshlint.findings import FAIL_ON, FailOn, Finding, Severity

__all__ = ["ALL", "FAIL_ON", "UnknownCode", "dedupe", "exit_code", "keep", "normalise_codes",
           "rule_selected", "unknown_code"]

ALL = "ALL"  # selects every rule, as in ruff


class UnknownCode(ValueError):
    """A rule code or prefix that names no rule: a run filtered by it would be silently green."""

    def __init__(self, code: str, suggestion: str | None):
        hint = f" (did you mean {suggestion}?)" if suggestion else "; `meshlint rules` lists them"
        super().__init__(f"{code!r} is not a rule code or prefix{hint}")
        self.code, self.suggestion = code, suggestion


def unknown_code(code: str, known: Collection[str], *, exact: bool = False) -> UnknownCode | None:
    """None when `code` is ALL or a prefix of a known rule code (the whole code with
    `exact`), else the error with the closest known code or prefix."""
    if code == ALL and not exact:
        return None
    if code in known or (not exact and any(k.startswith(code) for k in known)):
        return None
    typed_past = [k for k in known if code.startswith(k)]  # MESH4013: a digit too many
    if typed_past:
        return UnknownCode(code, max(typed_past, key=len))
    choices = sorted(set(known) | ({k[:n] for k in known for n in range(4, len(k))} if not exact else set()))
    import difflib  # only a mistyped code pays for it

    close = difflib.get_close_matches(code, choices, n=1, cutoff=0.6)
    return UnknownCode(code, close[0] if close else None)


def normalise_codes(codes: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for item in codes or []:
        for part in str(item).split(","):
            part = part.strip().upper()
            if part:
                out.append(part)
    return out


def _match_length(code: str, prefix: str) -> int:
    """How specific a selector is for `code`: ALL matches everything, least specifically."""
    if prefix == ALL:
        return 0
    return len(prefix) if code.startswith(prefix) else -1


def rule_selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """Longest matching prefix wins, as in ruff: `--select MESH4 --ignore MESH402`."""
    best_sel = max((_match_length(code, p) for p in select), default=-1) if select else 0
    best_ign = max((_match_length(code, p) for p in ignore), default=-1)
    if best_sel < 0:
        return False
    return best_ign < best_sel or (best_ign == -1)


def keep(findings: Iterable[Finding], select: list[str], ignore: list[str]) -> list[Finding]:
    return [f for f in findings if f.rule == "MESH001" and "MESH001" not in ignore
            or rule_selected(f.rule, select, ignore)]


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """A file shared by several scopes can yield the same finding in each: keep one."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.location.path, f.location.line, f.location.column, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def exit_code(findings: Iterable[Finding], fail_on: str) -> int:
    threshold = FailOn(fail_on).threshold
    if threshold is None:
        return 0
    return 1 if any(Severity(f.severity).rank >= threshold.rank for f in findings) else 0

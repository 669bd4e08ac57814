"""Filters: which findings survive (--select/--ignore by code prefix) and the exit code."""

from __future__ import annotations

from collections.abc import Iterable

from meshlint.findings import FAIL_ON, FailOn, Finding, Severity

__all__ = ["FAIL_ON", "dedupe", "exit_code", "keep", "normalise_codes", "rule_selected"]


def normalise_codes(codes: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for item in codes or []:
        for part in str(item).split(","):
            part = part.strip().upper()
            if part:
                out.append(part)
    return out


def rule_selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """Longest matching prefix wins, as in ruff: `--select MESH4 --ignore MESH402`."""
    best_sel = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    best_ign = max((len(p) for p in ignore if code.startswith(p)), default=-1)
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

"""The fixer table: one fixer per rule code, with the safety of its fix."""

from __future__ import annotations

from collections.abc import Callable

from msgspec import Struct

from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import Fix, NoFix, Safety, TextEdit

FixerFn = Callable[[Finding, FixContext], "tuple[str, list[TextEdit]] | NoFix"]


class Fixer(Struct, frozen=True):
    rule: str
    safety: Safety
    fn: FixerFn

    def __call__(self, finding: Finding, ctx: FixContext) -> Fix | NoFix:
        out = self.fn(finding, ctx)
        if isinstance(out, NoFix):
            return out
        title, edits = out
        return Fix(self.rule, title, self.safety, tuple(edits))


FIXERS: dict[str, list[Fixer]] = {}


def fixer(rule: str, safety: Safety, when: Callable[[Finding], bool] = lambda f: True) -> Callable[[FixerFn], FixerFn]:
    """Register `fn(finding, ctx) -> (title, edits) | NoFix` for the findings of `rule`
    that `when` accepts (one rule may have fixers of different safety, e.g. MESH103)."""
    def register(fn: FixerFn) -> FixerFn:
        def guarded(finding: Finding, ctx: FixContext) -> tuple[str, list[TextEdit]] | NoFix:
            return fn(finding, ctx) if when(finding) else NoFix(rule, "")
        FIXERS.setdefault(rule, []).append(Fixer(rule, safety, guarded))
        return fn
    return register


def fix_for(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    """The fix of one finding; NoFix says why there is none; None: its rule has no fixer."""
    fixers = FIXERS.get(finding.rule)
    if not fixers:
        return None
    reasons = []
    for fx in fixers:
        out = fx(finding, ctx)
        if isinstance(out, Fix):
            return out
        if out.reason:
            reasons.append(out.reason)
    return NoFix(finding.rule, "; ".join(reasons) or "no automatic fix for this case")

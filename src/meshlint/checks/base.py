"""What every check is built from: the run context, the rule registry and the Reporter
bound to a rule's catalog entry. The family modules import this; the package imports them."""

from __future__ import annotations

import datetime as _dt
import typing
from collections.abc import Callable, Iterable

from msgspec import Struct, field

from meshlint import knowledge
from meshlint.findings import Finding, Severity, new_finding
from meshlint.knowledge import RuleDoc
from meshlint.model import Model
from meshlint.values import Location

F = typing.TypeVar("F", bound=Callable[..., Iterable[Finding]])


class CheckContext(Struct):
    """What a check may know besides the model: the run's date and options."""

    as_of: _dt.date = field(default_factory=_dt.date.today)
    online: bool = False
    ignore_namespaces: tuple[str, ...] | None = None  # injection.ignore-namespaces (MESH401)


CheckFn = Callable[[Model, CheckContext], Iterable[Finding]]
REGISTRY: dict[str, CheckFn] = {}


class Reporter(Struct, frozen=True):
    """A rule's finding factory, bound to its catalog entry and the model's scope: a check
    says only what is specific to the finding (message, place, object, detail, fix)."""

    code: str
    scope: str

    @property
    def doc(self) -> RuleDoc:
        """The rule's catalog entry, read when the rule first reports something."""
        doc = knowledge.rule_doc(self.code)
        assert doc is not None  # `rule` registers only codes the catalog has
        return doc

    def __call__(self, message: str, location: Location, *, object: str, detail: str = "",
                 fix: str | None = None, severity: Severity | None = None) -> Finding:
        doc = self.doc
        return new_finding(doc.id, doc.name, severity or doc.severity,
                           message + self._called_from(location.path), location,
                           object=object, scope=self.scope, detail=detail, fix=fix)

    def _called_from(self, path: str) -> str:
        """A finding on a line of a module outside the root's folder (a module shared by
        several roots) names the root that called it: the same line is reported once per
        caller, each with the caller's inputs. A Terraform scope is named by its root's
        folder; only .tf files count (other files outside that folder were not called)."""
        if not path.endswith(".tf") or self.scope in ("", ".") or \
                path == self.scope or path.startswith(self.scope.rstrip("/") + "/"):
            return ""
        return f" (called from {self.scope})"


ReportingCheck = Callable[[Model, CheckContext, Reporter], Iterable[Finding]]


def rule(code: str) -> Callable[[F], F]:
    """Register a check for the catalog entry `code` (a code not in the catalog fails at
    import). A check `fn(model, ctx, report)` yields `report(message, location, ...)`.
    """
    if code not in knowledge.codes():
        raise KeyError(f"rule {code} has no entry in rules/catalog")

    def register(fn: F) -> F:
        if code in REGISTRY:
            raise RuntimeError(f"rule {code} registered twice")
        REGISTRY[code] = _bound(typing.cast(ReportingCheck, fn), code)
        return fn
    return register


def _bound(fn: ReportingCheck, code: str) -> CheckFn:
    def run(model: Model, ctx: CheckContext) -> Iterable[Finding]:
        return fn(model, ctx, Reporter(code, model.scope))
    run.__name__ = run.__qualname__ = fn.__name__
    return run

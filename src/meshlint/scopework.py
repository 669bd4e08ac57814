"""Each scope checked on its own: its Terraform evaluated with a project of its own, its
model built, its rules run; what the evaluation leaves besides the model (notes, YAML that
did not parse, templates read through their renderer, files read) is kept per scope and
merged in scope order, as one project evaluating every scope in turn would keep it.

Scopes checked on their own can be shared between processes (`fanout`) and re-checked one
at a time (the editor's session). The evaluator's budget is one per run: each scope starts
from what the scopes before it in the same process spent, and when the scopes together spent
more than one run may, the run is checked again the way one budget allows (`over_budget`),
so the notes never depend on how many processes ran.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from msgspec import Struct, field

from meshlint.findings import Finding, finding_from_record, finding_record
from meshlint.terraform import budget as limits
from meshlint.terraform.budget import Spent

if TYPE_CHECKING:
    from meshlint.checks import CheckContext
    from meshlint.discover import Scope
    from meshlint.model import Model
    from meshlint.model.collect import ScopeSources
    from meshlint.parse import ParsedFile
    from meshlint.terraform import Project



class ScopeOutcome(Struct):
    """One scope's findings and what its evaluation and model building left besides."""

    findings: list[Finding]  # its rules' and the wrong shapes its builders met (not yet filtered)
    notes: list[str] = field(default_factory=list)  # where its evaluation stopped (budget, cycles)
    shape_notes: list[str] = field(default_factory=list)  # values of a shape it could not read
    read_errors: list[Finding] = field(default_factory=list)  # MESH001 of YAML its Terraform read
    read_through: dict[str, str | None] = field(default_factory=dict)  # templates read rendered
    files_read: dict[str, str | None] = field(default_factory=dict)  # file()/templatefile(): path -> digest
    spent: Spent = (0, 0, 0)
    model: Model | None = None  # kept when the caller asked for models


def check_model(model: Model, ran: list[str], ctx: CheckContext) -> list[Finding]:
    """The findings of the rules `ran` on one scope's model, rule by rule."""
    from meshlint import checks

    registry = checks.load_all()
    return [finding for code in ran for finding in registry[code](model, ctx)]


def check_sources(sources: ScopeSources, opaque: frozenset[str], as_of, charts, platforms,
                  ran: list[str], ctx: CheckContext) -> tuple[Model, list[Finding], list[str]]:
    """One scope's model, its findings (the rules' and the wrong shapes its builders met,
    see model.shapes) and its notes."""
    from meshlint.model.build import build_model

    model = build_model(sources, as_of, opaque, charts, platforms)
    found = check_model(model, ran, ctx)
    found.extend(sources.shapes.findings(sources.scope))  # after the build: builders record as they read
    return model, found, sources.shapes.notes()


def own_project(base: Project) -> Project:
    """The run's Terraform modules and files, with caches and a budget of its own."""
    from meshlint.terraform import Project

    return Project(base.modules, base.tree_roots, base.yaml_files, base.files.overlay)


def check_scope(scope: Scope, opaque: frozenset[str], parsed: Mapping[str, ParsedFile], base: Project,
                as_of, ran: list[str], ctx: CheckContext, before: Spent = (0, 0, 0),
                project: Project | None = None) -> ScopeOutcome:
    """One scope on its own, its evaluation starting from `before` (what this process spent
    on the scopes before it); `project`: the scope's own, when the caller made it (the editor's
    records what the scope looked up), else `own_project(base)`."""
    from meshlint.model.build import read_sources

    project = project or own_project(base)
    budget = project.budget
    budget.start_from(before)
    model, found, shape_notes = check_sources(read_sources(scope, parsed, project), opaque, as_of,
                                              None, None, ran, ctx)
    spent = _plus(budget.spent, before, -1)
    return ScopeOutcome(found, list(project.notes), shape_notes, project.read_errors, project.read_through,
                        project.files_read, spent, model)


class InTurn:
    """Scopes checked one after another in this process, on one running budget (a forked
    worker continues with a copy of it)."""

    def __init__(self, scopes: list[Scope], opaque: list[frozenset[str]], parsed: Mapping[str, ParsedFile],
                 base: Project, as_of, ran: list[str], ctx: CheckContext, keep_models: bool):
        self.scopes, self.opaque, self.parsed, self.base = scopes, opaque, parsed, base
        self.as_of, self.ran, self.ctx, self.keep_models = as_of, ran, ctx, keep_models
        self.total: Spent = (0, 0, 0)

    def __call__(self, i: int) -> ScopeOutcome:
        outcome = check_scope(self.scopes[i], self.opaque[i], self.parsed, self.base, self.as_of, self.ran,
                              self.ctx, self.total)
        self.total = _plus(self.total, outcome.spent)
        if not self.keep_models:
            outcome.model = None
        return outcome


def over_budget(spending: Iterable[Spent]) -> bool:
    """Would one budget for all scopes have run out (see terraform.budget)? `spending`: what
    each scope spent on its own."""
    total: Spent = (0, 0, 0)
    for spent in spending:
        total = _plus(total, spent)
    return limits.over_limits(total)


def _plus(a: Spent, b: Spent, sign: int = 1) -> Spent:
    return a[0] + sign * b[0], a[1] + sign * b[1], a[2] + sign * b[2]


class Merged(Struct):
    """Every scope's outcome together, in scope order, as one project would have kept them."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shape_notes: list[str] = field(default_factory=list)
    read_errors: list[Finding] = field(default_factory=list)
    read_through: dict[str, str | None] = field(default_factory=dict)
    files_read: dict[str, str | None] = field(default_factory=dict)


def merged(outcomes: list[ScopeOutcome]) -> Merged:
    out = Merged()
    errors: dict[tuple[str, int, int], Finding] = {}  # one per place, the first (as YamlReads keeps them)
    read: dict[str, str | None] = {}
    for o in outcomes:
        out.findings.extend(o.findings)
        for note in o.notes:
            limits.keep_note(out.notes, note)
        out.shape_notes.extend(o.shape_notes)
        for error in o.read_errors:
            loc = error.location
            errors.setdefault((loc.path, loc.line, loc.column), error)
        out.read_through.update(o.read_through)
        for path, digest in o.files_read.items():
            read.setdefault(path, digest)
    out.read_errors = list(errors.values())
    out.files_read = read
    return out


def encoded(outcome: ScopeOutcome) -> bytes:
    """A scope's outcome as a forked worker sends it (plain JSON; the model stays behind)."""
    return json.dumps({
        "findings": [finding_record(f) for f in outcome.findings], "notes": outcome.notes,
        "shape_notes": outcome.shape_notes, "read_errors": [finding_record(f) for f in outcome.read_errors],
        "read_through": outcome.read_through, "files_read": outcome.files_read, "spent": list(outcome.spent),
    }).encode("utf-8")


def decoded(blob: bytes) -> ScopeOutcome | None:
    """What `encoded` wrote; None when it is not that."""
    try:
        doc = json.loads(blob)
        strings = [doc["notes"], doc["shape_notes"]]
        if not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in strings):
            return None
        through, read, spent = doc["read_through"], doc["files_read"], doc["spent"]
        if not all(isinstance(d, dict) and all(isinstance(v, (str, type(None))) for v in d.values())
                   for d in (through, read)):
            return None
        if not (isinstance(spent, list) and len(spent) == 3 and all(isinstance(n, int) for n in spent)):
            return None
        return ScopeOutcome([finding_from_record(r) for r in doc["findings"]], doc["notes"], doc["shape_notes"],
                            [finding_from_record(r) for r in doc["read_errors"]], through, read,
                            (spent[0], spent[1], spent[2]))
    except (ValueError, KeyError, TypeError):
        return None


def weight(scope: Scope, parsed: Mapping[str, ParsedFile]) -> int:
    """A scope's expected cost (about microseconds on the benchmark corpus), to share scopes
    between processes: Terraform is evaluated (~400 per KB), YAML documents become objects
    (~18 each), and every scope runs every rule (~250)."""
    cost = 250
    for entry in scope.files:
        pf = parsed.get(entry.abspath)
        if pf is None:
            continue
        if pf.hcl is not None:
            cost += 400 * len(pf.hcl.src) // 1024
        elif pf.yaml is not None:
            cost += 18 * len(pf.yaml.documents)
    return cost

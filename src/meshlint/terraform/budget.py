"""Limits of the evaluator, so that a few hostile lines of HCL cannot hang or exhaust a run.

A repository is hostile input: 35 locals that double a string, a `for` nested over
`range(10000)`, a module that calls itself. Two kinds of limit apply:

- caps on one value (a string, a list, an integer, a literal): past a cap the value is
  `Unknown` with a reason, and evaluation goes on around it;
- one budget per run (evaluation steps, bytes produced, module instances): once spent,
  every further expression of the run is `Unknown`.

Either way a note says where, for the run's report (`Project.notes`).
"""

from __future__ import annotations

MAX_EVAL_DEPTH = 64  # nesting of one expression tree
MAX_COLLECTION = 10_000  # items of one list or map (a `for`, `range()`, instance expansion)
MAX_STRING = 2 * 1024 * 1024  # characters of one string (= the largest file() may read)
MAX_INTEGER = 10**100  # magnitude of one integer
MAX_STEPS = 1_000_000  # expression nodes evaluated per run
MAX_BYTES = 64 * 1024 * 1024  # approximate bytes of strings and collections produced per run
MAX_VISITS = 1_000_000  # items one comparison or search may visit (shared lists nest exponentially)
MAX_MODULE_INSTANCES = 2_000  # module calls instantiated per run
MAX_NOTES = 20  # notes kept per run (the first ones say where it started)

_REF_BYTES = 8  # what one item of a list or map costs, roughly


class OverLimit(Exception):
    """One value would pass a cap: the value is Unknown (caught at the node producing it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OverBudget(Exception):
    """The run's budget is spent: the whole expression is Unknown, and so is every later one."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Spent = tuple[int, int, int]  # evaluator steps, bytes, module instances


def over_limits(spent: Spent) -> bool:
    """Is `spent` more than one run's budget allows?"""
    return spent[0] > MAX_STEPS or spent[1] > MAX_BYTES or spent[2] > MAX_MODULE_INSTANCES


def keep_note(notes: list[str], text: str) -> None:
    """Keep a note as a run keeps them: the first MAX_NOTES, each once."""
    if len(notes) < MAX_NOTES and text not in notes:
        notes.append(text)


class Budget:
    """What the evaluator may still spend in this run, and the notes on where it stopped."""

    __slots__ = ("steps", "bytes", "module_instances", "notes", "_spent")

    def __init__(self) -> None:
        self.steps = 0
        self.bytes = 0
        self.module_instances = 0
        self.notes: list[str] = []
        self._spent: str | None = None

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS or self._spent is not None:
            self._spend(f"evaluation budget of {MAX_STEPS:,} steps spent")

    def charge(self, nbytes: int) -> None:
        self.bytes += nbytes
        if self.bytes > MAX_BYTES:
            self._spend(f"evaluation budget of {MAX_BYTES // (1024 * 1024)} MB spent")

    def module_instance(self) -> bool:
        """Count one more module instance; False when the run has made too many."""
        self.module_instances += 1
        return self.module_instances <= MAX_MODULE_INSTANCES

    def _spend(self, reason: str) -> None:
        if self._spent is None:
            self._spent = reason
        raise OverBudget(self._spent)

    @property
    def spent(self) -> Spent:
        return self.steps, self.bytes, self.module_instances

    def start_from(self, spent: Spent) -> None:
        """Continue from what earlier work spent (scopes checked one after another)."""
        self.steps, self.bytes, self.module_instances = spent

    def note(self, where: str, reason: str) -> None:
        keep_note(self.notes, f"{where}: Terraform value not evaluated: {reason}")

    def admit(self, value: object) -> None:
        """Check a produced value against the caps and charge its size to the run."""
        if isinstance(value, str):
            check_string_length(len(value))
            self.charge(len(value))
        elif isinstance(value, (list, dict)):
            check_collection_size(len(value))
            self.charge(_REF_BYTES * len(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            check_integer(value)


def check_string_length(n: int) -> None:
    if n > MAX_STRING:
        raise OverLimit(f"a string of more than {MAX_STRING // (1024 * 1024)} MB")


def check_collection_size(n: int) -> None:
    if n > MAX_COLLECTION:
        raise OverLimit(f"a collection of more than {MAX_COLLECTION:,} items")


class Visits:
    """A count of the items one walk over a value has visited. Values can share lists
    (`[local.l, local.l]` twenty times over is a million items), so every walk is bounded."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def visit(self) -> None:
        self.count += 1
        if self.count > MAX_VISITS:
            raise OverLimit(f"a value of more than {MAX_VISITS:,} items to walk")


def check_integer(n: int) -> None:
    if n > MAX_INTEGER or n < -MAX_INTEGER:
        raise OverLimit("an integer beyond 10^100")

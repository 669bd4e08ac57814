"""Terraform's value conversions and the one error the evaluator raises on purpose.

Every part of the evaluator (operators, functions, references) converts values the way
Terraform does: `"3"` is a number where a number is wanted, `true` renders as `"true"`.
Keeping the rules in one module keeps them identical everywhere. `EvalError` marks what
Terraform itself would reject; the evaluator turns it into `Unknown` (or `try()` skips it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from meshlint.values import Unknown, YMap, YSeq

from .budget import Visits, check_string_length

# An evaluated HCL value: None, bool, int, float, str, list, dict (YSeq/YMap with positions),
# an EncodedDocument or FileText (str subclasses) or Unknown. Kept open (object) because
# lists and maps nest any of these.
Value: TypeAlias = object
# names bound by `for` expressions and instance expansion (`each`, `count`, loop variables)
Scope: TypeAlias = dict[str, object]


class EvalError(Exception):
    """An evaluation that Terraform itself would reject (caught by try())."""


def excerpt(value: object, limit: int = 40) -> str:
    """A short, printable quote of a value for a reason: values may come from file()
    (a secret), so a reason never carries more than this."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def new_map(path: str = "") -> YMap:
    out = YMap()
    out.keypos, out.line, out.col, out.end_line, out.path = {}, 0, 0, 0, path
    return out


def new_seq(path: str = "") -> YSeq:
    out = YSeq()
    out.itempos, out.line, out.col, out.end_line, out.path = [], 0, 0, 0, path
    return out


def num(x: int | float) -> int | float:
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def to_number(v: Value) -> int | float:
    if isinstance(v, bool):
        raise EvalError("a bool is not a number")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return num(float(v)) if any(c in v for c in ".eE") else int(v)
        except ValueError:
            raise EvalError(f"{excerpt(v)} is not a number") from None
    raise EvalError("not a number")


def to_int(v: Value) -> int:
    """A whole number where Terraform wants one (an index, a count, a bound)."""
    n = to_number(v)
    if isinstance(n, float):
        if n != n or n in (float("inf"), float("-inf")):
            raise EvalError("not a whole number")
        return int(n)
    return n


def to_bool(v: Value) -> bool:
    if isinstance(v, bool):
        return v
    if v == "true":
        return True
    if v == "false":
        return False
    raise EvalError("not a bool")


def to_string(v: Value) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        raise EvalError("null in a string template")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (str, int, float)):
        return str(v)
    raise EvalError("a collection is not a string")


def equal(a: Value, b: Value) -> bool:
    """Terraform's `==`: numbers by value, other scalars of one type, collections item by item."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not (
            isinstance(a, bool) or isinstance(b, bool)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict) or isinstance(a, list) and isinstance(b, list):
        return _same_items(a, b, Visits())
    return type(a) is type(b) and a == b


def same(a: Value, b: Value, visits: Visits | None = None) -> bool:
    """Python's `==` (what sets, `contains()` and conditionals compare with), with every item
    visit counted; pass one `visits` to bound a whole search."""
    return _same_items(a, b, visits or Visits())


def _same_items(a: Value, b: Value, visits: Visits) -> bool:
    visits.visit()
    if a is b:
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_items(x, y, visits) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_items(a[k], b[k], visits) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return a == b


def has_unknown(value: Value) -> bool:
    """Whether any part of a value is Unknown (as `contains_unknown`, every visit counted)."""
    return _has_unknown(value, 0, Visits())


def _has_unknown(value: Value, depth: int, visits: Visits) -> bool:
    visits.visit()
    if isinstance(value, Unknown) or depth > 50:
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v, depth + 1, visits) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v, depth + 1, visits) for v in value)
    return False


def any_unknown(args: Iterable[Value]) -> Unknown | None:
    for a in args:
        if isinstance(a, Unknown):
            return a
    return None


def plain(value: Value) -> object:
    """A value as plain JSON-able data; raises EvalError when any part is unknown, and
    OverLimit when its text would pass the string cap (a list of 10,000 references to one
    large string is small in memory and huge as text)."""
    return _plain(value, 0, [0])


def _plain(value: Value, depth: int, size: list[int]) -> object:
    if depth > 100:
        raise EvalError("value nested too deeply")
    if isinstance(value, Unknown):
        raise EvalError("unknown value")
    size[0] += len(value) + 2 if isinstance(value, (str, list, dict)) else 8
    check_string_length(size[0])
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, size) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1, size) for v in value]
    if isinstance(value, float):
        return num(value)
    return value

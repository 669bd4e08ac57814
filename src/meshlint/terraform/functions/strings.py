"""Terraform's string functions (`join`, `split`, `format`, `replace`, ...)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from meshlint.values import UNKNOWN, Unknown

from ..convert import EvalError, Value, any_unknown, to_string

if TYPE_CHECKING:  # type-only: the evaluator calls these functions with itself
    from ..evaluate import Evaluator


def _plain_args(fn: Callable[..., Value]) -> Callable[[Evaluator, list[Value]], Value]:
    """A function of known arguments: any Unknown argument makes the result Unknown."""
    def wrapped(ev: Evaluator, args: list[Value]) -> Value:
        if (u := any_unknown(args)) is not None:
            return u
        return fn(*args)
    return wrapped


def fn_format(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    fmt, rest = str(args[0]), list(args[1:])
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            spec = fmt[i + 1]
            if spec == "%":
                out.append("%")
            elif spec in "sdvq":
                if not rest:
                    raise EvalError("format(): too few arguments")
                val = rest.pop(0)
                out.append(json.dumps(to_string(val)) if spec == "q" else to_string(val))
            else:
                return Unknown("format() verb not evaluated")
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def fn_join(ev: Evaluator, args: list[Value]) -> Value:
    sep, *lists = args
    if isinstance(sep, Unknown):
        return sep
    items = []
    for lst in lists:
        if isinstance(lst, Unknown):
            return lst
        for x in lst:
            if isinstance(x, Unknown):
                return x
            items.append(to_string(x))
    return str(sep).join(items)


def fn_split(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    sep, s = args
    return str(s).split(str(sep))


STRING_FUNCTIONS = {
    "join": fn_join,
    "split": fn_split,
    "format": fn_format,
    "lower": _plain_args(lambda s: str(s).lower()),
    "upper": _plain_args(lambda s: str(s).upper()),
    "trimspace": _plain_args(lambda s: str(s).strip()),
    "trimprefix": _plain_args(lambda s, p: str(s)[len(p):] if str(s).startswith(p) else str(s)),
    "trimsuffix": _plain_args(lambda s, p: str(s)[: -len(p)] if p and str(s).endswith(p) else str(s)),
    "replace": _plain_args(lambda s, a, b: str(s).replace(str(a), str(b))
                           if not (str(a).startswith("/") and str(a).endswith("/")) else UNKNOWN),
    "basename": _plain_args(lambda s: os.path.basename(str(s).rstrip("/"))),
    "dirname": _plain_args(lambda s: os.path.dirname(str(s))),
    "substr": _plain_args(lambda s, o, n: str(s)[int(o):] if int(n) < 0 else str(s)[int(o):int(o) + int(n)]),
}

"""Terraform's string functions (`join`, `split`, `format`, `replace`, ...)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from meshlint.values import Unknown

from ..budget import check_collection_size, check_string_length
from ..convert import EvalError, Value, any_unknown, to_int, to_string

if TYPE_CHECKING:  # type-only: the evaluator calls these functions with itself
    from ..evaluate import Evaluator


def _of_strings(fn: Callable[..., Value]) -> Callable[[Evaluator, list[Value]], Value]:
    """A function of known strings: any Unknown argument makes the result Unknown; numbers
    and bools convert to strings as in Terraform, collections and null are an error."""
    def wrapped(ev: Evaluator, args: list[Value]) -> Value:
        if (u := any_unknown(args)) is not None:
            return u
        return fn(*(to_string(a) for a in args))
    return wrapped


def _trimsuffix(s: str, suffix: str) -> str:
    return s[: -len(suffix)] if suffix and s.endswith(suffix) else s


def _replace(s: str, old: str, new: str) -> Value:
    if old.startswith("/") and old.endswith("/"):
        return Unknown("replace() with a regular expression is not evaluated")
    hits = s.count(old) if old else len(s) + 1
    check_string_length(len(s) + hits * (len(new) - len(old)))
    return s.replace(old, new)


def fn_substr(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    s, offset, length = to_string(args[0]), to_int(args[1]), to_int(args[2])
    return s[offset:] if length < 0 else s[offset:offset + length]


def fn_format(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    fmt, rest = to_string(args[0]), list(args[1:])
    out = []
    total = len(fmt)
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
                total += len(out[-1])
                check_string_length(total)
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
    separator = to_string(sep)
    items = []
    total = 0
    for lst in lists:
        if isinstance(lst, Unknown):
            return lst
        if not isinstance(lst, list):
            raise EvalError("join() of a non-list")
        for x in lst:
            if isinstance(x, Unknown):
                return x
            items.append(to_string(x))
            total += len(items[-1]) + len(separator)
            check_string_length(total)
    return separator.join(items)


def fn_split(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    sep, s = to_string(args[0]), to_string(args[1])
    check_collection_size(s.count(sep) + 1 if sep else len(s))
    return s.split(sep) if sep else list(s)


STRING_FUNCTIONS = {
    "join": fn_join,
    "split": fn_split,
    "format": fn_format,
    "lower": _of_strings(str.lower),
    "upper": _of_strings(str.upper),
    "trimspace": _of_strings(str.strip),
    "trimprefix": _of_strings(str.removeprefix),
    "trimsuffix": _of_strings(_trimsuffix),
    "replace": _of_strings(_replace),
    "basename": _of_strings(lambda s: os.path.basename(s.rstrip("/"))),
    "dirname": _of_strings(os.path.dirname),
    "substr": fn_substr,
}

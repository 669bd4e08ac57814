"""Terraform's numeric, network and type-conversion functions (`max`, `cidrsubnet`, `tonumber`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from meshlint.values import Unknown

from ..convert import EvalError, Value, any_unknown, to_bool, to_int, to_number, to_string

if TYPE_CHECKING:  # type-only: the evaluator calls these functions with itself
    from ..evaluate import Evaluator


def fn_cidrsubnet(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    prefix, newbits, netnum = args
    try:
        net = ipaddress.ip_network(to_string(prefix), strict=False)
    except ValueError:
        raise EvalError("cidrsubnet: invalid prefix") from None
    bits, n = to_int(newbits), to_int(netnum)
    new_prefix = net.prefixlen + bits
    if bits < 0 or new_prefix > net.max_prefixlen:
        raise EvalError("cidrsubnet: newbits out of range")
    if not 0 <= n < 2 ** bits:
        raise EvalError("cidrsubnet: netnum out of range")
    first = int(net.network_address) + n * (2 ** (net.max_prefixlen - new_prefix))
    return f"{type(net.network_address)(first)}/{new_prefix}"


def _minmax(fn: Callable[[Iterable[int | float]], int | float]) -> Callable[[Evaluator, list[Value]], Value]:
    def wrapped(ev: Evaluator, args: list[Value]) -> Value:
        if (u := any_unknown(args)) is not None:
            return u
        if not args:
            raise EvalError("min/max of nothing")
        return fn(to_number(a) for a in args)
    return wrapped


def fn_abs(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    (x,) = args
    return abs(to_number(x))


def fn_tonumber(ev: Evaluator, args: list[Value]) -> Value:
    (v,) = args
    if isinstance(v, Unknown) or v is None:
        return v
    return to_number(v)


def fn_tostring(ev: Evaluator, args: list[Value]) -> Value:
    (v,) = args
    if isinstance(v, Unknown) or v is None:
        return v
    return to_string(v)


def fn_tobool(ev: Evaluator, args: list[Value]) -> Value:
    v = args[0]
    if isinstance(v, Unknown) or v is None:
        return v
    return to_bool(v)


def fn_identity(ev: Evaluator, args: list[Value]) -> Value:
    return args[0] if args else None


NUMERIC_FUNCTIONS = {
    "cidrsubnet": fn_cidrsubnet,
    "max": _minmax(max),
    "min": _minmax(min),
    "abs": fn_abs,
    "tonumber": fn_tonumber,
    "tostring": fn_tostring,
    "tobool": fn_tobool,
    "tolist": fn_identity,
    "tomap": fn_identity,
    "sensitive": fn_identity,
    "nonsensitive": fn_identity,
}

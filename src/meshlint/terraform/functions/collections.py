"""Terraform's collection functions: lists, maps and sets (`length`, `concat`, `merge`, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from meshlint.values import UNKNOWN, Unknown, YMap

from ..budget import Visits, check_collection_size
from ..convert import EvalError, Value, any_unknown, excerpt, new_map, same, to_int, to_string

if TYPE_CHECKING:  # type-only: the evaluator calls these functions with itself
    from ..evaluate import Evaluator


def fn_length(ev: Evaluator, args: list[Value]) -> Value:
    (v,) = args
    if isinstance(v, Unknown):
        return Unknown("length of an unknown collection")
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise EvalError("length() of a non-collection")


def fn_slice(ev: Evaluator, args: list[Value]) -> Value:
    v, start, end = args
    if isinstance(start, Unknown) or isinstance(end, Unknown):
        return Unknown("slice with unknown bounds")
    first, last = to_int(start), to_int(end)
    if first < 0 or last < first:
        raise EvalError("invalid slice bounds")
    if isinstance(v, Unknown):
        # Terraform fails when the list is shorter, so a successful slice has exactly
        # end - start items: the length is known, the items are not.
        check_collection_size(last - first)
        return [UNKNOWN] * (last - first)
    if not isinstance(v, list) or last > len(v):
        raise EvalError("slice out of range")
    return v[first:last]


def fn_concat(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    out: list[Value] = []
    for a in args:
        if not isinstance(a, list):
            raise EvalError("concat() of a non-list")
        check_collection_size(len(out) + len(a))
        out.extend(a)
    return out


def fn_merge(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    out = new_map()
    for a in args:
        if a is None:
            continue
        if not isinstance(a, dict):
            raise EvalError("merge() of a non-map")
        out.update(a)
        if isinstance(a, YMap):
            out.keypos.update(a.keypos)
            if not out.line:
                out.line, out.col, out.end_line, out.path = a.line, a.col, a.end_line, a.path
    return out


def fn_lookup(ev: Evaluator, args: list[Value]) -> Value:
    if len(args) < 2:
        raise EvalError("lookup() needs two arguments")
    m, k = args[0], args[1]
    if isinstance(m, Unknown) or isinstance(k, Unknown):
        return Unknown("lookup on unknowns")
    if not isinstance(m, dict):
        raise EvalError("lookup() of a non-map")
    key = to_string(k)
    if key in m:
        return m[key]
    if len(args) > 2:
        return args[2]
    raise EvalError(f"lookup(): no key {excerpt(key)}")


def fn_coalesce(ev: Evaluator, args: list[Value]) -> Value:
    for a in args:
        if isinstance(a, Unknown):
            return a
        if a is not None and a != "":
            return a
    raise EvalError("coalesce(): no non-null argument")


def fn_element(ev: Evaluator, args: list[Value]) -> Value:
    lst, idx = args
    if isinstance(lst, Unknown) or isinstance(idx, Unknown):
        return Unknown("element of unknowns")
    if not isinstance(lst, list) or not lst:
        raise EvalError("element() of an empty or non-list")
    return lst[to_int(idx) % len(lst)]


def fn_keys(ev: Evaluator, args: list[Value]) -> Value:
    (m,) = args
    if isinstance(m, Unknown):
        return m
    if not isinstance(m, dict):
        raise EvalError("keys() of a non-map")
    return sorted(m.keys())


def fn_values(ev: Evaluator, args: list[Value]) -> Value:
    (m,) = args
    if isinstance(m, Unknown):
        return m
    if not isinstance(m, dict):
        raise EvalError("values() of a non-map")
    return [m[k] for k in sorted(m.keys())]


def fn_toset(ev: Evaluator, args: list[Value]) -> Value:
    (v,) = args
    if isinstance(v, Unknown) or not isinstance(v, list):
        return v
    if any(isinstance(x, Unknown) for x in v):
        return Unknown("set of unknown items")
    out: list[Value] = []
    seen: set[object] = set()  # scalars, hashed: a set of 10,000 strings is not quadratic
    seen_collections: list[Value] = []
    visits = Visits()
    for x in v:
        if isinstance(x, (list, dict)):
            if not any(same(x, y, visits) for y in seen_collections):
                seen_collections.append(x)
                out.append(x)
        elif x not in seen:
            seen.add(x)
            out.append(x)
    return out


def fn_flatten(ev: Evaluator, args: list[Value]) -> Value:
    (v,) = args
    if isinstance(v, Unknown):
        return v
    out: list[Value] = []
    stack = [iter(v if isinstance(v, list) else [v])]
    while stack:
        for x in stack[-1]:
            if isinstance(x, Unknown):
                return Unknown("flatten of unknown items")
            if isinstance(x, list):
                if len(stack) > 64:
                    raise EvalError("flatten() of a list nested too deeply")
                stack.append(iter(x))
                break
            out.append(x)
            check_collection_size(len(out))
        else:
            stack.pop()
    return out


def fn_range(ev: Evaluator, args: list[Value]) -> Value:
    if (u := any_unknown(args)) is not None:
        return u
    nums = [to_int(a) for a in args]
    if len(nums) == 3 and nums[2] == 0:
        raise EvalError("range() with a step of zero")
    r = range(*nums)
    check_collection_size(len(r))
    return list(r)


def fn_zipmap(ev: Evaluator, args: list[Value]) -> Value:
    ks, vs = args
    if isinstance(ks, Unknown) or isinstance(vs, Unknown):
        return Unknown("zipmap of unknowns")
    if not isinstance(ks, list) or not isinstance(vs, list):
        raise EvalError("zipmap() of a non-list")
    if any(isinstance(k, Unknown) for k in ks):
        return Unknown("zipmap of unknowns")
    return dict(zip((to_string(k) for k in ks), vs))


def fn_contains(ev: Evaluator, args: list[Value]) -> Value:
    lst, v = args
    if isinstance(lst, Unknown) or isinstance(v, Unknown):
        return Unknown("contains on unknowns")
    if not isinstance(lst, list):
        raise EvalError("contains() of a non-list")
    if any(isinstance(x, Unknown) for x in lst):
        return Unknown("contains on unknowns")
    visits = Visits()
    return any(same(v, x, visits) for x in lst)


def fn_one(ev: Evaluator, args: list[Value]) -> Value:
    (v,) = args
    if isinstance(v, Unknown):
        return v
    if not isinstance(v, list):
        raise EvalError("one() of a non-list")
    if not v:
        return None
    if len(v) == 1:
        return v[0]
    raise EvalError("one() of more than one item")


def fn_compact(ev: Evaluator, args: list[Value]) -> Value:
    (v,) = args
    if isinstance(v, Unknown):
        return v
    if not isinstance(v, list):
        raise EvalError("compact() of a non-list")
    if any(isinstance(x, Unknown) for x in v):
        return Unknown("compact of unknown items")
    return [x for x in v if x not in (None, "")]


COLLECTION_FUNCTIONS = {
    "length": fn_length,
    "slice": fn_slice,
    "concat": fn_concat,
    "merge": fn_merge,
    "lookup": fn_lookup,
    "coalesce": fn_coalesce,
    "element": fn_element,
    "keys": fn_keys,
    "values": fn_values,
    "toset": fn_toset,
    "distinct": fn_toset,
    "flatten": fn_flatten,
    "one": fn_one,
    "compact": fn_compact,
    "range": fn_range,
    "zipmap": fn_zipmap,
    "contains": fn_contains,
}

"""Reading YAML into frozen records (msgspec Structs): a table's record fields are its schema.

A key the record does not declare is an error (a typo'd key must not be silently
ignored), a field without a default is required, and every value is converted to the
field's declared type or rejected. Whatever a type cannot say (order, ranges) is checked
by the record's own `__post_init__`, which raises ValueError.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
import types
import typing
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any, TypeAlias

from msgspec import Struct
from msgspec.structs import FieldInfo, fields
from packaging.version import Version

from meshlint.versioning import parse_version

T = typing.TypeVar("T")


class KnowledgeError(Exception):
    """The shipped rules/ data is broken: an internal error, exit 2."""


class VersionText(str):
    """A version as the data writes it ("1.20", "2.0.0"); must parse as a version. Stays
    a string, so it prints and compares as the text it is."""

    __slots__ = ()

    def __new__(cls, value: str) -> VersionText:
        if parse_version(value) is None:
            raise ValueError(f"{value!r} is not a version")
        return super().__new__(cls, value)

    @property
    def parsed(self) -> Version:
        version = parse_version(self)
        assert version is not None  # checked when made
        return version


_PROVENANCE = "provenance"

#: A field that says where a fact comes from (sources, notes, issue links): for the
#: maintainers who check the fact, not for the rules that use it. `source: Provenance[str]`
Provenance: TypeAlias = Annotated[T, _PROVENANCE]


def is_provenance(cls: type, name: str) -> bool:
    """Is the field `name` of the record class `cls` declared as Provenance[...]?"""
    hint = typing.get_type_hints(cls, include_extras=True)[name]
    return typing.get_origin(hint) is Annotated and _PROVENANCE in typing.get_args(hint)[1:]


def key_of(f: FieldInfo) -> str:
    """The YAML key of a field: its name, or the one `field(name=...)` gives (`from`)."""
    return f.encode_name


@lru_cache(maxsize=None)
def _schema(cls: Any) -> tuple[dict[str, Any], dict[str, FieldInfo]]:
    """A record class's resolved field types and its fields by YAML key, worked out once
    per class (resolving the annotations is most of what loading a table costs)."""
    return typing.get_type_hints(cls), {key_of(f): f for f in fields(cls)}


def build(cls: type[T], node: object, where: str) -> T:
    """An instance of the record class `cls` from a YAML mapping, or KnowledgeError."""
    if not isinstance(node, dict):
        raise KnowledgeError(f"{where}: expected a mapping")
    hints, declared = _schema(typing.cast(Any, cls))
    unknown = sorted(str(k) for k in node if str(k) not in declared)
    if unknown:
        raise KnowledgeError(f"{where}: unknown key {', '.join(unknown)}")
    kwargs: dict[str, object] = {}
    for key, f in declared.items():
        if key in node:
            kwargs[f.name] = convert(hints[f.name], node[key], f"{where}.{key}")
        elif f.required:
            raise KnowledgeError(f"{where}: missing key {key}")
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise KnowledgeError(f"{where}: {exc}") from None


def convert(tp: object, value: object, where: str) -> object:
    """`value` as the type `tp` (str, int, float, bool, date, VersionText, a Pattern, an
    enum, tuple[X, ...], Mapping[str, X], X | None, or a record)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return convert(inner, value, where)
    if value is None:
        raise KnowledgeError(f"{where}: a value is required")
    if origin is tuple:
        if not isinstance(value, list):
            raise KnowledgeError(f"{where}: expected a list")
        return tuple(convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        if not isinstance(value, dict):
            raise KnowledgeError(f"{where}: expected a mapping")
        return types.MappingProxyType({str(k): convert(args[1], v, f"{where}.{k}") for k, v in value.items()})
    if origin is re.Pattern:
        try:
            return re.compile(_expect(str, value, where))
        except re.error as exc:
            raise KnowledgeError(f"{where}: bad regular expression ({exc})") from None
    if isinstance(tp, type) and issubclass(tp, Struct):
        return build(tp, value, where)
    if tp is _dt.date:
        if isinstance(value, _dt.date):
            return value
        try:
            return _dt.date.fromisoformat(_expect(str, value, where))
        except ValueError:
            raise KnowledgeError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in tp)
            raise KnowledgeError(f"{where}: {value!r} is not one of {allowed}") from None
    if tp is VersionText:
        try:
            return VersionText(_expect(str, value, where))
        except ValueError as exc:
            raise KnowledgeError(f"{where}: {exc}") from None
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)  # a plain float, whatever text the YAML wrote
    if tp in (str, int, float, bool):
        return _expect(typing.cast(type, tp), value, where)
    raise TypeError(f"{where}: no conversion to {tp!r}")  # a schema bug, not a data bug


def _expect(tp: type[T], value: object, where: str) -> T:
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise KnowledgeError(f"{where}: expected {tp.__name__}, got {value!r}")
    return value


def ascending(values: typing.Sequence, what: str, *, strict: bool = True) -> None:
    """ValueError unless `values` rise (strictly: no repeats)."""
    for a, b in zip(values, values[1:]):
        if b < a or (strict and a == b):
            raise ValueError(f"{what} must be sorted without repeats ({a} then {b})")

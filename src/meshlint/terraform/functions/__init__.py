"""The functions the evaluator knows, by family; any other function's result is Unknown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from ..convert import Value
from ..files import FILE_FUNCTIONS
from .collections import COLLECTION_FUNCTIONS
from .encoding import ENCODING_FUNCTIONS, EncodedDocument
from .numeric import NUMERIC_FUNCTIONS
from .strings import STRING_FUNCTIONS

if TYPE_CHECKING:  # type-only: the evaluator calls these functions with itself
    from ..evaluate import Evaluator

Function: TypeAlias = Callable[["Evaluator", list[Value]], Value]

FUNCTIONS: dict[str, Function] = {
    **COLLECTION_FUNCTIONS,
    **STRING_FUNCTIONS,
    **ENCODING_FUNCTIONS,
    **FILE_FUNCTIONS,
    **NUMERIC_FUNCTIONS,
}

# how many arguments each function takes: (at least, at most), None for variadic. Checked
# before the call, so a wrong count is Terraform's error (Unknown), never a crash.
ARITY: dict[str, tuple[int, int | None]] = {
    "length": (1, 1), "slice": (3, 3), "concat": (0, None), "merge": (0, None),
    "lookup": (2, 3), "coalesce": (1, None), "element": (2, 2), "keys": (1, 1),
    "values": (1, 1), "toset": (1, 1), "distinct": (1, 1), "flatten": (1, 1), "one": (1, 1),
    "compact": (1, 1), "range": (1, 3), "zipmap": (2, 2), "contains": (2, 2),
    "join": (1, None), "split": (2, 2), "format": (1, None), "lower": (1, 1), "upper": (1, 1),
    "trimspace": (1, 1), "trimprefix": (2, 2), "trimsuffix": (2, 2), "replace": (3, 3),
    "basename": (1, 1), "dirname": (1, 1), "substr": (3, 3),
    "yamlencode": (1, 1), "jsonencode": (1, 1), "yamldecode": (1, 1), "jsondecode": (1, 1),
    "file": (1, 1), "templatefile": (2, 2),
    "cidrsubnet": (3, 3), "max": (1, None), "min": (1, None), "abs": (1, 1),
    "tonumber": (1, 1), "tostring": (1, 1), "tobool": (1, 1), "tolist": (1, 1), "tomap": (1, 1),
    "sensitive": (1, 1), "nonsensitive": (1, 1),
}
__all__ = ["ARITY", "FUNCTIONS", "Function", "EncodedDocument"]

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

__all__ = ["FUNCTIONS", "Function", "EncodedDocument"]

"""`jsonencode`/`yamlencode` and their decoders.

An encoded document remembers the value it encodes (`EncodedDocument.data`), so a
`helm_release` whose `values` are `yamlencode({...})` is read as structure, not re-parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from meshlint.parse.yamlfront import parse_yaml_bytes
from meshlint.values import Unknown

from ..convert import EvalError, Value, plain

if TYPE_CHECKING:  # type-only: the evaluator calls these functions with itself
    from ..evaluate import Evaluator


class EncodedDocument(str):
    """The string `yamlencode(x)`/`jsonencode(x)` produces, remembering `x` itself."""

    data: object

    def __new__(cls, text: str, data: object) -> EncodedDocument:
        obj = super().__new__(cls, text)
        obj.data = data
        return obj


def _encode(kind: str) -> Callable[[Evaluator, list[Value]], Value]:
    def encode(ev: Evaluator, args: list[Value]) -> Value:
        (v,) = args
        try:
            data = plain(v)
        except EvalError:
            # keep what is known, for rules that read the structure
            return Unknown(f"{kind}encode of a partly unknown value")
        if kind == "json":
            text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        else:
            text = json.dumps(data, indent=2, sort_keys=True)  # JSON is YAML
        return EncodedDocument(text, v)
    return encode


def _decode(kind: str) -> Callable[[Evaluator, list[Value]], Value]:
    def decode(ev: Evaluator, args: list[Value]) -> Value:
        (v,) = args
        if isinstance(v, Unknown):
            return v
        if isinstance(v, EncodedDocument):
            return v.data
        if not isinstance(v, str):
            raise EvalError(f"{kind}decode of a non-string")
        if kind == "yaml":
            # a file or a rendered template: positioned in its own file, MESH001 if broken
            docs = ev.ctx.project.files.yaml.documents(v, f"yamldecode() in {ev.f.path}")
            if isinstance(docs, Unknown):
                return docs
            if docs is not None:
                if len(docs) != 1:
                    raise EvalError("yamldecode of a stream that is not one document")
                return docs[0]
        if kind == "json":
            try:
                return json.loads(v)
            except ValueError:
                raise EvalError("invalid JSON") from None
        parsed = parse_yaml_bytes(v.encode("utf-8"), "<yamldecode>")
        if parsed.error or len(parsed.documents) != 1:
            raise EvalError("invalid YAML for yamldecode")
        return parsed.documents[0].value
    return decode


ENCODING_FUNCTIONS = {
    "yamlencode": _encode("yaml"),
    "jsonencode": _encode("json"),
    "yamldecode": _decode("yaml"),
    "jsondecode": _decode("json"),
}

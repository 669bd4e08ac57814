"""Differential test: our tree-sitter front-end against python-hcl2 on every corpus .tf.

Both must agree on the block structure (types, labels, nesting, attribute names) and on
every attribute whose value is a literal (strings, numbers, bools, lists/objects of them).
python-hcl2 does not evaluate: an expression it leaves as an unquoted `${...}` string (such
as `timeout = 10 * 60`, which it returns as `'${10 * 60}'`) is not a literal to compare.
"""

from pathlib import Path

import hcl2
import pytest

from conftest import CORPUS
from meshlint.parse.hclfront import HclBody, parse_hcl_bytes
from meshlint.terraform import ModuleContext, Project, TfModule, contains_unknown

TF_FILES = sorted(CORPUS.rglob("*.tf")) if CORPUS.is_dir() else []
# real/ holds whole repositories (over a thousand .tf files, most of this module's time):
# those comparisons are `slow`, the curated corpus stays in the fast set
BULK = ("real",)
TOP_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
              "check": 1}
NOT_LITERAL = ("var.", "local.", "module.", "data.", "(", "${", "each.", "count.", "path.",
               "<<", "for ", "?", "\\")


def _unevaluated(v) -> bool:
    """python-hcl2 left (part of) the value as an expression: an unquoted `${...}` string."""
    if isinstance(v, str):
        return v.startswith("${") and v.endswith("}")
    if isinstance(v, list):
        return any(_unevaluated(x) for x in v)
    if isinstance(v, dict):
        return any(_unevaluated(x) for k, x in v.items() if not k.startswith("__"))
    return False


def _unquote(s):
    if isinstance(s, str) and len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return s[1:-1]
    return s


def _plain(v):
    if isinstance(v, str):
        return _unquote(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {_unquote(k): _plain(x) for k, x in v.items() if not k.startswith("__")}
    return v


def _block_item(x):
    """A nested block as hcl2 writes it: a body with __is_block__, or {"label": body}."""
    if not isinstance(x, dict):
        return None
    if x.get("__is_block__"):
        return (), x
    keys = [k for k in x if not k.startswith("__")]
    if len(keys) == 1 and keys[0].startswith('"') and isinstance(x[keys[0]], dict):
        inner = _block_item(x[keys[0]])
        if inner is not None:
            return (_unquote(keys[0]),) + inner[0], inner[1]
    return None


def _is_block_list(v) -> bool:
    return isinstance(v, list) and bool(v) and all(_block_item(x) is not None for x in v)


def _top_blocks(doc: dict):
    for key, items in doc.items():
        if key.startswith("__"):
            continue
        for item in items:
            yield from _labelled(key, item, [], TOP_LABELS.get(key, 0))


def _labelled(btype, obj, labels, n):
    if len(labels) == n:
        yield btype, tuple(labels), obj
        return
    for label, inner in obj.items():
        if not label.startswith("__"):
            yield from _labelled(btype, inner, labels + [_unquote(label)], n)


def _compare(ours: HclBody, theirs: dict, ctx: ModuleContext, where: str) -> int:
    """Assert equal structure and literal values; returns how many values were compared."""
    their_attrs = {k: v for k, v in theirs.items() if not k.startswith("__") and not _is_block_list(v)}
    their_blocks = {k: v for k, v in theirs.items() if not k.startswith("__") and _is_block_list(v)}
    assert set(ours.attrs) == set(their_attrs), where
    compared = 0
    for name, attr in ours.attrs.items():
        text = attr.file.text(attr.expr)
        if any(tok in text for tok in NOT_LITERAL) or _unevaluated(their_attrs[name]):
            continue
        value = ctx.eval(attr.expr, attr.file)
        if contains_unknown(value):
            continue
        assert value == _plain(their_attrs[name]), f"{where}.{name}"
        compared += 1
    by_type: dict[str, list] = {}
    for blk in ours.blocks:
        by_type.setdefault(blk.type, []).append(blk)
    assert {k: len(v) for k, v in by_type.items()} == {k: len(v) for k, v in their_blocks.items()}, where
    for btype, blocks in by_type.items():
        for i, (blk, item) in enumerate(zip(blocks, their_blocks[btype])):
            labels, body = _block_item(item)
            assert tuple(blk.labels) == labels, where
            compared += _compare(blk.body, body, ctx, f"{where}.{btype}[{i}]")
    return compared


@pytest.mark.skipif(not TF_FILES, reason="../shared/corpus not present")
@pytest.mark.parametrize("path", [
    pytest.param(p, marks=[pytest.mark.slow] if p.relative_to(CORPUS).parts[0] in BULK else [],
                 id=str(p.relative_to(CORPUS))) for p in TF_FILES])
def test_front_end_agrees_with_python_hcl2(path: Path):
    data = path.read_bytes()
    ours = parse_hcl_bytes(data, str(path))
    assert ours.error is None
    theirs = hcl2.loads(data.decode("utf-8"))
    ctx = ModuleContext(TfModule(str(path.parent)), Project({}, [str(path.parent)]))

    their_top = list(_top_blocks(theirs))
    assert sorted((b.type, tuple(b.labels)) for b in ours.body.blocks) == sorted(
        (t, labels) for t, labels, _ in their_top)
    assert not ours.body.attrs
    remaining = list(their_top)
    for blk in ours.body.blocks:
        match = next(i for i, (t, labels, _) in enumerate(remaining)
                     if (t, labels) == (blk.type, tuple(blk.labels)))
        _, _, body = remaining.pop(match)
        _compare(blk.body, body, ctx, f"{blk.type}.{'.'.join(blk.labels)}")


def test_the_oracle_compares_real_values():
    """Guard against a differential test that compares nothing."""
    if not TF_FILES:
        pytest.skip("../shared/corpus not present")
    path = CORPUS / "eks-blueprints-istio-2023-10" / "main.tf"
    data = path.read_bytes()
    ours = parse_hcl_bytes(data, str(path))
    theirs = hcl2.loads(data.decode("utf-8"))
    ctx = ModuleContext(TfModule(str(path.parent)), Project({}, [str(path.parent)]))
    total = 0
    remaining = list(_top_blocks(theirs))
    for blk in ours.body.blocks:
        match = next(i for i, (t, labels, _) in enumerate(remaining)
                     if (t, labels) == (blk.type, tuple(blk.labels)))
        total += _compare(blk.body, remaining.pop(match)[2], ctx, blk.type)
    assert total >= 10

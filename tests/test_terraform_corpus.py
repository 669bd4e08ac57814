"""The evaluator over every Terraform module of the shared corpus (real/ included), with
programming errors surfacing: only Terraform-level problems may become Unknown."""

from __future__ import annotations

import pytest

from conftest import CORPUS, REPO
from meshlint.discover import discover
from meshlint.engine import Options, parse_all, terraform_project
from meshlint.terraform import ModuleContext, expand_instances
from meshlint.values import contains_unknown

# the corpus sits next to the repository (../shared), or next to the directory of its git
# worktrees (../../shared)
SHARED_CORPUS = next((c for c in (CORPUS, REPO.parent.parent / "shared" / "corpus") if c.is_dir()), CORPUS)


@pytest.fixture(scope="module")
def corpus_project():
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus not present")
    disc = discover([str(SHARED_CORPUS)])
    return terraform_project(disc, parse_all(disc, Options()))


def _evaluate_everything(ctx: ModuleContext, seen: set[int], out: list[object]) -> None:
    module = ctx.module
    for name in module.locals:
        out.append(ctx.local(name))
    for name in module.variables:
        out.append(ctx.variable(name))
    for blk in module.outputs.values():
        out.append(ctx.eval_body(blk.body))
    blocks = [*module.resources.values(), *module.data.values(), *module.module_calls.values(),
              *module.providers]
    for blk in blocks:
        binds = expand_instances(ctx, blk)
        for bind in (binds or [{}])[:5]:
            out.append(ctx.eval_body(blk.body, bind))
    for name in module.module_calls:
        child = ctx.child(name)
        if child is not None and id(child) not in seen:
            seen.add(id(child))
            _evaluate_everything(child, seen, out)


def test_every_corpus_module_evaluates_without_a_programming_error(corpus_project):
    project = corpus_project
    assert len(project.modules) > 100
    values: list[object] = []
    for directory in sorted(project.modules):
        _evaluate_everything(project.root_context(directory), set(), values)
    known = [v for v in values if not contains_unknown(v)]
    # most of what the corpus writes is knowable: a silent evaluator would fail this
    assert len(values) > 5000 and len(known) > len(values) // 2

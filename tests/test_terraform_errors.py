"""What Terraform would reject becomes Unknown with a reason (never a crash); what is an
evaluator bug raises. Each case here went through a catch-all `except` before."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_tree
from meshlint.discover import discover
from meshlint.engine import Options, parse_all, terraform_project
from meshlint.terraform import ModuleContext, expand_instances
from meshlint.terraform.functions import ARITY, FUNCTIONS
from meshlint.values import Unknown


def _ctx(root: Path, main_tf: str) -> ModuleContext:
    write_tree(root, {"main.tf": main_tf})
    disc = discover([str(root)])
    return terraform_project(disc, parse_all(disc, Options())).root_context(str(root.resolve()))


@pytest.mark.parametrize(("expr", "reason"), [
    ('upper("a", "b")', "upper() takes 1 argument, not 2"),
    ("slice([1, 2], 0)", "slice() takes 3 arguments, not 2"),
    ("[1, 2][-1]", "index out of range"),
    ('[1, 2][tonumber("1e400")]', "not a whole number"),
    ('element([1, 2], tonumber("1e400"))', "not a whole number"),
    ("range(0, 10, 0)", "step of zero"),
    ("zipmap(1, 2)", "zipmap() of a non-list"),
    ('contains("abc", "a")', "contains() of a non-list"),
    ("one(5)", "one() of a non-list"),
    ("compact(5)", "compact() of a non-list"),
    ('join(",", "abc")', "join() of a non-list"),
    ('trimprefix("abc", ["a"])', "a collection is not a string"),
    ('substr("abc", "x", 1)', "is not a number"),
    ('cidrsubnet("10.0.0.0/8", 40, 0)', "newbits out of range"),
    ('cidrsubnet("not-an-ip", 4, 0)', "invalid prefix"),
    ("concat(5...)", "only a list or map can be expanded"),
    ("1 / 0", "division by zero"),
])
def test_terraform_errors_are_unknown_with_a_reason(tmp_path, expr, reason):
    value = _ctx(tmp_path, f"locals {{\n  x = {expr}\n}}\n").local("x")
    assert isinstance(value, Unknown)
    assert reason in value.reason


@pytest.mark.parametrize(("expr", "expected"), [
    ('split("", "abc")', ["a", "b", "c"]),  # Terraform splits into characters
    ('upper(true)', "TRUE"),  # bools convert as Terraform writes them
    ('trimprefix("v1.2", "v")', "1.2"),
    ('cidrsubnet("fd00::/8", 8, 1)', "fd01::/16"),
    ('cidrsubnet("::/0", 16, 1)', "1::/16"),  # an IPv6 network stays IPv6
    ('"\\uD800"', "\ufffd"),  # a lone surrogate cannot be encoded later
])
def test_values_where_terraform_has_them(tmp_path, expr, expected):
    assert _ctx(tmp_path, f"locals {{\n  x = {expr}\n}}\n").local("x") == expected


def test_every_function_has_an_arity():
    assert ARITY.keys() == FUNCTIONS.keys()


def test_instance_expansion_of_bad_counts_and_sets_is_unknown(tmp_path):
    ctx = _ctx(tmp_path, '''
        resource "null_resource" "inf" {
          count = tonumber("1e400")
        }
        resource "null_resource" "nested" {
          for_each = [["a"]]
        }
    ''')
    for name in ("inf", "nested"):
        assert expand_instances(ctx, ctx.module.resources[("null_resource", name)]) is None


def test_a_bug_in_the_evaluator_raises(tmp_path, monkeypatch):
    ctx = _ctx(tmp_path, 'locals {\n  x = upper("a")\n}\n')

    def broken(ev, args):
        return args.no_such_attribute  # an evaluator bug, not a property of the input

    monkeypatch.setitem(FUNCTIONS, "upper", broken)
    with pytest.raises(AttributeError):
        ctx.local("x")

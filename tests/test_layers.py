"""Imports run one way: files -> parsed documents -> model -> checks -> findings -> filters ->
reporters. This test reads every import in src/meshlint (module level and inside functions)
and fails on an edge the layering forbids, and on any import cycle between modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PKG = SRC / "meshlint"

# (importing layer, layers it must never import). A layer is a module name or a package
# prefix; "meshlint.model" covers the package and everything in it.
FORBIDDEN: list[tuple[str, tuple[str, ...]]] = [
    ("meshlint.values", ("meshlint.",)),  # the leaf: imports nothing of meshlint
    ("meshlint.parse", ("meshlint.model", "meshlint.checks", "meshlint.report", "meshlint.terraform",
                        "meshlint.engine", "meshlint.build")),
    ("meshlint.terraform", ("meshlint.model", "meshlint.checks", "meshlint.report", "meshlint.engine")),
    ("meshlint.model.types", ("meshlint.terraform", "meshlint.parse", "meshlint.checks", "meshlint.report",
                              "meshlint.engine", "meshlint.online", "meshlint.registry")),
    ("meshlint.model", ("meshlint.checks", "meshlint.report", "meshlint.engine", "meshlint.online",
                        "meshlint.registry")),
    ("meshlint.checks", ("meshlint.parse", "meshlint.terraform", "meshlint.online", "meshlint.registry",
                         "meshlint.report", "meshlint.engine", "meshlint.build", "meshlint.discover")),
    ("meshlint.report", ("meshlint.checks", "meshlint.build", "meshlint.engine", "meshlint.terraform",
                         "meshlint.parse")),
    ("meshlint.findings", ("meshlint.model", "meshlint.checks", "meshlint.parse", "meshlint.terraform",
                           "meshlint.report", "meshlint.engine")),
    ("meshlint.knowledge", ("meshlint.model", "meshlint.checks", "meshlint.terraform", "meshlint.report",
                            "meshlint.engine", "meshlint.build")),
    ("meshlint.suppress", ("meshlint.checks", "meshlint.model", "meshlint.report")),
    ("meshlint.filters", ("meshlint.checks", "meshlint.model", "meshlint.report")),
]
NOBODY_IMPORTS = ("meshlint.cli", "meshlint.__main__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PKG.rglob("*.py")}


def _resolve(name: str) -> str:
    """The module an imported name lives in: `meshlint.checks.finding` -> `meshlint.checks`."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _within(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".") or (layer.endswith(".") and module.startswith(layer))


def _type_only(tree: ast.Module) -> set[int]:
    """ids of import statements under `if TYPE_CHECKING:` (never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def _imports(module: str, path: Path, runtime_only: bool = False) -> list[tuple[str, int]]:
    """(imported meshlint module, line) for every import statement in the file (with
    `runtime_only`, not those under `if TYPE_CHECKING:`, which Python never runs)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skip = _type_only(tree) if runtime_only else set()
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name == "meshlint" or name.startswith("meshlint."):
                target = _resolve(name)
                if target and target != module:
                    out.append((target, node.lineno))
                # importing meshlint.a.b runs meshlint/a/__init__.py first: a real edge too
                # (except into the importing module's own packages, which are loaded already)
                parent = target.rpartition(".")[0]
                while parent and parent != "meshlint":
                    if not _within(module, parent):
                        out.append((parent, node.lineno))
                    parent = parent.rpartition(".")[0]
    return sorted(set(out), key=lambda e: (e[1], e[0]))


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}
RUNTIME_GRAPH = {module: _imports(module, path, runtime_only=True) for module, path in MODULES.items()}


def test_the_module_list_is_not_empty():
    assert "meshlint.engine" in MODULES and "meshlint.values" in MODULES


@pytest.mark.parametrize("layer, forbidden", FORBIDDEN, ids=[layer for layer, _ in FORBIDDEN])
def test_layer_imports_run_one_way(layer, forbidden):
    wrong = []
    for module, edges in GRAPH.items():
        if not _within(module, layer):
            continue
        for target, line in edges:
            if any(_within(target, f) for f in forbidden) and not _within(target, layer):
                wrong.append(f"{MODULES[module].relative_to(SRC)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_cli():
    wrong = [f"{MODULES[m].relative_to(SRC)}:{line} imports {t}" for m, edges in GRAPH.items()
             for t, line in edges if t in NOBODY_IMPORTS and m not in NOBODY_IMPORTS]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    """A function-local import that breaks a cycle still counts: the graph has every import
    that runs (type-only imports under `if TYPE_CHECKING:` do not run, so they cannot make
    one; the layer rules above still apply to them)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target, _ in RUNTIME_GRAPH.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(RUNTIME_GRAPH):
        if module not in index:
            visit(module)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_a_forbidden_edge_is_caught(tmp_path):
    """The checker itself can fail: a parse module importing the model is reported."""
    fake = tmp_path / "x.py"
    fake.write_text("def f():\n    from meshlint.model import Model\n", encoding="utf-8")
    edges = _imports("meshlint.parse.fake", fake)
    assert edges == [("meshlint.model", 2)]
    nested = tmp_path / "y.py"
    nested.write_text("import meshlint.parse.yamlfront\n", encoding="utf-8")
    assert _imports("meshlint.checks.fake", nested) == [("meshlint.parse", 1), ("meshlint.parse.yamlfront", 1)]
    typed = tmp_path / "z.py"
    typed.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from meshlint.model import Model\n",
                     encoding="utf-8")
    assert _imports("meshlint.parse.fake", typed) == [("meshlint.model", 3)]
    assert _imports("meshlint.parse.fake", typed, runtime_only=True) == []
    assert any(_within(t, "meshlint.model") for t, _ in edges)

"""`meshlint lsp` driven through its stdio protocol as an editor would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsp_client import LspClient  # noqa: E402

SEED = Path("/work/shared/corpus/eks-blueprints-istio-2023-10")

NS = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: web, image: "nginx:1.25"}]
"""


@pytest.fixture
def seed(tmp_path: Path):
    root = tmp_path / "seed"
    shutil.copytree(SEED, root)
    (root / ".git").mkdir()
    client = LspClient(root)
    yield root, client
    client.kill()


def rules(diags: list[dict]) -> list[str]:
    return sorted(d["code"] for d in diags)


def test_open_change_code_action_shutdown(seed) -> None:
    root, client = seed
    answer = client.initialize(root)
    assert answer["result"]["capabilities"]["codeActionProvider"]
    main = root / "main.tf"
    client.open(main)
    client.sync()
    diags = client.diagnostics[main.as_uri()]
    assert rules(diags).count("MESH103") == 3
    d = next(d for d in diags if d["code"] == "MESH103")
    assert d["codeDescription"]["href"].endswith("docs/rules.md#mesh103")  # the rule's section and d["severity"] == 2 and d["source"] == "meshlint"
    assert d["range"]["start"]["line"] == 130
    # code actions: the safe fix and the suppression comment
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": main.as_uri()}, "range": d["range"], "context": {"diagnostics": [d]}})["result"]
    titles = [a["title"] for a in actions]
    assert any("chart_version" in t and "safe" in t for t in titles), titles
    assert any("ignore MESH103" in t for t in titles)
    fix = next(a for a in actions if "chart_version" in a["title"])
    (edit,) = fix["edit"]["changes"][main.as_uri()]
    assert edit["newText"].startswith("chart_version") and edit["range"]["start"] == {"line": 130, "character": 6}
    # the unsaved buffer with the fix applied: diagnostics follow the buffer, not the disk
    lines = main.read_text().split("\n")
    fixed = "\n".join(line.replace("version    =", "chart_version =").replace(
        "version          =", "chart_version    =") for line in lines)
    client.change(main, fixed)
    client.sync()
    assert "MESH103" not in rules(client.diagnostics[main.as_uri()])
    # a broken buffer: MESH001, and the server stays up
    client.change(main, fixed + "\nresource \"x\" {\n", version=3)
    client.sync()
    assert "MESH001" in rules(client.diagnostics[main.as_uri()])
    client.change(main, fixed, version=4)
    client.sync()
    assert "MESH001" not in rules(client.diagnostics[main.as_uri()])
    assert client.shutdown() == 0


def test_other_files_are_updated_and_cleared(seed) -> None:
    root, client = seed
    client.initialize(root)
    apps = root / "apps.yaml"
    apps.write_text(NS)
    client.open(root / "main.tf")
    client.sync()
    assert "MESH401" in rules(client.diagnostics[apps.as_uri()])
    # labelling the namespace in the open buffer clears the other file's finding
    client.open(apps, NS.replace("{team: shop}", "{team: shop, istio-injection: enabled}"), "yaml")
    client.sync()
    assert "MESH401" not in rules(client.diagnostics[apps.as_uri()])
    assert client.shutdown() == 0


def test_an_edit_parses_only_the_edited_file(seed) -> None:
    """The server keeps each project's session: after the first check, an edit re-parses
    the edited buffer only, and its diagnostics are the whole project's."""
    root, client = seed
    client.initialize(root)
    (root / "apps.yaml").write_text(NS)
    main = root / "main.tf"
    client.open(main)
    client.sync()
    assert any("(7 files parsed" in line for line in client.logs)  # the first check: the seed's 6 and apps.yaml
    text = main.read_text()
    assert 'istio_chart_version = "1.18.1"' in text
    client.change(main, text.replace('istio_chart_version = "1.18.1"', 'istio_chart_version = "1.18.2"'))
    client.sync()
    assert "(1 files parsed, 1 of 1 scopes checked again)" in client.logs[-1]
    assert rules(client.diagnostics[main.as_uri()]).count("MESH103") == 3
    assert client.shutdown() == 0


def test_hover_on_suppressed_code(seed) -> None:
    root, client = seed
    client.initialize(root)
    text = "locals {\n  a = 1 # meshlint: ignore[MESH103,MESH401] reason\n}\n"
    path = root / "extra.tf"
    path.write_text(text)
    client.open(path)
    col = text.split("\n")[1].index("MESH401") + 2
    answer = client.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()},
                                                   "position": {"line": 1, "character": col}})
    assert "MESH401" in answer["result"]["contents"]["value"]
    assert "Automatic fix" in answer["result"]["contents"]["value"]
    assert client.shutdown() == 0


def test_file_outside_any_project(tmp_path: Path) -> None:
    client = LspClient(None)
    try:
        client.initialize(tmp_path / "workspace")
        lone = tmp_path / "elsewhere" / "ns.yaml"
        lone.parent.mkdir()
        lone.write_text(NS)
        client.open(lone, language="yaml")
        notes = tmp_path / "elsewhere" / "README.md"
        notes.write_text("# hello\n")
        client.open(notes, language="markdown")
        client.sync()
        assert client.diagnostics.get(notes.as_uri(), []) == []
        assert lone.as_uri() in client.diagnostics
        assert client.shutdown() == 0
    finally:
        client.kill()

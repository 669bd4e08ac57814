"""The language server survives every file of ../shared/corpus being opened and edited
(a truncated buffer, then garbage), and shuts down cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsp_client import LspClient  # noqa: E402

CORPUS = Path("/work/shared/corpus")
SUFFIXES = (".tf", ".tfvars", ".yaml", ".yml", ".json")


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")
def test_server_survives_every_corpus_file() -> None:
    projects = [p for p in sorted(CORPUS.iterdir()) if p.is_dir() and p.name != "real"]
    projects += sorted(p for p in (CORPUS / "real").iterdir() if p.is_dir())
    client = LspClient(None)
    try:
        client.initialize(CORPUS)
        client.notify("workspace/didChangeWorkspaceFolders", {"event": {
            "added": [{"uri": p.as_uri(), "name": p.name} for p in projects], "removed": []}})
        total = 0
        for project in projects:  # a burst of edits per project, as a search-and-replace does
            files = [f for f in sorted(project.rglob("*")) if f.is_file() and f.suffix in SUFFIXES]
            for f in files:
                text = f.read_text(encoding="utf-8", errors="replace")
                client.open(f, text)
                client.change(f, text[: len(text) // 2], version=2)  # cut mid-token
                client.change(f, text + "\n}{ ]: \x00 \"unterminated\n", version=3)
            client.sync(timeout=600)  # every edit handled, the server still answers
            for f in files:  # close: back to the disk's text
                client.notify("textDocument/didClose", {"textDocument": {"uri": f.as_uri()}})
            client.sync(timeout=600)
            total += len(files)
        assert total > 3000
        assert client.proc.poll() is None
        assert client.publishes, "no diagnostics were published"
        assert client.shutdown() == 0
    except (BrokenPipeError, TimeoutError):
        raise AssertionError("the server died: " + client.errors()[-3000:]) from None
    finally:
        client.kill()

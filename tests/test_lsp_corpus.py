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
        files = [f for p in projects for f in sorted(p.rglob("*")) if f.is_file() and f.suffix in SUFFIXES]
        assert len(files) > 1000
        for f in files:
            text = f.read_text(encoding="utf-8", errors="replace")
            client.open(f, text)
            client.change(f, text[: len(text) // 2], version=2)  # cut mid-token
            client.change(f, text + "\n}{ ]: \x00 \"unterminated\n", version=3)
        client.sync()  # every edit handled, the server still answers
        assert client.proc.poll() is None
        assert client.publishes, "no diagnostics were published"
        for f in files[:: max(1, len(files) // 50)]:  # close (back to the disk's text)
            client.notify("textDocument/didClose", {"textDocument": {"uri": f.as_uri()}})
        client.sync()
        assert client.shutdown() == 0
    except (BrokenPipeError, TimeoutError):
        raise AssertionError("the server died: " + client.errors()[-3000:]) from None
    finally:
        client.kill()

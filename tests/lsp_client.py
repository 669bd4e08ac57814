"""A minimal LSP client over the stdio of `meshlint lsp`, as an editor drives it."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


class LspClient:
    def __init__(self, root: Path | None) -> None:
        env = {**os.environ, "PYTHONPATH": SRC, "MESHLINT_CACHE_DIR": tempfile.mkdtemp(prefix="meshlint-lsp-cache-")}
        self.stderr = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block the server
        self.proc = subprocess.Popen([sys.executable, "-m", "meshlint", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        self.messages: queue.Queue[dict] = queue.Queue()
        self.diagnostics: dict[str, list[dict]] = {}
        self.publishes: list[str] = []
        self.logs: list[str] = []  # window/logMessage texts
        self._id = 0
        self._responses: dict[int, dict] = {}
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                ch = out.read(1)
                if not ch:
                    return
                header += ch
            length = int([h for h in header.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
            self.messages.put(json.loads(out.read(length)))

    def send(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict | None, timeout: float = 60) -> dict:
        self._id += 1
        rid = self._id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while rid not in self._responses:
            self._pump(deadline)
        return self._responses.pop(rid)

    def _pump(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from the server")
        msg = self.messages.get(timeout=left)
        if "id" in msg and "method" not in msg:
            self._responses[msg["id"]] = msg
        elif msg.get("method") == "textDocument/publishDiagnostics":
            self.diagnostics[msg["params"]["uri"]] = msg["params"]["diagnostics"]
            self.publishes.append(msg["params"]["uri"])
        elif msg.get("method") == "window/logMessage":
            self.logs.append(msg["params"]["message"])
        elif "id" in msg:  # a request from the server (e.g. capability registration)
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})

    def sync(self, timeout: float = 60) -> None:
        """Wait until the server handled everything sent so far (it answers in order)."""
        self.request("textDocument/hover", {"textDocument": {"uri": "file:///nonexistent.tf"},
                                            "position": {"line": 0, "character": 0}}, timeout)

    def initialize(self, root: Path | None) -> dict:
        uri = root.as_uri() if root else None
        answer = self.request("initialize", {"processId": os.getpid(), "rootUri": uri, "capabilities": {},
                                             "workspaceFolders": [{"uri": uri, "name": "w"}] if uri else None})
        self.notify("initialized", {})
        return answer

    def open(self, path: Path, text: str | None = None, language: str = "terraform") -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": language, "version": 1,
            "text": path.read_text() if text is None else text}})

    def change(self, path: Path, text: str, version: int = 2) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": path.as_uri(), "version": version},
                                               "contentChanges": [{"text": text}]})

    def shutdown(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", {})
        return self.proc.wait(timeout=30)

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

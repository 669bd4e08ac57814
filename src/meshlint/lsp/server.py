"""`meshlint lsp`: the pygls server. Every open, change and save re-checks the file's
project with the open buffers and publishes the diagnostics of every file of that project,
clearing those of files whose findings went away. Each project has a session
(`session.ProjectSession`) that re-parses only the changed files and re-checks only the
scopes they are in."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import traceback

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from meshlint import __version__
from meshlint.fix import Fix
from meshlint.lsp.convert import code_at, diagnostic, ignore_edit, rule_markdown, workspace_edit
from meshlint.lsp.project import ProjectResult, project_root
from meshlint.lsp.session import ProjectSession
from meshlint.lsp.uris import path_to_uri, uri_to_path

log = logging.getLogger(__name__)
DEBOUNCE = 0.15  # seconds without edits before a re-check (requests re-check at once)
MAX_SESSIONS = 8  # projects whose sessions are kept (parsed files: tens of MB per 1,000 files)
FULL_COLLECTION_EVERY = 100  # re-checks between full garbage collections (see collect_garbage)


class MeshlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("meshlint", __version__)
        self.sessions: dict[str, ProjectSession] = {}  # project root -> its session
        self.results: dict[str, ProjectResult] = {}  # project root -> last check
        self.published: dict[str, set[str]] = {}  # project root -> uris with diagnostics
        self.shut_down = False  # a `shutdown` request came before `exit`
        self.pending: dict[str, None] = {}  # uris edited since the last check (ordered)
        self.timer: asyncio.TimerHandle | None = None  # the scheduled re-check
        self.flushes = 0

    def schedule(self, uri: str) -> None:
        """Re-check once the edits pause for DEBOUNCE seconds: a burst of edits (typing, a
        search-and-replace over many files) costs one check per project, not one per message."""
        self.pending[uri] = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if self.timer is not None:
            self.timer.cancel()
        self.timer = loop.call_later(DEBOUNCE, self.flush)

    def flush(self) -> None:
        """Check every project with pending edits (requests call this first, so an answer
        always reflects every edit sent before it)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        pending, self.pending = list(self.pending), {}
        by_root: dict[str, list[str]] = {}
        roots = self.workspace_roots()
        for uri in pending:
            path = uri_to_path(uri)
            if path is not None:
                by_root.setdefault(project_root(path, roots), []).append(uri)
        for root, uris in by_root.items():
            self.refresh(root, uris)
        self.collect_garbage()

    def collect_garbage(self) -> None:
        """Free the models the check just built (garbage with reference cycles) before the
        next burst. A full collection walks every session's parsed files (~0.3 s on the
        1,000-file benchmark), so only the young objects are collected, and what survives
        is frozen out of later collections; a full collection now and then frees what
        became garbage after it was frozen."""
        self.flushes += 1
        if self.flushes % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        else:
            gc.collect(1)
        gc.freeze()

    def workspace_roots(self) -> list[str]:
        roots = [p for f in (self.workspace.folders or {}).values() if (p := uri_to_path(f.uri))]
        if self.workspace.root_path:
            roots.append(os.path.abspath(self.workspace.root_path))
        return roots

    def overlay(self) -> dict[str, bytes]:
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            path = uri_to_path(uri)
            if path is not None:
                out[path] = doc.source.encode("utf-8")
        return out

    def refresh(self, root: str, uris: list[str]) -> None:
        session = self.sessions.pop(root, None) or ProjectSession(root)
        self.sessions[root] = session  # the most recently used last
        while len(self.sessions) > MAX_SESSIONS:
            del self.sessions[next(iter(self.sessions))]  # its next check starts from scratch
        try:
            result = session.refresh(self.overlay())
        except Exception as exc:  # noqa: BLE001 - an editor session must survive any input
            self.window_log_message(lsp.LogMessageParams(
                lsp.MessageType.Error, f"meshlint: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
            return
        self.results[root] = result
        now = {path_to_uri(p): [diagnostic(f) for f, _ in items] for p, items in result.by_file.items()}
        for gone in (self.published.get(root, set()) | set(uris)) - set(now):
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=gone, diagnostics=[]))
        for target, diagnostics in sorted(now.items()):
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=target, diagnostics=diagnostics))
        self.published[root] = set(now)
        self.window_log_message(lsp.LogMessageParams(
            lsp.MessageType.Log, f"meshlint: checked {root} in {result.seconds * 1000:.0f} ms "
            f"({session.stats.files_parsed} files parsed, {session.stats.scopes_rebuilt} of "
            f"{session.stats.scopes} scopes checked again)"))

    def findings_of(self, uri: str):
        path = uri_to_path(uri)
        for result in self.results.values():
            if path in result.by_file:
                return result.by_file[path]
        return []


server = MeshlintServer()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: MeshlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: MeshlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: MeshlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: MeshlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)  # the disk's text again


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: MeshlintServer, params: lsp.HoverParams) -> lsp.Hover | None:
    ls.flush()
    doc = ls.workspace.get_text_document(params.text_document.uri)
    lines = doc.lines
    if params.position.line >= len(lines):
        return None
    code = code_at(lines[params.position.line], params.position.character)
    text = rule_markdown(code) if code else None
    if text is None:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: MeshlintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    ls.flush()
    uri = params.text_document.uri
    path = uri_to_path(uri)
    if path is None:
        return []
    doc = ls.workspace.get_text_document(uri)
    wanted = params.range
    actions = []
    for finding, fix in ls.findings_of(uri):
        line = finding.location.line - 1
        if not (wanted.start.line <= line <= wanted.end.line or
                wanted.start.line <= finding.location.end_line - 1 <= wanted.end.line):
            continue
        diag = diagnostic(finding)
        if isinstance(fix, Fix):
            actions.append(lsp.CodeAction(
                title=f"meshlint: {fix.title} ({fix.safety} fix)", kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diag], edit=workspace_edit(fix), is_preferred=fix.safety == "safe"))
        line_text = doc.lines[line] if line < len(doc.lines) else ""
        actions.append(lsp.CodeAction(
            title=f"meshlint: ignore {finding.rule} on this line", kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diag], edit=ignore_edit(path, finding, line_text.rstrip("\n"))))
    return actions


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: MeshlintServer, params: None) -> None:
    ls.shut_down = True


def serve() -> None:
    """Serve on stdio until `exit`; the exit code says whether `shutdown` came first (LSP).
    pygls closes stdout on exit, so the process ends here, without the CLI's flush."""
    gc.enable()  # the CLI pauses the collector for short runs; a server lives long, and each
    # check leaves a model with reference cycles (~200 MB on the corpus) to collect
    server.start_io()
    os._exit(0 if server.shut_down else 1)

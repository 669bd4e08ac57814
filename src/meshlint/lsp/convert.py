"""Findings and fixes as LSP values (lsprotocol types): diagnostics, workspace edits,
the inline suppression comment, and the hover text of a rule code."""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from meshlint.findings import Finding, Severity
from meshlint.fix import Fix, TextEdit
from meshlint.knowledge import rule_doc
from meshlint.lsp.uris import path_to_uri
from meshlint.report.ruledocs import doc_url

SOURCE = "meshlint"
_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.INFO: lsp.DiagnosticSeverity.Information}


def diagnostic(finding: Finding) -> lsp.Diagnostic:
    loc = finding.location
    start = lsp.Position(max(0, loc.line - 1), max(0, loc.column - 1))
    end_line = max(loc.end_line, loc.line) - 1
    end_col = loc.end_column - 1 if loc.end_column > 0 else start.character
    if end_line == start.line and end_col <= start.character:
        end_col = start.character + 1
    doc = rule_doc(finding.rule)
    return lsp.Diagnostic(
        range=lsp.Range(start, lsp.Position(end_line, end_col)),
        message=finding.message, severity=_SEVERITY[finding.severity], source=SOURCE,
        code=finding.rule,
        code_description=lsp.CodeDescription(href=doc_url(doc.id)) if doc is not None else None,
        data={"fingerprint": finding.fingerprint})


def workspace_edit(fix: Fix) -> lsp.WorkspaceEdit:
    changes: dict[str, list[lsp.TextEdit]] = {}
    for e in fix.edits:
        changes.setdefault(path_to_uri(e.path), []).append(text_edit(e))
    return lsp.WorkspaceEdit(changes=changes)


def text_edit(e: TextEdit) -> lsp.TextEdit:
    end_line, end_col = e.end
    return lsp.TextEdit(range=lsp.Range(lsp.Position(e.line - 1, e.column - 1),
                                        lsp.Position(end_line - 1, end_col - 1)), new_text=e.new)


def ignore_edit(path: str, finding: Finding, line_text: str) -> lsp.WorkspaceEdit:
    """`# meshlint: ignore[CODE] reason` at the end of the finding's line."""
    line = finding.location.line - 1
    comment = f"# meshlint: ignore[{finding.rule}] reason"
    if "meshlint: ignore[" in line_text:  # add the code to the comment already there
        m = re.search(r"meshlint: ignore\[([^\]]*)\]", line_text)
        assert m is not None
        at = m.end(1)
        edit = lsp.TextEdit(range=lsp.Range(lsp.Position(line, at), lsp.Position(line, at)),
                            new_text=f",{finding.rule}")
    else:
        end = len(line_text.rstrip("\r"))
        pad = "" if line_text[:end].endswith(" ") else " "
        edit = lsp.TextEdit(range=lsp.Range(lsp.Position(line, end), lsp.Position(line, end)),
                            new_text=f"{pad}{comment}")
    return lsp.WorkspaceEdit(changes={path_to_uri(path): [edit]})


_CODE_AT = re.compile(r"meshlint:\s*ignore(?:-file)?\[([^\]]*)\]")


def code_at(line_text: str, character: int) -> str | None:
    """The rule code under the cursor inside a `meshlint: ignore[...]` comment."""
    for m in _CODE_AT.finditer(line_text):
        offset = m.start(1)
        for code in m.group(1).split(","):
            stripped = code.strip()
            start = offset + code.index(stripped) if stripped else offset
            if stripped and start <= character <= start + len(stripped):
                return stripped.upper()
            offset += len(code) + 1
    return None


def rule_markdown(code: str) -> str | None:
    """`meshlint rule CODE` as markdown."""
    doc = rule_doc(code)
    if doc is None:
        return None
    parts = [f"**{doc.id} {doc.name}** ({doc.severity}, family {doc.family})", doc.summary,
             "**Why it matters**\n\n" + doc.description, "**How to fix**\n\n" + doc.fix,
             f"Automatic fix: {doc.autofix or 'none'}", "```\n" + doc.example + "\n```", doc_url(doc.id)]
    return "\n\n".join(parts)

"""The language server (`meshlint lsp`): diagnostics of a file's whole project computed
with the editor's unsaved buffers, hover on rule codes, and code actions (fixes, inline
suppressions). pygls is imported only by `server`; `project` and `convert` are plain."""

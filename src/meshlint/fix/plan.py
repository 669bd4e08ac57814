"""From a run to changed files: each finding's fix (from the model of its scope), the
edits grouped per file, applied, and re-parsed with meshlint's own parsers (a file that
would no longer parse is left as it is)."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Iterable, Mapping

from msgspec import Struct, field

from meshlint.discover import FileEntry
from meshlint.findings import Finding
from meshlint.fix.context import FixContext
from meshlint.fix.edits import (
    EditConflict,
    Fix,
    NoFix,
    Safety,
    TextEdit,
    apply_edits,
    unified_diff,
)
from meshlint.fix.registry import fix_for
from meshlint.parse import parse_data

Reader = Callable[[str], "str | None"]


def disk_reader(overlay: Mapping[str, bytes] | None = None) -> Reader:
    """Read a file's text: the overlay's bytes (unsaved buffers) first, then the disk."""
    def read(abspath: str) -> str | None:
        if overlay and abspath in overlay:
            return overlay[abspath].decode("utf-8", "replace")
        try:
            with open(abspath, encoding="utf-8", newline="") as fh:
                return fh.read()
        except (OSError, UnicodeDecodeError):
            return None
    return read


def fixes_for_run(run, as_of: _dt.date, read: Reader | None = None) -> list[tuple[Finding, Fix | NoFix]]:
    """Every finding of the run whose rule has a fixer, with its fix or why there is none."""
    read = read or disk_reader()
    abspath_of = {e.path: e.abspath for e in run.discovery.files}
    contexts = {m.scope: FixContext(m, as_of, abspath_of, read) for m in run.models}
    out: list[tuple[Finding, Fix | NoFix]] = []
    for finding in run.report.findings:
        ctx = contexts.get(finding.scope)
        if ctx is None:
            continue
        fix = fix_for(finding, ctx)
        if fix is not None:
            out.append((finding, fix))
    return out


class FileChange(Struct):
    abspath: str
    display: str
    before: str
    after: str
    fixes: list[tuple[Finding, Fix]] = field(default_factory=list)

    def diff(self) -> str:
        return unified_diff(self.display, self.before, self.after)


class Plan(Struct):
    changes: list[FileChange]
    skipped: list[tuple[Finding, str]]  # (finding, why its fix was not applied)
    unsafe_left: int  # unsafe fixes left out (no --unsafe-fixes)


def plan(pairs: Iterable[tuple[Finding, Fix | NoFix]], entries: Iterable[FileEntry], read: Reader,
         unsafe: bool = False) -> Plan:
    by_path = {e.abspath: e for e in entries}
    per_file: dict[str, list[tuple[Finding, Fix]]] = {}
    skipped: list[tuple[Finding, str]] = []
    unsafe_left = 0
    for finding, fix in pairs:
        if isinstance(fix, NoFix):
            skipped.append((finding, fix.reason))
            continue
        if fix.safety is Safety.UNSAFE and not unsafe:
            unsafe_left += 1
            continue
        files = {e.path for e in fix.edits}
        if len(files) != 1:
            skipped.append((finding, "a fix across several files"))
            continue
        per_file.setdefault(files.pop(), []).append((finding, fix))
    changes = []
    for abspath, fixes in sorted(per_file.items()):
        change = _change(abspath, fixes, by_path.get(abspath), read, skipped)
        if change is not None:
            changes.append(change)
    return Plan(changes, skipped, unsafe_left)


def _change(abspath: str, fixes: list[tuple[Finding, Fix]], entry: FileEntry | None, read: Reader,
            skipped: list[tuple[Finding, str]]) -> FileChange | None:
    before = read(abspath)
    if before is None or entry is None:
        skipped.extend((f, "the file cannot be read") for f, _ in fixes)
        return None
    text, applied = before, []
    accepted: list[TextEdit] = []
    for finding, fix in fixes:  # one by one, on the original positions: a conflicting or
        try:                    # stale fix is skipped alone
            text = apply_edits(before, accepted + list(fix.edits))
        except EditConflict as why:
            skipped.append((finding, str(why)))
            continue
        accepted.extend(fix.edits)
        applied.append((finding, fix))
    if text == before:
        return None
    problem = parse_problem(entry, text)
    if problem is not None:
        skipped.extend((f, f"the fixed file would not parse ({problem}); left unchanged") for f, _ in applied)
        return None
    return FileChange(abspath, entry.path, before, text, applied)


def parse_problem(entry: FileEntry, text: str) -> str | None:
    """Why `text` does not parse as `entry`'s kind of file, or None when it does."""
    parsed = parse_data(entry, text.encode("utf-8"))
    if parsed.error is not None:
        return parsed.error.message
    if parsed.yaml is not None and parsed.yaml.error is not None:
        return parsed.yaml.error[2]
    return None


def write(changes: Iterable[FileChange]) -> None:
    """Write each changed file in place (through a temporary file, so a failure leaves
    the old file whole)."""
    for change in changes:
        tmp = change.abspath + ".meshlint-fix.tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(change.after)
        try:
            os.chmod(tmp, os.stat(change.abspath).st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, change.abspath)

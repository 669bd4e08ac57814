"""`meshlint fix`: check, compute the fixes, then write them (or print them as a diff)."""

from __future__ import annotations

from collections.abc import Callable

from msgspec.structs import replace

from meshlint.fix.plan import Plan, disk_reader, fixes_for_run, plan, write


def fix_paths(options, show_diff: bool, unsafe: bool, echo: Callable[[str], None],
              note: Callable[[str], None]) -> int:
    """Fix what `options` selects; exit code 1 when `--diff` found something to fix."""
    from meshlint.engine import run  # lazy: start-up time

    options = replace(options, cache=False)  # the fixes read the models (a cached run has none)
    result = run(options)
    read = disk_reader()
    pairs = fixes_for_run(result, options.as_of, read)
    done = plan(pairs, result.discovery.files, read, unsafe=unsafe)
    if show_diff:
        for change in done.changes:
            echo(change.diff())
    else:
        write(done.changes)
    _summary(done, show_diff, note)
    return 1 if show_diff and done.changes else 0


def _summary(done: Plan, show_diff: bool, note: Callable[[str], None]) -> None:
    count = sum(len(c.fixes) for c in done.changes)
    verb = "would fix" if show_diff else "fixed"
    note(f"{verb} {count} finding{'s' if count != 1 else ''} in {len(done.changes)} "
         f"file{'s' if len(done.changes) != 1 else ''}")
    if done.unsafe_left:
        note(f"{done.unsafe_left} more fixable with --unsafe-fixes")
    for finding, why in done.skipped:
        note(f"{finding.location}: {finding.rule} not fixed: {why}")

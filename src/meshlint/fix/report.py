"""Fixes in reports: a fix as plain data (JSON `fixes`) and as a SARIF 2.1.0 `fix`
(`artifactChanges` with `replacements`). Only edits.py is imported: reporters call this."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from meshlint.fix.edits import Fix


def fix_record(fix: Fix) -> dict:
    """A fix as plain data (what the JSON report carries, and Report.fixes holds)."""
    return {"title": fix.title, "safety": str(fix.safety),
            "edits": [{"path": e.path, "line": e.line, "column": e.column, "end_line": e.end[0],
                       "end_column": e.end[1], "old": e.old, "new": e.new} for e in fix.edits]}


def json_fix(record: dict, display: Callable[[str], str]) -> dict:
    """The JSON report's form: paths as the report shows them."""
    return {**record, "edits": [{**e, "path": display(e["path"])} for e in record["edits"]]}


def sarif_fix(record: dict, uri_of: Callable[[str], str]) -> dict:
    """A SARIF `fix` object: one artifactChange per file, one replacement per edit."""
    by_file: dict[str, list[dict]] = {}
    for e in record["edits"]:
        region = {"startLine": e["line"], "startColumn": e["column"],
                  "endLine": e["end_line"], "endColumn": e["end_column"]}
        by_file.setdefault(e["path"], []).append(
            {"deletedRegion": region, "insertedContent": {"text": e["new"]}})
    return {"description": {"text": f"{record['title']} ({record['safety']} fix)"},
            "artifactChanges": [{"artifactLocation": {"uri": uri_of(path), "uriBaseId": "SRCROOT"},
                                 "replacements": replacements}
                                for path, replacements in sorted(by_file.items())]}


def attach(run, as_of, overlay: Mapping[str, bytes] | None = None) -> None:
    """Put each finding's fix on the run's report (`report.fixes`, by fingerprint), planned
    on the text the run checked (`overlay`: unsaved buffers read instead of the disk)."""
    from meshlint.fix.plan import disk_reader, fixes_for_run  # lazy: only runs that report fixes need it

    for finding, fix in fixes_for_run(run, as_of, disk_reader(overlay)):
        if isinstance(fix, Fix):
            run.report.fixes[finding.fingerprint] = fix_record(fix)

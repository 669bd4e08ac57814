"""Text, in two styles. `concise` (the default when piped): `path:line:col: CODE [severity]
message`, one per line, then a summary. `full` (the default at a terminal): see fullfmt.
`quiet`: the summary alone."""

from __future__ import annotations

from meshlint.findings import Report
from meshlint.report.fullfmt import render_full
from meshlint.report.safety import clean, neutralise
from meshlint.report.style import Palette
from meshlint.report.summary import summary_line

__all__ = ["clean", "render", "summary_line"]


def render(report: Report, verbose: bool = False, style: str = "concise", color: bool = False,
           quiet: bool = False, width: int = 100, **_) -> str:
    palette = Palette(color)
    if quiet:
        return neutralise(palette.paint(summary_line(report), "bold") + "\n")
    if style == "full":
        return render_full(report, palette, width=width, verbose=verbose)
    lines = []
    for f in report.findings:
        loc = f.location
        where = f"{clean(loc.path)}:{loc.line}:{loc.column}:"
        if palette.enabled:  # a colour code would hide a `::` at the line's start from neutralise
            where = neutralise(where)
        lines.append(f"{palette.paint(where, 'bold')} {palette.severity(f.rule, f.severity)} "
                     f"[{f.severity}] {clean(f.message)}")
    if verbose:
        for note in report.notes:
            lines.append(f"note: {clean(note)}")
    lines.append(summary_line(report))
    return neutralise("\n".join(lines) + "\n")

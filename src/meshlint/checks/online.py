"""Notes about online lookups (--online): what could not be asked, so that a silence is
never mistaken for a clean bill of health."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.checks.base import CheckContext, Reporter, rule
from meshlint.findings import Finding
from meshlint.model import Model


@rule("MESH003")
def lookup_failed(model: Model, ctx: CheckContext, report: Reporter) -> Iterator[Finding]:
    seen = set()
    for rel in model.releases:
        error = getattr(rel.available, "error", None)
        if not error or (rel.repository, error) in seen:
            continue
        seen.add((rel.repository, error))
        message = (f"could not read the chart repository for {rel.object}: {error}. Online "
                   f"checks for it were skipped; the offline checks still ran.")
        yield report(message, rel.location, object=rel.object, detail=str(rel.repository))
    # one note per registry and error: an unreachable registry is one problem, not N
    grouped: dict[str, list] = {}
    for loc, image, error in model.lookup_failures:
        grouped.setdefault(error, []).append((loc, image))
    for error, items in sorted(grouped.items()):
        images = sorted({image for _, image in items})
        shown = ", ".join(images[:5]) + (f" and {len(images) - 5} more" if len(images) > 5 else "")
        message = (f"could not read the platforms of {shown}: {error}. Architecture checks for "
                   f"{'it' if len(images) == 1 else 'them'} used only meshlint's offline data.")
        yield report(message, items[0][0], object=images[0], detail=error)

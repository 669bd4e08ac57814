"""docs/rules.md, generated from the rule catalog (`meshlint rules --format markdown`), and
the link to each rule's section there (SARIF helpUri, the full text style).

Each rule is a `## MESH501` heading, so GitHub's anchor for it is the lower-cased code
(`#mesh501`): GitHub lower-cases a heading, drops punctuation and turns spaces into hyphens.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalog loads only when markdown is asked for, not with every report
    from meshlint.knowledge.catalog import RuleDoc

DOCS_PAGE = "https://github.com/meshlint/meshlint/blob/main/docs/rules.md"


def anchor(code: str) -> str:
    return code.lower()


def doc_url(code: str) -> str:
    return f"{DOCS_PAGE}#{anchor(code)}"


def markdown(docs: Iterable[RuleDoc]) -> str:
    docs = list(docs)
    out = ["# meshlint rules", "",
           "Generated from `rules/catalog/` by `meshlint rules --format markdown > docs/rules.md`;",
           "do not edit by hand (a test checks it is up to date).", "",
           "| code | name | severity | summary |", "|---|---|---|---|"]
    out += [f"| [{d.id}](#{anchor(d.id)}) | {d.name} | {d.severity} | {_cell(d.summary)} |" for d in docs]
    for d in docs:
        out += ["", f"## {d.id}", "",
                f"`{d.name}` · default severity **{d.severity}** · family {d.family}", "",
                d.summary, "", "### Why it matters", "", d.description, "",
                "### How to fix", "", d.fix, "", "### Example", "", "```", d.example, "```"]
        if d.references:
            out += ["", "### References", ""] + [f"* {r}" for r in d.references]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")

"""README sections and their fenced code blocks, for tests that keep the README's snippets true."""

from __future__ import annotations

import re

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_section(title: str) -> str:
    """The README text directly under a heading, up to the next heading (a `#` line inside a
    fenced code block is a comment, not a heading)."""
    lines = README.splitlines(keepends=True)
    fenced = False
    start = None
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#+) (.*)\n", line)
        if heading is None:
            continue
        if start is not None:
            return "".join(lines[start:i])
        if heading.group(2) == title:
            start = i + 1
    assert start is not None, f"README has no section {title!r}"
    return "".join(lines[start:])


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", text, re.M | re.S)

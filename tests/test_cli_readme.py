"""The README's error examples are what the CLI really prints (one line, exit 2)."""

from __future__ import annotations

import re
import shlex

from conftest import REPO, meshlint_cli

EXAMPLE = REPO / "examples" / "shop-platform"


def _examples() -> list[tuple[dict[str, str], list[str], str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"^\$ ((?:\w+=\S+ )*)meshlint (.*)$", line)
        if m and "#" not in line and lines[i + 1].startswith("Error: "):
            env = dict(kv.split("=", 1) for kv in m.group(1).split())
            out.append((env, shlex.split(m.group(2)), lines[i + 1]))
    return out


def test_readme_error_examples_match_the_cli():
    examples = _examples()
    assert len(examples) >= 4
    for env, args, wanted in examples:
        proc = meshlint_cli(*args, cwd=EXAMPLE, env=env)
        assert proc.returncode == 2, args
        assert proc.stderr.replace("python -m meshlint", "meshlint") == wanted + "\n", args

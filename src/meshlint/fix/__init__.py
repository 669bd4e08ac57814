"""Fixes: computed after the checks, from a finding and the model of its scope, as text
edits at the positions the model recorded (`meshlint fix`, the language server's code
actions, and the `fixes` of JSON and SARIF reports).

Each rule with a fixer registers it in `registry.FIXERS` (fix_versions, fix_injection,
fix_cost, fix_lifecycle, fix_kiali, fix_unpinned); a fix is safe or unsafe; a value that is not one literal in one
place gets a `NoFix` saying why.
"""

from __future__ import annotations

from meshlint.fix import fix_cost, fix_injection, fix_kiali, fix_lifecycle, fix_unpinned, fix_versions  # noqa: F401,E501 (register the fixers)
from meshlint.fix.edits import Fix, NoFix, Safety, TextEdit, apply_edits
from meshlint.fix.plan import FileChange, Plan, disk_reader, fixes_for_run, plan, write
from meshlint.fix.registry import FIXERS, fix_for

__all__ = ["FIXERS", "FileChange", "Fix", "NoFix", "Plan", "Safety", "TextEdit", "apply_edits",
           "disk_reader", "fix_for", "fixes_for_run", "plan", "write"]

"""How text output looks: the style (concise or full) and whether it is coloured.

Colour is decided once, in this order: `--color always|never`; then `NO_COLOR` (set and not
empty: no colour, https://no-color.org); then `FORCE_COLOR` (set and not empty: colour even
when piped, https://force-color.org); then colour only on a terminal (and not TERM=dumb).
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct

STYLES = ("concise", "full")
COLOR_CHOICES = ("auto", "always", "never")


def default_style(to_terminal: bool) -> str:
    """`full` for a person at a terminal, `concise` (one line per finding) for pipes and files."""
    return "full" if to_terminal else "concise"


def use_color(choice: str, to_terminal: bool, env: Mapping[str, str]) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return to_terminal and env.get("TERM") != "dumb"


_CODES = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "blue": "34", "cyan": "36",
          "bold red": "1;31", "bold yellow": "1;33", "bold cyan": "1;36", "bold blue": "1;34"}
SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}


class Palette(Struct, frozen=True):
    """Wraps already-cleaned text in ANSI styles, or leaves it alone when colour is off."""

    enabled: bool = False

    def paint(self, text: str, style: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\x1b[{_CODES[style]}m{text}\x1b[0m"

    def severity(self, text: str, severity: str) -> str:
        return self.paint(text, SEVERITY_STYLE.get(severity, "bold"))

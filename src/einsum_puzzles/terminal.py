"""Text that is safe to print on a terminal: no control characters (escape sequences, bells, ...)."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (newline and tab kept), DEL, and the bidirectional overrides."""


def printable(text: str) -> str:
    """``text`` with every control character removed; lines and tabs stay as they are."""
    return CONTROL.sub("", text)

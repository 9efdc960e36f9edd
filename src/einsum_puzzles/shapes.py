"""Shapes written as text, as the command line, the notebooks' magic and the web app take them."""

from __future__ import annotations


class ShapeSyntaxError(ValueError):
    """A shape that cannot be read; the message shows how to write one."""


def parse_shape(text: str) -> tuple[int, ...]:
    """``'3x2'`` -> ``(3, 2)``; ``'scalar'`` (or ``'()'``) -> ``()``."""
    cleaned = text.strip().lower()
    if cleaned in ("scalar", "()"):
        return ()
    parts = cleaned.replace("×", "x").split("x")
    if not cleaned or not all(part.isascii() and part.isdigit() for part in parts):  # '²' is a digit to str
        raise ShapeSyntaxError(
            f"cannot read the shape {text!r}: write sizes with the digits 0-9 joined by 'x', such as 3x2 or 2x3x4, "
            "or 'scalar' for 0-d"
        )
    return tuple(int(part) for part in parts)

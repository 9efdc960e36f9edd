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


def parse_shape_answer(text: str) -> tuple[int, ...]:
    """A predicted shape as a learner types it: ``3x4``, or numpy's way, ``(3, 4)``, ``(5,)``, ``5,``, ``5``,
    ``()``, or ``scalar``. Raises ShapeSyntaxError when it is none of those."""
    cleaned = text.strip()
    if not cleaned:
        raise ShapeSyntaxError("no shape given: write one such as 3x4, (3, 4), (5,) or scalar")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = cleaned[1:-1]
    if "," in cleaned:
        parts = [part.strip() for part in cleaned.split(",")]
        if parts and parts[-1] == "":  # numpy's one-element tuple: (5,)
            parts.pop()
        cleaned = "x".join(parts)
    return parse_shape(cleaned if cleaned.strip() else "()")

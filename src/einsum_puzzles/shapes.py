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


SHAPE_ANSWER_FORMS = "2x4, 2 x 4, (2, 4) or [2, 4]; (5,) or 5 for 1-d; () or scalar for 0-d"
"""The spellings ``parse_shape_answer`` reads, as the quiz shows them to the learner."""


def parse_shape_answer(text: str) -> tuple[int, ...]:
    """A predicted shape as a learner types it: ``2x4``, ``2 x 4``, 2 and 4 joined by the multiplication
    sign, or numpy's way, ``(2, 4)``, ``2,4``, ``[2, 4]``, ``(5,)``, ``5``, and ``()``, ``[]`` or ``scalar``
    for 0-d. Raises ShapeSyntaxError (saying what was not understood and how to write a shape) otherwise."""
    cleaned = text.strip()
    if not cleaned:
        raise ShapeSyntaxError(f"no shape given: write one such as {SHAPE_ANSWER_FORMS}")
    if cleaned[0] + cleaned[-1] in ("()", "[]"):
        cleaned = cleaned[1:-1].strip()
    if "," in cleaned:
        parts = [part.strip() for part in cleaned.split(",")]
        if len(parts) > 1 and parts[-1] == "":  # numpy's one-element tuple: (5,)
            parts.pop()
        cleaned = "x".join(parts) if all(parts) else "x"  # an empty size, as in '(2,,4)' or ',', is unreadable
    cleaned = "x".join(part.strip() for part in cleaned.replace("×", "x").replace("X", "x").split("x"))
    try:
        return parse_shape(cleaned if cleaned else "()")
    except ShapeSyntaxError:
        raise ShapeSyntaxError(
            f"could not read {text.strip()!r} as a shape: write the sizes as whole numbers, such as "
            f"{SHAPE_ANSWER_FORMS}"
        ) from None

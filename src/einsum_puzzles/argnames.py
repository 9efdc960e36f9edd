"""Names for einsum arguments when one array is passed more than once: ``x, x`` is drawn as ``x`` and ``x_2``.

The second name is made up (no array is called ``x_2``), so wherever it is shown, ``repeat_note`` says once
what it stands for: ``"x_2 is the second argument: the same array x, passed again."``
"""

from __future__ import annotations

import re
from collections.abc import Sequence

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def distinct_names(arguments: Sequence[str]) -> tuple[str, ...]:
    """``("x", "w", "x")`` -> ``("x", "w", "x_2")``: an array passed again gets ``_2``, ``_3``..."""
    names: list[str] = []
    for index, name in enumerate(arguments):
        count = list(arguments[:index]).count(name)
        names.append(name if count == 0 else f"{name}_{count + 1}")
    return tuple(names)


def repeat_note(arguments: Sequence[str], *texts: str) -> str:
    """One sentence per made-up name that ``texts`` mention (every one when no text is given); "" if none."""
    sentences = []
    for position, (name, base) in enumerate(zip(distinct_names(arguments), arguments)):
        if name == base:
            continue
        mentioned = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
        if texts and not any(mentioned.search(text) for text in texts):
            continue
        ordinal = ORDINALS[position] if position < len(ORDINALS) else f"{position + 1}th"
        sentences.append(f"{name} is the {ordinal} argument: the same array {base}, passed again.")
    return " ".join(sentences)

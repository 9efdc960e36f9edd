"""How the quiz page shows question text: quoted einsum subscripts become ``<code class="subscript">``,
which the style sheet keeps on one line, so a narrow screen wraps between words, never inside 'ij,kl->ljki'."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_QUOTED_SUBSCRIPT = re.compile(r"'([A-Za-z.,\->]*[A-Za-z.][A-Za-z.,\->]*)'")
"""A single-quoted run of letters, commas, dots and arrows: 'ij,jk->ik', ',blm->blm', 'ii'."""


def mark_subscripts(text: str) -> Markup:
    """``text`` escaped for HTML, with each quoted subscript wrapped in ``<code class="subscript">``."""
    pieces: list[str] = []
    position = 0
    for match in _QUOTED_SUBSCRIPT.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(Markup('<code class="subscript">{}</code>').format(match.group(0)))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)

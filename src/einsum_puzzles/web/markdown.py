"""Lessons as HTML, through markdown-it-py (CommonMark, raw HTML in the source disabled and escaped).

A fenced ```einsum block holds worked examples, one ``SUBSCRIPT SHAPE...`` a line; each is shown as
the terminal shows it (the annotated diagram) with the explainer's picture of the tensors beside it.
Headings move one level down so that the page keeps a single ``<h1>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ..curriculum import parse_example
from ..errors import EinsumError
from ..explainer import explain


def example_html(line: str) -> str:
    """One worked example: the subscript, the terminal's diagram and the SVG picture."""
    try:
        subscript, shapes = parse_example(line)
        e = explain(subscript, *shapes)
    except (EinsumError, ValueError):
        return f"<pre tabindex='0'><code>{escape(line)}</code></pre>"
    shape_words = ", ".join(str(shape) for shape in shapes)
    return (
        '<figure class="ep-example">'
        f"<figcaption><code>{escape(subscript)}</code> on shapes {escape(shape_words)}: "
        f"{escape(e.operation.name)}</figcaption>"
        f'<pre class="ep-diagram" tabindex="0">{escape(e.diagram)}</pre>'
        f'<div class="ep-picture" tabindex="0" role="region" aria-label="picture">{e.picture(style=False)}</div>'
        "</figure>"
    )


def _fence(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    if token.info.strip() == "einsum":
        if env.get("examples", True):
            return "".join(example_html(line.strip()) for line in token.content.splitlines() if line.strip())
        return ""
    return f"<pre tabindex='0'><code>{escape(token.content)}</code></pre>\n"


def _code_block(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    # focusable: a long line scrolls inside the block, and the keyboard can scroll it
    return f"<pre tabindex='0'><code>{escape(tokens[idx].content)}</code></pre>\n"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_block)
    return md


def render(markdown: str, skip_title: bool = False, examples: bool = True) -> str:
    """The lesson's HTML; ``skip_title`` drops the first-level heading, ``examples`` keeps the worked examples."""
    md = _parser()
    env: dict[str, Any] = {"examples": examples}
    tokens = md.parse(markdown, env)
    kept: list[Token] = []
    skipping = False
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h1" and skip_title:
            skipping = True
            continue
        if skipping:
            if token.type == "heading_close":
                skipping = False
            continue
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        if token.type == "table_open":
            # a wide table scrolls inside its own box, not the page
            kept.append(Token("html_block", "", 0, content='<div class="table-scroll">'))
            kept.append(token)
            continue
        kept.append(token)
        if token.type == "table_close":
            kept.append(Token("html_block", "", 0, content="</div>"))
    # The wrappers above are the only html tokens: with "html" off, the source's own HTML was parsed as text.
    return str(md.renderer.render(kept, md.options, env))

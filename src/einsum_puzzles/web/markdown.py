"""A small Markdown renderer for the lessons (headings, paragraphs, lists, code, emphasis), with
```einsum blocks rendered by the explainer. Everything is escaped before any markup is added."""

from __future__ import annotations

import re
from html import escape

from ..curriculum import parse_example
from ..explainer import explain

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_NUMBER = re.compile(r"^\d+\. ")
_ITALIC = re.compile(r"(?<![*\w])\*([^*]+)\*(?![*\w])")


def inline(text: str) -> str:
    html = escape(text)
    html = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html)
    html = _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", html)
    return _ITALIC.sub(lambda m: f"<em>{m.group(1)}</em>", html)


def render(markdown: str, skip_title: bool = False, examples: bool = True) -> str:
    out: list[str] = []
    blocks = re.split(r"\n\s*\n", markdown.strip())
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if block.startswith("```"):
            # a fenced block may contain blank lines: gather until its closing fence
            while not block.rstrip().endswith("```") and index < len(blocks):
                block += "\n\n" + blocks[index]
                index += 1
            lines = block.strip().splitlines()
            language, body = lines[0][3:].strip(), [line for line in lines[1:-1] if line.strip()]
            if language == "einsum":
                if examples:
                    for line in body:
                        subscript, shapes = parse_example(line)
                        out.append(
                            f'<div class="ep-example">{explain(subscript, *shapes).html(include_style=False)}</div>'
                        )
            else:
                out.append(f"<pre><code>{escape(chr(10).join(lines[1:-1]))}</code></pre>")
            continue
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            if skip_title and level == 1:
                continue
            out.append(f"<h{level + 1}>{inline(block.lstrip('#').strip())}</h{level + 1}>")
        elif block.lstrip().startswith(("- ", "* ")) and all(
            line.lstrip().startswith(("- ", "* ")) or line.startswith("  ") for line in block.splitlines()
        ):
            items: list[str] = []
            for line in block.splitlines():
                if line.lstrip().startswith(("- ", "* ")):
                    items.append(line.lstrip()[2:])
                else:
                    items[-1] += " " + line.strip()
            out.append("<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>")
        elif all(line.startswith("    ") for line in block.splitlines()):
            out.append(f"<pre><code>{escape(chr(10).join(line[4:] for line in block.splitlines()))}</code></pre>")
        elif re.match(r"^\d+\. ", block):
            items = [_NUMBER.sub("", item) for item in re.split(r"\n(?=\d+\. )", block)]
            out.append("<ol>" + "".join(f"<li>{inline(' '.join(item.split()))}</li>" for item in items) + "</ol>")
        else:
            out.append(f"<p>{inline(' '.join(block.split()))}</p>")
    return "\n".join(out)

"""The CLI's Markdown page as HTML for the web page: steps folded, the textbook form on top.

markdown-it-py reads the Markdown the CLI prints (`--format md`, in either language) with its
`$…$`/`$$…$$` math kept as LaTeX (`<span class="math inline">`, `<div class="math block">`), which
KaTeX typesets in the browser. Raw HTML in the Markdown is escaped, never passed through: the page
echoes what a user typed. Inside each `##` section the steps (a paragraph that opens with a bold
"Step N." / "第 N 步：", its formula and the lines that follow it) become one `<details>` each,
after the section's result, so the first thing read is the form a textbook prints; a section with
no steps and no result (the facts the steps use, derived once) is folded as a whole.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin


@functools.lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table").use(dollarmath_plugin, double_inline=True)


@dataclass(frozen=True)
class _Block:
    """One top-level block of the page: its tokens and what it is (heading, step, label, math, text)."""

    tokens: tuple[Token, ...]
    kind: str
    level: int = 0  # heading level


def _blocks(tokens: list[Token]) -> list[_Block]:
    out: list[_Block] = []
    start = 0
    depth = 0
    for n, tok in enumerate(tokens):
        depth += tok.nesting
        if depth == 0:
            group = tuple(tokens[start:n + 1])
            out.append(_classify(group))
            start = n + 1
    return out


def _classify(group: tuple[Token, ...]) -> _Block:
    first = group[0]
    if first.type == "heading_open":
        return _Block(group, "heading", int(first.tag[1:]))
    if first.type == "math_block":
        return _Block(group, "math")
    if first.type == "paragraph_open" and len(group) > 1 and group[1].children:
        children = [c for c in group[1].children if not (c.type == "text" and not c.content)]
        if children and children[0].type == "strong_open":
            label = "".join(c.content for c in children[1:3] if c.type == "text")
            return _Block(group, "step" if re.search(r"\d", label) else "label")
    return _Block(group, "text")


def _html(blocks: list[_Block]) -> str:
    md = _md()
    return "".join(md.renderer.render(list(b.tokens), md.options, {}) for b in blocks)


def _inline(block: _Block) -> str:
    """A heading's or a paragraph's content without its tags (for a <summary>)."""
    md = _md()
    return cast(RendererHTML, md.renderer).renderInline(block.tokens[1].children or [], md.options, {})


def _step(blocks: list[_Block]) -> str:
    """One step: its heading line as the summary, its formula and notes inside."""
    return f'<details class="step"><summary>{_inline(blocks[0])}</summary>\n{_html(blocks[1:])}</details>\n'


def _section(blocks: list[_Block], steps_label: str) -> str:
    """A section (heading and what follows): what precedes the steps, then what follows them (the
    result, the vector form), then the steps, each folded."""
    before: list[_Block] = []
    after: list[_Block] = []
    steps: list[list[_Block]] = []
    for block in blocks:
        if block.kind == "step":
            steps.append([block])
        elif steps and not after and _belongs_to_step(steps[-1], block):
            steps[-1].append(block)
        elif steps:
            after.append(block)
        else:
            before.append(block)
    if not steps:
        return _html(blocks)
    folded = "".join(_step(s) for s in steps)
    return (_html(before) + f'<div class="result">{_html(_textbook_first(after))}</div>\n'
            + f'<div class="steps"><p class="steps-label">{steps_label} ({len(steps)})</p>\n{folded}</div>\n')


def _textbook_first(blocks: list[_Block]) -> list[_Block]:
    """The result's parts, the last labelled one first: the page prints the index form, then the
    matrix ("Vector form") the textbook prints, which the web page shows on top."""
    starts = [n for n, b in enumerate(blocks) if b.kind == "label"]
    if not starts or starts[-1] == 0:
        return blocks
    return blocks[starts[-1]:] + blocks[:starts[-1]]


def _belongs_to_step(step: list[_Block], block: _Block) -> bool:
    """A step is its heading line, its first formula, and the plain lines under that formula
    ("using …"); a second formula or a bold label starts what follows the steps."""
    has_math = any(b.kind == "math" for b in step)
    if block.kind == "math":
        return not has_math
    return block.kind == "text"


def worked_html(markdown: str, steps_label: str = "Steps") -> str:
    """The page's HTML for one `derive --format md` (or any CLI Markdown) page."""
    return _worked(_blocks(_md().parse(markdown)), steps_label)


def _worked(blocks: list[_Block], steps_label: str) -> str:
    sections: list[list[_Block]] = [[]]
    for block in blocks:
        if block.kind == "heading" and block.level <= 2:
            sections.append([])
        sections[-1].append(block)
    parts = []
    for section in sections:
        if section and section[0].kind == "heading" and section[0].level == 2:
            if len(section) > 1 and not any(b.kind in ("step", "label") for b in section):  # the facts used
                parts.append(f'<details class="aside"><summary>{_inline(section[0])}</summary>\n'
                             f'{_html(section[1:])}</details>\n')
                continue
            parts.append(f'<section class="piece">{_section(section, steps_label)}</section>\n')
        else:
            parts.append(_section(section, steps_label))
    return "".join(parts)


_ROW = re.compile(r"<tr>\s*<td>(\d+)</td>\s*<td>✗</td>")


def verify_html(markdown: str, steps_label: str = "Steps") -> str:
    """The verify report's (or analyze's, optimize's) HTML, the first wrong line of a derivation
    marked `first-wrong`; the worked derivation of the true derivative that follows the verdict
    (a `##` heading right before the derivation's `#` title) folded, its steps folded inside."""
    blocks = _blocks(_md().parse(markdown))
    html = ""
    for n in range(len(blocks) - 1):
        if blocks[n].kind == "heading" and blocks[n].level == 2 and blocks[n + 1].level == 1:
            html = (f'<details class="aside"><summary>{_inline(blocks[n])}</summary>\n'
                    f'{_worked(blocks[n + 1:], steps_label)}</details>\n')
            blocks = blocks[:n]
            break
    marked = _ROW.sub(lambda m: m.group(0).replace("<tr>", '<tr class="first-wrong" id="first-wrong">', 1),
                      _html(blocks), count=1)
    return marked + html

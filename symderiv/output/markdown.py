"""The worked page as Markdown (notes, `--format md`): `$…$` inline and `$$…$$` display math.

Markdown math uses only commands that both MathJax and KaTeX know (tests render every formula with
KaTeX); see `symderiv.output.render.unportable`.
"""
from __future__ import annotations

import re

from symderiv.calculus.results import Derivation
from symderiv.output.templated import PagePrinter

_TALL = re.compile(r"\\(frac|dfrac|tfrac|sum|prod|int|begin|binom|sqrt|left[^(])")
_PAIR = re.compile(r"\\left\(|\\right\)")


class MarkdownPrinter(PagePrinter):
    """Markdown pages: `#` headings, or bold labels when the page is embedded in a note."""

    fmt = "md"

    def doprint(self, derivation: Derivation) -> str:
        page = super().doprint(derivation)
        # a page embedded in a note is left as the notes print their own formulas (notes may opt in)
        return page if self.embedded else plain_parentheses(page)

    def heading(self, text: str, depth: int = 0) -> str:
        if self.embedded:
            return f"**{text}**"
        return "#" * min(self.heading_level + depth, 6) + " " + text


def plain_parentheses(tex: str) -> str:
    """`\\left( x_{i} \\right)` -> `(x_{i})` where the parentheses hold nothing tall (no fraction,
    sum, matrix): they render the same, and the Markdown reads as one would type it. Pairs around
    something tall keep `\\left(…\\right)`, which grows with it."""
    stack: list[int] = []
    spans: list[tuple[int, int]] = []
    for m in _PAIR.finditer(tex):
        if m.group().startswith("\\left"):
            stack.append(m.start())
        elif stack:
            start = stack.pop()
            if not _TALL.search(tex[start + 6:m.start()]):
                spans.append((start, m.start()))
    return _replace(tex, spans)


def _replace(tex: str, spans: list[tuple[int, int]]) -> str:
    """`tex` with each (\\left( at, \\right) at) pair written as plain parentheses."""
    cut = {a: ("(", 6) for a, _ in spans} | {b: (")", 7) for _, b in spans}
    out, n = [], 0
    for at in sorted(cut):
        mark, width = cut[at]
        out += [tex[n:at], mark]
        n = at + width
    out.append(tex[n:])
    return "".join(out)

"""The worked page as Markdown (notes, `--format md`): `$…$` inline and `$$…$$` display math.

Markdown math uses only commands that both MathJax and KaTeX know (tests render every formula with
KaTeX); see `symderiv.output.render.unportable`.
"""
from __future__ import annotations

from symderiv.output.templated import PagePrinter


class MarkdownPrinter(PagePrinter):
    """Markdown pages: `#` headings, or bold labels when the page is embedded in a note."""

    fmt = "md"

    def heading(self, text: str, depth: int = 0) -> str:
        if self.embedded:
            return f"**{text}**"
        return "#" * min(self.heading_level + depth, 6) + " " + text

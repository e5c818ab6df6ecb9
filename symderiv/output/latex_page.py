"""The worked page as LaTeX (`--format tex`): a standalone article (amsmath, amssymb; CJKutf8 for
Chinese) that compiles with pdflatex, or its body alone with `fragment=True`."""
from __future__ import annotations

from symderiv.output.templated import PagePrinter
from symderiv.output.templating import tex_text

SECTIONS = ("section", "subsection", "subsubsection", "paragraph")


class LatexPagePrinter(PagePrinter):
    """LaTeX pages: starred sectioning commands, text escaped, math kept."""

    fmt = "tex"

    def heading(self, text: str, depth: int = 0) -> str:
        cmd = SECTIONS[min(self.heading_level - 1 + depth, len(SECTIONS) - 1)]
        return f"\\{cmd}*{{{tex_text(text)}}}"

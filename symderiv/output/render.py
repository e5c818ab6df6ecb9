"""Derivation -> a worked solution a learner keeps: Markdown (notes) or LaTeX (print), en / zh.

The printers walk the rule tree (rules never print themselves, as in SymPy's manualintegrate and
SymPy Gamma's step printer): `page.py` builds the page model, `markdown.py` and `latex_page.py` print
it through Jinja2 templates; `text.py` prints the plain-text page and `json.py` the JSON contract.
"""
from __future__ import annotations

from pathlib import Path

from symderiv.calculus.results import Derivation
from symderiv.core.errors import SymderivError
from symderiv.output.latex_page import LatexPagePrinter
from symderiv.output.markdown import MarkdownPrinter
from symderiv.output.templated import PagePrinter

PRINTERS: dict[str, type[PagePrinter]] = {"md": MarkdownPrinter, "tex": LatexPagePrinter}
FORMATS = tuple(PRINTERS)
# commands that only one of MathJax / KaTeX knows (or neither, in math mode): never emitted
UNPORTABLE = (r"\operatorname*", r"\DeclareMathOperator", r"\bm{", r"\intertext", r"\textup",
              r"\mathlarger", r"\dfrac*", r"\mbox")


def render(derivation: Derivation, fmt: str, lang: str = "en", template_dir: str | Path | None = None,
           fragment: bool = False, math_only: bool = False, embedded: bool = False,
           heading_level: int = 1) -> str:
    """The worked solution of `derivation` as Markdown (`md`) or LaTeX (`tex`).

    `fragment`: LaTeX body only (no preamble). `math_only`: only the results as one LaTeX
    `aligned` block (for Jupyter's `_repr_latex_`). `embedded`: no headings (for notes).
    """
    printer = PRINTERS.get(fmt)
    if printer is None:
        raise SymderivError(f"unknown format {fmt!r} (use md or tex)")
    return printer(lang, template_dir, fragment=fragment, math_only=math_only, embedded=embedded,
                   heading_level=heading_level).doprint(derivation)


def unportable(tex: str) -> list[str]:
    """The commands in `tex` that MathJax or KaTeX would not both render."""
    return [c for c in UNPORTABLE if c in tex]

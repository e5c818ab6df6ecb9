"""symderiv: step-by-step symbolic derivatives for machine-learning calculus.

Pipeline: `parse` (LaTeX -> Problem) -> `derive` (Problem -> Derivation, a tree of rule steps) ->
`render` (Derivation -> Markdown / LaTeX / text / JSON). `verify` and `verify_steps` check hand
derivations, `analyze` finds critical points and convexity, `optimize` runs gradient descent and
Newton's method, `work_note` turns a Markdown note into a worked one.

The verbs are functions defined here, each loading its stage when first called, so `import
symderiv` (and `symderiv --help`) costs no SymPy; no submodule carries a verb's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from symderiv.core.errors import DeriveError, ParseError, SymderivError, TimeLimitError, VerifyError

if TYPE_CHECKING:
    import sympy as sp

    from symderiv.analysis.api import Analysis, Optimization
    from symderiv.analysis.data import Dataset
    from symderiv.calculus.results import Derivation
    from symderiv.check.results import StepsResult, VerifyResult
    from symderiv.core.problem import Problem

__all__ = ["DeriveError", "ParseError", "SymderivError", "TimeLimitError", "VerifyError", "analyze", "derive",
           "optimize", "parse", "render", "verify", "verify_steps", "work_note"]
__version__ = "0.1.0"

DEFAULT_TIMEOUT = 20.0  # seconds; the same default as every command's --timeout
FORMATS = ("md", "tex", "text", "json")


def parse(latex: str, where: Sequence[str] = (), timeout: float = 1.5) -> Problem:
    """Read a formula and its `where` definitions into a Problem (what it means, as SymPy)."""
    from symderiv.parsing.parser import parse as _parse

    return _parse(latex, where, timeout=timeout)


def derive(problem_or_latex: Problem | str, wrt: str | Sequence[str] | None = None, hessian: bool = False,
           where: Sequence[str] = (), timeout: float | None = DEFAULT_TIMEOUT) -> Derivation:
    """The gradient (and Hessian) of a function, each derivative a tree of rule steps."""
    from symderiv.calculus.engine import derive as _derive

    return _derive(problem_or_latex, wrt=wrt, hessian=hessian, where=where, timeout=timeout)


def verify(latex_or_problem: str | Problem, wrt: str | None, claim: str | sp.Basic, where: Sequence[str] = (),
           timeout: float | None = DEFAULT_TIMEOUT, explain: bool = False) -> VerifyResult:
    """Is `claim` the derivative by `wrt`? The verdict, a counterexample and the likely slip."""
    from symderiv.check.verify import verify as _verify

    return _verify(latex_or_problem, wrt, claim, where=where, timeout=timeout, explain=explain)


def verify_steps(text: str, latex: str | Problem | None = None, wrt: str | None = None, where: Sequence[str] = (),
                 timeout: float | None = DEFAULT_TIMEOUT) -> StepsResult:
    """Check every line of a hand derivation; the first wrong line and its slip."""
    from symderiv.check.verify import verify_steps as _verify_steps

    return _verify_steps(text, latex, wrt=wrt, where=where, timeout=timeout)


def analyze(problem: Problem | str, where: Sequence[str] = (), data: Dataset | None = None,
            timeout: float | None = DEFAULT_TIMEOUT) -> Analysis:
    """Critical points, their classification by the Hessian, and convexity (with its proof)."""
    from symderiv.analysis.api import analyze as _analyze

    return _analyze(problem, where=where, data=data, timeout=timeout)


def optimize(problem: Problem | str, where: Sequence[str] = (), start: str | Sequence[float] | None = None,
             methods: Sequence[str] = ("gd", "newton"), lr: float | None = None, iters: int | None = None,
             data: Dataset | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> Optimization:
    """Gradient descent and Newton's method from the same start, side by side."""
    from symderiv.analysis.api import optimize as _optimize

    return _optimize(problem, where=where, start=start, methods=methods, lr=lr, iters=iters, data=data,
                     timeout=timeout)


def work_note(text: str, lang: str = "en", out_path: str = "note.worked.md", plots: bool = True,
              timeout: float = 10.0) -> tuple[str, list[tuple[str, bytes]]]:
    """A Markdown note with worked derivations inserted, and the plot files to write beside it."""
    from symderiv.notes.jobs import work_note as _work_note

    return _work_note(text, lang=lang, out_path=out_path, plots=plots, timeout=timeout)


def render(derivation: Derivation, fmt: str = "md", lang: str = "en", **options: Any) -> str:
    """The worked solution as `md`, `tex`, `text` or `json` (the CLI's pages, in `lang`)."""
    if fmt not in FORMATS:
        raise SymderivError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    from symderiv.output.pages import page

    return page(derivation, fmt, lang, **options)

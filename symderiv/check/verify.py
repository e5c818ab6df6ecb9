"""Check a claimed derivative, or a whole hand derivation, and say where and why it is wrong.

Cheapest check first (as Math-Verify does): structural equality, then numbers at random points
(mpmath, 30 digits, so rounding never looks like a mistake), then a symbolic proof under a time
limit. A learner needs more than a quiet `False`, so a wrong claim comes with a counterexample and
a diagnosis: the claim is compared, at the same points, with the derivative computed *with* each
common slip (chain factor dropped, σ' taken as σ, exponent not lowered, …); the first slip that
reproduces the claim at every point is named. All of it is numeric, never string matching.

Index claims (`\\sum_i (\\hat{y}_i - y_i) x_{ik}`) are evaluated with their sums unrolled on random
small sizes that differ per size symbol (n = 4, d = 3, …) and random, non-symmetric data, so
`(A + A^T)θ` is never taken for `2Aθ` (unless A is declared symmetric). Claims in matrix notation
(`X^T(\\hat{y} - y)`, `X^{-T}`) are read in the problem's own terms first (problem_terms.py): the
claim's X is the problem's rows x_i, its sizes are the problem's, and a claim of the wrong shape is
wrong without a counterexample.

The results are typed (results.py); `symderiv.output.verify_report` prints them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import sympy as sp

from symderiv.check.checker import Checker
from symderiv.check.claims import load_problem, parse_claim
from symderiv.check.derivations import parse_head, split_derivation
from symderiv.check.results import (
    DEFAULT_SETTINGS,
    SLIP_KINDS,
    VERDICTS,
    Counterexample,
    Settings,
    Slip,
    StepLine,
    StepsResult,
    VerifyResult,
)
from symderiv.check.truth import true_derivation, true_derivative
from symderiv.core.errors import SymderivError, VerifyError
from symderiv.core.limits import DEFAULT_TIMEOUT, time_limit
from symderiv.core.order import recorded, recording
from symderiv.core.problem import Problem


def verify(latex_or_problem: str | Problem, wrt: str | None, claim: str | sp.Basic, where: Sequence[str] = (),
           timeout: float | None = DEFAULT_TIMEOUT, settings: Settings = DEFAULT_SETTINGS,
           explain: bool = False) -> VerifyResult:
    """Is `claim` the derivative of the function w.r.t. `wrt`? If not, where and why.

    `latex_or_problem`: LaTeX (parsed with `where` definitions) or a Problem; `claim`: LaTeX or a
    SymPy expression (may use the problem's intermediates such as ŷ_i). With `explain`, a wrong
    verdict also carries the true derivative worked step by step (`derivation`, by the deriver
    under its own time limit; None when it cannot).
    """
    with time_limit(timeout, "verify"):
        problem = load_problem(latex_or_problem, where)
        checker = Checker(problem, wrt, settings)
        with recording() as book:       # the claim's sums as written, printed so (core/order.py)
            claim_expr = claim if isinstance(claim, sp.Basic) else parse_claim(claim, problem)
        result = replace(checker.check(claim_expr), truth_matrix=checker.matrix_form(),
                         orders=problem.orders + recorded(book))
    if explain and result.verdict == "wrong":
        result = replace(result, derivation=true_derivation(latex_or_problem, where, result.variable))
    return result


def verify_steps(text: str, latex: str | Problem | None = None, wrt: str | None = None, where: Sequence[str] = (),
                 timeout: float | None = DEFAULT_TIMEOUT,
                 settings: Settings = DEFAULT_SETTINGS) -> StepsResult:
    """Check every line of a hand derivation against the true derivative.

    Lines are numbered from 1; line 1 may carry the derivative head (`\\frac{d}{dx}(…) &= …` gives
    the function, `\\frac{\\partial L}{\\partial \\theta} &= …` takes L from `latex`/`where`).
    """
    with time_limit(timeout, "verify --steps"):
        lines = split_derivation(text)
        if not lines:
            raise VerifyError("no derivation lines found (expected an align environment or $$ lines)")
        head = parse_head(lines[0][0]) if lines[0][0] else None
        function_latex = head.function if head and head.function else latex
        wrt = wrt or (head.wrt if head else None)
        if function_latex is None:
            raise VerifyError("which function is being differentiated? give LATEX (and --where) "
                              "or start line 1 with \\frac{d}{dx}(...)")
        problem = load_problem(function_latex, where)
        checker = Checker(problem, wrt, settings)
        out = []
        book: dict[sp.Basic, tuple[sp.Basic, ...]] = {}
        for n, (_, rhs) in enumerate(lines, start=1):
            if not rhs.strip():
                continue
            try:
                with recording() as line_book:      # each line's sums as written (core/order.py)
                    expr = parse_claim(rhs, problem)
            except SymderivError as exc:
                raise VerifyError(f"line {n}: {exc}") from None
            book.update(line_book)
            result = checker.check(expr, prove=False)
            out.append(StepLine(n, rhs.strip(), result.verdict != "wrong", result))
        return StepsResult(tuple(out), checker.var_name, checker.display, checker.wholes.show(checker.truth),
                           checker.matrix_form(), problem.orders + recorded(book))


__all__ = ["DEFAULT_SETTINGS", "SLIP_KINDS", "VERDICTS", "Checker", "Counterexample", "Settings", "Slip",
           "StepLine", "StepsResult", "VerifyResult", "parse_head", "split_derivation", "true_derivative",
           "verify", "verify_steps"]

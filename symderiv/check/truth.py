"""The true derivative a claim is checked against, its printable form and its worked derivation.

Kronecker deltas left by `diff` are collapsed by the engine's own `collapse_kronecker` (whole_matrices.py).
"""
from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from symderiv.calculus.engine import Derivation, derive
from symderiv.calculus.matrices.forms import MatrixContext, MatrixForm, gradient_form
from symderiv.calculus.simplify import fold, textbook
from symderiv.check.whole_matrices import Wholes, diff_whole, of_function
from symderiv.core.errors import SymderivError, TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.core.problem import Problem


def true_derivative(problem: Problem, var: sp.Basic, wholes: Wholes | None = None) -> sp.Basic:
    """∂f/∂var with every definition substituted (matrices held whole in `wholes`' stand-ins).

    `sympy.diff` (through the registry for what SymPy cannot differentiate) is the oracle the deriver
    is tested against, so verify takes the truth from it; det X and X⁻¹, which it cannot
    differentiate by an entry X_kj, go through Jacobi's formula and d(X⁻¹) (whole_matrices.py).
    """
    function = nest_sums(problem.expanded())
    if wholes is None:
        wholes = of_function(function)
    return diff_whole(wholes.hide(function), var, wholes)


def nest_sums(expr: sp.Basic) -> sp.Basic:
    """Σ_{j,l} f -> Σ_l Σ_j f: SymPy differentiates a multi-limit Sum by an Indexed to 0."""
    if not expr.has(sp.Sum):
        return expr

    def nest(e):
        inner = e.function
        for lim in e.limits:
            inner = sp.Sum(inner, lim)
        return inner

    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) > 1, nest)


def fold_definitions(problem: Problem, expr: sp.Basic) -> sp.Basic:
    """Write `expr` back in the user's intermediates (σ(θ^T x_i) -> ŷ_i): the deriver's fold."""
    return fold(expr, problem.definitions)


def display_form(problem: Problem, truth: sp.Basic, seconds: float = 1.0) -> sp.Basic:
    """The truth as a textbook prints it, by the deriver's own simplifier (intermediates folded,
    cancelled in terms of them: Σ_i (ŷ_i − y_i) x_{ik}); bounded by a time limit."""
    try:
        with time_limit(seconds, "tidying the true derivative"):
            return textbook(truth, problem.definitions)
    except TimeLimitError:
        return fold(truth, problem.definitions)


def true_derivation(latex_or_problem: str | Problem, where: Sequence[str], variable: str) -> Derivation | None:
    """The true derivative worked step by step by the deriver (what `derive` prints), or None
    when the deriver cannot do it (under its own time limit)."""
    try:
        return derive(latex_or_problem, wrt=[variable], where=list(where))
    except SymderivError:
        return None


def truth_matrix_form(problem: Problem, display: sp.Basic, truth: sp.Basic, free: tuple[sp.Symbol, ...],
                      variable: str) -> MatrixForm | None:
    """The true derivative of a vector or matrix variable in matrix form ((A + Aᵀ)x, X⁻ᵀ), checked
    numerically against the index form by the matrix forms' own check; None when none is found.
    `display` and `truth` are the index form with intermediates and expanded (matrices held whole)."""
    if not free:
        return None
    try:
        with time_limit(2.0, "the matrix form of the true derivative"):
            ctx = MatrixContext.of(problem, problem.definitions)
            return gradient_form(ctx, display, truth, free, variable)
    except (SymderivError, ValueError, TypeError, NotImplementedError):
        return None

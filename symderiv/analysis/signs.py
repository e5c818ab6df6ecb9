"""Proving that an expression is ≥ 0 for every real value of its symbols — a proof or nothing.

The convexity proofs rest on this: a second derivative, a principal minor, g''(z). Never numeric.
"""

from __future__ import annotations

import sympy as sp

from symderiv.analysis.results import Phrase
from symderiv.core.errors import TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.ml.functions import sigmoid, to_elementary

_SIZE_NAMES = ("n", "d", "m", "N", "D", "M")


def prove_nonnegative(expr: sp.Basic, timeout: float = 2.0) -> tuple[sp.Basic, Phrase] | None:
    """Return (form, how) if `expr` is provably ≥ 0 for all real values of its symbols, else None.

    Cheapest first: SymPy's assumptions on the expression as it is, then on cancelled, factored,
    elementary forms; last a degree-2 polynomial test. Never numeric: a proof or nothing.
    """
    expr = _positive_sizes(expr)
    if expr.is_nonnegative:
        return expr, _how(expr)
    try:
        with time_limit(timeout, "proving a sign"):
            for make in (lambda e: sp.factor(sp.cancel(e)),
                         lambda e: sp.factor(sp.together(to_elementary(e))),
                         lambda e: sp.factor(sp.simplify(e))):
                try:
                    form = make(expr)
                except (NotImplementedError, sp.PolynomialError, TypeError, ValueError):
                    continue
                if form.is_nonnegative:
                    how = _how(form) if form == expr else Phrase("how_factored", (("form", form),))
                    return form, how
            if _quadratic_psd(sp.expand(expr)):
                return expr, Phrase("how_quadratic")
    except TimeLimitError:
        return None
    return None


def _positive_sizes(expr: sp.Basic) -> sp.Basic:
    """Sizes (n, d) and other symbols named like counts are positive: say so for the sign proofs."""
    reps = {s: sp.Symbol(s.name, positive=True) for s in expr.free_symbols
            if isinstance(s, sp.Symbol) and s.name in _SIZE_NAMES}
    return expr.xreplace(reps) if reps else expr


def _how(form: sp.Basic) -> Phrase:
    if form.has(sp.exp) or form.has(sigmoid):
        return Phrase("how_exp")
    if any(p.exp.is_even for p in form.atoms(sp.Pow)):
        return Phrase("how_square")
    return Phrase("how_assumptions")


def _quadratic_psd(expr: sp.Basic) -> bool:
    """A polynomial of degree ≤ 2 is ≥ 0 everywhere iff its matrix in (1, x₁, …) is PSD."""
    syms = sorted(expr.free_symbols, key=str)
    if not syms:
        return False
    try:
        poly = sp.Poly(expr, *syms)
    except sp.PolynomialError:
        return False
    if poly.total_degree() != 2 or not all(c.is_Rational for c in poly.coeffs()):
        return False
    basis = [sp.Integer(1), *syms]
    m = sp.zeros(len(basis))
    for i, a in enumerate(basis):
        for j, b in enumerate(basis):
            coeff = poly.coeff_monomial(a * b)
            m[i, j] = coeff if i == j else coeff / 2
    return all(ev >= 0 for ev in m.eigenvals())

"""The one Kronecker collapse: Σ_j δ_jk g(j) -> g(k), what ∂(θᵀx_i)/∂θ_k leaves behind (x_ik).

Used by the rules (a step's result), the simplifier and verify (the true derivative of a claim).
A summand holding a δ is expanded first, so that δ multiplies whole terms; a δ bound by any limit
of a multi-limit Sum is collapsed (SymPy's `diff` of a double sum gives Σ_{l,j} b_l δ_jk A_jl);
only a δ whose partner index is free of the bound index is taken; the other terms keep their sum
(Σ_j (δ_jk a_j + b_j) -> a_k + Σ_j b_j).
"""

from __future__ import annotations

import sympy as sp


def collapse_kronecker(expr: sp.Basic) -> sp.Basic:
    """Every Sum over an index that a Kronecker delta ties to another one, collapsed."""
    if not expr.has(sp.KroneckerDelta):
        return expr
    return expr.replace(_is_delta_sum, _collapse_sum)


def _delta_partner(delta: sp.KroneckerDelta, j: sp.Symbol) -> sp.Basic | None:
    """k for δ_jk or δ_kj, when k does not itself depend on j."""
    a, b = delta.args
    if a == j and not b.has(j):
        return b
    if b == j and not a.has(j):
        return a
    return None


def _delta_factor(term: sp.Basic, j: sp.Symbol) -> sp.KroneckerDelta | None:
    for f in sp.Mul.make_args(term):
        if isinstance(f, sp.KroneckerDelta) and _delta_partner(f, j) is not None:
            return f
    return None


def _is_delta_sum(e: sp.Basic) -> bool:
    if not isinstance(e, sp.Sum) or not e.function.has(sp.KroneckerDelta):
        return False
    body = sp.expand(e.function)
    return any(_delta_factor(t, lim[0]) is not None for t in sp.Add.make_args(body) for lim in e.limits)


def _collapse_sum(s: sp.Sum) -> sp.Basic:
    body = sp.expand(s.function)
    collapsed: list[sp.Basic] = []
    kept: list[sp.Basic] = []
    for term in sp.Add.make_args(body):
        out = _collapse_term(term, list(s.limits))
        (kept if out is None else collapsed).append(term if out is None else out)
    result = sp.Add(*collapsed)
    if kept:
        result += sp.Sum(sp.Add(*kept), *s.limits)
    return result


def _collapse_term(term: sp.Basic, limits: list[tuple[sp.Basic, ...]]) -> sp.Basic | None:
    """The term with every δ-bound limit collapsed, or None when no δ binds any of its limits."""
    changed = False
    progress = True
    while progress:
        progress = False
        for lim in limits:
            delta = _delta_factor(term, lim[0])
            if delta is not None:
                partner = _delta_partner(delta, lim[0])
                term = term.xreplace({delta: sp.S.One}).xreplace({lim[0]: partner})
                limits.remove(lim)
                changed = progress = True
                break
    if not changed:
        return None
    return sp.Sum(term, *limits) if limits else term

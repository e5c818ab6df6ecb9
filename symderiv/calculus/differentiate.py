"""`sympy.diff` that knows the registry: what SymPy leaves as an unevaluated `Derivative` of a
registry function (floor, ceiling: no `fdiff` in SymPy) becomes the entry's derivative times the
inner derivative. SymPy's own derivatives are kept, the distributional ones included (sign′ = 2δ,
|x|″ = 2δ): the δ marks a kink, which analyze must not mistake for zero curvature.

Analysis and verify differentiate whole expressions directly; going through here keeps them from
stalling on a `Derivative` that no printer or evaluator can handle.
"""

from __future__ import annotations

import sympy as sp

from symderiv.ml.registry import FunctionEntry, entry_for


def diff(expr: sp.Basic, *symbols: sp.Basic | int) -> sp.Basic:
    """∂expr/∂symbols, with the registry's derivative wherever SymPy has none (`diff(f, x, 2)` as in SymPy)."""
    order: list[sp.Basic] = []
    for s in symbols:
        if isinstance(s, (int, sp.Integer)) and order:
            order += [order[-1]] * (int(s) - 1)
        else:
            order.append(sp.Integer(s) if isinstance(s, int) else s)
    out = expr
    for symbol in order:
        out = _settle(sp.diff(out, symbol))
    return out


def _entry(applied: sp.Basic) -> FunctionEntry | None:
    if isinstance(applied, sp.Function) and len(applied.args) == 1:
        return entry_for(type(applied))
    return None


def _known(e: sp.Basic) -> bool:
    return isinstance(e, sp.Derivative) and e.derivative_count == 1 and _entry(e.expr) is not None


def _settle(expr: sp.Basic) -> sp.Basic:
    """Derivative(f(u), x) -> f'(u)·∂u/∂x; Subs(Derivative(f(ξ), ξ), ξ, u) -> f'(u) (SymPy's chain
    rule keeps the inner factor outside the Subs)."""
    if not expr.has(sp.Derivative):
        return expr

    def at_point(e: sp.Subs) -> sp.Basic:
        entry = _entry(e.expr.expr)
        assert entry is not None
        return entry.derivative(e.expr.expr.func(*e.point))

    def derivative(e: sp.Derivative) -> sp.Basic:
        entry = _entry(e.expr)
        assert entry is not None
        return entry.derivative(e.expr) * sp.diff(e.expr.args[0], e.variables[0])

    out = expr.replace(lambda e: isinstance(e, sp.Subs) and _known(e.expr), at_point)
    return out.replace(_known, derivative)

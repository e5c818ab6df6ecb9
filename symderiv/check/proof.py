"""A symbolic proof that claim − truth = 0: cheap cancellation first, then `simplify`."""
from __future__ import annotations

import sympy as sp

from symderiv.core.errors import TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.ml.functions import to_elementary


def prove_zero(difference: sp.Basic, simplify_seconds: float) -> str | None:
    """How `difference` was shown to vanish ("cancel" or "simplify"), or None within the time."""
    try:
        if all(_cancels(part) for part in sum_parts(difference)):
            return "cancel"
    except TimeLimitError:
        pass
    try:
        with time_limit(simplify_seconds, "simplify(claim - truth)"):
            if all(sp.simplify(to_elementary(part)) == 0 for part in sum_parts(difference)):
                return "simplify"
    except TimeLimitError:
        return None
    return None


def sum_parts(expr: sp.Basic) -> list[sp.Basic]:
    """Split a difference into parts that must each vanish: sums with equal limits merged.

    c·Σ_i f_i − Σ_i g_i becomes the single summand c·f_i − g_i (bound index renamed to one
    dummy), which `cancel` handles where `simplify` on the whole would take seconds.
    """
    groups: dict = {}
    rest = []
    for term in sp.Add.make_args(sp.expand(expr, deep=False, mul=True, multinomial=False,
                                           power_exp=False, power_base=False, log=False)):
        factors = sp.Mul.make_args(term)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        coeff = sp.Mul(*[f for f in factors if not isinstance(f, sp.Sum)])
        if len(sums) != 1 or len(sums[0].limits) != 1:
            rest.append(term)
            continue
        s = sums[0]
        var, lo, hi = s.limits[0]
        if coeff.has(var):
            rest.append(term)
            continue
        key = (lo, hi)
        dummy = groups.setdefault(key, [sp.Dummy("i", integer=True), []])[0]
        groups[key][1].append(coeff * s.function.xreplace({var: dummy}))
    parts = [sp.Add(*terms) for _, terms in groups.values()]
    parts.append(sp.Add(*rest))
    return [p for p in parts if p != 0]


def _cancels(expr: sp.Basic) -> bool:
    """claim − truth is 0 by `cancel`, with σ(z) kept as a symbol (σ' = σ(1 − σ) is algebraic)."""
    with time_limit(0.5, "cancel"):
        if sp.cancel(expr) == 0:
            return True
        elementary = to_elementary(expr)
        return sp.cancel(sp.expand(elementary)) == 0 if elementary != expr else False

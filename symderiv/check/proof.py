"""A symbolic proof that claim − truth = 0: index sums put in one canonical spelling, cheap
cancellation, then `simplify`."""
from __future__ import annotations

import sympy as sp

from symderiv.calculus.simplify import canon
from symderiv.core.errors import TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.ml.functions import to_elementary


def prove_zero(difference: sp.Basic, simplify_seconds: float) -> str | None:
    """How `difference` was shown to vanish ("cancel" or "simplify"), or None within the time."""
    try:
        if all(_cancels(part) for part in sum_parts(difference)):
            return "cancel"
        if difference.has(sp.Sum) and canonical_sums(difference) == 0:
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


# -- index sums in one spelling ------------------------------------------------------------------

def canonical_sums(expr: sp.Basic) -> sp.Basic:
    """`expr` expanded into terms c · Σ_{bound} Π factors, the bound indices of each term renamed in
    the order they first appear among its factors sorted without them, so that two spellings of one
    contraction agree: Σ_{p,q} A_qp (X⁻¹)_lq (X⁻¹)_pk and Σ_i (X⁻¹)_li Σ_p A_ip (X⁻¹)_pk are one term.
    Terms whose limits depend on another bound index are left as they are."""
    with time_limit(0.5, "canonical sums"):
        return sp.Add(*[_canonical_term(limits, factors) for limits, factors in _terms(expr)])


def _terms(e: sp.Basic) -> list[tuple[list[tuple[sp.Basic, ...]], list[sp.Basic]]]:
    """(limits, factors) per term of `e` with every sum distributed over its summand's terms."""
    if isinstance(e, sp.Add):
        return [t for a in e.args for t in _terms(a)]
    if isinstance(e, sp.Sum):
        fresh = {lim[0]: sp.Dummy(lim[0].name, integer=True) for lim in e.limits}
        limits = [(fresh[i], lo, hi) for i, lo, hi in e.limits]
        if any(b.has(*fresh) for _, lo, hi in e.limits for b in (lo, hi)):
            return [([], [e])]
        return [([*limits, *inner], factors) for inner, factors in _terms(e.function.xreplace(fresh))]
    if isinstance(e, sp.Mul):
        out: list[tuple[list[tuple[sp.Basic, ...]], list[sp.Basic]]] = [([], [])]
        for a in e.args:
            out = [([*l1, *l2], [*f1, *f2]) for l1, f1 in out for l2, f2 in _terms(a)]
        return out
    return [([], [e])]


def _canonical_term(limits: list[tuple[sp.Basic, ...]], factors: list[sp.Basic]) -> sp.Basic:
    limits, factors = _collapse_deltas(list(limits), list(factors))
    factors = [canon(f) for f in factors]        # the sums inside a factor (1/Σ_j e^{z_j}) by depth
    bound = [lim[0] for lim in limits]
    outside = sp.Mul(*[f for f in factors if not f.has(*bound)])
    factors = [f for f in factors if f.has(*bound)]
    if not limits:
        return outside
    blank = sp.Symbol("_")
    ordered = sorted(factors, key=lambda f: sp.default_sort_key(f.xreplace(dict.fromkeys(bound, blank))))
    order: list[sp.Basic] = []
    for f in ordered:
        for node in sp.preorder_traversal(f):
            if node in bound and node not in order:
                order.append(node)
    order += [b for b in bound if b not in order]
    names = {b: sp.Symbol(f"_s{n}", integer=True) for n, b in enumerate(order)}
    new_limits = sorted(((names[i], lo, hi) for i, lo, hi in limits), key=lambda lim: lim[0].name)
    return outside * sp.Sum(sp.Mul(*factors).xreplace(names), *new_limits)


def _collapse_deltas(limits: list[tuple[sp.Basic, ...]], factors: list[sp.Basic]) -> tuple[
        list[tuple[sp.Basic, ...]], list[sp.Basic]]:
    """Σ_j δ_jp g(j) -> g(p) within one flattened term (as calculus.kronecker does per sum)."""
    changed = True
    while changed:
        changed = False
        for f in factors:
            if not isinstance(f, sp.KroneckerDelta):
                continue
            bound = {lim[0]: lim for lim in limits}
            a, b = f.args[:2]
            if a in bound and not b.has(a):
                j, partner = a, b
            elif b in bound and not a.has(b):
                j, partner = b, a
            else:
                continue
            limits = [lim for lim in limits if lim[0] != j]
            factors = [g.xreplace({j: partner}) for g in factors if g is not f]
            changed = True
            break
    return limits, factors

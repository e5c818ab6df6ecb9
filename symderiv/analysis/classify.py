"""Classifying a critical point by the signs of the Hessian's eigenvalues (exact where SymPy can).

A zero eigenvalue leaves the second-order test undecided; in one variable the first nonzero higher
derivative then decides (even order: an extremum, odd order: an inflection point).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from symderiv.analysis.numeric import NumericFunction, call
from symderiv.analysis.results import CriticalPoint, Phrase
from symderiv.calculus.differentiate import diff
from symderiv.core.errors import TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.ml.functions import relu


def classify(f: sp.Basic, xs: Sequence[sp.Symbol], hessian: sp.Matrix, exact: tuple[sp.Basic, ...] | None,
             values: tuple[float, ...], hess_fn: NumericFunction, timeout: float = 2.0) -> CriticalPoint:
    """Classify one critical point by the signs of the Hessian's eigenvalues there (not on a kink)."""
    if on_kink(f, xs, exact if exact is not None else values):
        return CriticalPoint(values=values, exact=exact, kind="kink", eigenvalues=(), exact_eigenvalues=None,
                             note=None)
    exact_evs = None
    if exact is not None and len(xs) <= 3:
        h_at = hessian.xreplace(dict(zip(xs, exact, strict=True)))
        exact_evs = exact_eigenvalues(h_at, timeout)
    evs: tuple[float, ...]
    if exact_evs is not None:
        evs = tuple(float(sp.re(e.evalf())) for e in exact_evs)
        scale = max((abs(v) for v in evs), default=1.0)
        signs = [sign(e, scale) for e in exact_evs]
    else:
        h = call(hess_fn, values)
        if h is None:
            evs, signs = (), [0]
        else:
            evs = tuple(float(v) for v in np.linalg.eigvalsh(h.reshape(len(xs), len(xs))))
            scale = max((abs(v) for v in evs), default=1.0)
            signs = [sign(v, scale) for v in evs]
    kind = kind_from_signs(signs)
    note = None
    if kind == "undecided" and len(xs) == 1 and exact is not None:
        note = _higher_order_note(f, xs[0], exact[0])
    return CriticalPoint(values=values, exact=exact, kind=kind, eigenvalues=evs,
                         exact_eigenvalues=exact_evs, note=note)


ONE_ARGUMENT_KINKS = (sp.Abs, sp.sign, sp.Heaviside, relu)  # not differentiable where the argument is 0


def on_kink(f: sp.Basic, xs: Sequence[sp.Symbol], point: Sequence[sp.Basic | float]) -> bool:
    """Whether `point` lies where f is not differentiable: |u|, sign(u), H(u) or ReLU(u) with u = 0,
    max/min with two arguments equal there. The δ that SymPy's Hessian carries at such a point is
    lost in any evaluation, and a Hessian test there would answer for a smooth function f is not."""
    at = dict(zip(xs, point, strict=True))
    for node in sp.preorder_traversal(f):
        if isinstance(node, ONE_ARGUMENT_KINKS):
            values = [_value(node.args[0].xreplace(at)), 0.0]
        elif isinstance(node, (sp.Max, sp.Min)):
            values = [_value(a.xreplace(at)) for a in node.args]
        else:
            continue
        known = [v for v in values if v is not None]
        if any(abs(a - b) < 1e-9 for n, a in enumerate(known) for b in known[n + 1:]):
            return True
    return False


def _value(e: sp.Basic | float) -> float | None:
    if isinstance(e, (int, float)):
        return float(e)
    try:
        return float(e.evalf())
    except (TypeError, ValueError):
        return None


def kind_from_signs(signs: Sequence[int]) -> str:
    """minimum, maximum, saddle, or undecided (a zero eigenvalue) from the eigenvalues' signs."""
    if any(s == 0 for s in signs):
        return "undecided"
    if all(s > 0 for s in signs):
        return "minimum"
    if all(s < 0 for s in signs):
        return "maximum"
    return "saddle"


def exact_eigenvalues(h: sp.Matrix, timeout: float) -> tuple[sp.Basic, ...] | None:
    """The eigenvalues of h with multiplicity, sorted, when SymPy finds them and they are real."""
    try:
        with time_limit(timeout, "eigenvalues"):
            evs = []
            for ev, mult in h.eigenvals().items():
                evs.extend([sp.nsimplify(ev) if ev.is_Float else ev] * mult)
            if not all(real_value(e) is not None for e in evs):
                return None
            return tuple(sorted(evs, key=lambda e: float(sp.re(e.evalf()))))
    except (TimeLimitError, NotImplementedError, ValueError, ZeroDivisionError, TypeError):
        return None


def sign(value: sp.Basic | float, scale: float) -> int:
    """-1, 0 or 1; a float counts as 0 within 1e-9 of the scale of its eigenvalues."""
    if isinstance(value, sp.Basic):
        if value.is_zero:
            return 0
        if value.is_positive:
            return 1
        if value.is_negative:
            return -1
        value = float(sp.re(value.evalf()))
    if abs(value) <= 1e-9 * max(1.0, scale):
        return 0
    return 1 if value > 0 else -1


def real_value(v: sp.Basic) -> float | None:
    """v as a float, or None when it is not real (a complex root of ∇f = 0)."""
    if v.is_real is False:
        return None
    c = complex(v.evalf(30))
    if abs(c.imag) > 1e-12 * (1 + abs(c.real)):
        return None
    return c.real


def _higher_order_note(f: sp.Basic, x: sp.Symbol, at: sp.Basic) -> Phrase | None:
    """1-D: the first nonzero derivative decides what the second derivative could not."""
    d = diff(f, x, 2)
    for k in range(3, 9):
        d = diff(d, x)
        val = sp.simplify(d.subs(x, at))
        if val.is_zero:
            continue
        if val.is_zero is None:
            return None
        if k % 2:
            return Phrase("higher_odd", (("k", k), ("val", val)))
        pos = bool(val.is_positive)
        return Phrase("higher_even", (("k", k), ("val", val),
                                      ("sign", Phrase("positive" if pos else "negative")),
                                      ("what", Phrase("minimum" if pos else "maximum"))))
    return None

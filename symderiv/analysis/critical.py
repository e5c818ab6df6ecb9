"""Critical points: ∇f = 0 solved exactly (SymPy, under a time limit), each solution checked by
substituting it back; where SymPy cannot solve, a numeric search from a grid of starts finds them,
and the method says they are numeric."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symderiv.analysis.classify import classify, real_value
from symderiv.analysis.numeric import GRID_HALF_WIDTH, NumericFunction, call, call_quietly, lambdify, quiet
from symderiv.analysis.results import CriticalPoint, Phrase, Solutions
from symderiv.calculus.differentiate import diff
from symderiv.core.errors import TimeLimitError
from symderiv.core.limits import DEFAULT_TIMEOUT, time_limit

MAX_POINTS_SHOWN = 20

Found = tuple[tuple[sp.Basic, ...] | None, tuple[float, ...]]  # (exact coordinates or None, values)


@dataclass
class _Solved:
    """What the exact solver found: points (None when it gave up, and why), and notes."""

    points: list[tuple[sp.Basic, ...]] | None = None
    why: str = ""
    periodic: bool = False
    notes: list[Phrase] = field(default_factory=list)


def critical_points(f: sp.Basic, xs: Sequence[sp.Symbol], timeout: float = DEFAULT_TIMEOUT
                    ) -> tuple[tuple[CriticalPoint, ...], Phrase, tuple[Phrase, ...], bool]:
    """All critical points we can find, how we found them, notes, and whether they are exact."""
    xs = list(xs)
    grad = [diff(f, x) for x in xs]
    hessian = sp.Matrix([[diff(g, y) for y in xs] for g in grad])
    grad_fn, hess_fn = lambdify(xs, grad), lambdify(xs, hessian)
    solved = _solve_exactly(grad, xs, timeout)
    notes = solved.notes
    if solved.periodic:
        notes.append(Phrase("periodic"))
    checked = _verified(solved.points, grad_fn) if solved.points is not None else []
    numeric: list[tuple[float, ...]] = []
    starts = 0
    if not solved.periodic and not any(n.key == "family" for n in notes):
        numeric, starts = _numeric_search(grad_fn, hess_fn, len(xs), np.random.default_rng(0))
    found: list[Found] = list(checked)
    extra = [p for p in numeric if not any(np.allclose(p, v, rtol=1e-4, atol=1e-4) for _, v in checked)]
    if solved.points is None:
        method, is_exact = Phrase("method_numeric", (("why", solved.why), ("starts", starts))), False
        found = [(None, p) for p in numeric]
    elif extra:
        method, is_exact = Phrase("method_mixed", (("starts", starts),)), False
        found += [(None, p) for p in extra]
    else:
        method, is_exact = Phrase("method_exact"), True
    found.sort(key=lambda ev: tuple(ev[1]))
    if len(found) > MAX_POINTS_SHOWN:
        notes.append(Phrase("truncated", (("k", MAX_POINTS_SHOWN), ("total", len(found)))))
        found = found[:MAX_POINTS_SHOWN]
    points = tuple(classify(f, xs, hessian, e, v, hess_fn) for e, v in found)
    return points, method, tuple(notes), is_exact


def _solve_exactly(grad: list[sp.Basic], xs: list[sp.Symbol], timeout: float) -> _Solved:
    """∇f = 0 by SymPy within half the time limit (at most 10 s, at least 0.5 s)."""
    out = _Solved()
    try:
        with time_limit(max(0.5, min(timeout / 2, 10.0)), "solving ∇f = 0"):
            if len(xs) == 1:
                res = _exact_1d(grad[0], xs[0])
                if res is not None:
                    out.points, out.periodic = [(v,) for v in res[0]], res[1]
                else:
                    out.why = "no explicit solution set"
            else:
                pts, families = _exact_nd(grad, xs)
                out.points = pts
                out.notes += [Phrase("family", (("sol", Solutions(tuple(fam.items()))),)) for fam in families]
                out.periodic = any(g.has(sp.sin, sp.cos, sp.tan) for g in grad)
    except TimeLimitError:
        out.why, out.points = "time limit", None
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError, AttributeError) as exc:
        out.why, out.points = type(exc).__name__, None
    return out


def _exact_1d(g: sp.Basic, x: sp.Symbol) -> tuple[list[sp.Basic], bool] | None:
    """solveset on the reals: (solutions, periodic) or None if SymPy gives no explicit set."""
    sol = sp.solveset(g, x, sp.S.Reals)
    if isinstance(sol, sp.FiniteSet):
        return list(sol), False
    if sol is sp.S.EmptySet:
        return [], False
    parts = sol.args if isinstance(sol, sp.Union) else (sol,)
    out = []
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            out.extend(part)
        elif isinstance(part, sp.ImageSet) and part.base_set == sp.S.Integers:
            lam = part.lamda
            out.extend(lam(k) for k in (-1, 0, 1))
        else:
            return None
    return sorted(set(out), key=lambda v: float(v)), True


def _exact_nd(grad: Sequence[sp.Basic], xs: Sequence[sp.Symbol]
              ) -> tuple[list[tuple[sp.Basic, ...]], list[dict[sp.Basic, sp.Basic]]]:
    """solve ∇f = 0: (isolated solutions, families) or None when SymPy gives up."""
    sols = sp.solve(list(grad), list(xs), dict=True)
    points, families = [], []
    for s in sols:
        if all(x in s for x in xs) and not any(s[x].free_symbols & set(xs) for x in xs):
            points.append(tuple(s[x] for x in xs))
        else:
            families.append(s)
    return points, families


def _verified(points: list[tuple[sp.Basic, ...]], grad_fn: NumericFunction) -> list[Found]:
    """Keep the real solutions that really make ∇f vanish (SymPy's answers are checked, not trusted)."""
    out: list[Found] = []
    for p in points:
        vals = [real_value(v) for v in p]
        if any(v is None for v in vals):
            continue
        real = tuple(float(v) for v in vals if v is not None)
        g = call(grad_fn, real)
        if g is not None and np.linalg.norm(g) <= 1e-7 * (1 + np.linalg.norm(real)):
            out.append((tuple(p), real))
    return out


def _newton_root(grad_fn: NumericFunction, hess_fn: NumericFunction, x: np.ndarray, n: int) -> np.ndarray | None:
    """Newton on ∇f = 0; a root only if the steps themselves died out (not just a tiny gradient,
    which e^x also has far to the left) and the gradient vanishes there."""
    with quiet():          # once for the whole search, not at each of its thousands of calls
        for _ in range(200):
            g, h = call_quietly(grad_fn, x), call_quietly(hess_fn, x)
            if g is None or h is None:
                return None
            try:  # solve, not lstsq: lstsq would drop e^x's tiny curvature and "converge" at -35
                step = np.linalg.solve(h.reshape(n, n), g.reshape(n))
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(h.reshape(n, n), g.reshape(n), rcond=None)[0]
            x = x - step
            if not np.all(np.isfinite(x)) or np.linalg.norm(x) > 1e6:
                return None
            if np.linalg.norm(step) <= 1e-10 * (1 + np.linalg.norm(x)):
                g = call_quietly(grad_fn, x)
                return x if g is not None and np.linalg.norm(g) <= 1e-8 else None
    return None


def _numeric_search(grad_fn: NumericFunction, hess_fn: NumericFunction, n: int, rng: np.random.Generator
                    ) -> tuple[list[tuple[float, ...]], int]:
    """Newton's method on ∇f = 0 from a grid of starts (least squares where H is singular)."""
    per_axis = {1: 41, 2: 11, 3: 6}.get(n, 0)
    if per_axis:
        axis = np.linspace(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, per_axis)
        starts = np.array(list(itertools.product(axis, repeat=n)))
    else:
        starts = rng.uniform(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, size=(150, n))
    found: list[np.ndarray] = []
    for start in starts:
        x = _newton_root(grad_fn, hess_fn, start.astype(float), n)
        if x is None:
            continue
        if not any(np.linalg.norm(x - y) <= 1e-5 * (1 + np.linalg.norm(y)) for y in found):
            found.append(x)
    found.sort(key=lambda p: np.round(p, 9).tolist())
    return [tuple(float(v) for v in p) for p in found], len(starts)

"""The function to minimise as NumPy functions of one parameter vector: f, ∇f and the Hessian.

The gradient and Hessian come from SymPy (`sympy.diff`, then `lambdify`). A sum over samples (the
logistic loss) is instantiated on data and evaluated in vectorised form ∇L = Aᵀg'(z),
H = Aᵀ diag(g''(z)) A, with g', g'' still derived by SymPy; the logistic loss itself gets the
overflow-free form log(1 + e^z) = logaddexp(0, z).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symderiv.analysis.data import Dataset, builtin_data
from symderiv.analysis.numeric import NumericFunction, lambdify
from symderiv.analysis.objective import SampleSum, problem_parts, require_explicit, variable_symbols
from symderiv.calculus.differentiate import diff
from symderiv.core.errors import SymderivError
from symderiv.core.problem import Problem
from symderiv.ml.functions import to_elementary

PerSample = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Objective:
    """f, ∇f and the Hessian as NumPy functions of one parameter vector."""

    names: tuple[str, ...]
    f: Callable[[np.ndarray], float] = field(repr=False)
    grad: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    hess: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    description: str = ""
    data: Dataset | None = None
    form: str = "symbolic"  # "symbolic", "sample-sum" or "logistic" (stable vectorised form)

    @property
    def dim(self) -> int:
        return len(self.names)


def build_objective(problem: Problem, data: Dataset | None = None) -> Objective:
    """The objective of a parsed Problem; a sum over samples gets `data` or the built-in set."""
    expr, variables, ss = problem_parts(problem, "optimize")
    if ss is not None:
        obj = objective_from_sample_sum(ss, variables, data or builtin_data())
    else:
        if data is not None:
            raise SymderivError("--data is for a sum over samples (e.g. the logistic loss); this function has none")
        obj = objective_from_expr(expr, variables)
    described = (problem.source or "").strip() or str(problem.expr)
    return dataclasses.replace(obj, description=described)


def objective_from_expr(expr: sp.Basic, variables: Sequence[str]) -> Objective:
    """Plain functions: sympy.diff for ∇f and H, lambdify for all three."""
    require_explicit(expr, "optimize")
    xs = variable_symbols(expr, variables)
    others = sorted(s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in xs)
    if others:
        raise SymderivError(f"optimize needs numbers for {', '.join(others)} (not variables); "
                            f"give them values with --where, e.g. --where '{others[0]} = 1'")
    fe = to_elementary(expr)
    grad = [diff(fe, x) for x in xs]
    hess = [[diff(g, y) for y in xs] for g in grad]
    f_fn, g_fn, h_fn = lambdify(xs, fe), lambdify(xs, grad), lambdify(xs, hess)
    n = len(xs)
    return Objective(
        names=tuple(str(x) for x in xs),
        f=lambda p: float(np.real(f_fn(*p))),
        grad=lambda p: np.asarray(g_fn(*p), dtype=float).reshape(n),
        hess=lambda p: np.asarray(h_fn(*p), dtype=float).reshape(n, n),
        description=str(expr))


def objective_from_sample_sum(ss: SampleSum, variables: Sequence[str], data: Dataset) -> Objective:
    """L(p) = Σ_i g(z_i, y_i), z = offset + A p: ∇L = Aᵀ g'(z), H = Aᵀ diag(g''(z)) A."""
    names, A = _layout(ss, variables, data)
    (g, g1, g2), offset = _per_sample(ss, data)
    y = data.y
    scale = _logistic_scale(g)
    if scale is not None:  # stable form: log(1 + e^z) via logaddexp never overflows
        return Objective(names, *_logistic(A, offset, y, scale), description=_on(data), data=data, form="logistic")

    def loss(p: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            return float(np.sum(g(offset + A @ p, y)))

    def grad(p: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return A.T @ g1(offset + A @ p, y)

    def hess(p: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return A.T @ (g2(offset + A @ p, y)[:, None] * A)
    return Objective(names, loss, grad, hess, description=_on(data), data=data, form="sample-sum")


def _on(data: Dataset) -> str:
    return f"Σ_i g(z_i) on {data.n} × {data.d} data"


def _logistic(A: np.ndarray, offset: np.ndarray, y: np.ndarray, scale: float) -> tuple[
        Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """c·Σ_i (log(1 + e^{z_i}) − y_i z_i) with ∇ = c·Aᵀ(σ(z) − y), H = c·Aᵀ diag(σ(1 − σ)) A."""
    def loss(p: np.ndarray) -> float:
        z = offset + A @ p
        return float(scale * np.sum(np.logaddexp(0.0, z) - y * z))

    def grad(p: np.ndarray) -> np.ndarray:
        s = _sigmoid(offset + A @ p)
        return scale * (A.T @ (s - y))

    def hess(p: np.ndarray) -> np.ndarray:
        s = _sigmoid(offset + A @ p)
        return scale * (A.T @ ((s * (1 - s))[:, None] * A))
    return loss, grad, hess


def _layout(ss: SampleSum, variables: Sequence[str], data: Dataset) -> tuple[tuple[str, ...], np.ndarray]:
    """Parameter names and the design matrix A (z = offset + A p) in the order of `variables`."""
    names: list[str] = []
    cols = []
    bias = {str(b): c for b, c in ss.biases}
    for v in variables:
        if ss.theta is not None and v == str(ss.theta.label):
            names += [f"{v}_{k + 1}" for k in range(data.d)]
            cols.append(float(ss.theta_coeff) * data.X)
        elif v in bias:
            names.append(v)
            cols.append(np.full((data.n, 1), float(bias[v])))
        else:
            raise SymderivError(f"the loss does not depend on the variable {v}")
    return tuple(names), np.hstack(cols)


def _per_sample(ss: SampleSum, data: Dataset) -> tuple[list[PerSample], np.ndarray]:
    """Lambdify g, g', g'' (in z and the label) and the offset, with the sizes made numbers."""
    if len(ss.data) > 1:
        raise SymderivError("the loss uses several per-sample quantities "
                            f"({', '.join(str(b) for b in ss.data)}); data supply only x and one label y")
    ysym = sp.Symbol("label", real=True)
    reps = {a: ysym for a in (ss.g.atoms(sp.Indexed) | ss.offset.atoms(sp.Indexed))}
    sizes = {ss.n: data.n}
    if ss.d is not None:
        sizes[ss.d] = data.d
    g = to_elementary(ss.g.xreplace(reps).subs(sizes))
    offset = ss.offset.xreplace(reps).subs(sizes)
    stray = (g.free_symbols - {ss.z, ysym}) | (offset.free_symbols - {ysym})
    if stray:
        names = ", ".join(sorted(map(str, stray)))
        raise SymderivError(f"optimize needs numbers for {names} (not variables of the function); "
                            f"give them with --where, e.g. --where '{sorted(map(str, stray))[0]} = 0'")
    fns = [lambdify([ss.z, ysym], e) for e in (g, diff(g, ss.z), diff(g, ss.z, 2))]
    off = lambdify([ysym], offset)
    return [_vectorised(fn) for fn in fns], np.broadcast_to(np.asarray(off(data.y), dtype=float), data.y.shape)


def _vectorised(fn: NumericFunction) -> PerSample:
    """fn(z, y) as an array of z's shape (a constant g'' comes back as one number)."""
    return lambda z, y: np.broadcast_to(np.asarray(fn(z, y), dtype=float), z.shape)


def _logistic_scale(g_fn: PerSample, n_checks: int = 12) -> float | None:
    """If g(z, y) = c·(log(1 + e^z) − y z) (the logistic loss, any positive scale c), return c."""
    zs = np.linspace(-3, 3, n_checks)
    ys = np.tile([0.0, 1.0, 0.3], n_checks)[:n_checks]
    with np.errstate(all="ignore"):
        ref = np.logaddexp(0.0, zs) - ys * zs
        got = g_fn(zs, ys)
    if not np.all(np.isfinite(got)):
        return None
    c = got[0] / ref[0]
    return float(c) if c > 0 and np.allclose(got, c * ref, rtol=1e-9, atol=1e-12) else None


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) without overflow warnings for large |z|."""
    out = np.empty_like(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out

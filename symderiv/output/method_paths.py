"""Gradient descent against Newton's method on the note's own loss, on a small fixed data set.

The seed note says Newton's method converges faster than gradient descent; a picture of both paths
on the contours of its loss shows it. θ gets two entries — θ₁ multiplies x_{i1} = 1 (the bias), θ₂ the
one feature x_{i2} — and the data are 8 fixed points whose classes overlap, so the logistic loss has
a finite minimum. L, ∇L and H are the derivation's own expressions (the loss as the note wrote it,
the gradient and Hessian as derived and checked) with the data put in and lambdified: there is no
second, hand-written formula to trust. Both methods start at θ = 0 and stop at ‖∇L‖ ≤ 10⁻⁶.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from symderiv.analysis.methods import Run, gradient_descent, newton
from symderiv.analysis.numpy_objective import Objective
from symderiv.ml.functions import to_elementary

if TYPE_CHECKING:
    from symderiv.calculus.engine import Derivation

FEATURE = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)   # x_{i2}; x_{i1} = 1
LABELS = (0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0)    # the classes overlap: no line separates them
START = (0.0, 0.0)
ETA = 0.1            # below 2/λ_max(XᵀX/4) ≈ 0.139, so gradient descent converges on the logistic loss
TOL = 1e-6
GD_ITERS, NEWTON_ITERS = 5000, 50
Numeric = Callable[[Any, Any], Any]     # a function of θ₁, θ₂ (numbers, or arrays of one shape)


@dataclass(frozen=True)
class MethodPaths:
    """Both runs from START on the data, and what a reader is told about them."""

    objective: Objective
    surface: Callable[[Any, Any], Any]    # L(θ₁, θ₂) on arrays: the picture's contours
    gd: Run
    newton: Run
    eta: float
    minimum: tuple[float, ...]          # where Newton's method stopped
    eigenvalues: tuple[float, ...]      # of the Hessian there, ascending

    @property
    def gd_steps(self) -> int | None:
        return self.gd.iterations_to_tol

    @property
    def newton_steps(self) -> int | None:
        return self.newton.iterations_to_tol


def design() -> tuple[np.ndarray, np.ndarray]:
    """(X, y): X's rows are x_iᵀ = (1, x_{i2}), y the labels."""
    return np.column_stack([np.ones(len(FEATURE)), FEATURE]), np.array(LABELS)


def method_paths(d: Derivation) -> MethodPaths | None:
    """Both methods on the data for a loss of one vector θ with a checked Hessian; None for any other
    (more variables, data the set does not supply, a method that does not converge)."""
    functions = toy_functions(d)
    if functions is None:
        return None
    obj = _objective(*functions)
    start = np.array(START)
    gd = gradient_descent(obj, start, ETA, GD_ITERS, TOL)
    nt = newton(obj, start, NEWTON_ITERS, TOL)
    if gd.iterations_to_tol is None or nt.iterations_to_tol is None:
        return None
    minimum = np.array(nt.last.theta)
    eigenvalues = np.linalg.eigvalsh(obj.hess(minimum))
    return MethodPaths(obj, functions[0], gd, nt, ETA, tuple(map(float, minimum)), tuple(map(float, eigenvalues)))


def toy_objective(d: Derivation) -> Objective | None:
    """L, ∇L and H of the derivation on the data, as functions of (θ₁, θ₂); None when the loss is
    not a sum over samples of one vector θ, a data matrix x_{ij} and at most one label y_i."""
    functions = toy_functions(d)
    return _objective(*functions) if functions is not None else None


def _objective(f: Numeric, grad: list[Numeric], hess: list[Numeric]) -> Objective:
    return Objective(names=("θ₁", "θ₂"), f=lambda p: float(f(*p)),
                     grad=lambda p: np.array([float(e(*p)) for e in grad]),
                     hess=lambda p: np.array([float(e(*p)) for e in hess]).reshape(2, 2),
                     description=f"the note's loss on {len(FEATURE)} fixed points")


def toy_functions(d: Derivation) -> tuple[Numeric, list[Numeric], list[Numeric]] | None:
    """(L, [∂L/∂θ₁, ∂L/∂θ₂], [H₁₁, H₁₂, H₂₁, H₂₂]) as functions of θ₁, θ₂ (numbers or arrays alike):
    each expression lambdified with its sums kept (NumPy sums them over the data), θ's and the data's
    entries read from arrays indexed from 1 as the expressions index them."""
    g = d.gradient[0] if len(d.gradient) == 1 else None
    if g is None or len(g.index) != 1 or not isinstance(g.wrt, sp.Indexed) or not d.hessian:
        return None
    h = d.hessian[0][0]
    if not isinstance(h.wrt, sp.Indexed):
        return None
    theta, k, l_ = g.wrt.base, g.index[0], h.wrt.indices[0]
    loss = to_elementary(d.problem.expanded())
    shape = d.shape_of(g.variable)
    sizes = _sizes(loss, shape[0] if shape else None)
    data = _data(loss, theta)
    if sizes is None or data is None:
        return None
    bases = [theta, *data]
    labels = {b.label for b in bases}

    def numeric(e: sp.Basic, at: dict[sp.Basic, int]) -> Numeric | None:
        e = to_elementary(e).subs(at).subs(sizes)
        if not all(s in labels for s in e.free_symbols if isinstance(s, sp.Symbol)):
            return None              # another symbol (λ, a size) has no value here
        fn = sp.lambdify(bases, e, "numpy")
        values = list(data.values())

        def at_theta(t1: Any, t2: Any) -> Any:
            with np.errstate(all="ignore"):
                return fn([0.0, t1, t2], *values)
        return at_theta

    f = numeric(loss, {})
    grad = [numeric(g.expanded, {k: a}) for a in (1, 2)]
    hess = [numeric(h.expanded, {k: a, l_: b}) for a in (1, 2) for b in (1, 2)]
    if f is None or any(e is None for e in grad) or any(e is None for e in hess):
        return None
    return f, [e for e in grad if e is not None], [e for e in hess if e is not None]


def _sizes(loss: sp.Basic, size: sp.Basic | None) -> dict[sp.Basic, int] | None:
    """{d: 2, n: 8}: θ's length and the sample count (the one other upper limit of the loss's sums)."""
    if size is None or not isinstance(size, sp.Symbol):
        return None
    others = {s.limits[0][2] for s in loss.atoms(sp.Sum)} - {size}
    if len(others) != 1 or not isinstance(next(iter(others)), sp.Symbol):
        return None
    return {size: 2, next(iter(others)): len(FEATURE)}


def _data(loss: sp.Basic, theta: sp.IndexedBase) -> dict[sp.IndexedBase, np.ndarray] | None:
    """The data by name, indexed from 1 (a row and column 0 pad them): x = (1, FEATURE) by rows,
    y = LABELS."""
    bases = {a.base for a in loss.atoms(sp.Indexed)} - {theta}
    ranks = {b: {len(a.indices) for a in loss.atoms(sp.Indexed) if a.base == b} for b in bases}
    matrices = [b for b in bases if ranks[b] == {2}]
    vectors = [b for b in bases if ranks[b] == {1}]
    if len(matrices) != 1 or len(vectors) > 1 or len(matrices) + len(vectors) != len(bases):
        return None
    X, y = design()
    padded_x = np.zeros((len(FEATURE) + 1, 3))
    padded_x[1:, 1:] = X
    out: dict[sp.IndexedBase, np.ndarray] = {matrices[0]: padded_x}
    out.update({v: np.concatenate([[0.0], y]) for v in vectors})
    return out


def path(run: Run) -> np.ndarray:
    """The run's iterates θ^{(0)}, θ^{(1)}, … as rows."""
    return np.array([it.theta for it in run.history])


def summary_numbers(mp: MethodPaths) -> dict[str, str]:
    """The numbers the sentences quote, formatted once (so picture and text agree)."""
    return {"n": str(len(FEATURE)), "gd": str(mp.gd_steps), "newton": str(mp.newton_steps), "eta": f"{mp.eta:g}",
            "features": ", ".join(f"{v:g}" for v in FEATURE), "labels": ", ".join(f"{v:g}" for v in LABELS),
            "start": _vector(START), "minimum": _vector(mp.minimum),
            "lam_small": f"{mp.eigenvalues[0]:.3g}", "lam_large": f"{mp.eigenvalues[-1]:.3g}"}


def _vector(v: Sequence[float]) -> str:
    return "(" + ", ".join(f"{x:.3g}" if abs(x) > 1e-12 else "0" for x in v) + ")^{T}"

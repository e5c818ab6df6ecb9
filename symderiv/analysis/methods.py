"""Gradient descent versus Newton's method, run numerically on an Objective.

Both methods start from the same point; each iteration's θ, L and ‖∇L‖ is recorded, and a run ends
with how it stopped: converged (‖∇L‖ ≤ tol), max_iters, diverged (η too large, a value that became
NaN, a loss unbounded below) or singular (a Hessian Newton cannot invert). The messages saying why
are part of the result as `Phrase`s (a catalogue key plus its values): symderiv/output/ words them in
English or Chinese (JSON keeps the English sentences).
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symderiv.analysis.data import Dataset
from symderiv.analysis.numpy_objective import Objective, objective_from_sample_sum
from symderiv.analysis.objective import SampleSum
from symderiv.analysis.results import Numbers, Phrase, Tolerance
from symderiv.core.errors import SymderivError

METHODS = ("gd", "newton")
DEFAULT_TOL = 1e-6
DEFAULT_ITERS = {"gd": 10000, "newton": 100}
_NUMERIC_ERRORS = (ZeroDivisionError, OverflowError, ValueError, FloatingPointError, TypeError)


@dataclass(frozen=True)
class Iterate:
    """One row of a run: iteration k, parameters θ_k, loss L(θ_k) and ‖∇L(θ_k)‖."""

    k: int
    theta: tuple[float, ...]
    loss: float
    grad_norm: float


@dataclass(frozen=True)
class Run:
    """One method's trajectory and how it ended (status: converged, max_iters, diverged, singular).

    `message` says why it stopped, `events` what happened on the way (an indefinite Hessian), `lr_note`
    where gradient descent's η came from: phrases of symderiv/output/analysis_phrases.py.
    """

    method: str
    history: tuple[Iterate, ...]
    status: str
    message: Phrase
    lr: float | None = None
    lr_note: Phrase | None = None
    iterations_to_tol: int | None = None
    events: tuple[Phrase, ...] = ()
    seconds: float = 0.0

    @property
    def last(self) -> Iterate:
        return self.history[-1]


@dataclass(frozen=True)
class NumericMinimum:
    """Newton's minimum of a sum over samples on concrete data (for `analyze --data`)."""

    theta: tuple[float, ...]
    eigenvalues: tuple[float, ...]  # of the Hessian there
    iterations: int | None
    names: tuple[str, ...]


def run_methods(obj: Objective, start: np.ndarray, methods: Sequence[str], lr: float | None = None,
                iters: int | None = None, tol: float = DEFAULT_TOL) -> tuple[Run, ...]:
    """Each method from `start`: gradient descent with η = `lr` or 1/λ_max(H), Newton's method."""
    runs = []
    for m in methods:
        n_iter = iters if iters is not None else DEFAULT_ITERS[m]
        if m == "gd":
            eta, note = (lr, Phrase("lr_given")) if lr is not None else default_lr(obj, start)
            runs.append(gradient_descent(obj, start, eta, n_iter, tol, note))
        else:
            runs.append(newton(obj, start, n_iter, tol))
    return tuple(runs)


def default_lr(obj: Objective, start: np.ndarray) -> tuple[float, Phrase]:
    """η = 1/λ_max(H) at the start: the largest step that is safe for a quadratic with that curvature."""
    h = _hessian(obj, start)
    if h is not None:
        lam = float(np.max(np.linalg.eigvalsh((h + h.T) / 2)))
        if lam > 0:
            return 1.0 / lam, Phrase("lr_curvature", (("lam", lam),))
    return 0.01, Phrase("lr_default")


def gradient_descent(obj: Objective, start: np.ndarray, lr: float, iters: int, tol: float,
                     lr_note: Phrase | None = None) -> Run:
    """θ ← θ − η ∇L. Stops at ‖∇L‖ ≤ tol; reports divergence (non-finite values, or a loss that
    keeps growing — η too large for the curvature, whose limit 2/λ_max is stated)."""
    t0 = time.perf_counter()
    p = np.array(start, dtype=float)
    loss, g = _start_record(obj, p)
    hist = [Iterate(0, tuple(map(float, p)), loss, float(np.linalg.norm(g)))]
    rises = 0
    status, message = "max_iters", _not_reached(tol, iters)
    if hist[0].grad_norm <= tol:
        status, message = "converged", Phrase("opt_at_start")
    else:
        for k in range(1, iters + 1):
            p = p - lr * g
            ev = _evaluate(obj, p)
            if ev is None or np.linalg.norm(p) > 1e12:
                status, message = "diverged", Phrase("opt_blew_up", (("what", _blow_up(hist)), ("k", k),
                                                                     ("cause", _gd_cause(obj, hist, lr))))
                break
            new_loss, g = ev
            rises = rises + 1 if new_loss > loss else 0
            loss = new_loss
            hist.append(Iterate(k, tuple(map(float, p)), loss, float(np.linalg.norm(g))))
            if hist[-1].grad_norm <= tol:
                status, message = "converged", _reached(tol, k)
                break
            if rises >= 5 and hist[-1].grad_norm > 10 * hist[0].grad_norm:
                status, message = "diverged", Phrase("opt_loss_rose", (("n", rises), ("k", k),
                                                                       ("cause", _too_large(obj, hist, lr))))
                break
    return Run("gd", tuple(hist), status, message, lr=lr, lr_note=lr_note,
               iterations_to_tol=hist[-1].k if status == "converged" else None,
               seconds=time.perf_counter() - t0)


def newton(obj: Objective, start: np.ndarray, iters: int, tol: float) -> Run:
    """θ ← θ − H⁻¹∇L (pure Newton, as taught). Stops at ‖∇L‖ ≤ tol; a singular Hessian stops it,
    an indefinite one is reported (the step then heads for a saddle or maximum)."""
    t0 = time.perf_counter()
    p = np.array(start, dtype=float)
    loss, g = _start_record(obj, p)
    hist = [Iterate(0, tuple(map(float, p)), loss, float(np.linalg.norm(g)))]
    events: list[Phrase] = []
    status, message = "max_iters", _not_reached(tol, iters)
    if hist[0].grad_norm <= tol:
        status, message = "converged", Phrase("opt_at_start")
        iters = 0
    for k in range(1, iters + 1):
        h = _hessian(obj, p)
        if h is None:
            status, message = "diverged", Phrase("opt_hessian_not_finite", (("k", k),))
            break
        w = np.linalg.eigvalsh((h + h.T) / 2)
        scale = max(float(np.max(np.abs(w))), 1e-300)
        if float(np.min(np.abs(w))) <= 1e-12 * scale:
            status, message = "singular", Phrase("opt_hessian_singular", (
                ("k", k), ("eigenvalues", Numbers(tuple(float(v) for v in w)))))
            break
        if w[0] < 0 and not events:
            events.append(Phrase("opt_hessian_indefinite", (("k", k), ("lam", float(w[0])))))
        p = p - np.linalg.solve(h, g)
        ev = _evaluate(obj, p)
        if ev is None or np.linalg.norm(p) > 1e12:
            status, message = "diverged", Phrase("opt_non_finite_at", (("k", k),))
            break
        loss, g = ev
        hist.append(Iterate(k, tuple(map(float, p)), loss, float(np.linalg.norm(g))))
        if hist[-1].grad_norm <= tol:
            status, message = "converged", _reached(tol, k)
            break
    return Run("newton", tuple(hist), status, message,
               iterations_to_tol=hist[-1].k if status == "converged" else None,
               events=tuple(events), seconds=time.perf_counter() - t0)


def minimize_on_data(ss: SampleSum, variables: Sequence[str], data: Dataset) -> NumericMinimum | None:
    """For `analyze --data`: Newton's minimum from θ = 0, or None when Newton does not converge."""
    obj = objective_from_sample_sum(ss, variables, data)
    run = newton(obj, np.zeros(obj.dim), iters=100, tol=1e-8)
    if run.status != "converged":
        return None
    theta = np.array(run.history[-1].theta)
    evs = np.linalg.eigvalsh(obj.hess(theta))
    return NumericMinimum(tuple(float(v) for v in theta), tuple(float(v) for v in evs), run.iterations_to_tol,
                          obj.names)


def _evaluate(obj: Objective, p: np.ndarray) -> tuple[float, np.ndarray] | None:
    """(loss, gradient) or None when either is not finite."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss, g = obj.f(p), obj.grad(p)
    except _NUMERIC_ERRORS:
        return None
    if not (math.isfinite(loss) and np.all(np.isfinite(g))):
        return None
    return loss, np.asarray(g, dtype=float)


def _hessian(obj: Objective, p: np.ndarray) -> np.ndarray | None:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            h = np.asarray(obj.hess(p), dtype=float).reshape(obj.dim, obj.dim)
    except _NUMERIC_ERRORS:
        return None
    return h if np.all(np.isfinite(h)) else None


def _start_record(obj: Objective, start: np.ndarray) -> tuple[float, np.ndarray]:
    first = _evaluate(obj, start)
    if first is None:
        at = ", ".join(f"{float(v):g}" for v in start)
        raise SymderivError(f"the function or its gradient is not finite at the start ({at}); try another --start")
    return first


def _not_reached(tol: float, iters: int) -> Phrase:
    return Phrase("opt_not_reached", (("tol", Tolerance(tol)), ("iters", iters)))


def _reached(tol: float, k: int) -> Phrase:
    return Phrase("opt_reached", (("tol", Tolerance(tol)), ("k", k)))


def _blow_up(hist: Sequence[Iterate]) -> Phrase:
    return Phrase("opt_ran_off" if len(hist) > 1 and math.isfinite(hist[-1].loss) else "opt_non_finite")


def _gd_cause(obj: Objective, hist: Sequence[Iterate], lr: float) -> Phrase:
    """A loss that kept falling means the function is unbounded below, not that η was too large."""
    tail = [it.loss for it in hist[-6:]]
    if len(tail) >= 3 and all(b < a for a, b in itertools.pairwise(tail)):
        return Phrase("opt_unbounded")
    return _too_large(obj, hist, lr)


def _too_large(obj: Objective, hist: Sequence[Iterate], lr: float) -> Phrase:
    h = _hessian(obj, np.array(hist[0].theta))
    if h is not None:
        lam = float(np.max(np.abs(np.linalg.eigvalsh((h + h.T) / 2))))
        if lam > 0:
            return Phrase("opt_too_large_limit", (("lr", lr), ("limit", 2 / lam)))
    return Phrase("opt_too_large", (("lr", lr),))

"""Gradient descent versus Newton's method on the user's own function, run numerically.

The seed note says Newton "converges faster"; this module shows by how much on a concrete
function: both methods start from the same point, each iteration's θ, L and ‖∇L‖ is recorded, and
the summary gives the iterations each needed to reach the tolerance — or why it failed (η too
large, a singular Hessian, a value that became NaN). The gradient and Hessian come from SymPy
(`sympy.diff`, then `lambdify` to NumPy). A sum over samples (the logistic loss) is instantiated on
data: a small built-in data set generated with a fixed seed, or the user's CSV; it is evaluated in
vectorised form ∇L = Aᵀg'(z), H = Aᵀ diag(g''(z)) A, with g', g'' still derived by SymPy.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import os
import pathlib
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from symderiv.analysis.analyzer import (SampleSum, _lambdify, _num, _variable_symbols, parse_problem, problem_parts)
from symderiv.core.errors import SymderivError
from symderiv.ml.functions import to_elementary
from symderiv.core.limits import DEFAULT_TIMEOUT, time_limit

METHOD_NAMES = {"gd": "gradient descent", "newton": "Newton's method"}
DEFAULT_TOL = 1e-6
DEFAULT_ITERS = {"gd": 10000, "newton": 100}
MAX_CSV_BYTES = 50 * 1024 * 1024
PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    """n samples × d features and one label per sample."""

    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    source: str = "built-in"

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


def builtin_data(n: int = 100, d: int = 2, seed: int = 0) -> Dataset:
    """A reproducible, non-separable binary-classification set: x ~ N(0, I), y ~ Bernoulli(σ(θ*ᵀx)).

    Non-separable on purpose: on separable data the logistic loss has no minimum (θ runs to ∞).
    """
    if n < 1 or d < 1 or n * d > 50_000_000:
        raise SymderivError("the built-in data set needs 1 ≤ samples, 1 ≤ features, samples × features ≤ 5e7")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    true_theta = np.array([(1.5 if k % 2 == 0 else -1.0) / (1 + k // 2) for k in range(d)])
    p = 1.0 / (1.0 + np.exp(-(X @ true_theta)))
    y = (rng.uniform(size=n) < p).astype(float)
    return Dataset(X, y, f"built-in (seed {seed})")


def load_csv(path: str) -> Dataset:
    """Rows of numbers: features…, label last; a first row that is not numeric is a header."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise SymderivError(f"--data: no such file: {path}")
    if p.stat().st_size > MAX_CSV_BYTES:
        raise SymderivError(f"--data: {path} is larger than {MAX_CSV_BYTES // 2**20} MB")
    rows = []
    try:
        with p.open(newline="", encoding="utf-8") as fh:
            for lineno, row in enumerate(csv.reader(fh), start=1):
                cells = [c.strip() for c in row if c.strip() != ""]
                if not cells:
                    continue
                try:
                    nums = [float(c) for c in cells]
                except ValueError:
                    if not rows and lineno == 1:
                        continue     # a header line
                    raise SymderivError(f"--data: {path} line {lineno}: not a number in {row!r}") from None
                rows.append((lineno, nums))
    except UnicodeDecodeError:
        raise SymderivError(f"--data: {path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise SymderivError(f"--data: {path}: {exc}") from None
    if not rows:
        raise SymderivError(f"--data: {path} has no rows of numbers")
    width = len(rows[0][1])
    for lineno, nums in rows:
        if len(nums) != width:
            raise SymderivError(f"--data: {path} line {lineno} has {len(nums)} values, the first row {width}")
    if width < 2:
        raise SymderivError(f"--data: {path} needs at least two columns (features…, label)")
    arr = np.array([nums for _, nums in rows], dtype=float)
    if not np.all(np.isfinite(arr)):
        raise SymderivError(f"--data: {path} contains non-finite values")
    return Dataset(arr[:, :-1], arr[:, -1], p.name)


# --------------------------------------------------------------------------------------------
# Objectives
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Objective:
    """f, ∇f and the Hessian as NumPy functions of one parameter vector."""

    names: tuple[str, ...]
    f: Callable[[np.ndarray], float] = field(repr=False)
    grad: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    hess: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    description: str = ""
    data: Dataset | None = None
    form: str = "symbolic"        # "symbolic", "sample-sum" or "logistic" (stable vectorised form)

    @property
    def dim(self) -> int:
        return len(self.names)


def objective_from_expr(expr: sp.Basic, variables: Sequence[str]) -> Objective:
    """Plain functions: sympy.diff for ∇f and H, lambdify for all three."""
    from symderiv.analysis.analyzer import require_explicit
    require_explicit(expr, "optimize")
    xs = _variable_symbols(expr, variables)
    others = sorted(s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in xs)
    if others:
        raise SymderivError(f"optimize needs numbers for {', '.join(others)} (not variables); "
                            f"give them values with --where, e.g. --where '{others[0]} = 1'")
    fe = to_elementary(expr)
    grad = [sp.diff(fe, x) for x in xs]
    hess = [[sp.diff(g, y) for y in xs] for g in grad]
    f_fn, g_fn, h_fn = _lambdify(xs, fe), _lambdify(xs, grad), _lambdify(xs, hess)
    n = len(xs)
    return Objective(
        names=tuple(str(x) for x in xs),
        f=lambda p: float(np.real(f_fn(*p))),
        grad=lambda p: np.asarray(g_fn(*p), dtype=float).reshape(n),
        hess=lambda p: np.asarray(h_fn(*p), dtype=float).reshape(n, n),
        description=str(expr))


def _layout(ss: SampleSum, variables: Sequence[str], data: Dataset):
    """Parameter names and the design matrix A (z = offset + A p) in the order of `variables`."""
    names, cols = [], []
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


def _per_sample(ss: SampleSum, data: Dataset):
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
    fns = [_lambdify([ss.z, ysym], e) for e in (g, sp.diff(g, ss.z), sp.diff(g, ss.z, 2))]
    off = _lambdify([ysym], offset)
    vec = lambda fn: (lambda z, y: np.broadcast_to(np.asarray(fn(z, y), dtype=float), z.shape))
    return [vec(fn) for fn in fns], np.broadcast_to(np.asarray(off(data.y), dtype=float), data.y.shape)


def _logistic_scale(g_fn, n_checks: int = 12) -> float | None:
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


def objective_from_sample_sum(ss: SampleSum, variables: Sequence[str], data: Dataset) -> Objective:
    """L(p) = Σ_i g(z_i, y_i), z = offset + A p: ∇L = Aᵀ g'(z), H = Aᵀ diag(g''(z)) A."""
    names, A = _layout(ss, variables, data)
    (g, g1, g2), offset = _per_sample(ss, data)
    y = data.y
    scale = _logistic_scale(g)
    if scale is not None:   # stable form: log(1 + e^z) via logaddexp never overflows
        def loss(p):
            z = offset + A @ p
            return float(scale * np.sum(np.logaddexp(0.0, z) - y * z))

        def grad(p):
            s = _sigmoid(offset + A @ p)
            return scale * (A.T @ (s - y))

        def hess(p):
            s = _sigmoid(offset + A @ p)
            return scale * (A.T @ ((s * (1 - s))[:, None] * A))
        form = "logistic"
    else:
        def loss(p):
            with np.errstate(all="ignore"):
                return float(np.sum(g(offset + A @ p, y)))

        def grad(p):
            with np.errstate(all="ignore"):
                return A.T @ g1(offset + A @ p, y)

        def hess(p):
            with np.errstate(all="ignore"):
                return A.T @ (g2(offset + A @ p, y)[:, None] * A)
        form = "sample-sum"
    return Objective(names, loss, grad, hess, description=f"Σ_i g(z_i) on {data.n} × {data.d} data",
                     data=data, form=form)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) without overflow warnings for large |z|."""
    out = np.empty_like(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def build_objective(problem, data: Dataset | None = None) -> Objective:
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


def minimize_on_data(ss: SampleSum, variables: Sequence[str], data: Dataset):
    """For `analyze --data`: Newton's minimum, the Hessian's eigenvalues there, iterations, names."""
    obj = objective_from_sample_sum(ss, variables, data)
    run = newton(obj, np.zeros(obj.dim), iters=100, tol=1e-8)
    if run.status != "converged":
        return None
    theta = np.array(run.history[-1].theta)
    evs = np.linalg.eigvalsh(obj.hess(theta))
    return tuple(float(v) for v in theta), tuple(float(v) for v in evs), run.iterations_to_tol, obj.names


# --------------------------------------------------------------------------------------------
# The two methods
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Iterate:
    k: int
    theta: tuple[float, ...]
    loss: float
    grad_norm: float


@dataclass(frozen=True)
class Run:
    """One method's trajectory and how it ended (status: converged, max_iters, diverged, singular)."""

    method: str
    history: tuple[Iterate, ...]
    status: str
    message: str
    lr: float | None = None
    lr_note: str = ""
    iterations_to_tol: int | None = None
    events: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def last(self) -> Iterate:
        return self.history[-1]


def _evaluate(obj: Objective, p: np.ndarray):
    """(loss, gradient) or None when either is not finite."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss, g = obj.f(p), obj.grad(p)
    except (ZeroDivisionError, OverflowError, ValueError, FloatingPointError, TypeError):
        return None
    if not (math.isfinite(loss) and np.all(np.isfinite(g))):
        return None
    return loss, np.asarray(g, dtype=float)


def _hessian(obj: Objective, p: np.ndarray) -> np.ndarray | None:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            h = np.asarray(obj.hess(p), dtype=float).reshape(obj.dim, obj.dim)
    except (ZeroDivisionError, OverflowError, ValueError, FloatingPointError, TypeError):
        return None
    return h if np.all(np.isfinite(h)) else None


def default_lr(obj: Objective, start: np.ndarray) -> tuple[float, str]:
    """η = 1/λ_max(H) at the start: the largest step that is safe for a quadratic with that curvature."""
    h = _hessian(obj, start)
    if h is not None:
        lam = float(np.max(np.linalg.eigvalsh((h + h.T) / 2)))
        if lam > 0:
            return 1.0 / lam, f"1/λ_max(H) at the start, λ_max = {_num(lam)}"
    return 0.01, "default (the Hessian at the start has no positive eigenvalue)"


def _start_record(obj: Objective, start: np.ndarray, method: str):
    first = _evaluate(obj, start)
    if first is None:
        raise SymderivError(f"the function or its gradient is not finite at the start {tuple(start)}")
    return first


def gradient_descent(obj: Objective, start: np.ndarray, lr: float, iters: int, tol: float,
                     lr_note: str = "") -> Run:
    """θ ← θ − η ∇L. Stops at ‖∇L‖ ≤ tol; reports divergence (non-finite values, or a loss that
    keeps growing — η too large for the curvature, whose limit 2/λ_max is stated)."""
    t0 = time.perf_counter()
    p = np.array(start, dtype=float)
    loss, g = _start_record(obj, p, "gd")
    hist = [Iterate(0, tuple(map(float, p)), loss, float(np.linalg.norm(g)))]
    rises = 0
    status, message = "max_iters", f"did not reach ‖∇L‖ ≤ {tol:g} in {iters} iterations"
    if hist[0].grad_norm <= tol:
        status, message = "converged", "the start is already a critical point"
    else:
        for k in range(1, iters + 1):
            p = p - lr * g
            ev = _evaluate(obj, p)
            if ev is None or np.linalg.norm(p) > 1e12:
                status, message = "diverged", f"{_blow_up(hist, k)} at iteration {k}: {_gd_cause(obj, hist, lr)}"
                break
            new_loss, g = ev
            rises = rises + 1 if new_loss > loss else 0
            loss = new_loss
            hist.append(Iterate(k, tuple(map(float, p)), loss, float(np.linalg.norm(g))))
            if hist[-1].grad_norm <= tol:
                status, message = "converged", f"‖∇L‖ ≤ {tol:g} after {k} iterations"
                break
            if rises >= 5 and hist[-1].grad_norm > 10 * hist[0].grad_norm:
                status, message = "diverged", f"the loss rose 5 iterations in a row (iteration {k}): {_too_large(obj, hist, lr)}"
                break
    return Run("gd", tuple(hist), status, message, lr=lr, lr_note=lr_note,
               iterations_to_tol=hist[-1].k if status == "converged" else None,
               seconds=time.perf_counter() - t0)


def _blow_up(hist, k: int) -> str:
    return "θ ran off to infinity" if len(hist) > 1 and math.isfinite(hist[-1].loss) else "values became non-finite"


def _gd_cause(obj: Objective, hist, lr: float) -> str:
    """A loss that kept falling means the function is unbounded below, not that η was too large."""
    tail = [it.loss for it in hist[-6:]]
    if len(tail) >= 3 and all(b < a for a, b in zip(tail, tail[1:])):
        return "the loss decreases without bound (no minimum along this path; L → −∞)"
    return _too_large(obj, hist, lr)


def _too_large(obj: Objective, hist, lr: float) -> str:
    h = _hessian(obj, np.array(hist[0].theta))
    if h is not None:
        lam = float(np.max(np.abs(np.linalg.eigvalsh((h + h.T) / 2))))
        if lam > 0:
            return f"η = {_num(lr)} is too large (gradient descent needs η < 2/λ_max ≈ {_num(2 / lam)} near the start)"
    return f"η = {_num(lr)} is too large"


def newton(obj: Objective, start: np.ndarray, iters: int, tol: float) -> Run:
    """θ ← θ − H⁻¹∇L (pure Newton, as taught). Stops at ‖∇L‖ ≤ tol; a singular Hessian stops it,
    an indefinite one is reported (the step then heads for a saddle or maximum)."""
    t0 = time.perf_counter()
    p = np.array(start, dtype=float)
    loss, g = _start_record(obj, p, "newton")
    hist = [Iterate(0, tuple(map(float, p)), loss, float(np.linalg.norm(g)))]
    events: list[str] = []
    status, message = "max_iters", f"did not reach ‖∇L‖ ≤ {tol:g} in {iters} iterations"
    if hist[0].grad_norm <= tol:
        status, message = "converged", "the start is already a critical point"
        iters = 0
    for k in range(1, iters + 1):
        h = _hessian(obj, p)
        if h is None:
            status, message = "diverged", f"the Hessian is not finite at iteration {k}"
            break
        w = np.linalg.eigvalsh((h + h.T) / 2)
        scale = max(float(np.max(np.abs(w))), 1e-300)
        if float(np.min(np.abs(w))) <= 1e-12 * scale:
            status, message = "singular", (f"the Hessian is singular at iteration {k} (eigenvalues "
                                           f"{', '.join(_num(float(v)) for v in w)}): the Newton step is undefined")
            break
        if w[0] < 0 and not events:
            events.append(f"the Hessian is not positive definite at iteration {k} (λ_min = {_num(float(w[0]))}): "
                          "the Newton step is not a descent direction and may head for a saddle or maximum")
        step = np.linalg.solve(h, g)
        p = p - step
        ev = _evaluate(obj, p)
        if ev is None or np.linalg.norm(p) > 1e12:
            status, message = "diverged", f"values became non-finite at iteration {k}"
            break
        loss, g = ev
        hist.append(Iterate(k, tuple(map(float, p)), loss, float(np.linalg.norm(g))))
        if hist[-1].grad_norm <= tol:
            status, message = "converged", f"‖∇L‖ ≤ {tol:g} after {k} iterations"
            break
    return Run("newton", tuple(hist), status, message, iterations_to_tol=hist[-1].k if status == "converged" else None,
               events=tuple(events), seconds=time.perf_counter() - t0)


def run_methods(obj: Objective, start: np.ndarray, methods: Sequence[str], lr: float | None = None,
                iters: int | None = None, tol: float = DEFAULT_TOL) -> tuple[Run, ...]:
    runs = []
    for m in methods:
        n_iter = iters if iters is not None else DEFAULT_ITERS[m]
        if m == "gd":
            eta, note = (lr, "--lr") if lr is not None else default_lr(obj, start)
            runs.append(gradient_descent(obj, start, eta, n_iter, tol, note))
        else:
            runs.append(newton(obj, start, n_iter, tol))
    return tuple(runs)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

def _theta_text(theta: Sequence[float], limit: int = 4) -> str:
    shown = [f"{v:.4f}" for v in theta[:limit]]
    if len(theta) > limit:
        shown.append("…")
    return "(" + ", ".join(shown) + ")"


def _rows(run: Run, head: int = 8, tail: int = 4) -> list[Iterate | None]:
    """All rows of a short run; else the first `head`, a gap (None) and the last `tail`."""
    h = list(run.history)
    if len(h) <= head + tail + 1:
        return h
    return h[:head] + [None] + h[-tail:]


def _run_title(run: Run) -> str:
    if run.method == "gd":
        return f"{METHOD_NAMES['gd']} (η = {_num(run.lr)}, {run.lr_note})"
    return METHOD_NAMES["newton"]


def _summary_line(run: Run) -> str:
    last = run.last
    k = run.iterations_to_tol
    if run.status == "converged":
        head = f"converged in {k} iteration{'' if k == 1 else 's'}" if k else f"converged — {run.message}"
    else:
        head = {"max_iters": "not converged", "diverged": "diverged", "singular": "stopped"}[run.status]
        head = f"{head} — {run.message}"
    return (f"{head}; L = {last.loss:.6g}, ‖∇L‖ = {last.grad_norm:.2e}, "
            f"θ = {_theta_text(last.theta)} ({run.seconds * 1000:.1f} ms)")


def _header(obj: Objective, start, tol: float) -> list[str]:
    lines = [f"function: {obj.description}"]
    if obj.data is not None:
        form = " (logistic loss: stable vectorised form)" if obj.form == "logistic" else ""
        lines.append(f"data: {obj.data.source}, {obj.data.n} samples × {obj.data.d} features{form}")
    lines.append(f"variables: {', '.join(obj.names) if obj.dim <= 6 else f'{obj.names[0]} … {obj.names[-1]} ({obj.dim})'}")
    lines.append(f"start: {_theta_text(list(start), 6)}; tolerance ‖∇L‖ ≤ {tol:g}")
    return lines


def render_text(obj: Objective, start, tol: float, runs: Sequence[Run], plot: str | None = None) -> str:
    lines = _header(obj, start, tol)
    for run in runs:
        rows = _rows(run)
        w = max([len(_theta_text(it.theta)) for it in rows if it is not None] + [5])
        lines += ["", _run_title(run) + ":", f"  {'iter':>6}  {'θ':<{w}}  {'L':>15}  {'‖∇L‖':>10}"]
        for it in rows:
            if it is None:
                lines.append(f"  {'…':>6}")
                continue
            lines.append(f"  {it.k:>6}  {_theta_text(it.theta):<{w}}  {it.loss:>15.8g}  {it.grad_norm:>10.3e}")
        lines += [f"  ! {e}" for e in run.events]
    lines += ["", "summary:"]
    width = max(len(METHOD_NAMES[r.method]) for r in runs)
    for run in runs:
        lines.append(f"  {METHOD_NAMES[run.method]:<{width}}  {_summary_line(run)}")
    lines += _comparison(runs)
    if plot:
        lines.append(f"plot: {plot}")
    return "\n".join(lines) + "\n"


def _comparison(runs: Sequence[Run]) -> list[str]:
    done = {r.method: r.iterations_to_tol for r in runs if r.status == "converged"}
    if "gd" in done and "newton" in done and done["newton"]:
        its = "iteration" if done["newton"] == 1 else "iterations"
        return [f"  Newton's method needed {done['newton']} {its}, gradient descent {done['gd']} "
                f"({done['gd'] / done['newton']:.0f}× as many)"]
    return []


def render_markdown(obj: Objective, start, tol: float, runs: Sequence[Run], plot: str | None = None) -> str:
    lines = ["### Gradient descent versus Newton's method", ""]
    lines += [f"- {ln}" for ln in _header(obj, start, tol)]
    for run in runs:
        lines += ["", f"**{_run_title(run)}**", "", "| iteration | θ | L | ‖∇L‖ |", "| ---: | --- | ---: | ---: |"]
        for it in _rows(run):
            lines.append("| … | | | |" if it is None else
                         f"| {it.k} | {_theta_text(it.theta)} | {it.loss:.8g} | {it.grad_norm:.3e} |")
        lines += ["", *[f"> {e}" for e in run.events]] if run.events else []
    lines += ["", "| method | result |", "| --- | --- |"]
    lines += [f"| {METHOD_NAMES[r.method]} | {_summary_line(r)} |" for r in runs]
    comparison = [ln.strip() for ln in _comparison(runs)]
    lines += ["", *comparison] if comparison else []
    if plot:
        lines += ["", f"![loss and paths]({plot})"]
    return "\n".join(lines) + "\n"


def _history_json(run: Run, cap: int = 1000) -> tuple[list, bool]:
    h = list(run.history)
    truncated = len(h) > cap
    if truncated:
        h = h[: cap // 2] + h[-cap // 2:]
    return [{"iter": it.k, "theta": list(it.theta), "loss": it.loss, "grad_norm": it.grad_norm} for it in h], truncated


def render_json(obj: Objective, start, tol: float, runs: Sequence[Run], plot: str | None = None) -> str:
    out_runs = []
    for r in runs:
        hist, truncated = _history_json(r)
        out_runs.append({"method": r.method, "lr": r.lr, "lr_note": r.lr_note or None, "status": r.status,
                         "message": r.message, "iterations": r.last.k, "iterations_to_tol": r.iterations_to_tol,
                         "final": {"theta": list(r.last.theta), "loss": r.last.loss, "grad_norm": r.last.grad_norm},
                         "events": list(r.events), "seconds": r.seconds,
                         "history": hist, "history_truncated": truncated})
    obj_json = {"function": obj.description, "variables": list(obj.names), "start": [float(v) for v in start],
                "tolerance": tol, "form": obj.form,
                "data": None if obj.data is None else {"source": obj.data.source, "samples": obj.data.n,
                                                       "features": obj.data.d},
                "runs": out_runs, "plot": plot}
    return json.dumps(obj_json, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    return str(o)


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------

def write_plot(obj: Objective, runs: Sequence[Run], path: str, protect: Sequence[str] = ()) -> str:
    """Loss gap L − L* per iteration on a log scale (+ a contour with both paths for 2-D), atomically."""
    target = pathlib.Path(path)
    fmt = PLOT_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise SymderivError(f"--plot: unknown image type {target.suffix or '(none)'}; use .png, .svg or .pdf")
    if any(os.path.exists(p) and os.path.exists(target) and os.path.samefile(p, target) for p in protect):
        raise SymderivError(f"--plot: refusing to overwrite the input file {path}")
    if not target.parent.exists():
        raise SymderivError(f"--plot: no such directory: {target.parent}")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    two_d = obj.dim == 2
    fig, axes = plt.subplots(1, 2 if two_d else 1, figsize=(11 if two_d else 6, 4.5))
    axes = np.atleast_1d(axes)
    _plot_losses(axes[0], runs)
    if two_d:
        _plot_contour(axes[1], obj, runs)
    fig.tight_layout()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, format=fmt, dpi=110)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        plt.close(fig)
    return str(target)


def _plot_losses(ax, runs: Sequence[Run]) -> None:
    finite = [it.loss for r in runs for it in r.history if math.isfinite(it.loss)]
    best = min(finite) if finite else 0.0
    for r in runs:
        ks = [it.k for it in r.history]
        gap = [max(it.loss - best, 1e-16) for it in r.history]
        ax.semilogy(ks, gap, marker="o" if len(ks) < 40 else None, ms=3, label=METHOD_NAMES[r.method])
    ax.set_xlabel("iteration t")
    ax.set_ylabel("L(θ_t) − L*   (L* = best loss seen)")
    ax.set_title("loss against iteration (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()


def _plot_contour(ax, obj: Objective, runs: Sequence[Run]) -> None:
    pts = np.array([it.theta for r in runs for it in r.history if all(map(math.isfinite, it.theta))])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum((hi - lo) * 0.25, 0.5)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 120)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], 120)
    Z = np.full((len(ys), len(xs)), np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, yv in enumerate(ys):
            for b, xv in enumerate(xs):
                try:
                    Z[a, b] = obj.f(np.array([xv, yv]))
                except (ValueError, OverflowError, ZeroDivisionError, TypeError):
                    pass
    Z[~np.isfinite(Z)] = np.nan
    if np.isfinite(Z).any():
        finite = Z[np.isfinite(Z)]
        levels = np.unique(np.quantile(finite, np.linspace(0, 1, 25) ** 2))
        if len(levels) > 1:
            ax.contour(xs, ys, Z, levels=levels, cmap="viridis", linewidths=0.8)
    for r, style in zip(runs, ("o-", "s-")):
        path = np.array([it.theta for it in r.history])
        ax.plot(path[:, 0], path[:, 1], style, ms=3, lw=1, label=METHOD_NAMES[r.method])
    ax.plot(*pts[0], "k*", ms=10, label="start")
    ax.set_xlabel(obj.names[0])
    ax.set_ylabel(obj.names[1])
    ax.set_title("paths on the contours of L")
    ax.legend()


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def parse_start(text: str | None, dim: int, names: Sequence[str]) -> np.ndarray:
    """'0,0' or '0 0' → floats; the count must match the variables (zeros when absent)."""
    if text is None:
        return np.zeros(dim)
    parts = [p for p in text.replace(",", " ").split() if p]
    vals = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise SymderivError(f"--start: {p!r} is not a number (write e.g. --start 0,0)") from None
        if not math.isfinite(v):
            raise SymderivError(f"--start: {p!r} is not a finite number")
        vals.append(v)
    if len(vals) == 1 and dim > 1:
        vals *= dim      # one value for every coordinate, convenient for θ ∈ R^d
    if len(vals) != dim:
        raise SymderivError(f"--start needs {dim} number{'s' if dim != 1 else ''} "
                            f"({', '.join(names) if dim <= 6 else 'one per parameter, or one for all'}), got {len(vals)}")
    return np.array(vals)


def _positive(kind, name):
    def conv(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not (math.isfinite(v) and v > 0):
            raise argparse.ArgumentTypeError(f"{name} must be positive, got {text!r}")
        return v
    return conv


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("latex", nargs="?", metavar="LATEX",
                        help="the function; without it, the seed's logistic loss on built-in data")
    parser.add_argument("--where", action="append", default=[], metavar="DEF", help="a definition (repeatable)")
    parser.add_argument("--start", metavar="θ0", help="the start, e.g. 0,0 (default: zeros; one value = all)")
    parser.add_argument("--method", choices=("gd", "newton", "both"), default="both")
    parser.add_argument("--lr", type=_positive(float, "--lr"), metavar="η",
                        help="gradient-descent step (default 1/λ_max of the Hessian at the start)")
    parser.add_argument("--iters", type=_positive(int, "--iters"), metavar="N",
                        help="iteration limit (default 10000 for gd, 100 for newton)")
    parser.add_argument("--tol", type=_positive(float, "--tol"), default=DEFAULT_TOL, metavar="ε",
                        help="stop when ‖∇L‖ ≤ ε (default 1e-6)")
    parser.add_argument("--plot", metavar="FILE", help="write a plot (.png, .svg, .pdf)")
    parser.add_argument("--data", metavar="FILE.csv", help="data for a sum over samples: features…, label per row")
    parser.add_argument("--samples", type=_positive(int, "--samples"), default=100,
                        help="built-in data: number of samples (default 100)")
    parser.add_argument("--features", type=_positive(int, "--features"), default=2,
                        help="built-in data: number of features (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="built-in data: random seed (default 0)")
    parser.add_argument("--format", choices=("text", "md", "json"), default="text")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds (default 20)")


def run_cli(args) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise SymderivError("--timeout must be positive")
    if args.iters is not None and args.iters > 1_000_000:
        raise SymderivError("--iters: at most 1,000,000")
    with time_limit(args.timeout, "optimize"):
        problem = parse_problem(args)
        data = load_csv(args.data) if args.data else None
        expr = problem.expanded()
        if data is None and (expr.has(sp.Sum) or expr.has(sp.Indexed)):
            data = builtin_data(args.samples, args.features, args.seed)
        obj = build_objective(problem, data)
        start = parse_start(args.start, obj.dim, obj.names)
        methods = ("gd", "newton") if args.method == "both" else (args.method,)
        runs = run_methods(obj, start, methods, lr=args.lr, iters=args.iters, tol=args.tol)
        plot = write_plot(obj, runs, args.plot, protect=[args.data] if args.data else []) if args.plot else None
    render = {"json": render_json, "md": render_markdown}.get(args.format, render_text)
    print(render(obj, start, args.tol, runs, plot), end="" if args.format != "json" else "\n")
    return 0

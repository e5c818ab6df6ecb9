"""The pictures: optimize's loss curves and paths, and a note's graph of f and f' (or contours and ∇f).

One matplotlib setup for both (the Agg backend, imported only when a picture is drawn, so commands
without plots never pay for matplotlib) and one way to turn a figure into image bytes.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import pathlib
import tempfile
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from symderiv.analysis.methods import Run
from symderiv.analysis.numpy_objective import Objective
from symderiv.calculus.engine import Derivation
from symderiv.core.errors import SymderivError
from symderiv.ml.functions import to_elementary
from symderiv.output.analysis_phrases import METHOD_NAMES
from symderiv.output.printing import unicode_name

PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _image_bytes(fig: Any, fmt: str = "png", dpi: float | None = None) -> bytes:
    """The figure as an image of format `fmt` (at the figure's own dpi unless `dpi` is given)."""
    buf = io.BytesIO()
    if dpi is None:
        fig.savefig(buf, format=fmt)
    else:
        fig.savefig(buf, format=fmt, dpi=dpi)
    return buf.getvalue()


# ------------------------------------------------------------------ optimize: loss and paths

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
    plt = _pyplot()
    two_d = obj.dim == 2
    fig, axes = plt.subplots(1, 2 if two_d else 1, figsize=(11 if two_d else 6, 4.5))
    try:
        axes = np.atleast_1d(axes)
        _plot_losses(axes[0], runs)
        if two_d:
            _plot_contour(axes[1], obj, runs)
        fig.tight_layout()
        _write_atomically(target, _image_bytes(fig, fmt, dpi=110))
    finally:
        plt.close(fig)
    return str(target)


def _write_atomically(target: pathlib.Path, data: bytes) -> None:
    """Write to a temporary file next to `target`, then rename: no half-written picture, ever."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _plot_losses(ax: Any, runs: Sequence[Run]) -> None:
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


def _plot_contour(ax: Any, obj: Objective, runs: Sequence[Run]) -> None:
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
                with contextlib.suppress(ValueError, OverflowError, ZeroDivisionError, TypeError):
                    Z[a, b] = obj.f(np.array([xv, yv]))
    Z[~np.isfinite(Z)] = np.nan
    if np.isfinite(Z).any():
        finite = Z[np.isfinite(Z)]
        levels = np.unique(np.quantile(finite, np.linspace(0, 1, 25) ** 2))
        if len(levels) > 1:
            ax.contour(xs, ys, Z, levels=levels, cmap="viridis", linewidths=0.8)
    for r, style in zip(runs, ("o-", "s-"), strict=False):  # one or two runs
        path = np.array([it.theta for it in r.history])
        ax.plot(path[:, 0], path[:, 1], style, ms=3, lw=1, label=METHOD_NAMES[r.method])
    ax.plot(*pts[0], "k*", ms=10, label="start")
    ax.set_xlabel(obj.names[0])
    ax.set_ylabel(obj.names[1])
    ax.set_title("paths on the contours of L")
    ax.legend()


# ------------------------------------------------------------------ notes: f and f', or contours and ∇f

def function_png(d: Derivation) -> bytes | None:
    """A PNG of f and f' (one variable) or of f's contours with ∇f as arrows (two), None when f
    depends on other symbols or has too few finite values to draw."""
    f_expr = to_elementary(d.problem.expanded())
    vars_ = [g.wrt for g in d.gradient]
    if f_expr.free_symbols - set(vars_):
        return None  # other symbols (y, a, …) have no values to plot with
    fn = sp.lambdify(vars_, f_expr, "numpy")
    gfn = [sp.lambdify(vars_, to_elementary(g.expanded), "numpy") for g in d.gradient]
    plt = _pyplot()
    fig = plt.figure(figsize=(5.2, 3.6), dpi=110)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ax = _curve(fig, d, fn, gfn[0], vars_[0]) if len(vars_) == 1 else _contours(fig, fn, gfn, vars_)
            if ax is None:
                return None
            fig.tight_layout()
            return _image_bytes(fig, "png")
    finally:
        plt.close(fig)


def _curve(fig: Any, d: Derivation, fn: Callable[..., Any], dfn: Callable[..., Any], x: sp.Symbol) -> Any:
    xs = _domain(fn)
    if xs is None:
        return None
    ys = np.broadcast_to(np.asarray(fn(xs), dtype=float), xs.shape)
    dys = np.broadcast_to(np.asarray(dfn(xs), dtype=float), xs.shape)
    ax = fig.add_subplot(111)
    name = unicode_name(d.problem.name or "f")
    var = unicode_name(str(x))
    ax.plot(xs, ys, label=f"{name}({var})")
    ax.plot(xs, dys, "--", label=f"{name}'({var})")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.legend()
    ax.set_xlabel(var)
    return ax


def _contours(fig: Any, fn: Callable[..., Any], gfn: Sequence[Callable[..., Any]], vars_: Sequence[sp.Symbol]) -> Any:
    t = np.linspace(-3, 3, 161)
    X, Y = np.meshgrid(t, t)
    Z = np.broadcast_to(np.asarray(fn(X, Y), dtype=float), X.shape)
    if not np.isfinite(Z).any():
        return None
    ax = fig.add_subplot(111)
    cs = ax.contour(X, Y, Z, levels=15, cmap="viridis")
    ax.clabel(cs, fontsize=6)
    q = np.linspace(-3, 3, 13)
    QX, QY = np.meshgrid(q, q)
    U = np.broadcast_to(np.asarray(gfn[0](QX, QY), dtype=float), QX.shape)
    V = np.broadcast_to(np.asarray(gfn[1](QX, QY), dtype=float), QX.shape)
    ax.quiver(QX, QY, U, V, color="tab:red", alpha=0.7)
    ax.set_xlabel(unicode_name(str(vars_[0])))
    ax.set_ylabel(unicode_name(str(vars_[1])))
    ax.set_aspect("equal")
    return ax


def _domain(fn: Callable[..., Any]) -> np.ndarray | None:
    """The first of [-3, 3], [0.05, 5], [-0.99, 0.99] where f is finite at more than 90 % of the points."""
    for lo, hi in ((-3.0, 3.0), (0.05, 5.0), (-0.99, 0.99)):
        xs = np.linspace(lo, hi, 401)
        ys = np.broadcast_to(np.asarray(fn(xs), dtype=float), xs.shape)
        if np.isfinite(ys).mean() > 0.9:
            return xs
    return None

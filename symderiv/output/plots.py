"""The pictures: optimize's loss curves and paths, and a note's graph of f and f' (or contours and ∇f).

One matplotlib setup for both (the Agg backend, imported only when a picture is drawn, so commands
without plots never pay for matplotlib) and one way to turn a figure into image bytes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import pathlib
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from symderiv.analysis.methods import Run
from symderiv.analysis.numpy_objective import Objective
from symderiv.calculus.engine import Derivation
from symderiv.core.errors import SymderivError
from symderiv.ml.functions import to_elementary
from symderiv.output.analysis_phrases import METHOD_NAMES
from symderiv.output.printing import unicode_name

if TYPE_CHECKING:
    from symderiv.output.method_paths import MethodPaths

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


# ------------------------------------------------------------------ words and fonts

TITLES = {
    "en": {"tangent": "{f}({x}) and its tangent at {x} = {x0:g}", "tangent_line": "tangent, slope {slope:.3g}",
           "paths": "contours of {f}: gradient descent and Newton's paths", "gd": "gradient descent",
           "newton": "Newton's method", "start": "start", "sigma": "σ(z) and σ′(z) = σ(z)(1 − σ(z))",
           "data_paths": "the note's loss L(θ) on {n} points: gradient descent and Newton's method",
           "gd_steps": "gradient descent, η = {eta}: {k} steps", "newton_steps": "Newton's method: {k} steps",
           "start_at": "start θ⁽⁰⁾ = (0, 0)", "minimum": "minimum θ*",
           "theta1": "θ₁ (the bias: $x_{i1} = 1$)", "theta2": "θ₂ (the weight of the feature $x_{i2}$)",
           "iteration": "step t", "grad_norm": "‖∇L(θ⁽ᵗ⁾)‖ (log scale)", "tolerance": "stop: ‖∇L‖ ≤ 10⁻⁶",
           "norms": "how fast the gradient vanishes"},
    "zh": {"tangent": "{f}({x}) 及其在 {x} = {x0:g} 处的切线", "tangent_line": "切线，斜率 {slope:.3g}",
           "paths": "{f} 的等高线与梯度下降、牛顿法的路径", "gd": "梯度下降", "newton": "牛顿法", "start": "起点",
           "sigma": "σ(z) 与 σ′(z) = σ(z)(1 − σ(z))",
           "data_paths": "笔记中的损失 L(θ)（{n} 个样本）：梯度下降与牛顿法", "gd_steps": "梯度下降，η = {eta}：{k} 步",
           "newton_steps": "牛顿法：{k} 步", "start_at": "起点 θ⁽⁰⁾ = (0, 0)", "minimum": "最小点 θ*",
           "theta1": "θ₁（偏置，$x_{i1} = 1$）", "theta2": "θ₂（特征 $x_{i2}$ 的系数）",
           "iteration": "迭代步数 t", "grad_norm": "‖∇L(θ⁽ᵗ⁾)‖（对数坐标）", "tolerance": "停止：‖∇L‖ ≤ 10⁻⁶",
           "norms": "梯度范数下降的快慢"},
}


CJK_FAMILIES = ("Noto Sans CJK", "Source Han Sans", "WenQuanYi", "Noto Serif CJK", "SimHei",
                "Microsoft YaHei", "PingFang", "AR PL")


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs, or None: one matplotlib already knows, else
    one fontconfig lists for `:lang=zh` (matplotlib's font cache may predate its installation)."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = [f.name for f in font_manager.fontManager.ttflist]
        return next((n for key in CJK_FAMILIES for n in names if key in n), None)

    found = known()
    if found is not None or shutil.which("fc-list") is None:
        return found
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                                timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in listed.splitlines():
        path = line.split(":")[0].strip()
        if path.lower().endswith((".ttf", ".otf", ".ttc")) and os.path.isfile(path):
            with contextlib.suppress(Exception):
                font_manager.fontManager.addfont(path)
    return known()


def _words(lang: str) -> tuple[dict[str, str], list[str]]:
    """The titles for `lang` and the font families to draw them: Chinese only with a CJK font,
    else English (never boxes in place of missing glyphs)."""
    if lang == "zh":
        family = cjk_font()
        if family is not None:
            return TITLES["zh"], [family, "DejaVu Sans"]
    return TITLES["en"], ["DejaVu Sans"]


def _figure(lang: str, size: tuple[float, float]) -> tuple[Any, Any, dict[str, str]]:
    plt = _pyplot()
    words, families = _words(lang)
    with plt.rc_context({"font.family": families, "axes.unicode_minus": False}):
        fig = plt.figure(figsize=size, dpi=110)
    fig.set_layout_engine("tight")
    return plt, fig, {**words, "_family": families[0]}


def _style(fig: Any, family: str) -> None:
    """Every text of the figure in `family` (a figure built outside rc_context keeps its fonts)."""
    for text in fig.findobj(match=lambda o: hasattr(o, "set_fontfamily")):
        text.set_fontfamily([family, "DejaVu Sans"])


# ------------------------------------------------------------------ notes: f with its tangent, or paths

def function_png(d: Derivation, lang: str = "en") -> bytes | None:
    """A PNG of f with its tangent (one variable) or of f's contours with the gradient-descent and
    Newton paths from one start (two), None when f depends on other symbols or cannot be drawn."""
    return function_image(d, lang, "png")


def picture_file(d: Derivation, path: str, lang: str = "en") -> tuple[str, bytes]:
    """`derive --plot FILE`: (path, image bytes) of `function_image`, its type from the file's name."""
    fmt = PLOT_FORMATS.get(pathlib.Path(path).suffix.lower())
    if fmt is None:
        raise SymderivError(f"--plot: unknown image type {pathlib.Path(path).suffix or '(none)'}; "
                            "use .png, .svg or .pdf")
    if any(g.index for g in d.gradient) or len(d.gradient) not in (1, 2):
        raise SymderivError("--plot draws a function of one or two scalar variables; "
                            f"this one has {', '.join(d.variables)}")
    data = function_image(d, lang, fmt)
    if data is None:
        raise SymderivError("--plot: the function has other symbols (no values to draw it with) "
                            "or no finite values near 0")
    return path, data


def function_image(d: Derivation, lang: str = "en", fmt: str = "png") -> bytes | None:
    """`function_png` in any of PLOT_FORMATS."""
    if any(g.index for g in d.gradient) or len(d.gradient) not in (1, 2):
        return None
    f_expr = to_elementary(d.problem.expanded())
    vars_ = [g.wrt for g in d.gradient]
    if f_expr.free_symbols - set(vars_):
        return None  # other symbols (y, a, …) have no values to plot with
    fn = sp.lambdify(vars_, f_expr, "numpy")
    gfn = [sp.lambdify(vars_, to_elementary(g.expanded), "numpy") for g in d.gradient]
    name = unicode_name(d.problem.name or "f")
    plt, fig, words = _figure(lang, (5.6, 4.0))
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if len(vars_) == 1:
                ax = _curve(fig, name, fn, gfn[0], vars_[0], words)
            else:
                hfn = sp.lambdify(vars_, sp.hessian(f_expr, vars_), "numpy")
                ax = _contours(fig, name, fn, gfn, hfn, vars_, words)
            if ax is None:
                return None
            _style(fig, words["_family"])
            return _image_bytes(fig, fmt)
    finally:
        plt.close(fig)


def sigma_png(lang: str = "en") -> bytes:
    """σ and σ′ = σ(1 − σ) on one axis: σ′ is largest (1/4) where σ crosses 1/2."""
    z = np.linspace(-6, 6, 401)
    s = 1 / (1 + np.exp(-z))
    plt, fig, words = _figure(lang, (5.6, 3.8))
    try:
        ax = fig.add_subplot(111)
        ax.plot(z, s, label="σ(z)")
        ax.plot(z, s * (1 - s), "--", label="σ′(z)")
        ax.axhline(0, color="0.8", lw=0.8)
        ax.plot([0], [0.25], "ko", ms=3)
        ax.annotate("σ′(0) = 1/4", (0, 0.25), xytext=(8, 8), textcoords="offset points")
        ax.set_xlabel("z")
        ax.set_ylabel("σ(z), σ′(z)")
        ax.set_title(words["sigma"])
        ax.legend()
        ax.grid(True, alpha=0.3)
        _style(fig, words["_family"])
        return _image_bytes(fig, "png")
    finally:
        plt.close(fig)


def _curve(fig: Any, name: str, fn: Callable[..., Any], dfn: Callable[..., Any], x: sp.Symbol,
           words: dict[str, str]) -> Any:
    xs = _domain(fn)
    if xs is None:
        return None
    ys = np.broadcast_to(np.asarray(fn(xs), dtype=float), xs.shape)
    candidates = [c for c in (1.0, 0.5, 2.0, -1.5, float(xs[len(xs) // 2])) if xs[0] <= c <= xs[-1]
                  and np.isfinite(float(fn(c))) and np.isfinite(float(dfn(c)))]
    # a point where the tangent slopes, when there is one (a flat tangent teaches less)
    x0 = next((c for c in candidates if abs(float(dfn(c))) > 1e-6), candidates[0] if candidates else None)
    ax = fig.add_subplot(111)
    var = unicode_name(str(x))
    ax.plot(xs, ys, label=f"{name}({var})")
    if x0 is not None:
        y0, slope = float(fn(x0)), float(dfn(x0))
        span = (xs[-1] - xs[0]) / 4
        tx = np.linspace(max(xs[0], x0 - span), min(xs[-1], x0 + span), 50)
        ax.plot(tx, y0 + slope * (tx - x0), "--", color="tab:red",
                label=words["tangent_line"].format(x=var, x0=x0, slope=slope))
        ax.plot([x0], [y0], "o", color="tab:red", ms=4)
        ax.set_title(words["tangent"].format(f=name, x=var, x0=x0))
    finite = ys[np.isfinite(ys)]
    if finite.size:
        lo, hi = np.quantile(finite, [0.02, 0.98])
        pad = (hi - lo) * 0.15 or 1.0
        ax.set_ylim(lo - pad, hi + pad)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.legend()
    ax.grid(True, alpha=0.3)
    ax.set_xlabel(var)
    ax.set_ylabel(f"{name}({var})")
    return ax


def descent_paths(fn: Callable[..., Any], gfn: Sequence[Callable[..., Any]], hfn: Callable[..., Any],
                  start: np.ndarray, steps: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent (step halved until the loss falls) and Newton's method (a gradient step
    where the Hessian is not positive definite) from the same start."""
    def grad(p: np.ndarray) -> np.ndarray:
        return np.array([float(g(*p)) for g in gfn])

    gd, nt = [start], [start]
    for _ in range(steps):
        p, g, eta = gd[-1], grad(gd[-1]), 1.0
        while eta > 1e-8 and not float(fn(*(p - eta * g))) < float(fn(*p)):
            eta /= 2
        gd.append(p - eta * g if eta > 1e-8 else p)
        q, g = nt[-1], grad(nt[-1])
        h = np.asarray(hfn(*q), dtype=float)
        if np.all(np.isfinite(h)) and np.all(np.linalg.eigvalsh((h + h.T) / 2) > 1e-12):
            nt.append(q - np.linalg.solve(h, g))
        else:
            nt.append(gd[-1] if len(nt) == len(gd) - 1 else q - 0.1 * g)
    return np.array(gd), np.array(nt)


def _contours(fig: Any, name: str, fn: Callable[..., Any], gfn: Sequence[Callable[..., Any]],
              hfn: Callable[..., Any], vars_: Sequence[sp.Symbol], words: dict[str, str]) -> Any:
    start = np.array([2.5, -2.0])
    gd, nt = descent_paths(fn, gfn, hfn, start)
    pts = np.vstack([gd, nt, [[-3, -3], [3, 3]]])
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    lo, hi = pts.min(axis=0) - 0.5, pts.max(axis=0) + 0.5
    X, Y = np.meshgrid(np.linspace(lo[0], hi[0], 161), np.linspace(lo[1], hi[1], 161))
    Z = np.broadcast_to(np.asarray(fn(X, Y), dtype=float), X.shape)
    if not np.isfinite(Z).any():
        return None
    ax = fig.add_subplot(111)
    cs = ax.contour(X, Y, Z, levels=15, cmap="viridis", linewidths=0.8)
    ax.clabel(cs, fontsize=6)
    ax.plot(gd[:, 0], gd[:, 1], "o-", ms=3, lw=1, label=words["gd"])
    ax.plot(nt[:, 0], nt[:, 1], "s-", ms=3, lw=1, label=words["newton"])
    ax.plot(*start, "k*", ms=10, label=words["start"])
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel(unicode_name(str(vars_[0])))
    ax.set_ylabel(unicode_name(str(vars_[1])))
    ax.set_title(words["paths"].format(f=name))
    ax.legend(fontsize=8)
    return ax


def _domain(fn: Callable[..., Any]) -> np.ndarray | None:
    """The first of [-3, 3], [0.05, 5], [-0.99, 0.99] where f is finite at more than 90 % of the points."""
    for lo, hi in ((-3.0, 3.0), (0.05, 5.0), (-0.99, 0.99)):
        xs = np.linspace(lo, hi, 401)
        ys = np.broadcast_to(np.asarray(fn(xs), dtype=float), xs.shape)
        if np.isfinite(ys).mean() > 0.9:
            return xs
    return None


# ------------------------------------------------------------------ notes: the two methods on the note's loss

def method_paths_png(mp: MethodPaths, lang: str = "en") -> bytes:
    """Contours of L around its minimum with the gradient-descent and Newton paths from one start,
    each labelled with its step count; levels spaced geometrically above L* so the valley shows."""
    from symderiv.output.method_paths import FEATURE, path

    gd, nt = path(mp.gd), path(mp.newton)
    pts = np.vstack([gd, nt])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum((hi - lo) * 0.12, 0.4)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 161)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], 161)
    Z = np.broadcast_to(np.asarray(mp.surface(*np.meshgrid(xs, ys)), dtype=float), (len(ys), len(xs)))
    best = mp.objective.f(np.array(mp.minimum))
    plt, fig, words = _figure(lang, (10.5, 4.6))
    try:
        ax = fig.add_subplot(1, 2, 1)
        levels = best + np.geomspace(0.02, max(float(np.nanmax(Z) - best), 0.05), 14)
        cs = ax.contour(xs, ys, Z, levels=levels, cmap="viridis", linewidths=0.8)
        ax.clabel(cs, cs.levels[1::3], fontsize=6, fmt="%.3g")     # every third level: the valley stays readable
        ax.plot(gd[:, 0], gd[:, 1], "o-", ms=2, lw=0.8, color="tab:blue",   # every iterate: they crowd where GD crawls
                label=words["gd_steps"].format(eta=f"{mp.eta:g}", k=mp.gd_steps))
        ax.plot(nt[:, 0], nt[:, 1], "s-", ms=4, lw=1.4, color="tab:red",
                label=words["newton_steps"].format(k=mp.newton_steps))
        for k, (a, b) in enumerate(nt[1:], 1):
            ax.annotate(str(k), (a, b), xytext=(4, 4), textcoords="offset points", fontsize=7, color="tab:red")
        ax.plot(*gd[0], "k*", ms=11, label=words["start_at"])
        ax.plot(*mp.minimum, "kx", ms=8, mew=2, label=words["minimum"])
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_xlabel(words["theta1"])
        ax.set_ylabel(words["theta2"])
        ax.set_title(words["data_paths"].format(n=len(FEATURE)), fontsize=10)
        ax.legend(fontsize=8, loc="upper right", framealpha=0.95)
        ax.grid(True, alpha=0.2)
        _gradient_norms(fig.add_subplot(1, 2, 2), mp, words)
        _style(fig, words["_family"])
        return _image_bytes(fig, "png")
    finally:
        plt.close(fig)


def _gradient_norms(ax: Any, mp: MethodPaths, words: dict[str, str]) -> None:
    """‖∇L(θ^{(t)})‖ against t on a log scale: Newton's few steps against gradient descent's many."""
    labels = (words["gd_steps"].format(eta=f"{mp.eta:g}", k=mp.gd_steps),
              words["newton_steps"].format(k=mp.newton_steps))
    for run, style, color, label in zip((mp.gd, mp.newton), ("-", "s-"), ("tab:blue", "tab:red"), labels, strict=True):
        ks = [it.k for it in run.history]
        ax.semilogy(ks, [max(it.grad_norm, 1e-16) for it in run.history], style, ms=4, lw=1.2, color=color,
                    label=label)
    ax.axhline(1e-6, color="0.5", lw=0.8, ls="--", label=words["tolerance"])
    ax.set_xlabel(words["iteration"])
    ax.set_ylabel(words["grad_norm"])
    ax.set_title(words["norms"], fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.2)

"""A note's gradient-descent update, Newton step and Hessian definition, worked for the note's loss.

The seed note teaches `θ^{(t+1)} = θ^{(t)} − η ∇L`, Newton's `θ − H⁻¹∇L` and the Hessian test of
convexity in the abstract; a learner wants them for the loss the note worked: `θ − η Xᵀ(ŷ − y)`,
`θ − (XᵀSX)⁻¹Xᵀ(ŷ − y)`, and why `XᵀSX ⪰ 0`. Nothing here is derived anew: the gradient's and the
Hessian's matrix forms are the derivation's own (symderiv.calculus.matrices), printed only when they
were checked against the index form; the convexity argument is printed only when the Hessian is
`AᵀSA` with S diagonal and its weights, evaluated at random points, are positive.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from symderiv.core.errors import TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.output.matrix_view import matrix_view
from symderiv.output.printing import latex

if TYPE_CHECKING:
    from symderiv.calculus.engine import Derivation
    from symderiv.calculus.results import Partial

PHRASES = {
    "en": {
        "title": "{method} for the note's loss ${loss}$",
        "gradient_descent": "Gradient descent", "newton": "Newton's method", "convexity": "Convexity of the loss",
        "gradient": "For the loss worked above ({line}) the gradient is",
        "hessian": "and the Hessian is",
        "checked": "(both checked against the index form at {sizes}).",
        "gd_step": "So one gradient-descent step with step size $\\eta$ is",
        "newton_step": "So one Newton step (where ${h}$ is invertible) is",
        "at_t": "with every quantity evaluated at $\\theta^{(t)}$.",
        "checked_one": "(checked against the index form at {sizes}).",
        "convex_1": "For every vector $v$: $v^{{T}} {h} v = ({a}v)^{{T}} S ({a}v) = "
                    "\\sum_i S_{{ii}} ({a}v)_i^2 \\ge 0$,",
        "convex_2": "because $S$ is diagonal with entries ${s} > 0$ (checked at {k} random points).",
        "convex_3": "So ${h} \\succeq 0$ for every $\\theta$: the loss is convex, and a point where "
                    "$\\nabla_\\theta L = 0$ is a global minimum.",
        "paths_data": "**The two methods on a small data set.** Take {n} samples: $x_{{i1}} = 1$ (so $\\theta_1$ "
                      "is the bias), the feature $x_{{i2}} = {features}$ and the labels $y_i = {labels}$. The two "
                      "classes overlap (no line separates them), so the loss has a finite minimum "
                      "$\\theta^* \\approx {minimum}$.",
        "paths_counts": "From the same start $\\theta^{{(0)}} = {start}$, stopping at "
                        "$\\lVert \\nabla_\\theta L \\rVert \\le 10^{{-6}}$: Newton's method reaches the "
                        "minimum in {newton} steps, gradient descent with the fixed step $\\eta = {eta}$ takes {gd}.",
        "paths_why": "At the minimum the Hessian's eigenvalues are about ${lam_small}$ and ${lam_large}$, so the "
                      "contours are long narrow ellipses: the large eigenvalue limits gradient descent's step, "
                      "and it crawls along the floor of the valley; Newton's step, multiplied by $H^{{-1}}$, "
                      "corrects its direction and its length at once.",
        "paths_source": "$L$, $\\nabla_\\theta L$ and $H$ in the picture are the loss above and the gradient and "
                        "Hessian derived from it, with these data put in.",
        "paths_alt": "contours of the loss with the gradient-descent and Newton paths",
    },
    "zh": {
        "title": "{method}：笔记中的损失 ${loss}$",
        "gradient_descent": "梯度下降", "newton": "牛顿法", "convexity": "损失函数的凸性",
        "gradient": "对上面求导的损失（{line}），梯度为",
        "hessian": "海森矩阵为",
        "checked": "（二者都已在 {sizes} 处与分量形式核对）。",
        "gd_step": "于是步长为 $\\eta$ 的一步梯度下降为",
        "newton_step": "于是（${h}$ 可逆时）一步牛顿法为",
        "at_t": "其中各量都在 $\\theta^{(t)}$ 处取值。",
        "checked_one": "（已在 {sizes} 处与分量形式核对）。",
        "convex_1": "对任意向量 $v$：$v^{{T}} {h} v = ({a}v)^{{T}} S ({a}v) = "
                    "\\sum_i S_{{ii}} ({a}v)_i^2 \\ge 0$，",
        "convex_2": "因为 $S$ 是对角矩阵，对角元 ${s} > 0$（已在 {k} 个随机点核对）。",
        "convex_3": "所以对任意 $\\theta$ 都有 ${h} \\succeq 0$：损失函数是凸的，"
                    "$\\nabla_\\theta L = 0$ 的点就是全局最小点。",
        "paths_data": "**在一个小数据集上比较两种方法。** 取 {n} 个样本：$x_{{i1}} = 1$（即 $\\theta_1$ 是偏置），"
                      "特征 $x_{{i2}}$ 依次为 ${features}$，标签 $y_i$ 依次为 ${labels}$。两类交错，"
                      "不能被一条直线分开，所以损失有有限的最小点 $\\theta^* \\approx {minimum}$。",
        "paths_counts": "从同一起点 $\\theta^{{(0)}} = {start}$ 出发，以 "
                        "$\\lVert \\nabla_\\theta L \\rVert \\le 10^{{-6}}$ 为停止条件：牛顿法 {newton} 步"
                        "就到达最小点，固定步长 $\\eta = {eta}$ 的梯度下降则需要 {gd} 步。",
        "paths_why": "最小点处海森矩阵的特征值约为 ${lam_small}$ 和 ${lam_large}$，等高线是狭长的椭圆："
                     "梯度下降的步长受大特征值限制，只能沿着谷底慢慢前进；牛顿法的一步乘上了 $H^{{-1}}$，"
                     "方向和步长同时得到校正。",
        "paths_source": "图中的 $L$、$\\nabla_\\theta L$ 和 $H$ 是把这些数据代入上面的损失及由它推导出的梯度、"
                        "海森矩阵算出的。",
        "paths_alt": "损失的等高线与梯度下降、牛顿法的路径",
    },
}
SAMPLES = 200
COMPARISON_SECONDS = 6.0   # the two methods run and drawn (about 1.5 s on a busy machine)


def method_of(tex: str, reason: str) -> str | None:
    """Which method a formula the note does not differentiate states, from its skip reason and text."""
    if reason == "skip_update":
        return "newton" if ("H^{-1}" in tex or "^{-1}" in tex or "nabla^2" in tex) else "gradient_descent"
    if reason == "skip_hessian_def":
        return "convexity"
    return None


def method_markdown(kind: str, d: Derivation, line: str, lang: str,
                    picture: Callable[[bytes, str], str] | None = None) -> str | None:
    """The block for `kind`, or None when the loss has no checked matrix forms to work it with.
    `picture(png, alt)` saves a picture beside the note and gives its Markdown link: with it, the
    Newton block compares both methods on the loss (method_paths.py)."""
    say = PHRASES.get(lang, PHRASES["en"])
    g = next((p for p in d.gradient if p.index and p.matrix is not None and p.matrix.checked_at), None)
    h = _hessian_of(d, g)
    if g is None or g.matrix is None or (kind != "gradient_descent" and h is None):
        return None
    from symderiv.output.page import function_tex

    gl, hl = latex(g.matrix.matrix), latex(h.matrix.matrix) if h is not None and h.matrix is not None else ""
    var = latex(g.wrt.base.label) if isinstance(g.wrt, sp.Indexed) else latex(g.wrt)
    lines = [f"**symderiv · {say['title'].format(method=say[kind], loss=function_tex(d.problem))}**", "",
             say["gradient"].format(line=line), "", f"$$\n\\nabla_{{{var}}} L = {gl}\n$$", ""]
    sizes = ("、" if lang == "zh" else ", ").join(f"${n} = {v}$" for n, v in g.matrix.checked_at)
    if kind != "gradient_descent":
        lines += [say["hessian"], "", f"$$\n\\nabla^{{2}}_{{{var}}} L = {hl}\n$$", ""]
    symbols = list(matrix_view(g.matrix, lang).symbols)
    if kind != "gradient_descent" and h is not None and h.matrix is not None:
        symbols += [s for s in matrix_view(h.matrix, lang).symbols if s not in symbols]
    checked = say["checked_one"] if kind == "gradient_descent" else say["checked"]
    lines += [f"- {s}" for s in symbols] + ["", checked.format(sizes=sizes), ""]
    t0, t1 = f"{var}^{{(t)}}", f"{var}^{{(t+1)}}"
    if kind == "gradient_descent":
        lines += [say["gd_step"], "", f"$$\n{t1} = {t0} - \\eta \\, {gl}\n$$", "", say["at_t"]]
    elif kind == "newton":
        lines += [say["newton_step"].format(h=hl), "",
                  f"$$\n{t1} = {t0} - \\left({hl}\\right)^{{-1}} {gl}\n$$", "", say["at_t"]]
        if picture is not None:
            lines += _comparison(d, lang, picture)
    else:
        argued = _convexity(h, d)
        if argued is None:
            return None
        a, s = argued
        lines += [say["convex_1"].format(h=hl, a=a), say["convex_2"].format(s=s, k=SAMPLES),
                  say["convex_3"].format(h=hl)]
    return "\n".join(lines)


def _comparison(d: Derivation, lang: str, picture: Callable[[bytes, str], str]) -> list[str]:
    """Both methods from one start on a small fixed data set: the data, the step counts as the runs
    gave them, why they differ (when the contours are long ellipses) and the picture; [] when the
    loss cannot be run on those data."""
    from symderiv.output.method_paths import method_paths, summary_numbers
    from symderiv.output.plots import method_paths_png

    say = PHRASES.get(lang, PHRASES["en"])
    try:       # a bonus: past its own limit the block goes without it (the formula's limit still holds)
        with time_limit(COMPARISON_SECONDS, "comparing gradient descent and Newton's method"):
            mp = method_paths(d)
            png = method_paths_png(mp, lang) if mp is not None else b""
    except TimeLimitError:
        return []
    if mp is None:
        return []
    numbers = summary_numbers(mp)
    counts = say["paths_counts"].format(**numbers)
    if mp.eigenvalues[0] > 0 and mp.eigenvalues[-1] / mp.eigenvalues[0] > 10:     # long narrow ellipses
        counts += ("" if lang == "zh" else " ") + say["paths_why"].format(**numbers)
    return ["", say["paths_data"].format(**numbers), "", counts, "",
            picture(png, say["paths_alt"]), "", say["paths_source"]]


def _hessian_of(d: Derivation, g: Partial | None) -> Partial | None:
    if g is None or not d.hessian:
        return None
    n = list(d.gradient).index(g)
    h = d.hessian[n][n] if n < len(d.hessian) and n < len(d.hessian[n]) else None
    return h if h is not None and h.matrix is not None and h.matrix.checked_at else None


def _convexity(h: Partial | None, d: Derivation) -> tuple[str, str] | None:
    """(A, S's entry) when the Hessian is AᵀSA, S = diag(w) and the index form's weight w_i is positive
    at random points; None otherwise (then no argument is printed)."""
    if h is None or h.matrix is None:
        return None
    m = h.matrix.matrix
    if not (isinstance(m, sp.MatMul) and len(m.args) == 3 and m.args[0] == m.args[2].T):
        return None
    middle = dict(h.matrix.definitions).get(m.args[1])
    if not isinstance(middle, DiagMatrix):
        return None
    sums = [s for s in sp.Add.make_args(h.expanded) if isinstance(s, sp.Sum)]
    if len(sums) != 1:
        return None
    i = sums[0].limits[0][0]
    data = [a for a in sp.Mul.make_args(sums[0].function)
            if isinstance(a, sp.Indexed) and i in a.indices and len(a.indices) == 2]
    weight = sums[0].function
    for a in data:
        weight = weight / a
    inner = {s: sp.Dummy("z") for s in weight.atoms(sp.Sum)}
    weight = weight.xreplace(inner)
    if weight.has(sp.Indexed) and not all(i in a.indices for a in weight.atoms(sp.Indexed)):
        return None
    from symderiv.ml.functions import to_elementary

    w = to_elementary(weight)
    rng = random.Random(13)
    free = sorted(w.free_symbols | set(w.atoms(sp.Indexed)), key=str)
    for _ in range(SAMPLES):
        value = w.xreplace({s: sp.Float(rng.uniform(-6, 6)) for s in free}).evalf()
        if not (value.is_number and value > 0):
            return None
    shown = _weight(h.result)
    if shown is None:
        return None
    return latex(m.args[2]), latex(sp.Indexed(sp.IndexedBase("S"), i, i)) + " = " + latex(shown)


def _weight(result: sp.Basic) -> sp.Basic | None:
    """w_i of a textbook form Σ_i w_i x_ik x_il (ŷ_i(1 − ŷ_i)), the intermediates' names kept."""
    sums = [s for s in sp.Add.make_args(result) if isinstance(s, sp.Sum)]
    if len(sums) != 1:
        return None
    i = sums[0].limits[0][0]
    weight = sums[0].function
    for a in sp.Mul.make_args(sums[0].function):
        if isinstance(a, sp.Indexed) and i in a.indices and len(a.indices) == 2:
            weight = weight / a
    return weight

"""Critical points, their classification by the Hessian, and convexity — proved, not guessed.

A learner reads "the Hessian is positive semidefinite, so the loss is convex" and wants to see it on
their own function. Every verdict here comes with its evidence:

* critical points are solved exactly (SymPy, under a time limit) and each solution is checked by
  substituting it back; when SymPy cannot solve, a numeric search from a grid of starts finds them
  and the output says they are numeric;
* a point is classified by the signs of the Hessian's eigenvalues (exact where SymPy can);
* "convex" is only said with a proof (constant PSD Hessian, composition rules, principal minors
  whose sign is proved, or the Gram form X^T S X of a sum of per-sample losses), and "not convex"
  only with a witness: a point and a direction of negative curvature. Otherwise: "undecided".
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import sympy as sp

from symderiv.core.errors import SymderivError, TimeLimitError
from symderiv.ml.functions import relu, sigmoid, softplus, to_elementary
from symderiv.core.limits import DEFAULT_TIMEOUT, time_limit

KINDS = ("minimum", "maximum", "saddle", "undecided")
VERDICTS = ("convex", "concave", "neither", "undecided")
GRID_HALF_WIDTH = 3.0      # numeric searches and curvature samples cover [-3, 3]^n (+ random points)
MAX_POINTS_SHOWN = 20

# --------------------------------------------------------------------------------------------
# Phrases (en / zh). Values in {braces} are SymPy objects or strings, formatted per output style.
# --------------------------------------------------------------------------------------------
PHRASES = {
    "en": {
        "minimum": "minimum", "maximum": "maximum", "saddle": "saddle point",
        "undecided": "undecided (a zero eigenvalue)",
        "eigenvalues": "eigenvalues", "no_points": "no critical points",
        "critical_points": "Critical points", "convexity": "convexity",
        "method_exact": "solved exactly (∇f = 0)",
        "method_numeric": "SymPy could not solve ∇f = 0 ({why}); numeric search from {starts} starting points — the points below are numeric",
        "method_mixed": "solved exactly; a numeric search from {starts} starting points found more",
        "method_none": "{why}",
        "periodic": "∇f is periodic: infinitely many critical points; those shown lie in one or two periods",
        "family": "a continuum of critical points: {sol} (not isolated, so the Hessian has a zero eigenvalue)",
        "truncated": "only the first {k} of {total} points are shown",
        "higher_even": "higher-order test: the first nonzero derivative is f^({k}) = {val} (even order, {sign}): a local {what}",
        "higher_odd": "higher-order test: the first nonzero derivative is f^({k}) = {val} (odd order): not an extremum (an inflection point)",
        "positive": "positive", "negative": "negative",
        "v_convex": "convex", "v_concave": "concave", "v_neither": "neither", "v_undecided": "undecided",
        "const": "the Hessian is constant, {H}, with eigenvalues {ev}, all {rel} 0: {semi} everywhere",
        "const_zero": "the Hessian is zero (an affine function): both convex and concave",
        "second": "f''({x}) = {f2} {rel} 0 for all {x} ({how})",
        "minors": "every principal minor of the Hessian is {rel} 0 at every point ({how}): {minors}",
        "minors_neg": "the Hessian of −f has every principal minor ≥ 0 at every point ({how}): {minors}",
        "composition": "by the composition rules of convex analysis: {why}",
        "gram": "H = Σ_i g''(z_i) a_i a_iᵀ (= XᵀSX, S = diag(g''(z_i))) with z_i = {z}, a_i = ∂z_i/∂(parameters), g(z) = {g} and g''(z) = {g2} {rel} 0 ({how}); so vᵀHv = Σ_i g''(z_i)(a_iᵀv)² {rel} 0 for every v and every data set",
        "neither": "negative curvature at {p1} along {d1} (vᵀHv = {c1}) and positive curvature at {p2} along {d2} (vᵀHv = {c2})",
        "not_convex": "not convex: negative curvature at {p1} along {d1} (vᵀHv = {c1}); no positive curvature found at {k} sampled points, but concavity is not proved",
        "not_concave": "not concave: positive curvature at {p2} along {d2} (vᵀHv = {c2}); no negative curvature found at {k} sampled points, but convexity is not proved",
        "no_evidence": "no proof that the Hessian is semidefinite everywhere, and no sign change of curvature among {k} sampled points",
        "gram_neither": "g''(z) = {g2} takes both signs ({z1}: {v1}, {z2}: {v2}), so the curvature depends on the data",
        "how_assumptions": "each factor has a known sign",
        "how_square": "squares and even powers are ≥ 0",
        "how_exp": "exponentials are > 0",
        "how_quadratic": "a quadratic form with a positive semidefinite matrix",
        "how_factored": "after factoring: {form}",
        "idx_no_closed_form": "no closed form: ∇L = Σ_i g'(z_i) a_i = 0 with g'(z) = {g1} is transcendental in {params}",
        "idx_linear": "∇L = Σ_i g'(z_i) a_i = 0 with g'(z) = {g1} is linear in {params} (the normal equations); its solution depends on the data",
        "idx_data": "numeric minimum on the data ({source}: {n} samples × {d} features), Newton's method in {iters} iterations",
        "idx_hint": "give data (--data FILE.csv) to find the minimum numerically",
    },
    "zh": {
        "minimum": "极小值点", "maximum": "极大值点", "saddle": "鞍点",
        "undecided": "无法判定（有零特征值）",
        "eigenvalues": "特征值", "no_points": "没有临界点",
        "critical_points": "临界点", "convexity": "凸性",
        "method_exact": "精确求解 ∇f = 0",
        "method_numeric": "SymPy 无法求解 ∇f = 0（{why}）；从 {starts} 个初始点数值搜索——以下为数值解",
        "method_mixed": "精确求解；从 {starts} 个初始点的数值搜索又找到其他临界点",
        "method_none": "{why}",
        "periodic": "∇f 是周期的：临界点有无穷多个，这里只列出一两个周期内的",
        "family": "临界点构成连续集合：{sol}（不是孤立点，Hessian 有零特征值）",
        "truncated": "共 {total} 个点，只列出前 {k} 个",
        "higher_even": "高阶导数判别：第一个非零导数 f^({k}) = {val}（偶数阶，{sign}）：局部{what}",
        "higher_odd": "高阶导数判别：第一个非零导数 f^({k}) = {val}（奇数阶）：不是极值点（拐点）",
        "positive": "为正", "negative": "为负",
        "v_convex": "凸", "v_concave": "凹", "v_neither": "非凸非凹", "v_undecided": "无法判定",
        "const": "Hessian 为常数矩阵 {H}，特征值 {ev} 均 {rel} 0：处处{semi}",
        "const_zero": "Hessian 为零（仿射函数）：既凸又凹",
        "second": "对所有 {x}，f''({x}) = {f2} {rel} 0（{how}）",
        "minors": "Hessian 的每个主子式在每一点都 {rel} 0（{how}）：{minors}",
        "minors_neg": "−f 的 Hessian 的每个主子式在每一点都 ≥ 0（{how}）：{minors}",
        "composition": "由凸分析的复合规则：{why}",
        "gram": "H = Σ_i g''(z_i) a_i a_iᵀ（= XᵀSX，S = diag(g''(z_i))），其中 z_i = {z}，a_i = ∂z_i/∂(参数)，g(z) = {g}，g''(z) = {g2} {rel} 0（{how}）；因此对任意 v 和任意数据，vᵀHv = Σ_i g''(z_i)(a_iᵀv)² {rel} 0",
        "neither": "在 {p1} 沿 {d1} 方向曲率为负（vᵀHv = {c1}），在 {p2} 沿 {d2} 方向曲率为正（vᵀHv = {c2}）",
        "not_convex": "不是凸函数：在 {p1} 沿 {d1} 方向曲率为负（vᵀHv = {c1}）；在 {k} 个采样点上没有发现正曲率，但无法证明是凹函数",
        "not_concave": "不是凹函数：在 {p2} 沿 {d2} 方向曲率为正（vᵀHv = {c2}）；在 {k} 个采样点上没有发现负曲率，但无法证明是凸函数",
        "no_evidence": "无法证明 Hessian 处处半定，{k} 个采样点上曲率也没有变号",
        "gram_neither": "g''(z) = {g2} 有正有负（{z1}: {v1}，{z2}: {v2}），曲率取决于数据",
        "how_assumptions": "每个因子的符号已知",
        "how_square": "平方与偶次幂 ≥ 0",
        "how_exp": "指数函数 > 0",
        "how_quadratic": "系数矩阵半正定的二次型",
        "how_factored": "因式分解后：{form}",
        "idx_no_closed_form": "没有闭式解：∇L = Σ_i g'(z_i) a_i = 0（g'(z) = {g1}）关于 {params} 是超越方程",
        "idx_linear": "∇L = Σ_i g'(z_i) a_i = 0（g'(z) = {g1}）关于 {params} 是线性的（正规方程），解取决于数据",
        "idx_data": "数据上的数值极小值点（{source}：{n} 个样本 × {d} 个特征），牛顿法 {iters} 次迭代",
        "idx_hint": "提供数据（--data FILE.csv）可数值求出极小值点",
    },
}
SEMI = {"en": {"convex": "positive semidefinite", "concave": "negative semidefinite",
               "convex_strict": "positive definite", "concave_strict": "negative definite"},
        "zh": {"convex": "半正定", "concave": "半负定", "convex_strict": "正定", "concave_strict": "负定"}}


@dataclass(frozen=True)
class Phrase:
    """A sentence kept as a key plus values, so one result prints in English or Chinese, text or Markdown."""

    key: str
    params: tuple = ()      # ((name, value), ...); values are SymPy objects, numbers or strings

    def render(self, lang: str = "en", style: str = "text") -> str:
        table = PHRASES.get(lang, PHRASES["en"])
        values = {k: _fmt(v, style, lang) for k, v in self.params}
        return table[self.key].format(**values)


@dataclass(frozen=True)
class CriticalPoint:
    """One point where ∇f = 0: exact coordinates when solved symbolically (else None)."""

    values: tuple[float, ...]
    exact: tuple | None
    kind: str
    eigenvalues: tuple[float, ...]
    exact_eigenvalues: tuple | None = None
    note: Phrase | None = None


@dataclass(frozen=True)
class Convexity:
    """A verdict with the reason that proves it (or the witness that refutes the alternative)."""

    verdict: str
    reason: Phrase
    witness: dict | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Analysis:
    """Everything `analyze` found about one function."""

    function: sp.Basic
    variables: tuple[str, ...]
    critical_points: tuple[CriticalPoint, ...]
    method: Phrase
    convexity: Convexity
    notes: tuple[Phrase, ...] = ()
    exact: bool = True          # were the critical points solved symbolically?
    indexed: bool = False       # a sum over samples (the points are then in θ-space with data)


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------

def _fmt(value, style: str, lang: str = "en") -> str:
    if isinstance(value, Phrase):
        return value.render(lang, style)
    if isinstance(value, Shown):
        return f"${value.latex}$" if style == "md" else value.text
    if isinstance(value, SemiPhrase):
        return SEMI.get(lang, SEMI["en"])[value.key]
    if isinstance(value, str):
        return value
    if isinstance(value, (float, np.floating)):
        return _num(float(value))
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_fmt(v, style, lang) for v in value)
        return f"({inner})" if style == "text" else inner
    if isinstance(value, sp.MatrixBase):
        if style == "md":
            return f"${sp.latex(value)}$"
        return "[" + ", ".join("[" + ", ".join(str(e) for e in row) + "]"
                               for row in value.tolist()) + "]"
    if isinstance(value, sp.Basic):
        return f"${sp.latex(value)}$" if style == "md" else str(value)
    return str(value)


def _num(v: float, digits: int = 4) -> str:
    """A short decimal: 3 places for moderate values, scientific for tiny or huge ones."""
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e5:
        return f"{v:.{digits}g}" if abs(v) >= 1e3 else f"{v:.{digits - 1}f}".rstrip("0").rstrip(".")
    return f"{v:.{digits - 1}e}"


def _point_phrase(names: Sequence[str], values) -> str:
    return "(" + ", ".join(f"{n} = {_num(float(v))}" for n, v in zip(names, values)) + ")"


# --------------------------------------------------------------------------------------------
# Numeric helpers (NumPy; warnings of invalid points are expected and silenced)
# --------------------------------------------------------------------------------------------

def _lambdify(symbols, expr):
    """NumPy function of expr; δ(u) from differentiating a kink (|u|, max(0, u)) counts as 0,
    its value everywhere but on the kink itself (NumPy has no Dirac delta)."""
    if isinstance(expr, sp.Basic) and expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    elif isinstance(expr, (list, tuple, sp.MatrixBase)) and any(
            isinstance(e, sp.Basic) and e.has(sp.DiracDelta) for e in _flat(expr)):
        expr = sp.Matrix(expr).replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sp.lambdify(list(symbols), expr, modules="numpy", cse=True)


def _flat(expr):
    for e in (expr if not isinstance(expr, sp.MatrixBase) else list(expr)):
        if isinstance(e, (list, tuple)):
            yield from _flat(e)
        else:
            yield e


def _call(fn, point) -> np.ndarray | None:
    """fn at point as a float array, or None where it is undefined (log of a negative, 0/0...)."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = np.asarray(fn(*point), dtype=complex)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError, NameError, AttributeError):
        return None
    if not np.all(np.isfinite(out)) or np.any(np.abs(out.imag) > 1e-9 * (1 + np.abs(out.real))):
        return None
    return out.real.astype(float)


def _sample_points(n: int, rng: np.random.Generator) -> np.ndarray:
    """A grid over [-3, 3]^n (avoiding exact zeros, where many functions are special) plus random points."""
    per_axis = {1: 25, 2: 9, 3: 5}.get(n, 0)
    pts = []
    if per_axis:
        axis = np.linspace(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, per_axis) + 0.0137
        pts = [np.array(p) for p in itertools.product(axis, repeat=n)]
    pts += list(rng.uniform(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, size=(60, n)))
    pts += list(rng.uniform(0.05, 2 * GRID_HALF_WIDTH, size=(20, n)))   # a positive orthant for logs
    return np.array(pts)


# --------------------------------------------------------------------------------------------
# Proving a sign
# --------------------------------------------------------------------------------------------

def _positive_sizes(expr: sp.Basic) -> sp.Basic:
    """Sizes (n, d) and other symbols named like counts are positive: say so for the sign proofs."""
    reps = {s: sp.Symbol(s.name, positive=True) for s in expr.free_symbols
            if isinstance(s, sp.Symbol) and s.name in ("n", "d", "m", "N", "D", "M")}
    return expr.xreplace(reps) if reps else expr


def _how(form: sp.Basic) -> Phrase:
    if form.has(sp.exp) or form.has(sigmoid):
        return Phrase("how_exp")
    if any(p.exp.is_even for p in form.atoms(sp.Pow)):
        return Phrase("how_square")
    return Phrase("how_assumptions")


def _quadratic_psd(expr: sp.Basic) -> bool:
    """A polynomial of degree ≤ 2 is ≥ 0 everywhere iff its matrix in (1, x₁, …) is PSD."""
    syms = sorted(expr.free_symbols, key=str)
    if not syms:
        return False
    try:
        poly = sp.Poly(expr, *syms)
    except sp.PolynomialError:
        return False
    if poly.total_degree() != 2 or not all(c.is_Rational for c in poly.coeffs()):
        return False
    basis = [sp.Integer(1), *syms]
    m = sp.zeros(len(basis))
    for i, a in enumerate(basis):
        for j, b in enumerate(basis):
            coeff = poly.coeff_monomial(a * b)
            m[i, j] = coeff if i == j else coeff / 2
    return all(ev >= 0 for ev in m.eigenvals())


def prove_nonnegative(expr: sp.Basic, timeout: float = 2.0) -> tuple[sp.Basic, Phrase] | None:
    """Return (form, how) if `expr` is provably ≥ 0 for all real values of its symbols, else None.

    Cheapest first: SymPy's assumptions on the expression as it is, then on cancelled, factored,
    elementary forms; last a degree-2 polynomial test. Never numeric: a proof or nothing.
    """
    expr = _positive_sizes(expr)
    if expr.is_nonnegative:
        return expr, _how(expr)
    try:
        with time_limit(timeout, "proving a sign"):
            candidates = []
            for make in (lambda e: sp.factor(sp.cancel(e)),
                         lambda e: sp.factor(sp.together(to_elementary(e))),
                         lambda e: sp.factor(sp.simplify(e))):
                try:
                    form = make(expr)
                except (NotImplementedError, sp.PolynomialError, TypeError, ValueError):
                    continue
                candidates.append(form)
                if form.is_nonnegative:
                    how = _how(form) if form == expr else Phrase("how_factored", (("form", form),))
                    return form, how
            if _quadratic_psd(sp.expand(expr)):
                return expr, Phrase("how_quadratic")
    except TimeLimitError:
        return None
    return None


# --------------------------------------------------------------------------------------------
# Critical points
# --------------------------------------------------------------------------------------------

def _real_value(v: sp.Basic) -> float | None:
    if v.is_real is False:
        return None
    c = complex(v.evalf(30))
    if abs(c.imag) > 1e-12 * (1 + abs(c.real)):
        return None
    return c.real


def _exact_1d(g: sp.Basic, x: sp.Symbol) -> tuple[list, bool] | None:
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


def _exact_nd(grad: Sequence[sp.Basic], xs: Sequence[sp.Symbol]):
    """solve ∇f = 0: (isolated solutions, families) or None when SymPy gives up."""
    sols = sp.solve(list(grad), list(xs), dict=True)
    points, families = [], []
    for s in sols:
        if all(x in s for x in xs) and not any(s[x].free_symbols & set(xs) for x in xs):
            points.append(tuple(s[x] for x in xs))
        else:
            families.append(s)
    return points, families


def _verified(points, grad_fn, n) -> list:
    """Keep the real solutions that really make ∇f vanish (SymPy's answers are checked, not trusted)."""
    out = []
    for p in points:
        vals = [_real_value(v) for v in p]
        if any(v is None for v in vals):
            continue
        g = _call(grad_fn, vals)
        if g is not None and np.linalg.norm(g) <= 1e-7 * (1 + np.linalg.norm(vals)):
            out.append((tuple(p), tuple(vals)))
    return out


def _newton_root(grad_fn, hess_fn, x: np.ndarray, n: int) -> np.ndarray | None:
    """Newton on ∇f = 0; a root only if the steps themselves died out (not just a tiny gradient,
    which e^x also has far to the left) and the gradient vanishes there."""
    for _ in range(200):
        g, h = _call(grad_fn, x), _call(hess_fn, x)
        if g is None or h is None:
            return None
        try:   # solve, not lstsq: lstsq would drop e^x's tiny curvature and "converge" at -35
            with np.errstate(all="ignore"):
                step = np.linalg.solve(h.reshape(n, n), g.reshape(n))
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(h.reshape(n, n), g.reshape(n), rcond=None)[0]
        x = x - step
        if not np.all(np.isfinite(x)) or np.linalg.norm(x) > 1e6:
            return None
        if np.linalg.norm(step) <= 1e-10 * (1 + np.linalg.norm(x)):
            g = _call(grad_fn, x)
            return x if g is not None and np.linalg.norm(g) <= 1e-8 else None
    return None


def _numeric_search(grad_fn, hess_fn, n: int, rng) -> tuple[list[tuple[float, ...]], int]:
    """Newton's method on ∇f = 0 from a grid of starts (least squares where H is singular)."""
    per_axis = {1: 41, 2: 11, 3: 6}.get(n, 0)
    if per_axis:
        axis = np.linspace(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, per_axis)
        starts = np.array(list(itertools.product(axis, repeat=n)))
    else:
        starts = rng.uniform(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, size=(150, n))
    found: list[np.ndarray] = []
    for x in starts:
        x = _newton_root(grad_fn, hess_fn, x.astype(float), n)
        if x is None:
            continue
        if not any(np.linalg.norm(x - y) <= 1e-5 * (1 + np.linalg.norm(y)) for y in found):
            found.append(x)
    found.sort(key=lambda p: tuple(np.round(p, 9)))
    return [tuple(float(v) for v in p) for p in found], len(starts)


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------

def _kind_from_signs(signs: Sequence[int]) -> str:
    if any(s == 0 for s in signs):
        return "undecided"
    if all(s > 0 for s in signs):
        return "minimum"
    if all(s < 0 for s in signs):
        return "maximum"
    return "saddle"


def _exact_eigenvalues(h: sp.Matrix, timeout: float) -> tuple | None:
    try:
        with time_limit(timeout, "eigenvalues"):
            evs = []
            for ev, mult in h.eigenvals().items():
                evs.extend([sp.nsimplify(ev) if ev.is_Float else ev] * mult)
            if not all(_real_value(e) is not None for e in evs):
                return None
            return tuple(sorted(evs, key=lambda e: float(sp.re(e.evalf()))))
    except (TimeLimitError, NotImplementedError, ValueError, ZeroDivisionError, TypeError):
        return None


def _sign(value: sp.Basic | float, scale: float) -> int:
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


def _higher_order_note(f: sp.Basic, x: sp.Symbol, at: sp.Basic) -> Phrase | None:
    """1-D: the first nonzero derivative decides what the second derivative could not."""
    d = sp.diff(f, x, 2)
    for k in range(3, 9):
        d = sp.diff(d, x)
        val = sp.simplify(d.subs(x, at)) if at is not None else None
        if val is None or val.is_zero:
            continue
        if val.is_zero is None:
            return None
        if k % 2:
            return Phrase("higher_odd", (("k", str(k)), ("val", val)))
        pos = bool(val.is_positive)
        return Phrase("higher_even", (("k", str(k)), ("val", val),
                                      ("sign", Phrase("positive" if pos else "negative")),
                                      ("what", Phrase("minimum" if pos else "maximum"))))
    return None


def classify(f: sp.Basic, xs: Sequence[sp.Symbol], hessian: sp.Matrix, exact: tuple | None,
             values: tuple[float, ...], hess_fn, timeout: float = 2.0) -> CriticalPoint:
    """Classify one critical point by the signs of the Hessian's eigenvalues there."""
    exact_evs = None
    if exact is not None and len(xs) <= 3:
        h_at = hessian.xreplace(dict(zip(xs, exact)))
        exact_evs = _exact_eigenvalues(h_at, timeout)
    if exact_evs is not None:
        evs = tuple(float(sp.re(e.evalf())) for e in exact_evs)
        scale = max((abs(v) for v in evs), default=1.0)
        signs = [_sign(e, scale) for e in exact_evs]
    else:
        h = _call(hess_fn, values)
        if h is None:
            evs, signs = (), [0]
        else:
            evs = tuple(float(v) for v in np.linalg.eigvalsh(h.reshape(len(xs), len(xs))))
            scale = max((abs(v) for v in evs), default=1.0)
            signs = [_sign(v, scale) for v in evs]
    kind = _kind_from_signs(signs)
    note = None
    if kind == "undecided" and len(xs) == 1:
        at = exact[0] if exact is not None else None
        if at is not None:
            note = _higher_order_note(f, xs[0], at)
    return CriticalPoint(values=values, exact=exact, kind=kind, eigenvalues=evs,
                         exact_eigenvalues=exact_evs, note=note)


def critical_points(f: sp.Basic, xs: Sequence[sp.Symbol], timeout: float = DEFAULT_TIMEOUT
                    ) -> tuple[tuple[CriticalPoint, ...], Phrase, tuple[Phrase, ...], bool]:
    """All critical points we can find, how we found them, notes, and whether they are exact."""
    xs = list(xs)
    grad = [sp.diff(f, x) for x in xs]
    hessian = sp.Matrix([[sp.diff(g, y) for y in xs] for g in grad])
    grad_fn, hess_fn = _lambdify(xs, grad), _lambdify(xs, hessian)
    rng = np.random.default_rng(0)
    notes: list[Phrase] = []
    exact_pts, why, periodic = None, "", False
    try:
        with time_limit(max(0.5, min(timeout / 2, 10.0)), "solving ∇f = 0"):
            if len(xs) == 1:
                res = _exact_1d(grad[0], xs[0])
                if res is not None:
                    exact_pts, periodic = [(v,) for v in res[0]], res[1]
                else:
                    why = "no explicit solution set"
            else:
                pts, families = _exact_nd(grad, xs)
                exact_pts = pts
                for fam in families:
                    notes.append(Phrase("family", (("sol", ", ".join(f"{k} = {v}" for k, v in fam.items())),)))
                periodic = any(g.has(sp.sin, sp.cos, sp.tan) for g in grad)
    except TimeLimitError:
        why, exact_pts = "time limit", None
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError, AttributeError) as exc:
        why, exact_pts = type(exc).__name__, None
    if periodic:
        notes.append(Phrase("periodic"))

    checked = _verified(exact_pts, grad_fn, len(xs)) if exact_pts is not None else []
    numeric, starts = ([], 0)
    if not periodic and not any(n.key == "family" for n in notes):
        numeric, starts = _numeric_search(grad_fn, hess_fn, len(xs), rng)
    found = [(e, v) for e, v in checked]
    extra = [p for p in numeric
             if not any(np.allclose(p, v, rtol=1e-4, atol=1e-4) for _, v in checked)]
    if exact_pts is None:
        method, is_exact = Phrase("method_numeric", (("why", why), ("starts", str(starts)))), False
        found = [(None, p) for p in numeric]
    elif extra:
        method, is_exact = Phrase("method_mixed", (("starts", str(starts)),)), False
        found += [(None, p) for p in extra]
    else:
        method, is_exact = Phrase("method_exact"), True
    found.sort(key=lambda ev: tuple(ev[1]))
    if len(found) > MAX_POINTS_SHOWN:
        notes.append(Phrase("truncated", (("k", str(MAX_POINTS_SHOWN)), ("total", str(len(found))))))
        found = found[:MAX_POINTS_SHOWN]
    points = tuple(classify(f, xs, hessian, e, v, hess_fn) for e, v in found)
    return points, method, tuple(notes), is_exact


# --------------------------------------------------------------------------------------------
# Convexity: composition rules
# --------------------------------------------------------------------------------------------
# curvature of an expression: "const", "affine", "convex", "concave" or None (unknown)
_FLIP = {"const": "const", "affine": "affine", "convex": "concave", "concave": "convex", None: None}


def _add_curv(curvs: Sequence[str | None]) -> str | None:
    kinds = set(curvs) - {"const"}
    if not kinds:
        return "const"
    if None in kinds or {"convex", "concave"} <= kinds:
        return None
    if kinds == {"affine"}:
        return "affine"
    return "convex" if "convex" in kinds else "concave"


class _Composition:
    """Curvature by the rules of disciplined convex programming (Boyd & Vandenberghe §3.2).

    Each rule records a short justification, e.g. "exp(x): exp is convex and increasing, x affine".
    """

    # outer function: (curvature, monotonicity) — composition h(g) is convex when h is convex and
    # (g affine, or h increasing and g convex, or h decreasing and g concave); dually for concave.
    OUTER = {sp.exp: ("convex", "increasing"), softplus: ("convex", "increasing"),
             relu: ("convex", "increasing"), sp.log: ("concave", "increasing")}

    def __init__(self, xs):
        self.xs = tuple(xs)
        self.why: list[str] = []

    def curv(self, e: sp.Basic) -> str | None:
        if not e.has(*self.xs):
            return "const"
        if isinstance(e, sp.Symbol):
            return "affine"
        handler = getattr(self, f"_{type(e).__name__}", None)
        if handler is None:
            for cls, (c, mono) in self.OUTER.items():
                if isinstance(e, cls):
                    return self._outer(e, cls, c, mono)
            return None
        return handler(e)

    def _Add(self, e):
        return _add_curv([self.curv(a) for a in e.args])

    def _Mul(self, e):
        coeff, rest = e.as_independent(*self.xs, as_Add=False)
        if coeff == 1:
            return None     # a product of two non-constant factors: no rule
        c = self.curv(rest)
        if c in ("const", "affine"):
            return c
        if coeff.is_positive:
            return c
        if coeff.is_negative:
            if c in ("convex", "concave"):
                self.why.append(f"{e}: a negative multiple of a {c} expression is {_FLIP[c]}")
            return _FLIP[c]
        return None

    def _Pow(self, e):
        base, p = e.args
        if p.has(*self.xs):
            return None
        c = self.curv(base)
        if p == 1:
            return c
        if c == "affine" and p.is_integer and p.is_even and p.is_positive:
            self.why.append(f"{e}: an even power of an affine expression is convex")
            return "convex"
        if c in ("affine", "convex") and p.is_number and p >= 1 and base.is_nonnegative:
            self.why.append(f"{e}: a power ≥ 1 of a nonnegative convex expression is convex")
            return "convex"
        if c in ("affine", "concave") and p.is_number and 0 < p < 1:
            self.why.append(f"{e}: a power in (0, 1) of a concave expression is concave (where defined)")
            return "concave"
        return None

    def _Abs(self, e):
        if self.curv(e.args[0]) == "affine":
            self.why.append(f"|{e.args[0]}|: the absolute value of an affine expression is convex")
            return "convex"
        return None

    def _Max(self, e):
        cs = [self.curv(a) for a in e.args]
        if all(c in ("const", "affine", "convex") for c in cs):
            self.why.append(f"{e}: a maximum of convex expressions is convex")
            return "convex"
        return None

    def _Min(self, e):
        cs = [self.curv(a) for a in e.args]
        if all(c in ("const", "affine", "concave") for c in cs):
            self.why.append(f"{e}: a minimum of concave expressions is concave")
            return "concave"
        return None

    def _log(self, e):
        arg = e.args[0]
        lse = self._log_sum_exp(arg)
        if lse:
            self.why.append(f"{e}: log-sum-exp of affine expressions is convex")
            return "convex"
        if isinstance(arg, sigmoid) and self.curv(arg.args[0]) in ("affine", "const"):
            self.why.append(f"{e} = −softplus(−z): concave for affine z")
            return "concave"
        if arg.is_Add and len(arg.args) == 2 and sp.S.One in arg.args:
            other = arg - 1
            if isinstance(-other, sigmoid) and self.curv((-other).args[0]) in ("affine", "const"):
                self.why.append(f"{e} = −softplus(z): concave for affine z")
                return "concave"
        return self._outer(e, sp.log, "concave", "increasing")

    def _log_sum_exp(self, arg) -> bool:
        terms = sp.Add.make_args(arg)
        if len(terms) < 2:
            return False
        for t in terms:
            if not t.has(*self.xs):
                if not t.is_positive:
                    return False
                continue
            coeff, rest = t.as_independent(*self.xs, as_Add=False)
            if not coeff.is_positive:
                return False
            if isinstance(rest, sp.exp) and self.curv(rest.args[0]) in ("affine", "const"):
                continue
            if isinstance(rest, sp.Pow) and rest.base == sp.E and self.curv(rest.exp) in ("affine", "const"):
                continue
            return False
        return True

    def _outer(self, e, cls, curvature, mono):
        inner = self.curv(e.args[0])
        if inner in ("const",):
            return "const"
        ok = (inner == "affine"
              or (mono == "increasing" and inner == curvature)
              or (mono == "decreasing" and inner == _FLIP[curvature]))
        if ok:
            name = getattr(cls, "__name__", str(cls))
            self.why.append(f"{e}: {name} is {curvature} and {mono}, its argument {inner}")
            return curvature
        return None


def _composition_proof(f: sp.Basic, xs) -> Convexity | None:
    comp = _Composition(xs)
    c = comp.curv(f)
    if c in ("convex", "concave"):
        why = "; ".join(dict.fromkeys(comp.why)) or str(f)
        return Convexity(c, Phrase("composition", (("why", why),)), {"rules": list(dict.fromkeys(comp.why))})
    return None


# --------------------------------------------------------------------------------------------
# Convexity: Hessian-based proofs and witnesses
# --------------------------------------------------------------------------------------------

def _constant_hessian(h: sp.Matrix) -> Convexity | None:
    if h.free_symbols:
        return None
    if h.is_zero_matrix:
        return Convexity("convex", Phrase("const_zero"), {"hessian": [[0] * h.cols] * h.rows})
    evs = _exact_eigenvalues(h, 2.0)
    if evs is None:
        return None
    signs = [_sign(e, 1.0) for e in evs]
    witness = {"hessian": [[str(v) for v in row] for row in h.tolist()], "eigenvalues": [str(e) for e in evs]}
    for verdict, ok, strict, rel in (("convex", all(s >= 0 for s in signs), all(s > 0 for s in signs), "≥"),
                                     ("concave", all(s <= 0 for s in signs), all(s < 0 for s in signs), "≤")):
        if ok:
            semi = verdict + ("_strict" if strict else "")
            return Convexity(verdict, Phrase("const", (("H", h), ("ev", ", ".join(str(e) for e in evs)),
                                                       ("rel", rel), ("semi", SemiPhrase(semi)))), witness)
    return None   # indefinite: the sampled witness below says "neither" with a point and direction


@dataclass(frozen=True)
class SemiPhrase:
    """'positive semidefinite' in the output language."""

    key: str

    def __str__(self):
        return SEMI["en"][self.key]


def _principal_minors(h: sp.Matrix) -> list[tuple[tuple[int, ...], sp.Basic]]:
    n = h.rows
    out = []
    for k in range(1, n + 1):
        for idx in itertools.combinations(range(n), k):
            out.append((idx, h.extract(list(idx), list(idx)).det()))
    return out


def _minors_proof(h: sp.Matrix, xs, sense: str, timeout: float) -> Convexity | None:
    """PSD everywhere ⇔ every principal minor ≥ 0 everywhere; each sign must be proved."""
    if h.rows > 3:
        return None
    m = h if sense == "convex" else -h
    proved = []
    try:
        with time_limit(timeout, "principal minors"):
            for idx, minor in _principal_minors(m):
                res = prove_nonnegative(minor, timeout=max(0.5, timeout / 4))
                if res is None:
                    return None
                proved.append((idx, res))
    except TimeLimitError:
        return None
    hows = list(dict.fromkeys(res[1].key for _, res in proved))
    how = Phrase(hows[0]) if len(hows) == 1 and hows[0] != "how_factored" else proved[-1][1][1]
    if h.rows == 1:
        rel = "≥" if sense == "convex" else "≤"
        form = proved[0][1][0] if sense == "convex" else -proved[0][1][0]
        return Convexity(sense, Phrase("second", (("x", xs[0]), ("f2", form), ("rel", rel), ("how", how))),
                         {"second_derivative": str(h[0, 0])})
    names = [str(x) for x in xs]
    listing = "; ".join(f"M[{','.join(names[i] for i in idx)}] = {res[0]}" for idx, res in proved)
    key = "minors" if sense == "convex" else "minors_neg"
    return Convexity(sense, Phrase(key, (("rel", "≥"), ("how", how), ("minors", listing))),
                     {"principal_minors": {",".join(names[i] for i in idx): str(res[0]) for idx, res in proved}})


@dataclass(frozen=True)
class _Curvature:
    """Extreme curvatures seen at sampled points: (value, point, direction) or None."""

    most_negative: tuple | None
    most_positive: tuple | None
    samples: int


def _sample_curvature(hess_fn, n: int) -> _Curvature:
    rng = np.random.default_rng(1)
    neg = pos = None
    count = 0
    for p in _sample_points(n, rng):
        h = _call(hess_fn, p)
        if h is None:
            continue
        h = h.reshape(n, n)
        count += 1
        w, v = np.linalg.eigh((h + h.T) / 2)
        tol = 1e-8 * max(1.0, float(np.max(np.abs(w))))
        if w[0] < -tol and (neg is None or w[0] < neg[0]):
            neg = (float(w[0]), p, v[:, 0])
        if w[-1] > tol and (pos is None or w[-1] > pos[0]):
            pos = (float(w[-1]), p, v[:, -1])
    return _Curvature(neg, pos, count)


def _witness_entry(names, sample) -> dict:
    value, point, direction = sample
    return {"point": {n: float(v) for n, v in zip(names, point)},
            "direction": {n: float(v) for n, v in zip(names, direction)}, "curvature": value}


def _witness_params(names, sample, tag: str) -> tuple:
    value, point, direction = sample
    return ((f"p{tag}", _point_phrase(names, point)),
            (f"d{tag}", "(" + ", ".join(_num(float(v)) for v in direction) + ")"),
            (f"c{tag}", _num(value)))


def convexity(f: sp.Basic, xs: Sequence[sp.Symbol], timeout: float = 5.0) -> Convexity:
    """Convex / concave with a proof, neither with two witnesses, else undecided (honestly)."""
    xs = list(xs)
    names = [str(x) for x in xs]
    fe = to_elementary(f)
    h = sp.hessian(fe, xs)
    const = _constant_hessian(h)
    if const is not None:
        return const
    curv = _sample_curvature(_lambdify(xs, h), len(xs))
    if curv.most_negative and curv.most_positive:
        params = _witness_params(names, curv.most_negative, "1") + _witness_params(names, curv.most_positive, "2")
        return Convexity("neither", Phrase("neither", params),
                         {"negative": _witness_entry(names, curv.most_negative),
                          "positive": _witness_entry(names, curv.most_positive)})
    senses = [s for s, refuted in (("convex", curv.most_negative), ("concave", curv.most_positive))
              if not refuted]
    comp = _composition_proof(f, xs) if senses else None
    for sense in senses:
        if comp is not None and comp.verdict == sense:
            return comp
        proof = _minors_proof(h, xs, sense, timeout)
        if proof is not None:
            return proof
    k = ("k", str(curv.samples))
    if curv.most_negative:
        return Convexity("undecided", Phrase("not_convex", _witness_params(names, curv.most_negative, "1") + (k,)),
                         {"negative": _witness_entry(names, curv.most_negative)})
    if curv.most_positive:
        return Convexity("undecided", Phrase("not_concave", _witness_params(names, curv.most_positive, "2") + (k,)),
                         {"positive": _witness_entry(names, curv.most_positive)})
    return Convexity("undecided", Phrase("no_evidence", (k,)), None)


# --------------------------------------------------------------------------------------------
# Sums over samples: L(θ) = Σ_i g(z_i, y_i), z_i = θᵀx_i (+ b)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """A value with a hand-chosen display (SymPy would print σ(z) − y as -y + sigmoid(z))."""

    text: str
    latex: str

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class SampleSum:
    """A loss that depends on the parameters only through one affine predictor per sample.

    L = Σ_{i=1}^{n} g(z_i, data_i) with z_i = offset_i + c·Σ_j θ_j x_{ij} + Σ_k c_k b_k. Then
    ∇L = Σ_i g'(z_i) a_i and H = Σ_i g''(z_i) a_i a_iᵀ with a_i = ∂z_i/∂(θ, b): convexity only
    needs g'' ≥ 0 — the X^T S X argument of the logistic loss, and least squares alike.
    """

    g: sp.Basic                 # in terms of `z` and per-sample data Indexed at `i`
    z: sp.Symbol
    predictor: sp.Basic         # z_i as written
    i: sp.Symbol
    n: sp.Basic
    j: sp.Symbol | None = None
    d: sp.Basic | None = None
    theta: sp.IndexedBase | None = None
    features: sp.IndexedBase | None = None   # x in x[i, j]
    theta_coeff: sp.Basic = sp.Integer(1)
    biases: tuple = ()          # ((symbol, coefficient), ...)
    offset: sp.Basic = sp.Integer(0)   # the parameter-free part of z_i (may hold data, y[i])
    data: tuple = ()            # per-sample IndexedBases in g and offset (y)

    def predictor_shown(self) -> Shown:
        text, tex = [], []
        if self.offset != 0:
            text.append(str(self.offset))
            tex.append(sp.latex(self.offset))
        if self.theta is not None:
            c = "" if self.theta_coeff == 1 else ("-" if self.theta_coeff == -1 else f"{self.theta_coeff}*")
            name = str(self.theta.label)
            text.append(f"{c}{name}^T {self.features.label}_{self.i}")
            tex.append(f"{c.rstrip('*')}{sp.latex(sp.Symbol(name))}^{{T}} {sp.latex(sp.Symbol(str(self.features.label)))}_{{{self.i}}}")
        for b, c in self.biases:
            term = str(b) if c == 1 else (f"-{b}" if c == -1 else f"{c}*{b}")
            text.append(term)
            tex.append(term.replace("*", " "))
        join = lambda parts: " + ".join(parts).replace("+ -", "- ")
        return Shown(join(text), join(tex))


def _split_coeff(e: sp.Basic, params: set):
    """e = c·core with c a number (the core holds the parameter)."""
    c, core = e.as_coeff_Mul()
    return c, core


def _linear_predictor(s: sp.Basic, params: set, i: sp.Symbol) -> dict | None:
    """Split s = offset_i + c·Σ_j θ_j x[i, j] + Σ c_k b_k, or None if s is not of that form."""
    out = {"theta": None, "biases": [], "offset": sp.Integer(0)}
    for term in sp.Add.make_args(s):
        if not any(_mentions(term, params)):
            out["offset"] += term
            continue
        c, core = _split_coeff(term, params)
        if isinstance(core, sp.Symbol) and core.name in params:
            out["biases"].append((core, c))
        elif isinstance(core, sp.Sum) and len(core.limits) == 1 and out["theta"] is None:
            jj, lo, hi = core.limits[0]
            inner_c, inner = _split_coeff(core.function, params)
            factors = sp.Mul.make_args(inner)
            ths = [f for f in factors if isinstance(f, sp.Indexed) and f.base.label.name in params]
            if len(ths) != 1 or ths[0].indices != (jj,) or lo != 1:
                return None
            rest = sp.Mul(*[f for f in factors if f is not ths[0]])
            if not (isinstance(rest, sp.Indexed) and rest.indices == (i, jj)):
                return None
            out.update(theta=ths[0].base, features=rest.base, j=jj, d=hi, theta_coeff=c * inner_c)
        else:
            return None
    if out["theta"] is None and not out["biases"]:
        return None
    out["biases"] = tuple(out["biases"])
    return out


def _mentions(e: sp.Basic, params: set):
    for a in sp.preorder_traversal(e):
        if isinstance(a, sp.Symbol) and a.name in params:
            yield a
        elif isinstance(a, sp.IndexedBase) and a.label.name in params:
            yield a


def sample_sum(expr: sp.Basic, params: Sequence[str]) -> SampleSum | None:
    """Recognise L = c · Σ_i g(z_i, y_i) with z_i affine in the parameters, or return None.

    The predictor is the largest subexpression that is affine in the parameters and that, replaced
    by a symbol z, removes every parameter from the summand (θᵀx_i inside σ for the logistic loss;
    y_i − θᵀx_i − b for least squares).
    """
    params = set(params)
    sums = [t for t in sp.Add.make_args(expr) if t.has(sp.Sum)]
    rest = [t for t in sp.Add.make_args(expr) if not t.has(sp.Sum)]
    if len(sums) != 1 or any(any(_mentions(t, params)) for t in rest):
        return None
    coeff, body = sums[0].as_independent(sp.Sum, as_Add=False)
    if not isinstance(body, sp.Sum) or len(body.limits) != 1 or any(_mentions(coeff, params)):
        return None
    i, lo, n = body.limits[0]
    if lo != 1:
        return None
    summand = coeff * body.function
    z = sp.Symbol("z", real=True)
    for s in sp.preorder_traversal(summand):
        if not any(_mentions(s, params)):
            continue
        lin = _linear_predictor(s, params, i)
        if lin is None:
            continue
        g = summand.xreplace({s: z})
        if any(_mentions(g, params)) or not g.has(z):
            continue
        atoms = g.atoms(sp.Indexed) | lin["offset"].atoms(sp.Indexed)
        if any(a.indices != (i,) for a in atoms):
            return None
        data = tuple(sorted({a.base for a in atoms}, key=str))
        return SampleSum(g=g, z=z, predictor=s, i=i, n=n, data=data, **lin)
    return None


def _generic_g(ss: SampleSum) -> tuple[sp.Basic, dict]:
    """g with per-sample data y[i] replaced by plain real symbols (y_i), for sign proofs."""
    reps = {a: sp.Symbol(f"{a.base.label}_{ss.i}", real=True) for a in ss.g.atoms(sp.Indexed)}
    return ss.g.xreplace(reps), reps


def _simplest(e: sp.Basic, timeout: float = 2.0) -> sp.Basic:
    try:
        with time_limit(timeout, "simplifying"):
            cands = [e, sp.factor(sp.cancel(e))]
            try:
                cands.append(sp.factor(sp.simplify(e)))
            except (NotImplementedError, TypeError):
                pass
    except TimeLimitError:
        return e
    return min(cands, key=sp.count_ops)


def _shown(e: sp.Basic, z: sp.Symbol):
    """The textbook spelling of the familiar g' and g'' (σ(z) − y, σ(z)(1 − σ(z))), else e itself."""
    sz = sigmoid(z)
    forms = [(sz * (1 - sz), "sigmoid(z)*(1 - sigmoid(z))", r"\sigma(z)\left(1 - \sigma(z)\right)")]
    for y in sorted(e.free_symbols - {z}, key=str):
        forms.append((sz - y, f"sigmoid(z) - {y}", rf"\sigma(z) - {sp.latex(y)}"))
    for form, text, tex in forms:
        try:
            if sp.cancel(to_elementary(e - form)) == 0:
                return Shown(text, tex)
        except (TypeError, ValueError, sp.PolynomialError):
            continue
    return e


def sample_sum_convexity(ss: SampleSum, timeout: float = 5.0) -> Convexity:
    g, _ = _generic_g(ss)
    g2 = _simplest(sp.diff(g, ss.z, 2), timeout / 2)
    params = (("z", ss.predictor_shown()), ("g", g), ("g2", _shown(g2, ss.z)))
    for sense, e, rel in (("convex", g2, "≥"), ("concave", -g2, "≤")):
        res = prove_nonnegative(e, timeout / 2)
        if res is not None:
            return Convexity(sense, Phrase("gram", params + (("rel", rel), ("how", res[1]))),
                             {"g''": str(g2), "form": "X^T S X", "S": "diag(g''(z_i))"})
    # a witness: g'' of both signs means the Hessian's sign depends on the data
    fn = _lambdify([ss.z, *sorted(g2.free_symbols - {ss.z}, key=str)], g2)
    extra = len(g2.free_symbols - {ss.z})
    vals = {}
    for zz in np.linspace(-4, 4, 17):
        for yy in (0.0, 1.0, 0.5):
            v = _call(fn, [zz] + [yy] * extra)
            if v is not None:
                vals.setdefault(np.sign(round(float(v), 12)), (zz, float(v)))
    if 1.0 in vals and -1.0 in vals:
        (z1, v1), (z2, v2) = vals[-1.0], vals[1.0]
        return Convexity("neither", Phrase("gram_neither", (("g2", g2), ("z1", f"z = {_num(z1)}"), ("v1", _num(v1)),
                                                            ("z2", f"z = {_num(z2)}"), ("v2", _num(v2)))),
                         {"g''": str(g2), "negative_at": {"z": z1, "value": v1}, "positive_at": {"z": z2, "value": v2}})
    return Convexity("undecided", Phrase("no_evidence", (("k", str(sum(1 for _ in vals))),)), None)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

def _variable_symbols(expr: sp.Basic, names: Sequence[str]) -> list[sp.Symbol]:
    by_name = {s.name: s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return [by_name.get(nm, sp.Symbol(nm, real=True)) for nm in names]


def require_explicit(expr: sp.Basic, command: str) -> None:
    """Refuse what cannot be evaluated: an undefined function f(x), a derivative, an integral."""
    undefined = sorted({str(f.func) for f in expr.atoms(sp.core.function.AppliedUndef)})
    if undefined:
        raise SymderivError(f"{command} needs an explicit function, but {', '.join(undefined)}(…) "
                            "is not defined; write its formula, e.g. f(x) = x^2")
    if expr.has(sp.Derivative, sp.Subs, sp.Integral):
        raise SymderivError(f"{command} needs an explicit function, not a statement about a "
                            "derivative or an integral")


def analyze_expr(expr: sp.Basic, variables: Sequence[sp.Symbol | str],
                 timeout: float = DEFAULT_TIMEOUT) -> Analysis:
    """Analyze a plain (non-indexed) SymPy expression in the given variables."""
    names = [str(v) for v in variables]
    require_explicit(expr, "analyze")
    xs = _variable_symbols(expr, names)
    if not xs:
        raise SymderivError("analyze needs at least one variable")
    others = sorted(s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in xs)
    if others:
        raise SymderivError(
            f"analyze needs numbers for the symbols {', '.join(others)} (not variables of the "
            f"function); give them values with --where, e.g. --where '{others[0]} = 1'")
    if expr.has(sp.Sum, sp.Indexed):
        raise SymderivError("this sum over samples is not of the form Σ_i g(θᵀx_i + b, y_i) that "
                            "analyze understands")
    fe = to_elementary(expr)
    points, method, notes, exact = critical_points(fe, xs, timeout)
    conv = convexity(expr, xs, timeout=min(timeout / 2, 8.0))
    return Analysis(function=expr, variables=tuple(names), critical_points=points, method=method,
                    convexity=conv, notes=notes, exact=exact)


def analyze_sample_sum(expr: sp.Basic, ss: SampleSum, variables: Sequence[str],
                       timeout: float = DEFAULT_TIMEOUT, data=None) -> Analysis:
    """A per-sample loss: convexity from g''; critical points from data (numeric) or not at all."""
    g, _ = _generic_g(ss)
    g1 = _simplest(sp.diff(g, ss.z), timeout / 4)
    conv = sample_sum_convexity(ss, timeout=min(timeout / 2, 8.0))
    params = ", ".join(variables)
    linear = sp.diff(g1, ss.z, 2) == 0
    notes = (Phrase("idx_linear" if linear else "idx_no_closed_form", (("g1", _shown(g1, ss.z)), ("params", params))),)
    points: tuple[CriticalPoint, ...] = ()
    if data is not None:
        from symderiv.analysis.optimizer import minimize_on_data   # numeric minimum on concrete data (lazy: NumPy work)
        found = minimize_on_data(ss, variables, data)
        if found is not None:
            theta, evs, iters, names = found
            kind = _kind_from_signs([_sign(v, max(abs(e) for e in evs)) for v in evs])
            points = (CriticalPoint(values=tuple(theta), exact=None, kind=kind, eigenvalues=tuple(evs)),)
            method = Phrase("idx_data", (("source", data.source), ("n", str(data.n)), ("d", str(data.d)),
                                         ("iters", str(iters))))
            return Analysis(expr, tuple(names), points, method, conv, notes, exact=False, indexed=True)
    return Analysis(expr, tuple(variables), points, notes[0], conv, (Phrase("idx_hint"),), exact=False,
                    indexed=True)


def problem_parts(problem, command: str):
    """(expanded expression, variables, SampleSum or None) of a Problem, for analyze and optimize:
    a sum over samples must be Σ_i g(θᵀx_i + b, y_i), anything else a plain function."""
    expr = problem.expanded()
    variables = tuple(problem.variables)
    if not variables:
        raise SymderivError(f"nothing to {command}: the expression has no variables")
    if not (expr.has(sp.Sum) or expr.has(sp.Indexed)):
        return expr, variables, None
    ss = sample_sum(expr, variables)
    if ss is None:
        raise SymderivError("this sum over samples is not of the form Σ_i g(θᵀx_i + b, y_i) that "
                            f"{command} understands (e.g. the logistic loss or least squares)")
    return expr, variables, ss


def analyze_problem(problem, timeout: float = DEFAULT_TIMEOUT, data=None) -> Analysis:
    """Analyze a parsed Problem (definitions substituted)."""
    expr, variables, ss = problem_parts(problem, "analyze")
    if ss is not None:
        return analyze_sample_sum(expr, ss, variables, timeout, data)
    return analyze_expr(expr, variables, timeout)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

def _coords_text(names, values, exact, style: str = "text") -> str:
    lhs = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
    approx = ", ".join(f"{v:.3f}" for v in values)
    approx = approx if len(names) == 1 else f"({approx})"
    if exact is None:
        return f"{lhs} ≈ {approx}"
    if style == "md":
        ex = ", ".join(sp.latex(e) for e in exact)
        ex = ex if len(names) == 1 else rf"\left({ex}\right)"
        lhs_tex = sp.latex(sp.Symbol(names[0])) if len(names) == 1 else \
            r"\left(" + ", ".join(sp.latex(sp.Symbol(n)) for n in names) + r"\right)"
        return f"${lhs_tex} = {ex} \\approx {approx}$"
    ex = ", ".join(str(e) for e in exact)
    ex = ex if len(names) == 1 else f"({ex})"
    return f"{lhs} = {ex} ≈ {approx}"


def _eigen_text(p: CriticalPoint, style: str) -> str:
    if p.exact_eigenvalues is not None:
        parts = []
        for e, v in zip(p.exact_eigenvalues, p.eigenvalues):
            if e.is_Rational:
                parts.append(f"${sp.latex(e)}$" if style == "md" else str(e))
            else:
                parts.append((f"${sp.latex(e)} \\approx {_num(v)}$" if style == "md" else f"{e} ≈ {_num(v)}"))
        return ", ".join(parts)
    return ", ".join(_num(v) for v in p.eigenvalues)


def render_text(a: Analysis, lang: str = "en") -> str:
    t = PHRASES.get(lang, PHRASES["en"])
    names = list(a.variables)
    lines = [a.method.render(lang)]
    lines += [n.render(lang) for n in a.notes]
    if not a.critical_points and not a.indexed and not any(n.key == "family" for n in a.notes):
        lines.append(t["no_points"])
    for p in a.critical_points:
        lines.append(f"{_coords_text(names, p.values, p.exact)}: {t[p.kind]}")
        lines.append(f"  {t['eigenvalues']}: {_eigen_text(p, 'text')}")
        if p.note is not None:
            lines.append(f"  {p.note.render(lang)}")
    v = a.convexity.verdict
    lines.append(f"{t['convexity']}: {_verdict_word(v, lang)} — {a.convexity.reason.render(lang)}")
    return "\n".join(lines) + "\n"


def _verdict_word(v: str, lang: str) -> str:
    if lang == "en":
        return v
    return PHRASES[lang][f"v_{v}"]


def render_json(a: Analysis) -> str:
    points = []
    for p in a.critical_points:
        points.append({
            "point": {n: v for n, v in zip(a.variables, p.values)},
            "exact": None if p.exact is None else {n: str(e) for n, e in zip(a.variables, p.exact)},
            "kind": p.kind,
            "eigenvalues": list(p.eigenvalues),
            "exact_eigenvalues": None if p.exact_eigenvalues is None else [str(e) for e in p.exact_eigenvalues],
            "note": None if p.note is None else p.note.render("en"),
        })
    obj = {"function": str(a.function), "variables": list(a.variables),
           "method": a.method.render("en"), "exact": a.exact,
           "notes": [n.render("en") for n in a.notes],
           "critical_points": points,
           "convexity": {"verdict": a.convexity.verdict, "reason": a.convexity.reason.render("en"),
                         "witness": a.convexity.witness}}
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def render_markdown(a: Analysis, lang: str = "en", heading: str = "###") -> str:
    """The analysis as Markdown through templates/analyze/analysis.md.j2 (a user may edit it)."""
    return _render_md(a, lang, heading)


def _render_md(a: Analysis, lang: str, heading: str) -> str:
    t = PHRASES.get(lang, PHRASES["en"])
    names = list(a.variables)
    pts = [{"coords": _coords_text(names, p.values, p.exact, "md"), "kind": t[p.kind],
            "eigen": _eigen_text(p, "md"), "note": p.note.render(lang, "md") if p.note else ""}
           for p in a.critical_points]
    ctx = {"heading": heading, "t": t, "indexed": a.indexed or any(n.key == "family" for n in a.notes), "method": a.method.render(lang, "md"),
           "notes": [n.render(lang, "md") for n in a.notes], "points": pts,
           "verdict": _verdict_word(a.convexity.verdict, lang),
           "reason": a.convexity.reason.render(lang, "md")}
    return _template("analysis.md.j2").render(**ctx).strip() + "\n"


def _template(name: str):
    """Templates under templates/analyze/: the installed package's copy first, then the repo's."""
    import pathlib

    import jinja2
    here = pathlib.Path(__file__).resolve().parent
    dirs = [here.parent / "output" / "templates" / "analyze"]
    loader = jinja2.FileSystemLoader([str(d) for d in dirs if d.is_dir()])
    env = jinja2.Environment(loader=loader, autoescape=False, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template(name)


def analysis_markdown(problem, lang: str = "en", timeout: float = DEFAULT_TIMEOUT) -> str:
    """For `symderiv notes`: the analysis as a Markdown section, or "" when not applicable.

    Only functions of at most two variables (a vector θ counts as one) are analysed, so a note
    never stalls on a big system; errors become "" too, since a note without an analysis is fine.
    """
    if len(problem.variables) > 2:
        return ""
    try:
        return _render_md(analyze_problem(problem, timeout=timeout), lang, "####")
    except SymderivError:
        return ""


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("latex", nargs="?", metavar="LATEX",
                        help="the function, e.g. 'f(x, y) = x^2 - y^2' ('-' reads stdin)")
    parser.add_argument("--where", action="append", default=[], metavar="DEF",
                        help="a definition, e.g. '\\hat{y}_i = \\sigma(\\theta^T x_i)' (repeatable)")
    parser.add_argument("--format", choices=("text", "md", "json"), default="text")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--data", metavar="FILE.csv",
                        help="data for a sum over samples (features..., label per row): find the minimum numerically")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds (default 20)")


def read_latex(args) -> str:
    """The LaTeX from the command line or stdin ('-'), or the seed's logistic loss when absent."""
    import sys
    if args.latex is None:
        return SEED_LOGISTIC
    if args.latex == "-":
        return sys.stdin.read()
    return args.latex


SEED_LOGISTIC = (r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]")
SEED_WHERE = (r"\hat{y}_i = \sigma(\theta^T x_i)",)


def parse_problem(args):
    from symderiv.parsing.parser import parse   # the parser module (lazy: `analyze --help` stays fast)
    where = list(args.where or [])
    if args.latex is None and not where:
        where = list(SEED_WHERE)
    return parse(read_latex(args), where)


def run_cli(args) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise SymderivError("--timeout must be positive")
    with time_limit(args.timeout, "analyze"):
        problem = parse_problem(args)
        data = None
        if args.data:
            from symderiv.analysis.optimizer import load_csv
            data = load_csv(args.data)
        analysis = analyze_problem(problem, timeout=args.timeout, data=data)
    if args.format == "json":
        print(render_json(analysis))
    elif args.format == "md":
        print(_render_md(analysis, args.lang, "###"), end="")
    else:
        print(render_text(analysis, args.lang), end="")
    return 0


__all__ = ["Analysis", "CriticalPoint", "Convexity", "Phrase", "SampleSum", "analyze_expr",
           "analyze_problem", "analysis_markdown", "classify", "convexity", "critical_points",
           "prove_nonnegative", "sample_sum", "render_text", "render_json", "render_markdown"]

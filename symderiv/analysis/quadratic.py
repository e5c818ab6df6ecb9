"""Functions quadratic in a vector variable: xᵀAx + bᵀx, ½‖Ax − b‖², ridge regression …

The gradient and the Hessian come from the deriver in matrix form, each checked numerically
against its index form (symderiv.calculus.matrices): ∇f = Hx + g with H free of x. Then

- the critical points solve H x = −g, the single one x* = −H⁻¹g when H is invertible — itself
  checked: ∇f(x*) = 0 on random data at sizes that differ per size symbol;
- convexity is read off H: a sum of Gram matrices MᵀM (MMᵀ) and of the identity, with nonnegative
  coefficients, is positive semidefinite for every value of the data (vᵀMᵀMv = ‖Mv‖² ≥ 0), so f is
  convex and x* a global minimum. Any other H (A + Aᵀ) decides nothing by itself: f is convex
  exactly when H ⪰ 0, which depends on the data, and the verdict says so instead of guessing.

A function of a vector variable that is not quadratic in it is refused with a SymderivError naming
what analyze does handle.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from symderiv.analysis.results import (
    Analysis,
    Convexity,
    MatrixEquation,
    MatrixValue,
    Nonnegative,
    Phrase,
    QuadraticForms,
)
from symderiv.core.errors import SymderivError
from symderiv.core.problem import Problem


class NotQuadratic(SymderivError):
    """The function is not quadratic in the vector variable (or has no checked matrix form)."""


UNKNOWN_NAMES = ("x", "theta", "w", "beta", "z", "u", "v", "mu")
"""The unknown of a linear-algebra expression by convention, in order of preference."""


def vector_variable(problem: Problem) -> tuple[str, bool] | None:
    """(the vector to analyze in, whether it was chosen here rather than given), or None when the
    function has no vector variable. Given: `f(x) = …`'s argument; else the vector the function is
    quadratic in by name convention (x, θ, w, …) — in `xᵀAx + bᵀx` x, not the bias b."""
    shapes = dict(problem.shapes)
    vectors = [n for n, (_, cols) in shapes.items() if cols == 1 and n in problem.vectors]
    if problem.kind == "function" and problem.args:
        names = [str(a) for a in problem.args]
        return (names[0], False) if len(names) == 1 and names[0] in vectors else None
    given = [v for v in problem.variables if v in vectors]
    preferred = [v for v in UNKNOWN_NAMES if v in vectors]
    if problem.variables_note == "" and len(given) == 1:
        name = given[0]
    elif preferred:
        name = preferred[0]
    elif len(given) == 1:
        name = given[0]
    else:
        return None
    return name, (name,) != tuple(problem.variables) or bool(problem.variables_note)


def matrix_variables(problem: Problem) -> list[str]:
    """The problem's variables that are matrices (entries W[k, j], or held whole: det X)."""
    full = problem.expanded()
    whole = {m.name for m in full.atoms(sp.MatrixSymbol)}
    entries = {str(a.base.label) for a in full.atoms(sp.Indexed) if len(a.indices) == 2}
    shapes = dict(problem.shapes)
    return [v for v in problem.variables
            if v in whole or (v in entries and v in shapes and shapes[v][1] != 1)]


def analyze_quadratic(problem: Problem, variable: str, chosen: bool, timeout: float) -> Analysis:
    """Critical points and convexity of a function quadratic in the vector `variable`."""
    from symderiv.calculus.engine import derive  # the deriver's matrix forms: only a vector variable needs them

    try:
        d = derive(problem, wrt=[variable], hessian=True, timeout=max(1.0, timeout / 2))
    except SymderivError as exc:
        raise SymderivError(f"analyze cannot differentiate this function by {variable}: {exc}") from None
    gradient, block = d.gradient[0], d.hessian[0][0] if d.hessian else None
    if block is None or _depends(block.expanded, variable):
        raise NotQuadratic(
            f"analyze handles a function of a vector variable when it is quadratic in it (xᵀAx + bᵀx, "
            f"½‖Ax − b‖², ridge) or a sum over samples Σ_i g(θᵀx_i + b, y_i); this one is not quadratic in "
            f"{variable} (its Hessian depends on {variable}): analyze it with scalar variables, or give data "
            "to `optimize`")
    if gradient.matrix is None or block.matrix is None or gradient.matrix.definitions:
        raise NotQuadratic(f"analyze found no checked matrix form of the gradient or the Hessian in {variable} "
                            "(the index forms are what `derive --hessian` prints); this case is not supported yet")
    x = next((m for m in gradient.matrix.matrix.atoms(sp.MatrixSymbol) if m.name == variable), None)
    hessian = _tidy(block.matrix.matrix)
    grad = _tidy(gradient.matrix.matrix)
    if x is None:
        g0, solution = grad, None                         # ∇f does not depend on x: f is affine
    else:
        g0 = _tidy(grad.xreplace({x: sp.ZeroMatrix(*x.shape)}))
        solution = _solution(hessian, g0)
    checked = solution is not None and x is not None and _solves(grad, x, solution, d.shapes, problem)
    if solution is not None and not checked:
        solution = None
    forms = QuadraticForms(variable, grad, hessian, solution, checked)
    notes = _notes(forms, g0, variable, chosen)
    conv = _convexity(hessian, variable)
    method = Phrase("mat_forms", (("x", MatrixValue(sp.Symbol(variable))), ("grad", MatrixValue(grad)),
                                  ("hess", MatrixValue(hessian))))
    return Analysis(problem.expanded(), (variable,), (), method, conv, notes, exact=True, quadratic=forms)


# -- the pieces -------------------------------------------------------------------------------------

def _depends(expr: sp.Basic, variable: str) -> bool:
    return any(str(a.base.label) == variable for a in expr.atoms(sp.Indexed)) or any(
        m.name == variable for m in expr.atoms(sp.MatrixSymbol))


def _tidy(m: sp.Basic) -> sp.Basic:
    """A + A as 2A, −(−b) as b: SymPy's own canonical form of a matrix expression, where it has one."""
    try:
        out = m.doit()
    except Exception:        # SymPy refusing a rewrite of a matrix expression: keep it as it is
        return m
    return out if isinstance(out, sp.MatrixExpr) else m


def _solution(hessian: sp.Basic, g0: sp.Basic) -> sp.Basic | None:
    """x* = −H⁻¹g (g = ∇f(0)); 0 when g = 0; None when H = 0 (f affine)."""
    if isinstance(hessian, sp.ZeroMatrix):
        return None
    if isinstance(g0, sp.ZeroMatrix):
        return g0
    try:
        coeff, rest = _scalar_factor(hessian)
        return _tidy(sp.MatMul(-1 / coeff, sp.Inverse(rest), g0))
    except Exception:         # a shape SymPy cannot invert (not square): no closed form printed
        return None


def _scalar_factor(m: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
    """(c, M) with m = c·M: the scalar of a product, the common number of a sum's terms, so that
    (c M)⁻¹ = M⁻¹/c reads (XᵀX)⁻¹Xᵀy rather than (1/n)((1/n)XᵀX)⁻¹Xᵀy."""
    if isinstance(m, sp.MatMul):
        coeff, matrices = m.as_coeff_matrices()
        if coeff != 1 and matrices:
            return coeff, _tidy(sp.MatMul(*matrices)) if len(matrices) > 1 else matrices[0]
    if isinstance(m, sp.MatAdd):
        split = [_split(t) for t in m.args]
        numbers = [sp.Mul(*[f for f in sp.Mul.make_args(c) if f.is_number]) for c, _ in split]
        common = sp.gcd_list(numbers) if all(n.is_Rational for n in numbers) else sp.Integer(1)
        if common not in (0, 1):
            return common, _tidy(sp.MatAdd(*[sp.MatMul(c / common, *f) for c, f in split]))
    return sp.Integer(1), m


def _invertible(hessian: sp.Basic) -> bool:
    """c·I with a nonzero number c: invertible for every value of the data."""
    coeff, rest = _scalar_factor(hessian)
    return isinstance(rest, sp.Identity) and coeff.is_number and coeff != 0


def _solves(grad: sp.Basic, x: sp.MatrixSymbol, solution: sp.Basic, shapes: Sequence[tuple[str, tuple]],
            problem: Problem) -> bool:
    """∇f(x*) = 0 on random data (two draws) at sizes that differ per size symbol."""
    from symderiv.calculus.matrices import numeric

    table = {name: (dims[0], dims[1] if len(dims) > 1 else sp.Integer(1)) for name, dims in shapes}
    table.pop(x.name, None)
    symbols = {s for dims in table.values() for s in dims if isinstance(s, sp.Symbol)}
    symbols |= {s for s in x.shape if isinstance(s, sp.Symbol)}
    sizes = numeric.random_sizes(sorted(symbols, key=str))
    scalars_names = sorted({s.name for s in grad.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer})
    for seed in (3, 11):
        rng = np.random.default_rng(seed)
        try:
            data = numeric.random_data(table, sizes, rng, symmetric=problem.symmetric & set(table))
            scalars = numeric.random_scalars(scalars_names, rng)
            value = numeric.evaluate_matrix(solution, sizes, data, scalars)
            at = {**data, x.name: np.asarray(value, dtype=float).reshape(-1)}
            residual = np.asarray(numeric.evaluate_matrix(grad, sizes, at, scalars), dtype=float)
        except Exception:     # a form that cannot be evaluated is not checked, so not printed
            return False
        scale = max(1.0, float(np.max(np.abs(value))))
        if not np.all(np.isfinite(residual)) or np.max(np.abs(residual)) > 1e-6 * scale:
            return False
    return True


def _notes(forms: QuadraticForms, g0: sp.Basic, variable: str, chosen: bool) -> tuple[Phrase, ...]:
    x = MatrixValue(sp.Symbol(variable))
    out: list[Phrase] = []
    if chosen:
        out.append(Phrase("mat_variable", (("x", x),)))
    h = forms.hessian
    if isinstance(h, sp.ZeroMatrix):
        out.append(Phrase("mat_affine", (("g", MatrixValue(g0)),)))
        return tuple(out)
    lhs = _tidy(sp.MatMul(h, sp.MatrixSymbol(variable, h.shape[1], 1)))
    rhs = _tidy(sp.MatMul(-1, g0))
    out.append(Phrase("mat_stationary", (("equation", MatrixEquation(lhs, rhs)),)))
    if forms.solution is not None:
        star = MatrixEquation(sp.Symbol(variable), forms.solution, starred=True)
        key = "mat_solution_unique" if _invertible(h) else "mat_solution"
        out.append(Phrase(key, (("H", MatrixValue(h)), ("solution", star))))
    return tuple(out)


def _convexity(hessian: sp.Basic, variable: str) -> Convexity:
    """Convex when H is a sum of Gram matrices and identities with nonnegative coefficients (concave
    for −H); otherwise it depends on the data, and the reason says on what."""
    h = MatrixValue(hessian)
    witness = {"hessian": str(hessian)}
    if isinstance(hessian, sp.ZeroMatrix):
        return Convexity("convex", Phrase("const_zero"), witness)
    for verdict, sign in (("convex", 1), ("concave", -1)):
        conditions = _gram(hessian, sign)
        if conditions == []:
            return Convexity(verdict, Phrase(f"mat_gram_{verdict}", (("H", h),)), witness)
        if conditions:
            listed = Nonnegative(tuple(c.as_coeff_Mul()[1] for c in conditions))
            return Convexity("undecided", Phrase(f"mat_gram_if_{verdict}", (("H", h), ("conditions", listed))),
                             witness)
    return Convexity("undecided", Phrase("mat_depends", (("H", h),)), witness)


def _gram(hessian: sp.Basic, sign: int) -> list[sp.Basic] | None:
    """The conditions (coefficients that must be ≥ 0) under which sign·H is positive semidefinite as
    a sum of terms c·MᵀM, c·MMᵀ, c·I; [] when it is so for every value; None when H is not of that form."""
    conditions: list[sp.Basic] = []
    for term in hessian.args if isinstance(hessian, sp.MatAdd) else (hessian,):
        coeff, factors = _split(term)
        coeff = sign * coeff
        if not _gram_factors(factors):
            return None
        if coeff.is_nonnegative:
            continue
        if coeff.is_negative or coeff.is_number:
            return None
        conditions.append(coeff)
    return conditions


def _split(term: sp.Basic) -> tuple[sp.Basic, list[sp.Basic]]:
    if isinstance(term, sp.MatMul):
        coeff, matrices = term.as_coeff_matrices()
        return coeff, list(matrices)
    return sp.Integer(1), [term]


def _gram_factors(factors: list[sp.Basic]) -> bool:
    """MᵀM, MMᵀ (M a matrix symbol or a product), or the identity."""
    if len(factors) == 1:
        return isinstance(factors[0], sp.Identity)
    if len(factors) % 2:
        return False
    half = len(factors) // 2
    left, right = factors[:half], factors[half:]
    return left == [sp.Transpose(f).doit() for f in reversed(right)]

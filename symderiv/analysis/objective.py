"""The function analyze and optimize work on: a Problem's parts, and sums over samples recognised.

A plain function is a SymPy expression in named variables. A sum over samples must have the form
L = c · Σ_i g(z_i, y_i) with one predictor z_i affine in the parameters (θᵀx_i, + b): then
∇L = Σ_i g'(z_i) a_i and H = Σ_i g''(z_i) a_i a_iᵀ, which both commands use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symderiv.core.errors import SymderivError
from symderiv.core.problem import Problem


@dataclass(frozen=True)
class SampleSum:
    """A loss that depends on the parameters only through one affine predictor per sample.

    L = Σ_{i=1}^{n} g(z_i, data_i) with z_i = offset_i + c·Σ_j θ_j x_{ij} + Σ_k c_k b_k. Then
    ∇L = Σ_i g'(z_i) a_i and H = Σ_i g''(z_i) a_i a_iᵀ with a_i = ∂z_i/∂(θ, b): convexity only
    needs g'' ≥ 0 — the X^T S X argument of the logistic loss, and least squares alike.
    """

    g: sp.Basic  # in terms of `z` and per-sample data Indexed at `i`
    z: sp.Symbol
    predictor: sp.Basic  # z_i as written
    i: sp.Symbol
    n: sp.Basic
    j: sp.Symbol | None = None
    d: sp.Basic | None = None
    theta: sp.IndexedBase | None = None
    features: sp.IndexedBase | None = None  # x in x[i, j]
    theta_coeff: sp.Basic = sp.S.One
    biases: tuple[tuple[sp.Symbol, sp.Basic], ...] = ()  # ((symbol, coefficient), ...)
    offset: sp.Basic = sp.S.Zero  # the parameter-free part of z_i (may hold data, y[i])
    data: tuple[sp.IndexedBase, ...] = ()  # per-sample IndexedBases in g and offset (y)


def require_explicit(expr: sp.Basic, command: str) -> None:
    """Refuse what cannot be evaluated: an undefined function f(x), a derivative, an integral."""
    undefined = sorted({str(f.func) for f in expr.atoms(sp.core.function.AppliedUndef)})
    if undefined:
        raise SymderivError(f"{command} needs an explicit function, but {', '.join(undefined)}(…) "
                            "is not defined; write its formula, e.g. f(x) = x^2")
    if expr.has(sp.Derivative, sp.Subs, sp.Integral):
        raise SymderivError(f"{command} needs an explicit function, not a statement about a "
                            "derivative or an integral")
    jumps = sorted({type(f).__name__ for f in expr.atoms(*DISCONTINUOUS)})
    if jumps:
        # ∇f = 0 and the Hessian see nothing of a jump: floor(x) + x² has ∇f = 0 at 0, which is no minimum
        raise SymderivError(f"{command} works on continuous functions, and {', '.join(jumps)} jumps: "
                            "critical points and curvature from derivatives do not describe it")


DISCONTINUOUS = (sp.floor, sp.ceiling, sp.sign, sp.Heaviside, sp.frac)


def variable_symbols(expr: sp.Basic, names: Sequence[str]) -> list[sp.Symbol]:
    """The symbols of `expr` named `names` (a fresh real symbol for a name it does not use)."""
    by_name = {s.name: s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return [by_name.get(nm, sp.Symbol(nm, real=True)) for nm in names]


def problem_parts(problem: Problem, command: str) -> tuple[sp.Basic, tuple[str, ...], SampleSum | None]:
    """(expanded expression, variables, SampleSum or None) of a Problem, for analyze and optimize:
    a sum over samples must be Σ_i g(θᵀx_i + b, y_i), anything else a plain function."""
    expr = problem.expanded()
    require_explicit(expr, command)
    variables = tuple(problem.variables)
    if not variables:
        raise SymderivError(f"nothing to {command}: the expression has no variables")
    if not (expr.has(sp.Sum) or expr.has(sp.Indexed)):
        return expr, variables, None
    ss = sample_sum(expr, variables)
    if ss is None:
        raise SymderivError(f"{command} does not understand this sum: it reads sums over samples Σ_i g(θᵀx_i + b, "
                            "y_i) (the logistic loss, least squares)" + (
                                " and functions quadratic in one vector variable (xᵀAx + bᵀx, ½‖Ax − b‖²)"
                                if command == "analyze" else ""))
    return expr, variables, ss


def sample_sum(expr: sp.Basic, params: Sequence[str]) -> SampleSum | None:
    """Recognise L = c · Σ_i g(z_i, y_i) with z_i affine in the parameters, or return None.

    The predictor is the largest subexpression that is affine in the parameters and that, replaced
    by a symbol z, removes every parameter from the summand (θᵀx_i inside σ for the logistic loss;
    y_i − θᵀx_i − b for least squares).
    """
    names = set(params)
    sums = [t for t in sp.Add.make_args(expr) if t.has(sp.Sum)]
    rest = [t for t in sp.Add.make_args(expr) if not t.has(sp.Sum)]
    if len(sums) != 1 or any(_mentions(t, names) for t in rest):
        return None
    coeff, body = sums[0].as_independent(sp.Sum, as_Add=False)
    if not isinstance(body, sp.Sum) or len(body.limits) != 1 or _mentions(coeff, names):
        return None
    i, lo, n = body.limits[0]
    if lo != 1:
        return None
    summand = coeff * body.function
    z = sp.Symbol("z", real=True)
    for s in sp.preorder_traversal(summand):
        if not isinstance(s, sp.Expr) or not _mentions(s, names):
            continue
        lin = _linear_predictor(s, names, i)
        if lin is None:
            continue
        g = summand.xreplace({s: z})
        if _mentions(g, names) or not g.has(z):
            continue
        atoms = g.atoms(sp.Indexed) | lin["offset"].atoms(sp.Indexed)
        if any(a.indices != (i,) for a in atoms):
            return None
        data = tuple(sorted({a.base for a in atoms}, key=str))
        return SampleSum(g=g, z=z, predictor=s, i=i, n=n, data=data, **lin)
    return None


def generic_g(ss: SampleSum) -> sp.Basic:
    """g with per-sample data y[i] replaced by plain real symbols (y_i), for sign proofs."""
    reps = {a: sp.Symbol(f"{a.base.label}_{ss.i}", real=True) for a in ss.g.atoms(sp.Indexed)}
    return ss.g.xreplace(reps)


def _linear_predictor(s: sp.Basic, params: set[str], i: sp.Symbol) -> dict[str, Any] | None:
    """Split s = offset_i + c·Σ_j θ_j x[i, j] + Σ c_k b_k, or None if s is not of that form."""
    out: dict[str, Any] = {"theta": None, "biases": [], "offset": sp.Integer(0)}
    for term in sp.Add.make_args(s):
        if not _mentions(term, params):
            out["offset"] += term
            continue
        c, core = term.as_coeff_Mul()
        if isinstance(core, sp.Symbol) and core.name in params:
            out["biases"].append((core, c))
        elif isinstance(core, sp.Sum) and len(core.limits) == 1 and out["theta"] is None:
            theta = _theta_sum(core, params, i)
            if theta is None:
                return None
            theta["theta_coeff"] = c * theta["theta_coeff"]
            out.update(theta)
        else:
            return None
    if out["theta"] is None and not out["biases"]:
        return None
    out["biases"] = tuple(out["biases"])
    return out


def _theta_sum(core: sp.Sum, params: set[str], i: sp.Symbol) -> dict[str, Any] | None:
    """c·Σ_{j=1}^{d} θ_j x[i, j] -> its parts (θ, x, j, d, c), or None."""
    jj, lo, hi = core.limits[0]
    inner_c, inner = core.function.as_coeff_Mul()
    factors = sp.Mul.make_args(inner)
    ths = [f for f in factors if isinstance(f, sp.Indexed) and f.base.label.name in params]
    if len(ths) != 1 or ths[0].indices != (jj,) or lo != 1:
        return None
    rest = sp.Mul(*[f for f in factors if f is not ths[0]])
    if not (isinstance(rest, sp.Indexed) and rest.indices == (i, jj)):
        return None
    return {"theta": ths[0].base, "features": rest.base, "j": jj, "d": hi,
            "theta_coeff": inner_c}


def _mentions(e: sp.Basic, params: set[str]) -> bool:
    """Whether e contains a parameter (a Symbol or an IndexedBase named in `params`)."""
    return any(_is_parameter(a, params) for a in sp.preorder_traversal(e))


def _is_parameter(a: sp.Basic, params: set[str]) -> bool:
    if isinstance(a, sp.Symbol):
        return a.name in params
    return isinstance(a, sp.IndexedBase) and a.label.name in params

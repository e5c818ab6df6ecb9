"""The two verbs of this stage: `analyze` (critical points, classification, convexity) and
`optimize` (gradient descent versus Newton's method), with the analyzers they dispatch to.

Both take a parsed Problem (or LaTeX and its definitions), a time limit, and return typed results;
symderiv/output/ prints them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symderiv.analysis.classify import kind_from_signs, sign
from symderiv.analysis.convexity import convexity, sample_sum_convexity, simplest, textbook_form
from symderiv.analysis.critical import critical_points
from symderiv.analysis.data import Dataset
from symderiv.analysis.methods import DEFAULT_TOL, METHODS, Run, minimize_on_data, run_methods
from symderiv.analysis.numpy_objective import Objective, build_objective
from symderiv.analysis.objective import (
    SampleSum,
    generic_g,
    problem_parts,
    require_explicit,
    sample_sum,
    variable_symbols,
)
from symderiv.analysis.quadratic import NotQuadratic, analyze_quadratic, matrix_variables, vector_variable
from symderiv.analysis.results import Analysis, CriticalPoint, Phrase
from symderiv.calculus.differentiate import diff
from symderiv.core.errors import SymderivError
from symderiv.core.limits import DEFAULT_TIMEOUT, time_limit
from symderiv.core.order import Orders
from symderiv.core.problem import Problem
from symderiv.ml.functions import to_elementary


@dataclass(frozen=True)
class Optimization:
    """What `optimize` ran: the objective, the common start, the tolerance, one Run per method."""

    objective: Objective
    start: tuple[float, ...]
    tol: float
    runs: tuple[Run, ...]
    function: sp.Basic | None = None  # the function as the user wrote it (definitions not substituted)
    name: str | None = None  # its name (L in L(θ) = …)
    orders: Orders = ()  # its sums as written, for the printers (core/order.py)


def analyze(problem: Problem | str, *, where: Sequence[str] = (), data: Dataset | None = None,
            timeout: float | None = DEFAULT_TIMEOUT) -> Analysis:
    """Critical points (classified by the Hessian) and convexity of a function, within `timeout` s.

    `problem` is a parsed Problem or LaTeX (with `where` definitions); `data` instantiates a sum over
    samples to find its minimum numerically.
    """
    with time_limit(timeout, "analyze"):
        return analyze_problem(_problem(problem, where), timeout=_budget(timeout), data=data)


def optimize(problem: Problem | str, *, where: Sequence[str] = (), start: str | Sequence[float] | None = None,
             methods: Sequence[str] = METHODS, lr: float | None = None, iters: int | None = None,
             tol: float = DEFAULT_TOL, data: Dataset | None = None,
             timeout: float | None = DEFAULT_TIMEOUT) -> Optimization:
    """Gradient descent and/or Newton's method from the same start (zeros by default), within `timeout` s.

    A sum over samples runs on `data`, else on the built-in data set.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise SymderivError(f"unknown method {unknown[0]!r}; use {' or '.join(METHODS)}")
    with time_limit(timeout, "optimize"):
        parsed = _problem(problem, where)
        obj = build_objective(parsed, data)
        p0 = parse_start(start, obj.dim, obj.names)
        runs = run_methods(obj, p0, tuple(methods), lr=lr, iters=iters, tol=tol)
    return Optimization(obj, tuple(float(v) for v in p0), tol, runs, parsed.expr, parsed.name, parsed.orders)


def analyze_problem(problem: Problem, timeout: float = DEFAULT_TIMEOUT, data: Dataset | None = None) -> Analysis:
    """Analyze a parsed Problem (definitions substituted): a sum over samples Σ_i g(θᵀx_i + b, y_i),
    a function of a vector variable in matrix notation (quadratic.py), or a plain function."""
    found = _vector_variable(problem) if data is None else None
    if found is not None:
        try:
            return analyze_quadratic(problem, *found, timeout=timeout)
        except NotQuadratic:
            if sample_sum(problem.expanded(), problem.variables) is None:
                raise
    matrices = matrix_variables(problem) if found is None else []
    if matrices:
        raise SymderivError(
            f"analyze does not handle matrix variables yet ({_are_matrices(matrices)}): it works on "
            "scalar variables, on one vector variable of a quadratic (xᵀAx + bᵀx, ½‖Ax − b‖²) and on sums over "
            "samples Σ_i g(θᵀx_i + b, y_i); `derive --hessian` gives the derivatives in index form")
    expr, variables, ss = problem_parts(problem, "analyze")
    if ss is not None:
        return analyze_sample_sum(expr, ss, variables, timeout, data)
    return analyze_expr(expr, variables, timeout)


def analyze_expr(expr: sp.Basic, variables: Sequence[sp.Symbol | str], timeout: float = DEFAULT_TIMEOUT) -> Analysis:
    """Analyze a plain (non-indexed) SymPy expression in the given variables."""
    names = [str(v) for v in variables]
    require_explicit(expr, "analyze")
    xs = variable_symbols(expr, names)
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
    points, method, notes, exact = critical_points(to_elementary(expr), xs, timeout)
    conv = convexity(expr, xs, timeout=min(timeout / 2, 8.0))
    grad, hess = derivatives(expr, xs, timeout=min(timeout / 8, 2.0))
    return Analysis(function=expr, variables=tuple(names), critical_points=points, method=method,
                    convexity=conv, notes=notes, exact=exact, gradient=grad, hessian=hess)


def derivatives(expr: sp.Basic, xs: Sequence[sp.Symbol], timeout: float = 2.0
                ) -> tuple[tuple[sp.Basic, ...], sp.ImmutableMatrix]:
    """∇f and H in their shortest forms, for the page to show before it uses them."""
    grad = [simplest(diff(expr, x), timeout / (2 * len(xs))) for x in xs]
    hess = [[simplest(diff(g, y), timeout / (2 * len(xs) ** 2)) for y in xs] for g in grad]
    return tuple(grad), sp.ImmutableMatrix(hess)


def analyze_sample_sum(expr: sp.Basic, ss: SampleSum, variables: Sequence[str],
                       timeout: float = DEFAULT_TIMEOUT, data: Dataset | None = None) -> Analysis:
    """A per-sample loss: convexity from g''; critical points from data (numeric) or not at all."""
    g1 = simplest(diff(generic_g(ss), ss.z), timeout / 4)
    conv = sample_sum_convexity(ss, timeout=min(timeout / 2, 8.0))
    linear = diff(g1, ss.z, 2) == 0
    notes = (Phrase("idx_linear" if linear else "idx_no_closed_form",
                    (("g1", textbook_form(g1, ss.z)), ("params", _symbols(variables)))),)
    found = minimize_on_data(ss, variables, data) if data is not None else None
    if data is not None and found is not None:
        scale = max(abs(e) for e in found.eigenvalues)
        kind = kind_from_signs([sign(v, scale) for v in found.eigenvalues])
        points = (CriticalPoint(values=found.theta, exact=None, kind=kind, eigenvalues=found.eigenvalues),)
        method = Phrase("idx_data", (("source", data.source), ("n", data.n), ("d", data.d),
                                     ("iters", found.iterations)))
        return Analysis(expr, found.names, points, method, conv, notes, exact=False, indexed=True)
    return Analysis(expr, tuple(variables), (), notes[0], conv, (Phrase("idx_hint"),), exact=False, indexed=True)


def parse_start(text: str | Sequence[float] | None, dim: int, names: Sequence[str]) -> np.ndarray:
    """'0,0' or '0 0' (or numbers) → floats; the count must match the variables (zeros when absent)."""
    if text is None:
        return np.zeros(dim)
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    vals = []
    for p in parts:
        try:
            v = float(p)
        except (TypeError, ValueError):
            raise SymderivError(f"--start: {p!r} is not a number (write e.g. --start 0,0)") from None
        if not math.isfinite(v):
            raise SymderivError(f"--start: {p!r} is not a finite number")
        vals.append(v)
    if len(vals) == 1 and dim > 1:
        vals *= dim  # one value for every coordinate, convenient for θ ∈ R^d
    if len(vals) != dim:
        raise SymderivError(f"--start needs {dim} number{'s' if dim != 1 else ''} "
                            f"({', '.join(names) if dim <= 6 else 'one per parameter, or one for all'}), "
                            f"got {len(vals)}")
    return np.array(vals)


def _are_matrices(names: Sequence[str]) -> str:
    return f"{names[0]} is a matrix here" if len(names) == 1 else f"{', '.join(names)} are matrices here"


def _vector_variable(problem: Problem) -> tuple[str, bool] | None:
    """(vector, chosen here) when the function is one of a vector variable in matrix notation (xᵀAx +
    bᵀx, Σ_i (θᵀx_i − y_i)²): analyzed in matrix form when it is quadratic in it; None otherwise."""
    expr = problem.expanded()
    if not expr.has(sp.Sum, sp.Indexed, sp.MatrixSymbol):
        return None
    found = vector_variable(problem)
    if found is not None:
        require_explicit(expr, "analyze")
    return found


def _problem(problem: Problem | str, where: Sequence[str]) -> Problem:
    if not isinstance(problem, Problem):
        from symderiv.parsing.parser import parse  # lazy: the LaTeX reader is only needed for text input

        problem = parse(problem, list(where))
    if problem.is_inequality:
        raise SymderivError(f"the formula is an inequality ({problem.relation}), not a function: "
                            "give a function such as 'f(x, y) = …' or an expression")
    return problem


def _symbols(names: Sequence[str]) -> sp.Basic | tuple[sp.Basic, ...]:
    """The parameters as symbols (printed θ, not theta): one alone, several as a tuple."""
    return sp.Symbol(names[0]) if len(names) == 1 else tuple(sp.Symbol(v) for v in names)


def _budget(timeout: float | None) -> float:
    """The seconds the analysis splits among its searches (the default when there is no limit)."""
    return DEFAULT_TIMEOUT if timeout is None else float(timeout)

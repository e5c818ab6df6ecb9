"""Problem -> Derivation: a tree of rule steps per variable, the gradient, and the Hessian.

Rules are chosen from a table keyed by expression type (`BUILDERS`). Named intermediates
(ŷ_i = σ(z_i), z_i = θᵀx_i) are followed link by link: the derivative moves inside the sum
over samples, each link is derived with the other intermediates held as symbols, and the links
are multiplied and simplified *in terms of the intermediates* (simplify.py), which is how the
logistic loss lands on Σ_i (ŷ_i − y_i) x_i instead of a page of exponentials.
"""
from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence

import sympy as sp

from symderiv.calculus.builder import Context
from symderiv.calculus.matrices.attach import with_matrix_forms
from symderiv.calculus.results import Derivation, Partial
from symderiv.calculus.rules import ChainThroughRule
from symderiv.core.errors import DeriveError
from symderiv.core.limits import DEFAULT_TIMEOUT, time_limit
from symderiv.core.problem import Definition, Problem, scalar_symbols
from symderiv.parsing.parser import indexed_base, parse, real

__all__ = ["ChainThroughRule", "Derivation", "Partial", "derive"]


# --------------------------------------------------------------------------- public verb
def derive(problem_or_latex: Problem | str, wrt: str | Sequence[str] | None = None, hessian: bool = False,
           where: Sequence[str] = (), timeout: float | None = DEFAULT_TIMEOUT) -> Derivation:
    """Differentiate a Problem (or LaTeX) by `wrt` (names; default: the problem's variables).

    The time limit bounds all of it, reading the LaTeX included, from any thread.
    """
    with time_limit(timeout, "deriving"):
        problem = problem_or_latex if isinstance(problem_or_latex, Problem) else parse(problem_or_latex, where)
        if problem.is_inequality:
            raise DeriveError(f"the formula is an inequality ({problem.relation}), not a function: "
                              "derive works on functions such as 'f(x) = …' or an expression")
        if problem.expanded().has(sp.Derivative, sp.Subs):
            raise DeriveError("the formula already contains a derivative: derive works on functions, "
                              "not on statements about derivatives (to check a claimed derivative, use "
                              "`symderiv verify`)")
        try:
            return _derive(problem, wrt, hessian)
        except RecursionError:
            raise DeriveError("the expression is nested too deeply to differentiate") from None


def _derive(problem: Problem, wrt: str | Sequence[str] | None, hessian: bool) -> Derivation:
    names = _variable_names(problem, wrt)
    definitions = _with_introduced_intermediates(problem, names)
    ctx = Context(problem, definitions)
    grad = tuple(ctx.partial(problem.expr, name, ("k",)) for name in names)
    hess = None
    if hessian:
        rows: list[tuple[Partial, ...]] = []
        for a, ga in enumerate(grad):
            row = []
            for b, name in enumerate(names):
                if b < a:
                    # symmetric: the lower triangle reuses the upper entry, labelled by its column
                    row.append(dataclasses.replace(rows[b][a], variable=name, wrt=grad[b].wrt,
                                                   index=grad[b].index))
                    continue
                second = ("l",) if ga.index else ("k",)
                row.append(ctx.partial(ga.result, name, second))
            rows.append(tuple(row))
        hess = tuple(rows)
    notes = problem.readings + ((problem.variables_note,) if problem.variables_note and not wrt else ())
    grad, hess, shapes = with_matrix_forms(problem, definitions, grad, hess)
    return Derivation(problem, tuple(names), grad, hess, tuple(definitions), notes, shapes, ctx.shown())


def _variable_names(problem: Problem, wrt: str | Sequence[str] | None) -> list[str]:
    if wrt is None or wrt == [] or wrt == ():
        names = list(problem.variables)
    else:
        items = [wrt] if isinstance(wrt, str) else list(wrt)
        names = []
        for item in items:
            for piece in str(item).replace(" ", ",").split(","):
                piece = _normal_name(piece.strip())
                if piece and piece not in names:
                    names.append(piece)
    if not names:
        raise DeriveError("nothing to differentiate by: the formula has no variables; pass --wrt")
    occurring = occurring_names(problem)
    for n in names:
        if n not in occurring:
            raise DeriveError(not_occurring_message(n, occurring))
    return names


def occurring_names(problem: Problem) -> set[str]:
    """The names that occur in the function with its definitions substituted (symbols and indexed names)."""
    full = problem.expanded()
    return ({s.name for s in scalar_symbols(full)} | {str(a.base.label) for a in full.atoms(sp.Indexed)}
            | {m.name for m in full.atoms(sp.MatrixSymbol)})


def not_occurring_message(name: str, occurring: set[str]) -> str:
    """`X does not occur in the function; it has x`: the near names first (case, accents, indices)."""
    if not occurring:
        return f"{name} does not occur in the function; it has no variables"
    near = [n for n in sorted(occurring) if _base(n) == _base(name)]
    near += [n for n in difflib.get_close_matches(name, sorted(occurring), n=3, cutoff=0.6) if n not in near]
    shown = near or sorted(occurring)[:8]
    return f"{name} does not occur in the function; it has {', '.join(shown)}"


def _base(name: str) -> str:
    """x for X, x_1, \\hat{x} (xhat), x' — what a near name shares with the one asked for."""
    name = name.lower().split("_")[0].rstrip("'")
    for accent in ("hat", "bar", "tilde", "dot", "ddot", "check", "breve", "acute", "grave", "vec"):
        if name.endswith(accent) and len(name) > len(accent):
            return name[: -len(accent)]
    return name


def _normal_name(name: str) -> str:
    """`\\theta` or `θ` -> theta, so --wrt accepts what the user would type."""
    from symderiv.ml.notation import UNICODE_GREEK
    name = name.strip().lstrip("\\")
    return UNICODE_GREEK.get(name, name)


def _with_introduced_intermediates(problem: Problem, names: Sequence[str]) -> list[Definition]:
    """ŷ_i = σ(θᵀx_i) -> ŷ_i = σ(z_i), z_i = θᵀx_i: name the inner value of a defined activation
    so the chain reads ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂θ (the issue's example names it z)."""
    defs = list(problem.definitions)
    used = {s.name for s in problem.expanded().free_symbols if isinstance(s, sp.Symbol)}
    used |= {str(a.base.label) for a in problem.expanded().atoms(sp.Indexed)}
    used |= {d.name for d in defs}
    out = []
    for d in defs:
        e = d.expr
        if isinstance(e, sp.Function) and len(e.args) == 1 and not e.args[0].is_Atom \
                and not isinstance(e.args[0], sp.Indexed):
            inner = e.args[0]
            name = next((c for c in ("z", "u", "v", "s") if c not in used), None)
            if name is not None:
                used.add(name)
                free = [i for i in d.indices if i in inner.free_symbols]
                target = indexed_base(name)[tuple(free)] if free else real(name)
                if isinstance(target, sp.Indexed) and len(free) == 1:
                    target = indexed_base(name)[free[0]]
                out.append(Definition(d.target, e.func(target), d.latex))
                out.append(Definition(target, inner, ""))
                continue
        out.append(d)
    return out

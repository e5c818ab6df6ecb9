"""Give each derivative of a vector or matrix variable its checked matrix form, when one exists."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sympy as sp

from symderiv.calculus.matrices.forms import MatrixContext, MatrixForm, check, gradient_form, padded
from symderiv.calculus.matrices.kron import kronecker_hessian
from symderiv.calculus.matrices.signals import error_signals, name_signals
from symderiv.calculus.matrices.tidy import fold_named
from symderiv.calculus.results import Partial
from symderiv.core.problem import Definition, Problem

Shapes = tuple[tuple[str, tuple[sp.Basic, ...]], ...]


def with_matrix_forms(problem: Problem, intermediates: Sequence[Definition], gradient: tuple[Partial, ...],
                      hessian: tuple[tuple[Partial, ...], ...] | None
                      ) -> tuple[tuple[Partial, ...], tuple[tuple[Partial, ...], ...] | None, Shapes]:
    """(gradient, Hessian, shapes) with `matrix` set on every entry that has a checked form:
    the gradient of a vector or matrix variable, the Hessian block of one vector variable, and the
    Kd × Kd Kronecker form (kron.py, rows of W stacked) of the Hessian of one matrix variable."""
    if not any(g.index for g in gradient):
        return gradient, hessian, ()
    ctx = MatrixContext.of(problem, intermediates)
    if ctx is None:
        return gradient, hessian, ()
    grad = _with_signals(ctx, tuple(_with_form(ctx, g, g.index) for g in gradient))
    if hessian is not None and len(gradient) == 1 and len(gradient[0].index) == 1:
        block = hessian[0][0]
        hessian = ((_with_form(ctx, block, (*gradient[0].index, *block.index), gradient[0].variable),),)
    elif hessian is not None and len(gradient) == 1 and len(gradient[0].index) == 2:
        block = hessian[0][0]
        form = kronecker_hessian(ctx, block.result, block.expanded, (*gradient[0].index, *block.index),
                                 gradient[0].variable)
        hessian = ((dataclasses.replace(block, matrix=form),),) if form is not None else hessian
    introduced = {d.name for d in intermediates} - ctx.user_names      # z_i, named for the chain rule only
    # under the names the matrix forms use: the rows x_i of data are the matrix X
    shapes = tuple(sorted((ctx.rename.get(name, name), padded(shape))
                          for name, shape in ctx.shapes.items() if name not in introduced))
    return grad, hessian, shapes


def _with_form(ctx: MatrixContext, p: Partial, free: tuple[sp.Basic, ...], variable: str | None = None) -> Partial:
    if not free:
        return p
    form = gradient_form(ctx, p.result, p.expanded, free, variable or p.variable)
    return dataclasses.replace(p, matrix=form) if form is not None else p


def _with_signals(ctx: MatrixContext, gradient: tuple[Partial, ...]) -> tuple[Partial, ...]:
    """Name backpropagation's error signals (δ = ŷ − y, δ_h = Vᵀδ ⊙ σ′(a)) in the forms that share
    them, each renamed form checked again; a form that fails keeps its unnamed spelling."""
    forms = [g.matrix.matrix for g in gradient if g.matrix is not None]
    taken = set(ctx.shapes) | set(ctx.rename.values()) | {d.name for d in ctx.intermediates}
    layers = [d.name for d in ctx.problem.definitions if _is_activation(d.expr)]
    pool = [d for g in gradient if g.matrix is not None for d in g.matrix.definitions]
    signals = [dataclasses.replace(sig, value=fold_named(sig.value, pool))
               for sig in error_signals(forms, taken, layers)]
    if not signals:
        return gradient
    renamed = {g.variable: name_signals(g.matrix.matrix, signals) for g in gradient if g.matrix is not None}
    users = {sig.symbol.name: tuple(v for v, (m, _) in renamed.items() if m.has(sig.symbol)) for sig in signals}
    out = []
    for g in gradient:
        if g.matrix is None or renamed[g.variable][0] == g.matrix.matrix:
            out.append(g)
            continue
        m, used = renamed[g.variable]
        shared = tuple((s.name, users[s.name]) for s, _ in used)
        have = {s for s, _ in g.matrix.definitions}
        needed = [(s, v) for s, v in dict(pool).items() if s not in have and any(b.has(s) for _, b in used)]
        form = MatrixForm(m, (*g.matrix.definitions, *needed, *used), g.matrix.data, shared=shared)
        checked = check(ctx, form, g.expanded, g.index, ctx.free_sizes(g.variable, g.index))
        out.append(dataclasses.replace(g, matrix=checked) if checked is not None else g)
    return tuple(out)


def _is_activation(e: sp.Basic) -> bool:
    """h_r = σ(a_r): a layer's output, a function applied to one entry."""
    return isinstance(e, sp.Function) and len(e.args) == 1 and e.args[0].has(sp.Indexed, sp.Sum)

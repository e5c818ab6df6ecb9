"""Give each derivative of a vector or matrix variable its checked matrix form, when one exists."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sympy as sp

from symderiv.calculus.matrices.forms import MatrixContext, gradient_form
from symderiv.calculus.results import Partial
from symderiv.core.problem import Definition, Problem

Shapes = tuple[tuple[str, tuple[sp.Basic, ...]], ...]


def with_matrix_forms(problem: Problem, intermediates: Sequence[Definition], gradient: tuple[Partial, ...],
                      hessian: tuple[tuple[Partial, ...], ...] | None
                      ) -> tuple[tuple[Partial, ...], tuple[tuple[Partial, ...], ...] | None, Shapes]:
    """(gradient, Hessian, shapes) with `matrix` set on every entry that has a checked form:
    the gradient of a vector or matrix variable, and the Hessian block of one vector variable."""
    if not any(g.index for g in gradient):
        return gradient, hessian, ()
    ctx = MatrixContext.of(problem, intermediates)
    if ctx is None:
        return gradient, hessian, ()
    grad = tuple(_with_form(ctx, g, g.index) for g in gradient)
    if hessian is not None and len(gradient) == 1 and len(gradient[0].index) == 1:
        block = hessian[0][0]
        hessian = ((_with_form(ctx, block, (*gradient[0].index, *block.index), gradient[0].variable),),)
    introduced = {d.name for d in intermediates} - ctx.user_names      # z_i, named for the chain rule only
    # under the names the matrix forms use: the rows x_i of data are the matrix X
    shapes = tuple(sorted((ctx.rename.get(name, name), shape if len(shape) == 2 else (shape[0], sp.Integer(1)))
                          for name, shape in ctx.shapes.items() if name not in introduced))
    return grad, hessian, shapes


def _with_form(ctx: MatrixContext, p: Partial, free: tuple[sp.Basic, ...], variable: str | None = None) -> Partial:
    if not free:
        return p
    form = gradient_form(ctx, p.result, p.expanded, free, variable or p.variable)
    return dataclasses.replace(p, matrix=form) if form is not None else p

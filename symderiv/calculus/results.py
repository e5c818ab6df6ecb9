"""What a derivation produces: one Partial per derivative, the Derivation that holds them all."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.matrices.forms import MatrixForm
from symderiv.core.problem import Definition, Problem


@dataclass(frozen=True)
class Partial:
    """One derivative: ∂f/∂wrt with its step tree, raw result and textbook form."""

    variable: str
    index: tuple            # () for a scalar variable; (k,) for the k-th entry of a vector
    wrt: sp.Basic
    step: R.Rule
    raw: sp.Basic
    result: sp.Basic        # textbook form, intermediates kept
    expanded: sp.Basic      # definitions substituted
    matrix: MatrixForm | None = None   # the checked matrix form (vector and matrix variables), if found


@dataclass(frozen=True)
class Derivation:
    """The worked solution: the problem, ∂f/∂v for each variable, and the Hessian when asked."""

    problem: Problem
    variables: tuple[str, ...]
    gradient: tuple[Partial, ...]
    hessian: tuple[tuple[Partial, ...], ...] | None = None
    intermediates: tuple[Definition, ...] = ()      # the problem's and those introduced (z_i)
    notes: tuple[str, ...] = ()
    shapes: tuple[tuple[str, tuple[sp.Basic, ...]], ...] = ()   # vector and matrix names -> sizes

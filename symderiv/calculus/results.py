"""What a derivation produces: one Partial per derivative, the Derivation that holds them all."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.matrices.forms import MatrixForm
from symderiv.calculus.shown import Shown
from symderiv.core.order import Orders
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

    @property
    def per_entry(self) -> bool:
        """Whether the derivative has a free index besides the variable's (∂ŷ_i/∂θ_k: one gradient
        per sample), so that no single vector or matrix form is expected."""
        indices = {s for s in self.result.free_symbols if s.is_integer and not s.is_positive}
        return bool(indices - set(self.index))


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
    shown: Shown = field(default_factory=Shown, compare=False, repr=False)   # each step's printed result

    @property
    def orders(self) -> Orders:
        """The sums as the user wrote them, for the page printers (core/order.py `writing`): the
        problem's. The lines of a simplification's moves are recorded while the page prints them
        (steps.py calls `moves`), into the orders of that page only."""
        return self.problem.orders

    def shape_of(self, variable: str) -> tuple[sp.Basic, ...]:
        """(rows, cols) of a vector or matrix variable, () for a scalar: the shape of ∂f/∂variable
        (a gradient has the shape of its variable)."""
        known = dict(self.shapes).get(variable)
        if known is not None:
            return known
        g = next((g for g in self.gradient if g.variable == variable), None)
        if g is None or not g.index:
            return ()
        for s in g.expanded.atoms(sp.Sum):
            for j, _, hi in s.limits:
                if any(a.base.label.name == variable and j in a.indices for a in s.function.atoms(sp.Indexed)):
                    return (hi, sp.Integer(1))
        return (sp.Symbol("d", integer=True, positive=True), sp.Integer(1))

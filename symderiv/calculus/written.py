"""Matrices written as expressions and held whole: det(XᵀX), log det(AXB), entries of (XᵀX)⁻¹.

The parser gives such a matrix as SymPy's `FunctionMatrix(r, c, Lambda((a, b), M_ab))`, its entries
in index form. A determinant or an inverse needs the matrix whole, so the chain rule goes through
its entries:

    ∂ det M / ∂X_kj     = det(M) Σ_ab (M⁻¹)_ba ∂M_ab/∂X_kj        (Jacobi's formula)
    ∂ (M⁻¹)_pq / ∂X_kj  = −Σ_ab (M⁻¹)_pa ∂M_ab/∂X_kj (M⁻¹)_bq     (from d(M⁻¹) = −M⁻¹ dM M⁻¹)

each with the derivative of one entry M_ab as its substep. With M = X itself these are the rules
of rules.py (DeterminantRule, InverseEntryRule); here M is any square matrix expression.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, count

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.calculus.rules import Rule

_LETTERS = ("a", "b", "c", "e", "f", "g", "s", "t", "u", "v")


def written(m: sp.Basic) -> sp.FunctionMatrix | None:
    """The matrix expression m holds whole (det M, an entry of M⁻¹), when it is written out."""
    if isinstance(m, sp.Determinant) and isinstance(m.arg, sp.FunctionMatrix):
        return m.arg
    if isinstance(m, MatrixElement) and isinstance(m.parent, sp.Inverse) \
            and isinstance(m.parent.arg, sp.FunctionMatrix):
        return m.parent.arg
    return None


def as_matrix(m: sp.FunctionMatrix) -> sp.MatrixExpr | None:
    """The matrix expression a written-out matrix stands for (XᵀX, AXB), to print it; None when
    its entries have no matrix form."""
    from symderiv.calculus.matrices.translate import NotTranslatable, Symbols, Translator
    if len(m.lamda.variables) != 2:
        return None
    try:
        return Translator(Symbols({}, {})).whole(m)
    except (NotTranslatable, sp.ShapeError, ValueError, TypeError):
        return None


def entry(m: sp.FunctionMatrix, a: sp.Symbol, b: sp.Symbol) -> sp.Basic:
    """M_ab in index form."""
    return m.lamda.expr.xreplace(dict(zip(m.lamda.variables, (a, b), strict=True)))


def fresh_indices(expr: sp.Basic, var: sp.Basic, how_many: int) -> tuple[sp.Symbol, ...]:
    """Index letters used nowhere in expr or the variable (bound ones included: no capture)."""
    taken = {s.name for s in expr.atoms(sp.Symbol) | var.atoms(sp.Symbol)}
    names = (n for n in chain(_LETTERS, (f"a{k}" for k in count(1))) if n not in taken)
    return tuple(sp.Symbol(next(names), integer=True) for _ in range(how_many))


@dataclass(frozen=True)
class _ThroughEntries(Rule):
    """A rule through the entries of a matrix M written out: one substep, ∂M_ab/∂X_kj."""

    step: Rule              # ∂M_ab/∂X_kj
    a: sp.Symbol
    b: sp.Symbol

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.step,)

    def summed(self, inner: sp.Basic, m: sp.MatrixExpr) -> sp.Basic:
        """Σ_ab inner over the entries of M, the δs of ∂M_ab/∂X_kj collapsed."""
        return collapse_kronecker(sp.Sum(inner, (self.a, 1, m.rows), (self.b, 1, m.cols)))


@dataclass(frozen=True)
class DeterminantChainRule(_ThroughEntries):
    """d det M / dX_kj -> det(M) Σ_ab (M⁻¹)_ba ∂M_ab/∂X_kj (Jacobi's formula, M written out)."""

    key = "determinant_chain"

    def eval(self) -> sp.Basic:
        m = self.expr.arg
        return self.expr * self.summed(_element(sp.Inverse(m), self.b, self.a) * self.step.eval(), m)


@dataclass(frozen=True)
class InverseChainRule(_ThroughEntries):
    """d (M⁻¹)_pq / dX_kj -> −Σ_ab (M⁻¹)_pa ∂M_ab/∂X_kj (M⁻¹)_bq (M written out)."""

    key = "inverse_chain"

    def eval(self) -> sp.Basic:
        inverse, p, q = self.expr.args
        return -self.summed(_element(inverse, p, self.a) * self.step.eval() * _element(inverse, self.b, q), inverse.arg)


def _element(inverse: sp.Inverse, i: sp.Basic, j: sp.Basic) -> sp.Basic:
    """(M⁻¹)_ij as it stands: indexing (`inverse[i, j]`) would first `doit()` M's written-out entries,
    seconds of SymPy trying to sum them in closed form, for the same element."""
    return MatrixElement(inverse, i, j)


def written_matrix_rule(build: Callable[[sp.Basic], Rule], expr: sp.Basic, var: sp.Basic) -> Rule | None:
    """The rule for det M or (M⁻¹)_pq with M written out, its entry's derivative built by `build`."""
    m = written(expr)
    if m is None:
        return None
    a, b = fresh_indices(expr, var, 2)
    step = build(entry(m, a, b))
    if isinstance(expr, sp.Determinant):
        return DeterminantChainRule(expr, var, step, a, b)
    return InverseChainRule(expr, var, step, a, b)

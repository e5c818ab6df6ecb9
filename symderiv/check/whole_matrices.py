"""Matrices held whole (det X, X⁻¹): stand-ins for them, their derivatives by an entry X_kj, and
their values at a point.

SymPy differentiates neither `Determinant(X)` nor an entry of `Inverse(X)` by an entry X_kj, and
the numeric oracle reads expressions entry by entry. So each such node is replaced by a stand-in
before anything is differentiated or evaluated (`hide`): det X by a symbol, (X⁻¹)_ab by the entry
[a, b] of an IndexedBase, an entry of X itself by X[a, b]. The truth is then differentiated with the
two identities as chain factors (`diff_whole`):

    ∂ det X/∂X_kj = det X · (X⁻¹)_jk          (Jacobi's formula)
    ∂(X⁻¹)_pq/∂X_kj = −(X⁻¹)_pk (X⁻¹)_jq      (d(X⁻¹) = −X⁻¹ dX X⁻¹)

points give the stand-ins the values of the matrices drawn there (data_points.py), and whatever
is printed is mapped back (`show`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symderiv.calculus.differentiate import diff
from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.calculus.written import as_matrix
from symderiv.core.errors import VerifyError


def _label(name: str) -> sp.IndexedBase:
    """The IndexedBase of a matrix's own entries, as the parser makes it (X[a, b])."""
    return sp.IndexedBase(sp.Symbol(name, real=True))


@dataclass
class Wholes:
    """The stand-ins of one check: per matrix name its det symbol and the base of its inverse."""

    shapes: dict[str, tuple[sp.Basic, sp.Basic]] = field(default_factory=dict)
    det: dict[str, sp.Symbol] = field(default_factory=dict)
    inverse: dict[str, sp.IndexedBase] = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        """The matrices held whole somewhere (they need invertible data)."""
        return set(self.det) | set(self.inverse)

    def inverse_names(self) -> dict[str, str]:
        """The label of each inverse's stand-in -> the name of the matrix it inverts."""
        return {str(b.label): name for name, b in self.inverse.items()}

    def det_symbol(self, m: sp.MatrixSymbol) -> sp.Symbol:
        self._register(m)
        return self.det.setdefault(m.name, sp.Symbol(f"det({m.name})", real=True))

    def inverse_base(self, m: sp.MatrixSymbol) -> sp.IndexedBase:
        self._register(m)
        return self.inverse.setdefault(m.name, sp.IndexedBase(sp.Symbol(f"{m.name}⁻¹", real=True)))

    def _register(self, m: sp.MatrixSymbol) -> None:
        self.shapes.setdefault(m.name, (m.rows, m.cols))

    # -- forward and back
    def hide(self, expr: sp.Basic) -> sp.Basic:
        """Every det X, (X⁻¹)_ab and X_ab held whole replaced by its stand-in; VerifyError for any
        other matrix node (verify cannot evaluate it yet)."""
        if not expr.has(sp.MatrixExpr, sp.Determinant, MatrixElement):
            return expr
        out = expr.replace(lambda e: isinstance(e, sp.Determinant), self._det)
        out = out.replace(lambda e: isinstance(e, MatrixElement), self._element)
        left = [a for a in sp.preorder_traversal(out) if isinstance(a, (sp.MatrixExpr, MatrixElement))]
        written = [a for a in left if isinstance(a, sp.FunctionMatrix)]
        if written:
            shown = as_matrix(written[0])
            raise VerifyError(f"verify cannot check a derivative through the determinant or inverse of a matrix "
                              f"expression ({_spelled(shown)}) yet; "
                              "`symderiv derive` works it out")
        if left:
            raise VerifyError(f"verify cannot evaluate {sp.sstr(left[0])[:60]} yet: it reads det X, "
                              "X⁻¹ and X⁻ᵀ of a matrix X, and matrices entry by entry")
        return out

    def show(self, expr: sp.Basic) -> sp.Basic:
        """The stand-ins replaced by the matrix nodes they stand for (for printing)."""
        if not (self.det or self.inverse):
            return expr
        rep: dict[sp.Basic, sp.Basic] = {}
        back_det = {s: name for name, s in self.det.items()}
        back_inv = {b: name for name, b in self.inverse.items()}
        for s in expr.free_symbols:
            if s in back_det:
                rep[s] = sp.Determinant(self.matrix(back_det[s]))
        for a in expr.atoms(sp.Indexed):
            if a.base in back_inv:
                rep[a] = sp.Inverse(self.matrix(back_inv[a.base]))[a.indices[0], a.indices[1]]
        return expr.xreplace(rep) if rep else expr

    def matrix(self, name: str) -> sp.MatrixSymbol:
        rows, cols = self.shapes[name]
        return sp.MatrixSymbol(name, rows, cols)

    def _det(self, e: sp.Determinant) -> sp.Basic:
        if isinstance(e.arg, sp.MatrixSymbol):
            return self.det_symbol(e.arg)
        if isinstance(e.arg, sp.Transpose) and isinstance(e.arg.arg, sp.MatrixSymbol):
            return self.det_symbol(e.arg.arg)              # det Xᵀ = det X
        return e

    def _element(self, e: MatrixElement) -> sp.Basic:
        parent, a, b = e.args
        if isinstance(parent, sp.Transpose):
            return self._element(MatrixElement(parent.arg, b, a))
        if isinstance(parent, sp.MatrixSymbol):
            return _label(parent.name)[a, b]
        if isinstance(parent, sp.Inverse) and isinstance(parent.arg, sp.MatrixSymbol):
            return self.inverse_base(parent.arg)[a, b]
        if isinstance(parent, sp.Inverse) and isinstance(parent.arg, sp.Transpose) \
                and isinstance(parent.arg.arg, sp.MatrixSymbol):
            return self.inverse_base(parent.arg.arg)[b, a]     # (Xᵀ)⁻¹ = (X⁻¹)ᵀ
        return e


def _spelled(m: sp.Basic | None) -> str:
    """XᵀX for a message (the page printers live a layer above)."""
    return "a product of matrices" if m is None else sp.sstr(m).replace(".T", "ᵀ").replace("*", "")


def of_function(function: sp.Basic) -> Wholes:
    """The stand-ins of a function's whole matrices (every MatrixSymbol it holds)."""
    wholes = Wholes()
    for m in sorted(function.atoms(sp.MatrixSymbol), key=lambda s: s.name):
        wholes.shapes.setdefault(m.name, (m.rows, m.cols))
    return wholes


def diff_whole(f: sp.Basic, var: sp.Basic, wholes: Wholes) -> sp.Basic:
    """∂f/∂var for f in stand-ins: the direct dependence, plus the chain through det X and the
    entries of X⁻¹ when var is an entry X_kj of a matrix held whole."""
    out = collapse_kronecker(diff(f, var))
    if not (isinstance(var, sp.Indexed) and len(var.indices) == 2):
        return out
    name = str(var.base.label)
    if name not in wholes.names:
        return out
    k, j = var.indices
    m = wholes.matrix(name)
    inv = wholes.inverse_base(m)
    det = wholes.det.get(name)
    if det is not None and f.has(det):
        out += collapse_kronecker(diff(f, det)) * det * inv[j, k]
    if any(a.base == inv for a in f.atoms(sp.Indexed)):
        taken = {s.name for s in f.free_symbols | {k, j} if isinstance(s, sp.Symbol)}
        taken |= {lim[0].name for s in f.atoms(sp.Sum) for lim in s.limits}
        p, q = (sp.Symbol(c, integer=True) for c in [c for c in "pqrstuvw" if c not in taken][:2])
        rows, cols = wholes.shapes[name]
        outer = collapse_kronecker(diff(f, inv[p, q]))
        out += sp.Sum(sp.Sum(outer * (-inv[p, k] * inv[j, q]), (p, 1, cols)), (q, 1, rows))
    return out

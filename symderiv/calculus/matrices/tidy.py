"""A matrix form spelt as a textbook prints it: Ax + Aᵀx -> (A + Aᵀ)x, Xᵀ diag(c) X -> XᵀSX.

Each rewrite is an identity of matrix algebra (distributivity, naming a diagonal matrix), and the
result is checked numerically with everything else (forms.check), so a tidy step cannot make a
form wrong unnoticed.
"""
from __future__ import annotations

from collections.abc import Set

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

Named = tuple[sp.MatrixSymbol, sp.MatrixExpr]
DIAGONAL_NAMES = ("S", "D", "W_s", "Lambda")


def textbook_matrix(m: sp.MatrixExpr, taken: Set[str], symmetric: Set[str] = frozenset()
                    ) -> tuple[sp.MatrixExpr, list[Named]]:
    """(the tidied form, the matrices it names) — `taken` are names already in use."""
    if symmetric:
        m = m.xreplace({sp.Transpose(s): s for s in m.atoms(sp.MatrixSymbol) if s.name in symmetric})
    m = _collect(m)
    return _name_diagonals(m, set(taken))


def _collect(m: sp.MatrixExpr) -> sp.MatrixExpr:
    """Common right or left factors of a sum's terms taken out (A x + Aᵀ x -> (A + Aᵀ) x)."""
    if isinstance(m, sp.MatAdd):
        terms = [_collect(t) for t in m.args]
        for side in (-1, 0):
            common = _common_factor(terms, side)
            if common is not None:
                rest = [_drop(t, side) for t in terms]
                inner = _collect(sp.MatAdd(*rest).doit())
                return sp.MatMul(inner, common) if side == -1 else sp.MatMul(common, inner)
        return sp.MatAdd(*terms)
    if isinstance(m, sp.MatMul):
        return sp.MatMul(*[_collect(a) if isinstance(a, sp.MatrixExpr) else a for a in m.args])
    return m


def _matrix_factors(t: sp.MatrixExpr) -> tuple[sp.Expr, list[sp.MatrixExpr]]:
    if isinstance(t, sp.MatMul):
        coeff = sp.Mul(*[a for a in t.args if not isinstance(a, sp.MatrixExpr)])
        return coeff, [a for a in t.args if isinstance(a, sp.MatrixExpr)]
    return sp.Integer(1), [t]


def _common_factor(terms: list[sp.MatrixExpr], side: int) -> sp.MatrixExpr | None:
    firsts = []
    for t in terms:
        _, factors = _matrix_factors(t)
        if len(factors) < 2:
            return None
        firsts.append(factors[side])
    return firsts[0] if all(f == firsts[0] for f in firsts) else None


def _drop(t: sp.MatrixExpr, side: int) -> sp.MatrixExpr:
    coeff, factors = _matrix_factors(t)
    rest = factors[:-1] if side == -1 else factors[1:]
    body = rest[0] if len(rest) == 1 else sp.MatMul(*rest)
    return body if coeff == 1 else sp.MatMul(coeff, body)


def _name_diagonals(m: sp.MatrixExpr, taken: set[str]) -> tuple[sp.MatrixExpr, list[Named]]:
    """diag(c) between two matrices gets a name (XᵀSX, S = diag(c)), as textbooks write it."""
    named: list[Named] = []
    for diag in sorted(m.atoms(DiagMatrix), key=sp.default_sort_key):
        name = next((n for n in DIAGONAL_NAMES if n not in taken), None)
        if name is None:
            break
        taken.add(name)
        s = sp.MatrixSymbol(name, *diag.shape)
        named.append((s, diag))
        m = m.xreplace({diag: s})
    return m, named

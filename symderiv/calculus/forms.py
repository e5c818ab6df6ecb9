"""Index form -> vector form: Σ_i (ŷ_i − y_i) x_{ik}  ->  Σ_i (ŷ_i − y_i) x_i  ->  Xᵀ(ŷ − y).

Derivation happens in exact index form (checkable entry by entry); a reader wants vectors. A vector
form is typed, built from SymPy matrix expressions with symbolic sizes:

- `matrix`: the form in matrices, e.g. `X.T*v` (Xᵀ(ŷ − y)), `X.T*S*X`, `2*lambda*theta + …`;
- `per_sample`: the same as a sum over the samples i, `SampleSum(c_i*x_i, (i, 1, n))`, where `x_i`
  is sample i's feature vector (the i-th row of X, as a column);
- `definitions`: the matrices the form introduces, `S = DiagMatrix(v)` (S = diag(ŷ_i(1 − ŷ_i))).

A vector over the samples whose i-th entry is c_i is `FunctionMatrix(n, 1, Lambda((i, _), c_i))`:
exact, with the entry kept in index form; the printers (symderiv.output) write it with vector names
(ŷ − y, Xθ − y). Each pattern below rewrites one term; when a term matches no pattern the vector form
is not given rather than guessed.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

FEATURES = sp.Symbol("d", integer=True, positive=True)   # the size of a vector variable, when unnamed
_COLUMN = sp.Symbol("_column", integer=True)              # the column index of a vector's entry (unused)


class SampleSum(sp.MatrixExpr):
    """Σ_{i=lo}^{hi} body: a vector or matrix summed over the samples (Σ_i c_i x_i, Σ_i c_i x_i x_iᵀ)."""

    def __new__(cls, body: sp.MatrixExpr, limits: tuple) -> SampleSum:
        return sp.Basic.__new__(cls, body, sp.Tuple(*limits))

    @property
    def body(self) -> sp.MatrixExpr:
        return self.args[0]

    @property
    def limits(self) -> tuple:
        """(i, lo, hi)."""
        return tuple(self.args[1])

    @property
    def shape(self) -> tuple:
        return self.body.shape


@dataclass(frozen=True)
class VectorForm:
    """∂f/∂θ (or ∂²f/∂θ∂θᵀ) in vectors: per sample, in matrices, and what the matrices stand for."""

    per_sample: sp.MatrixExpr
    matrix: sp.MatrixExpr
    definitions: tuple[tuple[sp.MatrixSymbol, sp.MatrixExpr], ...] = ()


# one term's (per-sample form, matrix form, definitions)
_TermForms = tuple[sp.MatrixExpr, sp.MatrixExpr, tuple[tuple[sp.MatrixSymbol, sp.MatrixExpr], ...]]


def gradient_vector_form(expr: sp.Basic, var: sp.Indexed) -> VectorForm | None:
    """Vector form of ∂f/∂θ_k (k = var's index), or None when a term is not recognised."""
    k = var.indices[0]
    return _vector_form(expr, var, (k,))


def hessian_vector_form(expr: sp.Basic, var_k: sp.Indexed, var_l: sp.Indexed) -> VectorForm | None:
    """Vector form of ∂²f/∂θ_k∂θ_l."""
    return _vector_form(expr, var_k, (var_k.indices[0], var_l.indices[0]))


def sample_vector(entry: sp.Basic, i: sp.Symbol, size: sp.Basic) -> sp.MatrixExpr:
    """The vector over the samples i = 1..size whose i-th entry is `entry` (all ones for 1)."""
    if entry == 1:
        return sp.OneMatrix(size, 1)
    return sp.FunctionMatrix(size, 1, sp.Lambda((i, _COLUMN), entry))


def _vector_form(expr: sp.Basic, var: sp.Indexed, free: tuple[sp.Basic, ...]) -> VectorForm | None:
    definitions: list[tuple[sp.MatrixSymbol, sp.MatrixExpr]]
    per_sample, matrix, definitions = [], [], []
    for term in sp.Add.make_args(expr):
        parts = _term(term, var, free)
        if parts is None:
            return None
        s, m, defined = parts
        per_sample.append(s)
        matrix.append(m)
        definitions += defined
    return VectorForm(_add(per_sample), _add(matrix), tuple(definitions))


def _add(terms: list) -> sp.MatrixExpr:
    """The terms in the order of the index form (MatAdd would sort them)."""
    return terms[0] if len(terms) == 1 else sp.MatAdd(*terms, evaluate=False)


def _scaled(coeff: sp.Expr, matrix: sp.MatrixExpr) -> sp.MatrixExpr:
    """coeff · matrix, the coefficient kept as one factor in front (1 left out)."""
    if coeff == 1:
        return matrix
    factors = matrix.args if isinstance(matrix, sp.MatMul) else (matrix,)
    return sp.MatMul(coeff, *factors)


def _term(term: sp.Expr, var: sp.Indexed, free: tuple[sp.Basic, ...]) -> _TermForms | None:
    """(per-sample form, matrix form, definitions) for one term, or None."""
    coeff, rest = term.as_independent(sp.Sum, *[a for a in term.atoms(sp.Indexed)], as_Add=False)
    sums = [f for f in sp.Mul.make_args(rest) if isinstance(f, sp.Sum)]
    if len(sums) == 1 and len(sums[0].limits) == 1:
        s = sums[0]
        other = rest / s
        if other.has(sp.Indexed):
            return None
        return _sample_sum(coeff * other, s, var, free)
    if sums:
        return None
    size = _features(term)
    # no sum: θ_k -> θ, δ_kl -> I
    if len(free) == 1:
        k = free[0]
        atoms = [a for a in term.atoms(sp.Indexed) if k in a.indices]
        if atoms and all(a == var for a in atoms) and not term.has(sp.KroneckerDelta):
            c = term / var
            if c.has(var.base):
                return None
            form = _scaled(c, sp.MatrixSymbol(str(var.base.label), size, 1))
            return form, form, ()
        return None
    deltas = [d for d in term.atoms(sp.KroneckerDelta) if set(d.args) == set(free)]
    # S.One, not 1: a term that is the delta itself would become the int 1
    if deltas and not term.xreplace({deltas[0]: sp.S.One}).has(sp.Indexed):
        form = _scaled(term.xreplace({deltas[0]: sp.S.One}), sp.Identity(size))
        return form, form, ()
    return None


def _sample_sum(coeff: sp.Expr, s: sp.Sum, var: sp.Indexed, free: tuple[sp.Basic, ...]) -> _TermForms | None:
    """Σ_i c_i x_{ik} -> (Σ_i c_i x_i, Xᵀc); Σ_i c_i x_{ik} x_{il} -> (Σ_i c_i x_i x_iᵀ, XᵀSX)."""
    i, lo, hi = s.limits[0]
    body = s.function
    data = [a for a in body.atoms(sp.Indexed) if len(a.indices) == 2 and a.indices[0] == i
            and a.indices[1] in free]
    by_index = {a.indices[1]: a for a in data}
    if set(by_index) != set(free) or len({a.base for a in data}) != 1:
        return None
    factors = list(sp.Mul.make_args(body))
    for a in by_index.values():
        if a not in factors:
            return None
        factors.remove(a)
    c = sp.Mul(*factors)
    if not _is_sample_entry(c, i, var):
        return None
    base = str(data[0].base.label)
    size = _features(s)
    X = sp.MatrixSymbol(base.upper() if base.islower() else base, hi, size)
    x_i = sp.MatrixSymbol(f"{base}_{i}", size, 1)
    if len(free) == 1:
        per_sample = _scaled(coeff, SampleSum(_scaled(c, x_i), (i, lo, hi)))
        return per_sample, _scaled(coeff, sp.MatMul(X.T, sample_vector(c, i, hi))), ()
    per_sample = _scaled(coeff, SampleSum(_scaled(c, sp.MatMul(x_i, x_i.T)), (i, lo, hi)))
    if c == 1:
        return per_sample, _scaled(coeff, sp.MatMul(X.T, X)), ()
    S = sp.MatrixSymbol("S", hi, hi)
    return per_sample, _scaled(coeff, sp.MatMul(X.T, S, X)), ((S, DiagMatrix(sample_vector(c, i, hi))),)


def _is_sample_entry(c: sp.Basic, i: sp.Symbol, var: sp.Indexed) -> bool:
    """c_i reads as a vector over the samples: its sums are dot products Σ_j θ_j x_ij and every
    other quantity with the index i is an entry a_i of a vector (ŷ_i − y_i -> ŷ − y)."""
    hidden = {}
    for s in c.atoms(sp.Sum):
        (j, _, _), body = s.limits[0], s.function
        f = sp.Mul.make_args(body)
        params = [a for a in f if isinstance(a, sp.Indexed) and a.base == var.base and a.indices == (j,)]
        data = [a for a in f if isinstance(a, sp.Indexed) and a.indices == (i, j)]
        if len(f) != 2 or not params or not data:
            return False
        hidden[s] = sp.Dummy()
    outside = c.xreplace(hidden)
    entries = {}
    for a in outside.atoms(sp.Indexed):
        if a.indices == (i,):
            entries[a] = sp.Dummy()
        elif i in a.indices:
            return False
    return i not in outside.xreplace(entries).free_symbols


def _features(expr: sp.Basic) -> sp.Basic:
    """The size of the vector variable: the upper limit of a dot product Σ_j θ_j x_ij, else d."""
    for s in expr.atoms(sp.Sum):
        j, _, hi = s.limits[0]
        if any(len(a.indices) == 2 and a.indices[1] == j for a in s.function.atoms(sp.Indexed)):
            return hi
    return FEATURES

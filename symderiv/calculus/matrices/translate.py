"""Index form -> matrix form, by rules over the index structure (as matrixcalculus.org does).

An index expression such as `Σ_i (σ(Σ_j θ_j x_ij) − y_i) x_ik` is read bottom-up as *terms*: a
matrix expression with the index symbols of its rows and columns (`Term(X, i, k)` is X_ik).

- a contraction over a summed index is a matrix product (Σ_j X_ij θ_j -> (Xθ)_i), transposing a
  factor when the index sits on the other side (Σ_i c_i X_ik -> (Xᵀc)_k);
- a free index shared by two factors is a Hadamard product (a_i b_i -> (a ⊙ b)_i), a vector that
  shares it with a matrix is a diagonal matrix (Σ_i x_ik c_i x_il -> (Xᵀ diag(c) X)_kl);
- δ_kl is I, a lone summed index is a product with 𝟏, a repeated index on one factor a trace;
- a scalar function of an entry is the function applied elementwise (σ(z_i) -> σ.(z)_i).

Anything else raises `NotTranslatable`: a form is never guessed. SymPy ships the same translation
(`convert_indexed_to_array` + `convert_array_to_matrix`), but on our index forms it fails on 7 of 9
shapes tried and returns A for A_jk with first index k (a missing transpose), so the rules are ours;
every form they return is checked numerically anyway (symderiv.calculus.matrices.check).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeAlias

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf
from sympy.matrices.expressions.matexpr import MatrixElement

Index: TypeAlias = sp.Basic      # an index symbol (i, j, k) or a Dummy made for a diagonal
ARG = sp.Symbol("z")          # the argument of an elementwise function (Lambda(z, σ(z)))


class NotTranslatable(Exception):
    """The index structure has no matrix form under these rules."""


@dataclass(frozen=True)
class Term:
    """`matrix[row, col]`: a matrix expression with the index symbols of its rows and columns
    (None for a dimension of size 1: a column vector has col None, a 1×1 product both)."""

    matrix: sp.MatrixExpr
    row: Index | None
    col: Index | None

    @property
    def indices(self) -> frozenset[Index]:
        return frozenset(i for i in (self.row, self.col) if i is not None)

    @property
    def T(self) -> Term:
        return Term(self.matrix.T, self.col, self.row)

    def with_col(self, index: Index) -> Term:
        """The same entries with `index` on the column side."""
        return self if self.col == index else self.T

    def with_row(self, index: Index) -> Term:
        return self if self.row == index else self.T


@dataclass(frozen=True)
class Product:
    """coeff · Π factors, kept apart until a sum says which indices contract."""

    coeff: sp.Expr
    factors: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Symbols:
    """How index-form names become matrix symbols: `name_for(label, rank)` gives the matrix
    symbol's name (x_i data -> X), `shape_of` pins sizes the index ranges cannot tell."""

    rename: Mapping[str, str]
    made: dict[str, sp.MatrixSymbol]

    def symbol(self, label: str, rows: sp.Basic, cols: sp.Basic) -> sp.MatrixSymbol:
        name = self.rename.get(label, label)
        known = self.made.get(name)
        if known is not None:
            if known.shape != (rows, cols):
                raise NotTranslatable(f"{label} is used with two shapes")
            return known
        made = sp.MatrixSymbol(name, rows, cols)
        self.made[name] = made
        return made


class Translator:
    """One translation: the sizes of the indices in scope and the matrix symbols made so far."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self.scope: dict[Index, sp.Basic] = {}
        self.fixed: set[Index] = set()      # sample indices held fixed: X_ip is entry p of x_i
        self._fresh = 0

    def holding(self, sample: Index, size: sp.Basic) -> Translator:
        """The same translator with the sample index `sample` (1..size) held fixed."""
        self.fixed.add(sample)
        self.scope[sample] = size
        return self

    # -- entry point
    def term(self, expr: sp.Basic, free: tuple[Index, ...], sizes: Mapping[Index, sp.Basic]) -> Term:
        """The term whose entries are `expr`, oriented (free[0], free[1]) (a column for one index)."""
        self.scope.update(sizes)
        expr = expr.replace(lambda e: isinstance(e, sp.Product) and isinstance(e.function, sp.exp),
                            lambda e: sp.exp(sp.Sum(e.function.args[0], *e.limits)))   # Π e^a = e^{Σ a}
        try:
            try:
                t = self.collapse(self.read(expr))
            except NotTranslatable:
                # Σ_m x_m (a_jlm + b_jlm): a term of the sum may only translate once the sum is
                # distributed over it (each term contracts on its own)
                distributed = distribute_sums(expr)
                if distributed == expr:
                    raise
                t = self.collapse(self.read(distributed))
        except (sp.ShapeError, ValueError, TypeError) as exc:     # SymPy refusing a product: no form
            raise NotTranslatable(str(exc)) from exc
        if not t.indices <= frozenset(free):
            raise NotTranslatable("the free indices do not match")
        t = self._broadcast(t, free)
        if len(free) == 0:
            return t
        t = t.with_row(free[0])
        return t if len(free) == 1 or t.col == free[1] else t.T

    def _broadcast(self, t: Term, free: tuple[Index, ...]) -> Term:
        """An entry that does not depend on a free index is the same along it: 𝟏 vᵀ, v 𝟏ᵀ, c 𝟏𝟏ᵀ."""
        missing = [i for i in free if i not in t.indices]
        if not missing:
            return t
        if not t.indices:
            ones = [sp.OneMatrix(self.size(i), 1) for i in free]
            value = _as_scalar(t.matrix)
            m = ones[0] if len(ones) == 1 else _matmul(ones[0], ones[1].T)
            return Term(_scaled(value, m), free[0], free[1] if len(free) > 1 else None)
        if len(free) != 2:
            raise NotTranslatable("a vector entry that does not depend on its index")
        present = next(iter(t.indices))
        t = t.with_row(present)
        ones = sp.OneMatrix(self.size(missing[0]), 1)
        out = Term(_matmul(t.matrix, ones.T), present, missing[0])
        return out if out.row == free[0] else out.T

    # -- reading
    def read(self, e: sp.Basic) -> Product:
        if isinstance(e, sp.Determinant) and isinstance(e.arg, sp.FunctionMatrix):
            return Product(sp.Determinant(self.whole(e.arg)))       # det(XᵀX): a number
        if not e.has(sp.Indexed, sp.KroneckerDelta, sp.Sum, MatrixElement):
            return Product(e)
        if isinstance(e, sp.Indexed):
            return Product(sp.Integer(1), (self.atom(e),))
        if isinstance(e, MatrixElement):
            return Product(sp.Integer(1), (self.element(e),))
        if isinstance(e, sp.KroneckerDelta):
            a, b = e.args
            return Product(sp.Integer(1), (Term(sp.Identity(self.size(a)), a, b),))
        if isinstance(e, sp.Mul):
            return self.multiply([self.read(f) for f in e.args])
        if isinstance(e, sp.Add):
            return Product(sp.Integer(1), (self.add([self.collapse(self.read(a)) for a in e.args]),))
        if isinstance(e, sp.Sum):
            return self.summed(e)
        if isinstance(e, sp.Pow) and not e.exp.has(sp.Indexed, sp.Sum):
            return self.power(self.collapse(self.read(e.base)), e.exp)
        if isinstance(e, sp.Function) and len(e.args) == 1:
            return self.apply(e.func, self.collapse(self.read(e.args[0])))
        if isinstance(e, sp.Pow) and e.base == sp.E:
            return self.apply(sp.exp, self.collapse(self.read(e.exp)))
        raise NotTranslatable(f"{type(e).__name__} over indices")

    def atom(self, e: sp.Indexed) -> Term:
        idx = e.indices
        if any(not isinstance(i, sp.Symbol) for i in idx) or len(idx) > 2:
            raise NotTranslatable("an entry with a fixed index")
        label = str(e.base.label)
        if self.fixed & set(idx):
            return self._sample_row(label, idx)
        if len(idx) == 2 and idx[0] == idx[1]:
            # A_jj: the diagonal of A, a vector over j (summed: the trace)
            size = self.size(idx[0])
            return Term(DiagonalOf(self.symbols.symbol(label, size, size)), idx[0], None)
        if len(idx) == 1:
            return Term(self.symbols.symbol(label, self.size(idx[0]), sp.Integer(1)), idx[0], None)
        return Term(self.symbols.symbol(label, self.size(idx[0]), self.size(idx[1])), idx[0], idx[1])

    def _sample_row(self, label: str, idx: tuple[sp.Basic, ...]) -> Term:
        """X_ip with the sample i held fixed: entry p of x_i, the i-th row of X as a column; y_i,
        entry i of the vector y, a number (the vector y registered, so that the form names it)."""
        if len(idx) == 1:           # y_i: entry i of the vector y, a number for this sample
            vector = self.symbols.symbol(label, self.size(idx[0]), sp.Integer(1))
            return Term(_scalar_matrix(sp.IndexedBase(vector.name)[idx[0]]), None, None)
        if len(idx) != 2 or idx[0] not in self.fixed or idx[1] in self.fixed:
            raise NotTranslatable("an entry with its sample index in another place")
        matrix = self.symbols.symbol(label, self.size(idx[0]), self.size(idx[1]))
        return Term(SampleRow(matrix, idx[0]), idx[1], None)

    def element(self, e: MatrixElement) -> Term:
        """(X⁻¹)_ab: an entry of a matrix held whole (its matrix symbols registered by name)."""
        parent, a, b = e.args
        if not (isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol)) or a == b:
            raise NotTranslatable("an entry of a matrix with a fixed or repeated index")
        parent = self.whole(parent)
        for m in parent.atoms(sp.MatrixSymbol):
            self.symbols.symbol(m.name, *m.shape)
        return Term(parent, a, b)

    def whole(self, m: sp.Basic) -> sp.Basic:
        """m with each matrix written out entry by entry (FunctionMatrix, calculus/written.py) as the
        matrix its entries make: Lambda((a, b), Σ_i X_ia X_ib) -> XᵀX."""
        def written(fm: sp.FunctionMatrix) -> sp.MatrixExpr:
            a, b = fm.lamda.variables
            return Translator(self.symbols).term(fm.lamda.expr, (a, b), {a: fm.rows, b: fm.cols}).matrix
        return m.replace(lambda x: isinstance(x, sp.FunctionMatrix) and len(x.lamda.variables) == 2, written)

    def size(self, index: sp.Basic) -> sp.Basic:
        if index not in self.scope:
            raise NotTranslatable(f"no range for the index {index}")
        return self.scope[index]

    # -- products and sums
    def multiply(self, parts: list[Product]) -> Product:
        coeff = sp.Mul(*[p.coeff for p in parts])
        return Product(coeff, tuple(f for p in parts for f in p.factors))

    def summed(self, e: sp.Sum) -> Product:
        outer = dict(self.scope)
        for i, lo, hi in e.limits:
            if lo != 1:
                raise NotTranslatable("a sum that does not start at 1")
            self.scope[i] = hi
        try:
            p = self.read(e.function)
            for i, _, hi in e.limits:          # the innermost sum first
                p = self.contract(p, i, hi)
        finally:
            self.scope = outer
        return p

    def contract(self, p: Product, i: Index, size: sp.Basic) -> Product:
        """Σ_i over the product p."""
        hit = [f for f in p.factors if i in f.indices]
        rest = [f for f in p.factors if i not in f.indices]
        if not hit:
            return Product(p.coeff * size, p.factors)
        if len(hit) > 2:
            hit = self._hadamard_same(hit)      # a_i b_i c_ik: (a ⊙ b) first; two alone are a product (aᵀb)
        if len(hit) == 1:
            return Product(p.coeff, (*rest, *self._sum_out(hit[0], i, size)))
        if len(hit) == 2:
            return Product(p.coeff, (*rest, self._matmul(hit[0], hit[1], i)))
        if len(hit) == 3:
            vectors = [f for f in hit if f.indices == {i}]
            if len(vectors) == 1:
                a, b = (f for f in hit if f is not vectors[0])
                j = self.fresh(size)
                diag = Term(DiagMatrix(vectors[0].with_row(i).matrix), i, j)
                b = _rename(b, i, j)
                first = self._matmul(a, diag, i)
                return Product(p.coeff, (*rest, self._matmul(first, b, j)))
        raise NotTranslatable(f"{len(hit)} factors share the summed index {i}")

    def _sum_out(self, t: Term, i: Index, size: sp.Basic) -> tuple[Term, ...]:
        """Σ_i of one factor: 𝟏ᵀv, M𝟏, or tr(M)."""
        if isinstance(t.matrix, DiagonalOf) and t.row == i:
            return (Term(_scalar_matrix(sp.Trace(t.matrix.arg)), None, None),)
        t = t.with_col(i)
        return (Term(t.matrix * sp.OneMatrix(size, 1), t.row, None),)

    def _matmul(self, a: Term, b: Term, i: Index) -> Term:
        a, b = a.with_col(i), b.with_row(i)
        if a.row is not None and a.row == b.col:
            raise NotTranslatable("a trace inside a product")
        return Term(_matmul(a.matrix, b.matrix), a.row, b.col)

    def _hadamard_same(self, factors: list[Term]) -> list[Term]:
        """Factors with the same indices become one Hadamard product (a_i b_i -> (a ⊙ b)_i)."""
        out: list[Term] = []
        for f in factors:
            twin = next((k for k, g in enumerate(out) if g.indices == f.indices), None)
            if twin is None:
                out.append(f)
                continue
            g = out[twin]
            f = f if (f.row, f.col) == (g.row, g.col) else f.T
            out[twin] = Term(sp.HadamardProduct(g.matrix, f.matrix), g.row, g.col)
        return out

    def collapse(self, p: Product) -> Term:
        """The product as one term: shared indices -> ⊙ or diag, disjoint ones -> outer products."""
        factors = self._hadamard_same(list(p.factors))
        scalars = [f for f in factors if not f.indices]
        rest = [f for f in factors if f.indices]
        coeff = p.coeff * sp.Mul(*[_as_scalar(f.matrix) for f in scalars])
        if not rest:
            return Term(_scalar_matrix(coeff), None, None)
        t = rest[0]
        for f in rest[1:]:
            t = self._join(t, f)
        return t if coeff == 1 else replace(t, matrix=_scaled(coeff, t.matrix))

    def _join(self, a: Term, b: Term) -> Term:
        shared = a.indices & b.indices
        if not shared and len(a.indices) == 1 and len(b.indices) == 1:
            a, b = a.with_row(next(iter(a.indices))), b.with_row(next(iter(b.indices)))
            return Term(_matmul(a.matrix, b.matrix.T), a.row, b.row)
        if len(shared) == 1 and {len(a.indices), len(b.indices)} == {1, 2}:
            vec, mat = (a, b) if len(a.indices) == 1 else (b, a)
            i = next(iter(shared))
            diag = DiagMatrix(vec.with_row(i).matrix)
            if mat.row == i:
                return Term(_matmul(diag, mat.matrix), mat.row, mat.col)
            return Term(_matmul(mat.matrix, diag), mat.row, mat.col)
        raise NotTranslatable("a product of entries with no matrix form")

    def add(self, terms: list[Term]) -> Term:
        """A sum of entries; a term missing an index is the same along it (ŷ_ik = Σ_r V_kr h_ir + c_k:
        Ĥ = HVᵀ + 𝟏cᵀ), a number is that number times 𝟏."""
        shaped = [t for t in terms if t.indices]
        if not shaped:
            return Term(_scalar_matrix(sp.Add(*[_as_scalar(t.matrix) for t in terms])), None, None)
        first = max(shaped, key=lambda t: len(t.indices))
        if any(not t.indices <= first.indices for t in shaped):
            raise NotTranslatable("a sum of terms with different indices")
        order = tuple(i for i in (first.row, first.col) if i is not None)
        out = []
        for t in terms:
            t = self._broadcast(t, order)
            if (t.row, t.col) != (first.row, first.col):
                t = t.T
            out.append(t.matrix)
        return Term(sp.MatAdd(*out), first.row, first.col)

    # -- elementwise
    def power(self, t: Term, exponent: sp.Expr) -> Product:
        if not t.indices:
            return Product(_as_scalar(t.matrix) ** exponent)
        return Product(sp.Integer(1), (Term(sp.HadamardPower(t.matrix, exponent), t.row, t.col),))

    def apply(self, func: type, t: Term) -> Product:
        if not t.indices:
            return Product(func(_as_scalar(t.matrix)))
        return Product(sp.Integer(1), (Term(ElementwiseApplyFunction(sp.Lambda(ARG, func(ARG)), t.matrix),
                                            t.row, t.col),))

    def fresh(self, size: sp.Basic) -> Index:
        self._fresh += 1
        j = sp.Dummy(f"j{self._fresh}", integer=True)
        self.scope[j] = size
        return j


def distribute_sums(e: sp.Basic) -> sp.Basic:
    """Σ_i (a + b) c -> Σ_i a c + Σ_i b c, bottom up: products expanded over sums of terms, each Σ
    split over the terms of its body (function arguments left as they are)."""
    if isinstance(e, sp.Sum):
        body = distribute_sums(e.function)
        return sp.Add(*[sp.Sum(t, *e.limits) for t in sp.Add.make_args(body)])
    if isinstance(e, (sp.Add, sp.Mul)):
        rebuilt = e.func(*[distribute_sums(a) for a in e.args])
        return sp.expand(rebuilt, deep=False, mul=True, power_exp=False, power_base=False, log=False,
                         multinomial=False) if isinstance(rebuilt, sp.Mul) else rebuilt
    return e


def _rename(t: Term, old: Index, new: Index) -> Term:
    return Term(t.matrix, new if t.row == old else t.row, new if t.col == old else t.col)


def _matmul(a: sp.MatrixExpr, b: sp.MatrixExpr) -> sp.MatrixExpr:
    """a·b with identities dropped (I·M = M)."""
    if isinstance(a, sp.Identity):
        return b
    if isinstance(b, sp.Identity):
        return a
    return sp.MatMul(a, b).doit(deep=False)


def _scaled(coeff: sp.Expr, m: sp.MatrixExpr) -> sp.MatrixExpr:
    return m if coeff == 1 else sp.MatMul(coeff, m)


def _scalar_matrix(value: sp.Expr) -> sp.MatrixExpr:
    """A number as a 1×1 term (kept as a scalar inside `_Scalar`)."""
    return _Scalar(value)


def _as_scalar(m: sp.MatrixExpr) -> sp.Expr:
    """The number a 1×1 term stands for: θᵀx as `Trace(θᵀx)` (SymPy has no 1×1-as-scalar)."""
    if isinstance(m, _Scalar):
        return m.args[0]
    return sp.Trace(m)


class SampleRow(sp.MatrixExpr):
    """x_i: the i-th row of M as a column (M_ip with the sample i held fixed, p the entry)."""

    def __new__(cls, matrix: sp.MatrixExpr, index: sp.Symbol) -> SampleRow:
        return sp.Basic.__new__(cls, matrix, index)

    @property
    def parent(self) -> sp.MatrixExpr:
        return self.args[0]

    @property
    def index(self) -> sp.Symbol:
        return self.args[1]

    @property
    def shape(self) -> tuple[sp.Basic, sp.Basic]:
        return (self.parent.shape[1], sp.Integer(1))

    def row_name(self) -> str:
        """The name the rows of M go by: x for X, p for P."""
        name = str(getattr(self.parent, "name", "M"))
        return name.lower() if name.lower() != name else f"{name}_row"


class _Scalar(sp.MatrixExpr):
    """A scalar carried where a 1×1 term is expected (never leaves this module)."""

    shape = (sp.Integer(1), sp.Integer(1))

    def __new__(cls, value: sp.Expr) -> _Scalar:
        return sp.Basic.__new__(cls, sp.sympify(value))

    def _eval_transpose(self) -> _Scalar:
        return self

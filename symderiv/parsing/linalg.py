"""Vectors and matrices while parsing, written out in index form (1-based, exact, checkable).

`\\theta^T x_i` becomes `Sum(theta[j]*x[i, j], (j, 1, d))` and `X\\theta - y` the column whose
r-th entry is `Sum(X[r, j]*theta[j], (j, 1, d)) - y[r]`. A Tensor is a shape plus a function from
index symbols to the scalar entry, so products contract with fresh summation indices and a
scalar result (a 1x1 product) turns back into an ordinary SymPy expression at once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from symderiv.parsing.sizes import SizeConflict, Sizes
from symderiv.parsing.symbols import Value


@dataclass(frozen=True)
class Tensor:
    """kind: "col" / "row" vectors of length dims[0], or "mat" with dims (rows, cols)."""

    kind: str
    dims: tuple[sp.Expr, ...]
    entry: Callable[..., sp.Expr]
    label: str = ""

    @property
    def rank(self) -> int:
        return 2 if self.kind == "mat" else 1

    def transpose(self) -> Tensor:
        if self.kind == "mat":
            return Tensor("mat", self.dims[::-1], lambda a, b: self.entry(b, a), self.label + "^T")
        return Tensor("row" if self.kind == "col" else "col", self.dims, self.entry, self.label + "^T")

    def map(self, fn: Callable[[sp.Expr], sp.Expr]) -> Tensor:
        return Tensor(self.kind, self.dims, lambda *ix: fn(self.entry(*ix)), self.label)


class Indices:
    """Fresh integer summation indices that avoid every letter the user wrote."""

    POOL = ("j", "l", "m", "p", "q", "r", "s", "u", "v", "a", "b", "c")

    def __init__(self, taken: set[str], samples: Callable[[sp.Expr], bool] | None = None) -> None:
        self.taken = set(taken)
        self.samples = samples   # whether a size (a size variable) is the number of samples n

    def fresh(self, size: sp.Expr | None = None) -> sp.Symbol:
        """A new index; over the samples (size n) `i` is preferred, as a reader would write."""
        over_samples = getattr(size, "name", None) == "n" or bool(
            size is not None and self.samples is not None and self.samples(size))
        pool = ("i", *self.POOL) if over_samples else self.POOL
        for name in pool:
            if name not in self.taken:
                self.taken.add(name)
                return sp.Symbol(name, integer=True)
        n = len(self.taken)
        while f"j{n}" in self.taken:
            n += 1
        self.taken.add(f"j{n}")
        return sp.Symbol(f"j{n}", integer=True)


def _sum(expr: sp.Expr, idx: sp.Symbol, size: sp.Expr) -> sp.Expr:
    return sp.Sum(expr, (idx, 1, size))


def describe(t: Tensor, sizes: Sizes) -> str:
    """`W (k×d)`, `x (d×1)`: a tensor and its shape as the sizes are known now."""
    shape = {"col": lambda: f"{sizes.show(t.dims[0])}×1", "row": lambda: f"1×{sizes.show(t.dims[0])}",
             "mat": lambda: f"{sizes.show(t.dims[0])}×{sizes.show(t.dims[1])}"}[t.kind]()
    what = {"col": "a column vector", "row": "a row vector", "mat": "a matrix"}[t.kind]
    return f"{t.label} ({shape})" if t.label else f"{what} ({shape})"


def _same(sizes: Sizes, a: sp.Expr, b: sp.Expr, what: str) -> None:
    try:
        sizes.unify(a, b)
    except SizeConflict as exc:
        raise ValueError(f"{what}: the sizes {exc.a} and {exc.b} differ") from None


def scale(c: Value, v: Value) -> Value:
    """c·v for a scalar c (`-x`, `\\frac{x}{2}`): no sizes to unify."""
    return v.map(lambda e: c * e) if isinstance(v, Tensor) else c * v


def multiply(a: Value, b: Value, ix: Indices, sizes: Sizes) -> Value:
    """a·b for scalars and tensors, the inner sizes unified; a scalar result is a SymPy expression."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if not ta and not tb:
        return a * b
    if not ta:
        return b.map(lambda e: a * e)
    if not tb:
        return a.map(lambda e: e * b)
    ka, kb = a.kind, b.kind
    what = f"cannot multiply {describe(a, sizes)} by {describe(b, sizes)}"
    if ka in ("row", "col") and kb in ("row", "col") and (ka, kb) != ("col", "row"):
        # row·col, or two vectors written side by side / with \cdot: the inner product
        _same(sizes, a.dims[0], b.dims[0], what)
        j = ix.fresh(a.dims[0])
        return _sum(a.entry(j) * b.entry(j), j, a.dims[0])
    if (ka, kb) == ("col", "row"):
        return Tensor("mat", (a.dims[0], b.dims[0]), lambda r, c: a.entry(r) * b.entry(c))
    label = f"{a.label} {b.label}".strip()
    if ka == "mat" and kb == "col":
        _same(sizes, a.dims[1], b.dims[0], what)
        return Tensor("col", (a.dims[0],),
                      lambda r: _contract(lambda j: a.entry(r, j) * b.entry(j), a.dims[1], ix), label)
    if ka == "row" and kb == "mat":
        _same(sizes, a.dims[0], b.dims[0], what)
        return Tensor("row", (b.dims[1],),
                      lambda c: _contract(lambda j: a.entry(j) * b.entry(j, c), b.dims[0], ix), label)
    if ka == "mat" and kb == "mat":
        _same(sizes, a.dims[1], b.dims[0], what)
        return Tensor("mat", (a.dims[0], b.dims[1]),
                      lambda r, c: _contract(lambda j: a.entry(r, j) * b.entry(j, c), a.dims[1], ix), label)
    raise ValueError(f"{what}: a {_KIND[ka]} cannot multiply a {_KIND[kb]} from the left")


_KIND = {"col": "column vector", "row": "row vector", "mat": "matrix"}


def _contract(term: Callable[[sp.Symbol], sp.Expr], size: sp.Expr, ix: Indices) -> sp.Expr:
    j = ix.fresh(size)
    return _sum(term(j), j, size)


def add(a: Value, b: Value, sizes: Sizes) -> Value:
    """a + b for scalars and tensors of the same shape (unified)."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if not ta and not tb:
        return a + b
    if ta and tb:
        return entrywise(a, b, sizes, lambda x, y: x + y, f"cannot add {describe(a, sizes)} and "
                         f"{describe(b, sizes)}", f"{a.label} + {b.label}")
    t = a if ta else b
    raise ValueError(f"cannot add a scalar and {'a matrix' if t.kind == 'mat' else 'a vector'}")


def entrywise(a: Tensor, b: Tensor, sizes: Sizes, op: Callable[[sp.Expr, sp.Expr], sp.Expr],
              what: str, label: str = "") -> Tensor:
    """op(a_rc, b_rc) entry by entry (a sum, a Hadamard product or quotient), shapes unified."""
    if a.kind != b.kind and not (a.rank == 1 and b.rank == 1):
        raise ValueError(f"{what}: a {_KIND[a.kind]} and a {_KIND[b.kind]} differ in shape")
    for da, db in zip(a.dims, b.dims, strict=True):
        _same(sizes, da, db, what)
    return Tensor(a.kind, a.dims, lambda *ix: op(a.entry(*ix), b.entry(*ix)), label)


def trace(m: Tensor, ix: Indices, sizes: Sizes) -> sp.Expr:
    """tr M = Σ_r M_rr, M square."""
    _same(sizes, m.dims[0], m.dims[1], f"the trace needs a square matrix, not {describe(m, sizes)}")
    r = ix.fresh(m.dims[0])
    return _sum(m.entry(r, r), r, m.dims[0])


def squared_entries(t: Tensor, ix: Indices) -> sp.Expr:
    """Σ of the squares of the entries: ‖v‖² of a vector, ‖M‖_F² of a matrix."""
    if t.kind != "mat":
        j = ix.fresh(t.dims[0])
        return _sum(t.entry(j) ** 2, j, t.dims[0])
    r = ix.fresh(t.dims[0])
    c = ix.fresh(t.dims[1])
    return _sum(_sum(t.entry(r, c) ** 2, c, t.dims[1]), r, t.dims[0])

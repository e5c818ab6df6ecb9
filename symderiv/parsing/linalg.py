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

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def fresh(self, size: sp.Expr | None = None) -> sp.Symbol:
        """A new index; over the samples (size n) `i` is preferred, as a reader would write."""
        pool = ("i", *self.POOL) if getattr(size, "name", None) == "n" else self.POOL
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


def multiply(a: Value, b: Value, ix: Indices, explicit_dot: bool = False) -> Value:
    """a·b for scalars and tensors; a scalar result comes back as a SymPy expression."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if not ta and not tb:
        return a * b
    if not ta:
        return b.map(lambda e: a * e)
    if not tb:
        return a.map(lambda e: e * b)
    ka, kb = a.kind, b.kind
    if ka in ("row", "col") and kb in ("row", "col") and (ka, kb) != ("col", "row"):
        # row·col, or two vectors written side by side / with \cdot: the inner product
        j = ix.fresh(a.dims[0])
        return _sum(a.entry(j) * b.entry(j), j, a.dims[0])
    if (ka, kb) == ("col", "row"):
        return Tensor("mat", (a.dims[0], b.dims[0]), lambda r, c: a.entry(r) * b.entry(c))
    label = f"{a.label} {b.label}".strip()
    if ka == "mat" and kb == "col":
        return Tensor("col", (a.dims[0],),
                      lambda r: _contract(lambda j: a.entry(r, j) * b.entry(j), a.dims[1], ix), label)
    if ka == "row" and kb == "mat":
        return Tensor("row", (b.dims[1],),
                      lambda c: _contract(lambda j: a.entry(j) * b.entry(j, c), b.dims[0], ix), label)
    if ka == "mat" and kb == "mat":
        return Tensor("mat", (a.dims[0], b.dims[1]),
                      lambda r, c: _contract(lambda j: a.entry(r, j) * b.entry(j, c), a.dims[1], ix), label)
    raise ValueError(f"cannot multiply a {ka} by a {kb}")


def _contract(term: Callable[[sp.Symbol], sp.Expr], size: sp.Expr, ix: Indices) -> sp.Expr:
    j = ix.fresh(size)
    return _sum(term(j), j, size)


def add(a: Value, b: Value) -> Value:
    """a + b for scalars and tensors of the same kind."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if not ta and not tb:
        return a + b
    if ta and tb:
        if a.kind != b.kind and not (a.rank == 1 and b.rank == 1):
            raise ValueError(f"cannot add a {a.kind} and a {b.kind}")
        return Tensor(a.kind, a.dims, lambda *ix: a.entry(*ix) + b.entry(*ix), f"{a.label} + {b.label}")
    raise ValueError("cannot add a scalar and a vector")


def promote(symbol: sp.Symbol, like: Tensor) -> Tensor:
    """A plain symbol added to a tensor is a tensor of the same shape (`X\\theta - y`: y is a
    vector); `I` next to a matrix is the identity."""
    name = symbol.name
    if name == "I" and like.kind == "mat":
        return Tensor("mat", like.dims, lambda r, c: sp.KroneckerDelta(r, c), "I")
    base = sp.IndexedBase(name, real=True)
    if like.kind == "mat":
        return Tensor("mat", like.dims, lambda r, c: base[r, c], name)
    return Tensor(like.kind, like.dims, lambda r: base[r], name)

"""The shape of every vector and matrix name of one input, in size variables (sizes.py).

A name's record is made when the name is first met, as what it is met as: a vector (`\\theta`), a
matrix (`A`), data whose i-th row is written `x_i`, or only entries (`y_i`, `y_{ik}` inside sums:
their sizes are the ranges of the indices). Meeting the name again gives the same sizes, so every
use of a name agrees; a declaration (`W \\in \\mathbb{R}^{k \\times d}`) makes the record with the
user's sizes. Records of a name met in two incompatible ways (a vector and a matrix) keep the first.
"""
from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from symderiv.parsing.sizes import SEEDED, STRONG, WEAK, WEAKEST, SizeConflict, Sizes

ONE = sp.Integer(1)
FEATURE_NAMES = frozenset({"x", "theta", "w", "beta", "phi"})
"""Vectors whose length is the number of features `d` by convention (and the rows x_i)."""
OUTPUT_NAMES = frozenset({"y", "yhat", "ytilde", "t"})
"""Targets and predictions: their length (the outputs of a network) is `K` by convention."""

Hint = tuple[str, int] | None


@dataclass
class Record:
    """kind: "col" (a vector, cols 1), "mat", "rows" (x_i is its i-th row) or "entries"."""

    kind: str
    dims: tuple[sp.Basic, sp.Basic]


_COMPATIBLE = {("col", "entries"), ("entries", "col"), ("mat", "rows"), ("rows", "mat"),
               ("mat", "entries"), ("rows", "entries"), ("entries", "mat"), ("entries", "rows")}


class ShapeBook:
    """name -> Record, over one Sizes table; `seeds` are the sizes a previous pass named."""

    def __init__(self, sizes: Sizes, seeds: Mapping[str, tuple[sp.Basic, sp.Basic]] | None = None,
                 features: frozenset[str] = FEATURE_NAMES) -> None:
        self.sizes = sizes
        self.records: dict[str, Record] = {}
        self.seeds = dict(seeds or {})
        self.features = features

    # -- the record of a name, made on first use
    def vector(self, name: str) -> sp.Basic:
        """The length of the vector `name`."""
        hint = ("d", STRONG) if name in self.features else ("d", WEAKEST)
        length = self._record(name, "col", (hint, None)).dims[0]
        if name in OUTPUT_NAMES:
            self.sizes.hint(length, "K", WEAKEST)   # when d is the features' already
        return length

    def matrix(self, name: str) -> tuple[sp.Basic, sp.Basic]:
        """(rows, cols) of the matrix `name`; `X` has the samples as rows by convention."""
        rows = ("n", WEAK) if name == "X" else None
        return self._record(name, "mat", (rows, ("d", WEAKEST))).dims

    def rows(self, name: str, count: sp.Basic | None) -> sp.Basic:
        """The length of the rows `name_i` of the data `name` (`count` rows, when known)."""
        cols = ("d", STRONG) if name in self.features else None
        rec = self._record(name, "rows", (None, cols))
        if name in OUTPUT_NAMES:
            self.sizes.hint(rec.dims[1], "K", WEAKEST)
        if count is not None:
            self.loosely(rec.dims[0], count)
        return rec.dims[1]

    def entries(self, name: str, ranges: Sequence[sp.Basic | None]) -> None:
        """`name` written with len(ranges) indices (`y_i`, `W_{kj}`) running over these ranges."""
        if not 1 <= len(ranges) <= 2:
            return
        if name not in self.records:
            dims = tuple(r if r is not None else self.sizes.var() for r in ranges)
            if len(dims) == 1:
                dims = (dims[0], ONE)
            self.records[name] = Record("entries", (dims[0], dims[1]))
            return
        rec = self.records[name]
        if (len(ranges) == 1) != (rec.kind == "col" or (rec.kind == "entries" and rec.dims[1] == ONE)):
            return
        for size, r in zip(rec.dims, ranges, strict=False):
            if r is not None:
                self.loosely(size, r)

    def declare(self, name: str, kind: str, dims: tuple[sp.Basic, sp.Basic]) -> None:
        """`name \\in \\mathbb{R}^{…}`: the record, with the user's sizes (written)."""
        dims = (self.sizes.written(dims[0]), self.sizes.written(dims[1]))
        if name in self.records:
            self.loosely(self.records[name].dims[0], dims[0])
            self.loosely(self.records[name].dims[1], dims[1])
        else:
            self.records[name] = Record(kind, dims)

    def learn(self, name: str, kind: str, dims: tuple[sp.Basic, sp.Basic]) -> None:
        """A defined name (`a = W x + b`) has the shape of its value."""
        rec = self._record(name, kind, (None, None))
        for have, want in zip(rec.dims, dims, strict=True):
            if want != ONE or have == ONE:
                self.loosely(have, want)

    def _record(self, name: str, kind: str, hints: tuple[Hint, Hint]) -> Record:
        rec = self.records.get(name)
        if rec is not None and (rec.kind == kind or (rec.kind, kind) in _COMPATIBLE):
            if rec.kind == "entries" and kind != "entries":
                rec = self._upgrade(name, rec, kind, hints)
            return rec
        dims = self._new_dims(name, kind, hints)
        made = Record(kind, dims)
        if rec is None:
            self.records[name] = made
        return made

    def _upgrade(self, name: str, rec: Record, kind: str, hints: tuple[Hint, Hint]) -> Record:
        """Entries met first (`y_i`), then the name as a vector or as rows (`y_i` a row)."""
        cols = rec.dims[1]
        if kind == "rows" and cols == ONE:
            cols = self._size(name, 1, hints[1])
        elif kind == "col" and cols != ONE:
            return rec
        self.records[name] = Record(kind, (rec.dims[0], cols))
        return self.records[name]

    def _new_dims(self, name: str, kind: str, hints: tuple[Hint, Hint]) -> tuple[sp.Basic, sp.Basic]:
        rows = self._size(name, 0, hints[0])
        cols = ONE if kind == "col" else self._size(name, 1, hints[1])
        return rows, cols

    def _size(self, name: str, axis: int, hint: Hint) -> sp.Basic:
        seed = self.seeds.get(name)
        if seed is not None and isinstance(seed[axis], sp.Symbol):
            s: sp.Basic = self.sizes.named(seed[axis].name, SEEDED)
        else:
            s = self.sizes.var()
        if hint is not None:
            self.sizes.hint(s, *hint)
        return s

    # -- unification that never fails (index ranges, records met twice)
    def loosely(self, a: sp.Basic, b: sp.Basic) -> None:
        """Unify when possible: an index range that disagrees with a declaration is left alone."""
        with contextlib.suppress(SizeConflict):
            self.sizes.unify(a, b)

    # -- the result
    def shapes(self, names: Sequence[str], rename: Mapping[sp.Basic, sp.Basic]) -> tuple[
            tuple[str, tuple[sp.Basic, sp.Basic]], ...]:
        """(name, (rows, cols)) of the names with a record, sizes renamed, sorted by name."""
        out = []
        for name in sorted(set(names)):
            rec = self.records.get(name)
            if rec is not None:
                out.append((name, (rec.dims[0].xreplace(rename), rec.dims[1].xreplace(rename))))
        return tuple(out)

    def named_dims(self, rename: Mapping[sp.Basic, sp.Basic]) -> dict[str, tuple[sp.Basic, sp.Basic]]:
        """Every record's sizes renamed: the seeds of another pass."""
        return {name: (rec.dims[0].xreplace(rename), rec.dims[1].xreplace(rename))
                for name, rec in self.records.items()}

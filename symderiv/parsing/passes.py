"""Reading an input in passes until the kinds of its names settle.

One pass reads every statement. What it learns about kinds (`W x`: W is a matrix; `a = W x + b`:
a is a vector) may come after an earlier use of the name, so the input is read again with that
knowledge from the start, and the names the last pass gave the sizes (n, d, m, …) seed the next
one. An input whose kinds the scan of its names already knew is read once. The passes stop when
no kind changes (at most MAX_PASSES).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.core.problem import Definition, Problem
from symderiv.parsing.declarations import Declaration
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Indices, Tensor
from symderiv.parsing.shapebook import FEATURE_NAMES, ShapeBook
from symderiv.parsing.shapes import NameScanner
from symderiv.parsing.sizes import SizeConflict, Sizes
from symderiv.parsing.state import ReadState
from symderiv.parsing.symbols import Value, index_symbol

MAX_PASSES = 4
_DEFINITION_LETTERS = ("r", "s", "q", "u", "v", "a", "c")

_T = TypeVar("_T")


class PassesState(ReadState):
    """ReadState with the passes: declarations, the scan of names, and the naming of sizes."""

    def __init__(self, source: str, context: Problem | None = None) -> None:
        super().__init__(source, context)
        self.declarations: list[Declaration] = []
        self.base_functions: set[str] = set()
        self.rename: dict[sp.Basic, sp.Basic] = {}
        self._places: list[tuple[str, int]] = []   # where each definition starts, for a caret
        self._reserved: set[str] = set()            # the letters fresh indices avoid
        self._seeds: dict[str, tuple[sp.Basic, sp.Basic]] = dict(context.shapes) if context is not None else {}

    # -- before the passes
    def scan(self, tokens: list[Token]) -> None:
        """Which names are vectors or matrices, from the whole input at once, and what the
        declarations say."""
        names = NameScanner(tokens)
        self.letters |= names.letters
        for name, upper in names.vector_like():
            (self.matrices if upper else self.vectors).add(name)
        self.row_vectors |= names.row_vectors()
        self.functions |= names.heads
        self.bare |= names.bare
        for decl in self.declarations:
            for name in decl.names:
                self._declare_kind(name, decl)
        self.base_functions = set(self.functions)

    def _declare_kind(self, name: str, decl: Declaration) -> None:
        for kinds in (self.vectors, self.matrices, self.row_vectors):
            kinds.discard(name)
        if decl.kind == "mat":
            self.matrices.add(name)
        elif decl.kind in ("col", "rows"):
            self.vectors.add(name)
            if decl.kind == "rows":
                self.row_vectors.add(name)
        if decl.symmetric:
            self.symmetric.add(name)

    # -- the passes
    def passes(self, read: Callable[[], _T]) -> _T:
        """read() until the kinds and the names of the sizes stop changing."""
        seeds = dict(self._seeds)
        for attempt in range(MAX_PASSES):
            kinds = self.kinds()
            self._begin_pass(seeds)
            try:
                out = read()
            except ParseError:
                if self.kinds() != kinds and attempt + 1 < MAX_PASSES:
                    continue   # learnt something: the error may be gone with it
                raise
            self.rename = self._naming()
            if self.kinds() == kinds:
                break
            seeds = self.book.named_dims(self.rename)
        return out

    def _begin_pass(self, seeds: dict[str, tuple[sp.Basic, sp.Basic]]) -> None:
        self.readings = []
        self.functions = set(self.base_functions)
        self.head_args = set()
        self.indexed_labels = set()
        self.index_names = set()
        self._places = []
        self.dims = Sizes()
        self.book = ShapeBook(self.dims, seeds, FEATURE_NAMES)
        self._column = None
        self.linear_algebra = bool(self.vectors or self.matrices or self.row_vectors or self.declarations)
        free = [c for c in _DEFINITION_LETTERS if c not in self.letters]
        self.definition_index = free[0] if free else "r"
        seeded = {str(s) for dims in seeds.values() for s in dims if isinstance(s, sp.Symbol)}
        self._reserved = self.letters | {"k"} | seeded | set(free[:2])
        self.ix = Indices(self._reserved, samples=lambda size: self.dims.show(size) == "n")
        for decl in self.declarations:
            for name in decl.names:
                self._declare_shape(name, decl)

    def _declare_shape(self, name: str, decl: Declaration) -> None:
        try:
            if decl.kind == "rows":
                self.dims.unify(self.book.rows(name, None), self.dims.written(decl.dims[1]))
            elif decl.kind == "col":
                self.dims.unify(self.book.vector(name), self.dims.written(decl.dims[0]))
            elif decl.kind == "mat" and decl.dims[0] == sp.Symbol("?"):
                rows, cols = self.book.matrix(name)
                self.dims.unify(rows, cols)
            elif decl.kind == "mat":
                self.book.declare(name, "mat", decl.dims)
                rows, cols = self.book.matrix(name)
                if decl.symmetric:
                    self.dims.unify(rows, cols)
        except SizeConflict as exc:
            what = "symmetric, so square," if decl.symmetric else "twice, with different sizes"
            raise ParseError(f"{name} is declared {what} but its sizes differ ({exc.a} ≠ {exc.b})",
                             decl.source or self.source, decl.pos) from None

    # -- the names of the sizes
    def _naming(self) -> dict[sp.Basic, sp.Basic]:
        """Each size -> its final name: never an index, a vector's or a function's name; the
        unused letters of a size without a hint avoid every letter of the input too."""
        avoid = self.index_names | set(self.book.records) | self.functions | {"k", "i", "j"} \
            | {self.definition_index} | (self.ix.taken - self._reserved)
        return self.dims.resolve(avoid, self.letters | avoid)

    def size_symbols(self) -> dict[str, sp.Symbol]:
        """The final size symbols by name (after `rename`)."""
        out: dict[str, sp.Symbol] = {}
        for node in self.dims.nodes():
            s = self.rename.get(node, node)
            if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy):
                out[s.name] = s
        return out

    # -- definitions of vectors
    def learn_definition(self, left: Value, value: Value, source: str, at: int) -> None:
        """`a = W x + b` read: a is a vector of the value's shape (from the next pass on, and
        in the shape book now); `h = …` with h a vector checks the shapes agree."""
        if isinstance(left, Tensor) and isinstance(value, Tensor):
            try:
                for have, want in zip(left.dims, value.dims, strict=False):
                    self.dims.unify(have, want)
            except SizeConflict as exc:
                raise ParseError(f"{left.label} and its definition differ in shape ({exc.a} ≠ {exc.b})",
                                 source, at) from None
            return
        if not isinstance(value, Tensor):
            return
        if isinstance(left, sp.Symbol) and not isinstance(left, sp.Dummy):
            kind = "mat" if value.kind == "mat" else "col"
            self.learn(kind, left.name)
            dims = value.dims if kind == "mat" else (value.dims[0], sp.Integer(1))
            self.book.learn(left.name, kind, (dims[0], dims[1]))
        elif isinstance(left, sp.Indexed) and len(left.indices) == 1 and value.kind == "col":
            name = str(left.base.label)
            self.learn("rows", name)
            self.book.loosely(self.book.rows(name, None), value.dims[0])

    def vector_definition(self, target: Tensor, value: Value, statement: str) -> Definition:
        """`h = \\sigma(a)` with h a vector: `h[r] = sigmoid(a[r])` (r a free index); a row of
        data `\\hat{y}_i = V h_i + c`: `yhat[i, r] = …`."""
        if not isinstance(value, Tensor) or value.rank != target.rank:
            raise ParseError(f"{target.label} is a {'matrix' if target.kind == 'mat' else 'vector'} "
                             f"but its definition is not: write both sides with the same shape",
                             statement, 0)
        rows = index_symbol(self.definition_index)
        idx: tuple[sp.Symbol, ...] = (rows,)
        if target.kind == "mat":
            second = next(c for c in _DEFINITION_LETTERS if c not in self.letters | {rows.name})
            idx = (rows, index_symbol(second))
        return Definition(target.entry(*idx), value.entry(*idx), statement.strip())


def indexed_labels(exprs: Iterable[sp.Basic]) -> list[str]:
    """The names written in index form (`x` of x[i, j]) in the expressions, and the matrices
    held whole (X of det X, of X⁻¹)."""
    out: list[str] = []
    for e in exprs:
        if isinstance(e, sp.Basic):
            out += [str(a.base.label) for a in e.atoms(sp.Indexed)]
            out += [m.name for m in e.atoms(sp.MatrixSymbol)]
    return out

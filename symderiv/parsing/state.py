"""What reading one input has learnt so far, shared by all its statements."""
from __future__ import annotations

import sympy as sp

from symderiv.core.problem import Problem
from symderiv.parsing.linalg import Indices, Tensor
from symderiv.parsing.shapebook import ShapeBook
from symderiv.parsing.sizes import Sizes
from symderiv.parsing.symbols import Value, index_symbol


class ReadState:
    """The kinds of names (vectors, matrices, data whose rows are written x_i), the names that
    are functions, the sizes and shapes (`dims`, `book`), the letters in use, the fresh summation
    indices `ix`, and the readings taken where the notation was ambiguous.

    Kinds only grow: what one pass over the input learns (`W x`: W is a matrix) the next pass
    knows from the start, so that every use of a name agrees (reader.py runs the passes).
    `context` is a parsed Problem whose conventions (its vectors) a further formula shares.
    """

    def __init__(self, source: str, context: Problem | None = None) -> None:
        self.source = source
        self.context = context
        self.vectors: set[str] = set(context.vectors) if context else set()
        self.matrices: set[str] = set()
        self.row_vectors: set[str] = set()
        if context is not None:
            for name, (_rows, cols) in context.shapes:
                if cols != 1 and name[:1].isupper():
                    self.matrices.add(name)
        self.functions: set[str] = set()
        self.sizes: dict[str, sp.Symbol] = {}
        self.letters: set[str] = set()
        self.bare: set[str] = set()           # names written without a subscript somewhere
        self.indexed_labels: set[str] = set()
        self.readings: list[str] = []
        self.learned: list[str] = []          # readings of kinds inferred (kept across passes)
        self.head_args: set[str] = set()      # the arguments of the function `L(W) = …`
        self.index_names: set[str] = set()    # index letters the input sums over or subscripts
        self.symmetric: set[str] = set()
        self.linear_algebra = False           # whether the input has vectors or matrices at all
        self.definition_index = "r"           # the free index of a vector definition h[r] = …
        self.dims = Sizes()
        self.book = ShapeBook(self.dims)
        self._column: sp.Symbol | None = None
        self.ix: Indices   # set once the letters of the whole input are known

    def reading(self, sentence: str) -> None:
        """State a judgment call on ambiguous notation (each sentence once, in order)."""
        if sentence not in self.readings:
            self.readings.append(sentence)

    def learn(self, kind: str, name: str, sentence: str | None = None) -> None:
        """A name is a vector ("col"), a matrix ("mat") or data with rows ("rows") from now on,
        in this pass and the next; `sentence` states the inference."""
        if kind == "mat":
            self.matrices.add(name)
            self.vectors.discard(name)
        else:
            self.vectors.add(name)
            if kind == "rows":
                self.row_vectors.add(name)
        self.linear_algebra = True
        if sentence and sentence not in self.learned:
            self.learned.append(sentence)

    def kinds(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        return frozenset(self.vectors), frozenset(self.matrices), frozenset(self.row_vectors)

    def component(self, value: Value) -> Value:
        """A vector-valued result is read as its k-th component (k free, 1-based), a
        matrix-valued one as its entry (k, c) (`column_index`: a claimed gradient `a b^T`)."""
        if isinstance(value, Tensor):
            k = index_symbol("k")
            if value.kind == "mat":
                return value.entry(k, self.column_index())
            return value.entry(k)
        return value

    def column_index(self) -> sp.Symbol:
        """The free column index of a matrix's entry (k, c): one per pass, never summed over."""
        if self._column is None:
            self._column = self.ix.fresh()
        return self._column

"""What reading one input has learnt so far, shared by all its statements."""
from __future__ import annotations

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.core.problem import Problem
from symderiv.parsing.linalg import Indices, Tensor
from symderiv.parsing.symbols import Value, index_symbol


class ReadState:
    """The shapes of names (vectors, matrices, row vectors of samples), the names that are
    functions, the sizes met (n, d), the letters in use, the fresh summation indices `ix`, and
    the readings taken where the notation was ambiguous.

    `context` is a parsed Problem whose conventions (its vectors) a further formula shares.
    """

    def __init__(self, source: str, context: Problem | None = None) -> None:
        self.source = source
        self.context = context
        self.vectors: set[str] = set(context.vectors) if context else set()
        self.matrices: set[str] = set()
        self.functions: set[str] = set()
        self.row_vectors: set[str] = set()
        self.sizes: dict[str, sp.Symbol] = {}
        self.letters: set[str] = set()
        self.indexed_labels: set[str] = set()
        self.readings: list[str] = []
        self.ix: Indices   # set once the letters of the whole input are known

    def reading(self, sentence: str) -> None:
        """State a judgment call on ambiguous notation (each sentence once, in order)."""
        if sentence not in self.readings:
            self.readings.append(sentence)

    def component(self, value: Value) -> Value:
        """A vector-valued result is read as its k-th component (k free, 1-based)."""
        if isinstance(value, Tensor):
            k = index_symbol("k")
            if value.kind == "mat":
                raise ParseError("a matrix-valued formula is not supported here; write one entry "
                                 "such as A_{ij}", self.source, 0)
            return value.entry(k)
        return value

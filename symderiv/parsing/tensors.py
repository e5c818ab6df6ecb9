"""Names as vectors and matrices: their Tensors (from the shape book), the index ranges their
entries run over, and the kinds a product needs (`W x`: W is a matrix and x a vector).

The inferences, all stated in `Problem.readings` (they are judgment calls):
- an upper-case letter written before a vector is a matrix (`W x`, `V h`), and so is one written
  next to a matrix (`X^T A`); in an input that has vectors at all, an upper-case letter before a
  lower-case name makes them a matrix and a vector (`W x` with neither marked), and before a
  sample `x_i` a matrix and the i-th row of the data x (`\\sigma(W x_i)`);
- a lower-case name written after a matrix or a row vector is a (column) vector (`A x`, `a^T X b`);
- `w_k` is the k-th row of W when W is the function's argument and w is written nowhere else
  (`L(W) = … w_k^T x_i …`), as is `W_k`.
"""
from __future__ import annotations

import sympy as sp

from symderiv.ml import notation as N
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.reading_phrases import said
from symderiv.parsing.sizes import STRONG, SizeConflict
from symderiv.parsing.symbols import INDEX_LETTERS, SCALAR_NAMES, Value, index_symbol, indexed_base

MATRIX_GREEK = {"Sigma", "Lambda", "Phi", "Psi", "Omega", "Theta"}
_NOT_MATRICES = {"I", "T", "E"}
PARAMETER_VECTORS = {"theta", "w", "beta"}
AFTER_A_MATRIX = {"c", "mu", "delta"}   # scalars by convention, but vectors after a matrix (`X c`, `A\\mu`)


def matrix_name(name: str) -> bool:
    """A name that reads as a matrix where a product needs one: one upper-case letter (`W`, not
    the scalars C, K, N nor I, T, E) or an upper-case Greek letter (`\\Sigma`)."""
    if name in SCALAR_NAMES or name in _NOT_MATRICES:
        return False
    return (len(name) == 1 and name.isascii() and name.isupper()) or name in MATRIX_GREEK


def vector_name(name: str) -> bool:
    """A name that reads as a vector where a product needs one: lower-case, not a known scalar."""
    if name in SCALAR_NAMES or not name[:1].islower() or not name.replace("_", "").isalnum():
        return False
    return not (len(name) == 1 and name in INDEX_LETTERS)


class TensorsMixin(Grammar):
    """Vectors and matrices of names, and the kinds products infer."""

    # -- index ranges
    def range_of(self, letter: str) -> sp.Basic | None:
        """The size an index letter runs up to: its sum's bound, else (a free index, `\\hat{y}_i =
        …`) a size of this statement hinted by convention (i: n)."""
        self.r.index_names.add(letter)
        stack = self.ranges.get(letter)
        if stack:
            return stack[-1]
        if letter not in self.free_ranges:
            self.free_ranges[letter] = self.r.dims.var(N.DEFAULT_SIZE.get(letter), STRONG)
        return self.free_ranges[letter]

    # -- names
    def vector_named(self, name: str) -> Tensor:
        self.r.linear_algebra = True
        base = indexed_base(name)
        return Tensor("col", (self.r.book.vector(name),), lambda j: base[j], name)

    def matrix_named(self, name: str) -> Tensor:
        self.r.linear_algebra = True
        base = indexed_base(name)
        return Tensor("mat", self.r.book.matrix(name), lambda a, b: base[a, b], name)

    def sample_row(self, name: str, index: sp.Basic, label: str) -> Tensor:
        """`x_i`: the i-th row of the data x, a vector with entries x[i, j]."""
        count = self.range_of(index.name) if isinstance(index, sp.Symbol) else None
        self.r.linear_algebra = True
        base = indexed_base(name)
        return Tensor("col", (self.r.book.rows(name, count),), lambda j: base[index, j], label)

    def matrix_row(self, matrix: str, index: sp.Basic, label: str) -> Tensor:
        """`w_k` for the argument W: the k-th row of W, a vector with entries W[k, j]."""
        rows, cols = self.r.book.matrix(matrix)
        if isinstance(index, sp.Symbol):
            count = self.range_of(index.name)
            if count is not None:
                self.r.book.loosely(rows, count)
        base = indexed_base(matrix)
        return Tensor("col", (cols,), lambda j: base[index, j], label)

    def entry(self, name: str, letters: list[str]) -> sp.Indexed:
        """`y_i`, `x_{ij}` inside sums: the entry, its name's sizes unified with the ranges."""
        idx = [index_symbol(c) if c.isalpha() else sp.Integer(c) for c in letters]
        self.r.book.entries(name, [self.range_of(c) if c.isalpha() else None for c in letters])
        base = indexed_base(name)
        return base[tuple(idx)] if len(idx) > 1 else base[idx[0]]

    def argument_rows(self, name: str) -> str | None:
        """The matrix argument whose rows `name_k` stands for (`w_k`, `W_k`, `\\mathbf{w}_k` for
        `L(W)`), else None."""
        args = self.r.head_args
        if name in args and matrix_name(name) and name not in self.r.vectors:
            return name
        upper = name.upper()
        if upper != name and upper in args and name not in args and name not in self.r.bare \
                and matrix_name(upper):
            return upper
        return None

    # -- what a product needs
    def as_vector(self, v: Value, product: str | tuple[str, str], subscripted: bool = True,
                  after: bool = False) -> Tensor | None:
        """v as a vector where a product needs one: a plain lower-case name (`x`), or with
        `subscripted` a sample (`x_i`, x[i]: the i-th row of x); None when it is not one.
        `product` says where (`W x`, `added to yhat_i`), for the reading."""
        found = self._vector_of(v, subscripted, after)
        if found is None:
            return None
        kind, name, index = found
        if kind == "col":
            self.r.learn("col", name, said("vector", name=name, product=product))
            return self.vector_named(name)
        self.r.learn("rows", name, said("sample_rows", row=f"{name}_{index}", i=str(index), product=product))
        return self.sample_row(name, index, f"{name}_{index}")

    def _vector_of(self, v: Value, subscripted: bool, after: bool = False) -> tuple[str, str, sp.Basic] | None:
        """("col", name, v) for a vector name, ("rows", name, i) for a sample x_i; `after` a
        matrix or a row vector, c, μ and δ are vectors too (`b^T X c`, `\\Sigma^{-1}\\mu`)."""
        if isinstance(v, sp.Symbol) and not isinstance(v, sp.Dummy) and not v.is_integer:
            base, _, sub = v.name.rpartition("_")
            if not base:
                ok = (vector_name(v.name) or (after and v.name in AFTER_A_MATRIX)) \
                    and v.name not in self.r.functions and v.name not in self.r.matrices
                return ("col", v.name, v) if ok else None
            if subscripted and sub in INDEX_LETTERS and len(sub) == 1 and vector_name(base):
                return "rows", base, index_symbol(sub)
            return None
        if isinstance(v, sp.Indexed) and subscripted and len(v.indices) == 1 \
                and isinstance(v.indices[0], sp.Symbol) and vector_name(str(v.base.label)):
            return "rows", str(v.base.label), v.indices[0]
        return None

    def as_matrix(self, v: Value, product: str | tuple[str, str] | None) -> Tensor | None:
        """v as a matrix where a product needs one (`W` before a vector), else None; stated
        with the product that needs it (None: nothing to state, `tr A`)."""
        if not self._matrix_of(v):
            return None
        self.r.learn("mat", v.name, said("matrix", name=v.name, product=product) if product else None)
        return self.matrix_named(v.name)

    def _matrix_of(self, v: Value) -> bool:
        return isinstance(v, sp.Symbol) and not isinstance(v, sp.Dummy) and matrix_name(v.name) \
            and (v.name not in self.r.functions or v.name in self.r.head_args) and v.name not in self.r.vectors

    def infer_product(self, a: Value, b: Value) -> tuple[Value, Value]:
        """The kinds a product a·b needs (see the module's docstring)."""
        ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
        if ta and not tb and a.kind in ("mat", "row"):
            product = f"{a.label} {_label(b)}"
            if isinstance(b, sp.Pow) and b.exp == -1 and self._matrix_of(b.base):   # `(x-μ)^T S^{-1}`
                m = self.as_matrix(b.base, f"{_label(b.base)}^{{-1}}")
                return a, self.inverse(m, self.tok) if m is not None else b
            m = self.as_matrix(b, product)
            if m is not None:
                return a, m
            v = self.as_vector(b, product, subscripted=a.kind == "mat", after=True)   # W x_i; a^T X c
            return a, (v if v is not None else b)
        if tb and not ta and b.kind in ("col", "mat"):
            m = self.as_matrix(a, f"{_label(a)} {b.label}")
            return (m if m is not None else a), b
        if not ta and not tb and self.r.linear_algebra and self._matrix_of(a) \
                and self._vector_of(b, True) is not None:
            product = f"{_label(a)} {_label(b)}"
            v = self.as_vector(b, product)
            return self.as_matrix(a, product), v
        return a, b

    # -- constants
    def promote(self, symbol: sp.Symbol, like: Tensor) -> Tensor:
        """A plain name added to a tensor is a tensor of the same shape (`A x - b`: b is a
        vector); `I` (or `I_d`) next to a matrix is the identity."""
        name = symbol.name
        if like.kind == "mat" and (name == "I" or name.startswith("I_")):
            return self.identity(like, name)
        if like.kind == "mat":
            self.r.learn("mat", name)
            t = self.matrix_named(name)
            for have, want in zip(t.dims, like.dims, strict=True):
                self.same(have, want, f"{name} ({self._shape(t)}) and {like.label or 'the matrix'} "
                                      f"({self._shape(like)}) differ in shape")
            return t
        self.r.learn("col", name)
        t = self.vector_named(name)
        self.same(t.dims[0], like.dims[0], f"{name} ({self._shape(t)}) and {like.label or 'the vector'} "
                                           f"({self._shape(like)}) differ in length")
        return t if like.kind == "col" else t.transpose()

    def identity(self, like: Tensor, name: str) -> Tensor:
        """I (`I_d`: d×d) with the shape of a square matrix `like`."""
        self.same(like.dims[0], like.dims[1], f"I is square but {like.label or 'the matrix'} is "
                                              f"{self._shape(like)}")
        if name.startswith("I_"):
            size = self.r.dims.written(sp.Symbol(name[2:]) if not name[2:].isdigit() else sp.Integer(name[2:]))
            self.same(like.dims[0], size, f"{name} does not have the shape of {like.label or 'the matrix'}")
        return Tensor("mat", like.dims, lambda r, c: sp.KroneckerDelta(r, c), "I")

    def ones(self, value: int, size: sp.Basic | None) -> Tensor:
        """`\\mathbf{1}` (of the length its use needs, or `size`) and `\\mathbf{0}`."""
        self.r.linear_algebra = True
        length = size if size is not None else self.r.dims.var()
        one = sp.Integer(value)
        return Tensor("col", (length,), lambda j: one, str(value))

    def same(self, a: sp.Basic, b: sp.Basic, message: str) -> None:
        """Unify two sizes; a ValueError naming both shapes when they are different sizes."""
        try:
            self.r.dims.unify(a, b)
        except SizeConflict as exc:
            raise ValueError(f"{message} ({exc.a} ≠ {exc.b})") from None

    def _shape(self, t: Tensor) -> str:
        show = self.r.dims.show
        if t.kind == "mat":
            return f"{show(t.dims[0])}×{show(t.dims[1])}"
        return f"{show(t.dims[0])}×1" if t.kind == "col" else f"1×{show(t.dims[0])}"


def _label(v: Value) -> str:
    if isinstance(v, sp.Indexed):
        return f"{v.base.label}_{','.join(map(str, v.indices))}"
    return str(v)

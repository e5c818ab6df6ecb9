"""Operations on vectors and matrices, written out in index form: the trace
(`\\operatorname{tr}`, `\\mathrm{tr}`, `\\text{tr}`, `\\tr`), `\\operatorname{diag}`, softmax and
log-sum-exp of a vector, the Hadamard product and quotient (`\\odot`, `\\circ`, `\\oslash`), and
elementwise functions of a vector or a matrix (`\\sigma(W x)`, `\\tanh`, `\\exp`, ReLU).

Their names come from `symderiv.ml.notation.MATRIX_OPERATORS`. A name the user defined
(`\\operatorname{softmax}(z)_k = …`) stays the user's function.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.core.function import UndefinedFunction

from symderiv.ml import notation as N
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor, entrywise, trace
from symderiv.parsing.reading_phrases import said
from symderiv.parsing.symbols import Value, index_symbol, indexed_base

HADAMARD = {"odot": "⊙", "circ": "∘", "oslash": "⊘"}


def elementwise(fn: Callable[..., Value]) -> bool:
    """Whether fn applies entry by entry to a vector (every known function; not `f`)."""
    return not isinstance(fn, UndefinedFunction)


class MatrixOpsMixin(Grammar):
    """tr, diag, softmax, log-sum-exp, ⊙ and elementwise functions."""

    def matrix_operator(self, name: str) -> str | None:
        """The operation a function name means (`tr`, `Tr`, `trace` -> "trace"), unless the user
        defined a function of that name."""
        if name in self.r.functions:
            return None
        return N.MATRIX_OPERATORS.get(name.lower())

    def matrix_command(self, t: Token) -> Value:
        """`\\tr A`, `\\Tr(A X)`, `\\diag(v)` written as commands."""
        self.take()
        return self.matrix_call(N.MATRIX_OPERATORS[t.text.lower()], t)

    def matrix_call(self, op: str, t: Token) -> Value:
        """`\\operatorname{tr}(A X)`, `\\operatorname{tr} A`, `\\operatorname{softmax}(z)_k`:
        the operation applied to the argument that follows (a matrix or a vector)."""
        self.skip_ignored()
        if self.tok.kind == "end" or (self.tok.kind == "punct" and self.tok.text in ")]}=+*/^_,&"):
            raise self.error(f"{op} needs an argument", t)
        arg_tok = self.tok
        matrix_side = op == "trace"
        self.matrix_context += matrix_side
        outside, self.r.linear_algebra = self.r.linear_algebra, True   # `softmax(W x)`: W x is a vector
        try:
            arg = self.tensor_argument(t)
        finally:
            self.matrix_context -= matrix_side
            self.r.linear_algebra = outside or self.r.linear_algebra
        return self.entry_after(self._matrix_operation(op, arg, arg_tok))

    def entry_after(self, value: Value) -> Value:
        """`\\operatorname{softmax}(z)_k`, `\\sigma(W x)_1`: the entry a subscript after a
        vector-valued call picks (k ranging over the vector)."""
        if not (self.tok.is_("punct", "_") and isinstance(value, Tensor) and value.rank == 1):
            return value
        sub_tok = self.take()
        sub = self.script_text()
        if len(sub) == 1 and sub.isalpha():
            count = self.range_of(sub)
            if count is not None:
                self.r.book.loosely(value.dims[0], count)
            return value.entry(index_symbol(sub))
        if sub.isdigit():
            return value.entry(sp.Integer(sub))
        raise self.error("write the entry of a vector with an index letter or a number", sub_tok)

    def _matrix_operation(self, op: str, arg: Value, at: Token) -> Value:
        if not isinstance(arg, Tensor) and op != "trace":
            found = (self.as_matrix(arg, None) if op == "diag" else None) \
                or self.as_vector(arg, (rf"\operatorname{{{op}}}({arg})", f"{op}({arg})"), subscripted=True)
            if found is None:
                raise self.error(f"{op} needs a vector or a matrix", at)
            arg = found
        if op == "trace":
            if not isinstance(arg, Tensor):
                return arg   # the trace of a scalar (a 1×1 product such as x^T A x) is itself
            if arg.kind != "mat":
                raise self.error("the trace needs a square matrix, not a vector", at)
            return self.wrap(lambda: trace(arg, self.r.ix, self.r.dims), at)
        if op == "diag":
            return self._diag(arg, at)
        if op == "softmax":
            return self._softmax(arg)
        return self._logsumexp(arg, at)

    def _diag(self, arg: Tensor, at: Token) -> Tensor:
        """diag(v): the square matrix δ_rc v_r; diag(M): the vector of M's diagonal."""
        if arg.kind == "mat":
            self.wrap(lambda: self.same(arg.dims[0], arg.dims[1], "diag of a matrix needs a square "
                                        f"matrix, not {arg.label or 'this one'}"), at)
            return Tensor("col", (arg.dims[0],), lambda r: arg.entry(r, r), f"diag({arg.label})")
        return Tensor("mat", (arg.dims[0], arg.dims[0]),
                      lambda r, c: sp.KroneckerDelta(r, c) * arg.entry(r), f"diag({arg.label})")

    def _softmax(self, arg: Tensor) -> Tensor:
        """softmax(z)_r = e^{z_r} / Σ_s e^{z_s}; of a matrix, row by row (stated)."""
        label = f"softmax({arg.label})"
        if arg.kind != "mat":
            def entry(r: sp.Basic) -> sp.Expr:
                s = self.r.ix.fresh(arg.dims[0])
                return sp.exp(arg.entry(r)) / sp.Sum(sp.exp(arg.entry(s)), (s, 1, arg.dims[0]))
            return Tensor(arg.kind, arg.dims, entry, label)
        self.r.reading(said("softmax_rows", matrix=arg.label))

        def row_entry(r: sp.Basic, c: sp.Basic) -> sp.Expr:
            s = self.r.ix.fresh(arg.dims[1])
            return sp.exp(arg.entry(r, c)) / sp.Sum(sp.exp(arg.entry(r, s)), (s, 1, arg.dims[1]))
        return Tensor("mat", arg.dims, row_entry, label)

    def _logsumexp(self, arg: Tensor, at: Token) -> Value:
        """LSE(z) = log Σ_s e^{z_s}."""
        if arg.kind == "mat":
            raise self.error("log-sum-exp needs a vector", at)
        s = self.r.ix.fresh(arg.dims[0])
        return sp.log(sp.Sum(sp.exp(arg.entry(s)), (s, 1, arg.dims[0])))

    # -- inverses and determinants
    def named_matrix(self, t: Tensor) -> sp.MatrixSymbol | None:
        """The square matrix `X` itself as a MatrixSymbol when t is the name X (entries X[r, c]),
        else None (a product, a sum, a transpose)."""
        if t.kind != "mat" or not t.label.replace("_", "").isalnum():
            return None
        r, c = sp.Dummy("r", integer=True), sp.Dummy("c", integer=True)
        if t.entry(r, c) != indexed_base(t.label)[r, c]:
            return None
        return sp.MatrixSymbol(t.label, t.dims[0], t.dims[0])

    def inverse(self, base: Tensor, caret: Token) -> Tensor:
        """X^{-1} of a matrix name: the entries of SymPy's Inverse(X), which the deriver
        differentiates by X. (X^T X)^{-1} with a variable inside: the inverse of the matrix written
        out entry by entry (`written_matrix`), differentiated through its entries; of data only: a
        square matrix of its own, named by what it inverts (stated)."""
        self.wrap(lambda: self.same(base.dims[0], base.dims[1], f"only a square matrix has an "
                                    f"inverse; {base.label or 'this one'} is not square"), caret)
        named = self.named_matrix(base)
        if named is not None:
            inverse = sp.Inverse(named)
            return Tensor("mat", base.dims, lambda a, b: inverse[a, b], f"{base.label}^{{-1}}")
        taken = set(self.r.ix.taken)
        r, c = sp.Dummy("r", integer=True), sp.Dummy("c", integer=True)
        entry = base.entry(r, c)
        inside = {str(a.base.label) for a in entry.atoms(sp.Indexed)} if isinstance(entry, sp.Basic) else set()
        self.r.ix.taken = taken
        if inside & self.r.head_args:        # a variable inside: differentiated through the entries
            written = sp.Inverse(written_matrix(base))
            return Tensor("mat", base.dims[::-1], lambda a, b: written[a, b], f"({base.label or 'A'})^{{-1}}")
        label = f"({base.label or 'A'})^{{-1}}"
        self.r.reading(said("held_inverse", label=label, of=", ".join(sorted(inside)) or base.label))
        self.r.book.learn(label, "mat", (base.dims[1], base.dims[0]))
        inv = indexed_base(label)
        return Tensor("mat", base.dims[::-1], lambda a, b: inv[a, b], label)

    def determinant(self, t: Token) -> Value:
        """`\\det X`, `\\det(X)`, `\\log\\det X`: SymPy's Determinant of the matrix X (the deriver
        applies Jacobi's formula); of a matrix expression (`\\det(AXB)`), of it written out entry by entry."""
        self.take()
        power = None
        if self.tok.is_("punct", "^"):
            self.take()
            power = self.script_value()
        self.skip_ignored()
        if self.tok.kind == "end" or (self.tok.kind == "punct" and self.tok.text in ")]}=+*/^_,&"):
            raise self.error("\\det needs an argument", t)
        arg_tok = self.tok
        self.matrix_context += 1
        try:
            arg = self.tensor_argument(t)
        finally:
            self.matrix_context -= 1
        if not isinstance(arg, Tensor) or arg.kind != "mat":
            raise self.error("\\det needs a square matrix", arg_tok)
        self.wrap(lambda: self.same(arg.dims[0], arg.dims[1], f"\\det needs a square matrix, not "
                                    f"{arg.label or 'this one'}"), arg_tok)
        named = self.named_matrix(arg)
        value = sp.Determinant(named if named is not None else written_matrix(arg))
        return sp.Pow(value, power) if power is not None else value

    # -- ⊙, ∘, ⊘
    def hadamard(self, a: Value, op: Token) -> Value:
        """a ⊙ b (and ∘), a ⊘ b: the entrywise product or quotient; the operand follows `op` and
        is the product written side by side after it (`y \\odot X\\theta` is y ⊙ (Xθ))."""
        self.take()
        self.skip_ignored()
        b_tok = self.tok
        if b_tok.kind == "end" or (b_tok.kind == "punct" and b_tok.text in ")]}=+*/^_,&"):
            raise self.error("an operand is missing after this operator", op)
        b = self.factor()
        while self.starts_factor(self.tok):   # `y \odot X\theta`: the product written side by side
            at = self.tok
            b = self.mul(b, self.factor(), at)
        symbol = HADAMARD[op.text]
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):   # `a \odot b`: two vectors
            product = f"{_text(a)} {symbol} {_text(b)}"
            a = self.as_matrix(a, product) or self.as_vector(a, product) or a
        if isinstance(a, Tensor) != isinstance(b, Tensor):
            product = f"{_text(a)} {symbol} {_text(b)}"
            if isinstance(a, Tensor):
                b = self.as_vector(b, product) if a.kind != "mat" else self.as_matrix(b, product)
            else:
                a = self.as_vector(a, product) if b.kind != "mat" else self.as_matrix(a, product)
        if not isinstance(a, Tensor) or not isinstance(b, Tensor):
            raise self.error(f"{symbol} (\\{op.text}) is the entrywise "
                             f"{'quotient' if op.text == 'oslash' else 'product'} of two vectors or "
                             "matrices of one shape", op)
        fn: Callable[[sp.Expr, sp.Expr], sp.Expr] = (lambda x, y: x / y) if op.text == "oslash" \
            else (lambda x, y: x * y)
        return self.wrap(lambda: entrywise(a, b, self.r.dims, fn, f"cannot take {a.label or 'a'} "
                                           f"{symbol} {b.label or 'b'}", f"{a.label} {symbol} {b.label}"), op)

    # -- elementwise functions
    def apply_entrywise(self, fn: Callable[..., Value], arg: Value, power: Value = None) -> Value:
        """fn(arg) (to the power); of a vector or a matrix entry by entry when fn is known."""
        if isinstance(arg, Tensor) and elementwise(fn):
            if power is None:
                return arg.map(fn)
            return arg.map(lambda e: sp.Pow(fn(e), power))
        if isinstance(arg, Tensor):
            arg = self.r.component(arg)
        elif self.vector_context and elementwise(fn):
            vec = self.as_vector(arg, f"{getattr(fn, '__name__', 'f')}({arg})", subscripted=False)
            if vec is not None:
                return self.apply_entrywise(fn, vec, power)
        value = fn(arg)
        return sp.Pow(value, power) if power is not None else value

    def wrap(self, fn: Callable[[], Value], tok: Token) -> Value:
        """fn(), a ValueError (a shape that does not fit) as a ParseError at tok."""
        try:
            return fn()
        except ValueError as exc:
            raise self.error(str(exc), tok) from None


def _text(v: Value) -> str:
    return v.label if isinstance(v, Tensor) else str(v)


def written_matrix(t: Tensor) -> sp.FunctionMatrix:
    """A matrix expression held whole (det(XᵀX)): the matrix whose entry (a, b) is t's, for the
    deriver to differentiate entry by entry (calculus/written.py) and the printers to write as XᵀX."""
    a, b = sp.Dummy("a", integer=True), sp.Dummy("b", integer=True)
    return sp.FunctionMatrix(t.dims[0], t.dims[1], sp.Lambda((a, b), t.entry(a, b)))

"""The contract between the areas of the expression grammar.

The expression parser is one recursive-descent class composed from one mixin per area of the
grammar (arithmetic, scripts, names, calls, brackets, derivatives, big operators, heads and
relations, delegation, vectors and matrices of names, matrix operations). Each area calls into
the others through the entry points declared here (`expression` → `term` → `factor` → `atom` →
back to `expression` inside a group); the mixin of the area that owns an entry point defines it,
and `ExprParser` (expr.py) puts them together.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from symderiv.parsing.cursor import TokenCursor
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.state import ReadState
from symderiv.parsing.symbols import Value


@dataclass(frozen=True)
class Applied:
    """An operator name applied to a juxtaposed argument (`\\sin 2x`): its source column, the
    token index after its argument, its value, and its argument's factors (all / not constant)."""

    start: int
    end: int
    value: Value
    factors: int
    variable_factors: int


class Grammar(TokenCursor, ABC):
    """Recursive descent over one statement's tokens, producing SymPy (or Tensor) values.

    State besides the position: the reader `r` (shapes, sizes, indices of the whole input), the
    index letters bound by the sums around the current point, and how deep the parser is inside
    `|…|`, `\\|…\\|` and call arguments (where `|` and `\\|` close or separate).
    """

    def __init__(self, reader: ReadState, tokens: list[Token], source: str) -> None:
        super().__init__(tokens, source)
        self.r = reader
        self.bound: list[set[str]] = []
        self.abs_depth = 0
        self.norm_depth = 0
        self.arg_depth = 0
        self.pending_sub: str | None = None   # `\hat{y_i}`: the subscript read inside the accent
        self.applied: Applied | None = None   # the last operator name applied by juxtaposition
        self.ranges: dict[str, list[sp.Basic | None]] = {}   # letter -> the bounds of its sums
        self.free_ranges: dict[str, sp.Basic] = {}          # letter -> its size when no sum binds it
        self.matrix_context = 0      # inside tr(…): an upper-case letter is a matrix
        self.vector_context = False  # defining a vector (`h = \sigma(a)`): a is a vector

    def is_bound(self, letter: str) -> bool:
        """Whether a sum around the current point binds the index letter."""
        return any(letter in b for b in self.bound)

    # -- arithmetic (arithmetic.py)
    @abstractmethod
    def expression(self) -> Value:
        """A signed sum of terms."""

    @abstractmethod
    def term(self) -> Value:
        """A product of factors, explicit (`\\cdot`, `/`) or by juxtaposition."""

    @abstractmethod
    def factor(self) -> Value:
        """An atom with its superscripts and factorials, or a signed factor."""

    @abstractmethod
    def starts_factor(self, t: Token) -> bool:
        """Whether t starts another factor of a product written side by side."""

    @abstractmethod
    def mul(self, a: Value, b: Value, tok: Token, explicit: bool = False) -> Value:
        """a·b (contracting vectors), a ParseError at tok when the shapes do not fit."""

    @abstractmethod
    def series(self, items: list[Value], k: sp.Symbol, tok: Token) -> tuple[Value, Value]:
        """`a_1, a_2, \\cdots, a_m` -> (a_k, m)."""

    # -- atoms (expr.py)
    @abstractmethod
    def atom(self) -> Value:
        """A number, a name, a group or a command."""

    # -- scripts (scripts.py)
    @abstractmethod
    def postfix(self, base: Value) -> Value:
        """base followed by `^…` and `!`."""

    @abstractmethod
    def script_value(self) -> Value:
        """The value of a `^`/`_` argument."""

    @abstractmethod
    def script_text(self) -> str:
        """A subscript as a name suffix."""

    @abstractmethod
    def raw_group_text(self) -> str:
        """The source text of a `{…}` group (or one token)."""

    @abstractmethod
    def first_digit(self) -> Value:
        """A number token as a script argument: its first digit only (`x^23` = x²·3)."""

    @abstractmethod
    def scripts(self) -> tuple[Value, Value]:
        """(subscript, superscript) after a command, in either order."""

    # -- names (names.py)
    @abstractmethod
    def read_name(self) -> tuple[str, bool]:
        """Letters, Greek, accents and fonts -> (name, bold)."""

    @abstractmethod
    def symbol_value(self, name: str, sub: str | None = None, bold: bool = False) -> Value:
        """The value a name stands for: a scalar, an entry, a vector or a matrix."""

    @abstractmethod
    def size(self, name: str) -> sp.Symbol:
        """The size symbol `name` (n, d, …), one per input."""

    # -- calls (calls.py)
    @abstractmethod
    def is_function(self, name: str, fname: str, font: str | None) -> bool:
        """Whether `name(` opens a call."""

    @abstractmethod
    def call(self, fname: str, base_name: str, primes: int, t: Token) -> Value:
        """`f(a, b)`, `\\sigma(z)`, `f'(x)`."""

    @abstractmethod
    def parenthesised(self, keep: bool = False) -> Value:
        """`(…)` or `\\left(…\\right)` as one value (a vector one whole with `keep`)."""

    @abstractmethod
    def call_arguments_in_parentheses(self, t: Token) -> list[Value]:
        """`(a, b)` after a name that needs it (`\\gcd(a, b)`)."""

    # -- operator names (operators.py)
    @abstractmethod
    def starts_operator(self, t: Token, at: int | None = None) -> bool:
        """Whether t applies to what follows (`\\sin`, `\\log`, `\\sum`, `\\frac{d}{dx}`)."""

    @abstractmethod
    def apply_operator(self, t: Token, fn: Callable[..., Value], power: Value = None) -> Value:
        """fn applied to the argument that follows the name at t (parenthesised or juxtaposed)."""

    @abstractmethod
    def floor_ceiling(self, t: Token) -> Value:
        """`\\lfloor x \\rfloor`, `\\lceil x \\rceil`."""

    @abstractmethod
    def integer_call(self, name: str, args: list[Value], spelled: str) -> Value:
        """gcd or lcm of the arguments."""

    @abstractmethod
    def pending_application(self) -> Applied | None:
        """The juxtaposed application that ends at the current token, if any (taken)."""

    @abstractmethod
    def state_application(self, app: Applied | None) -> None:
        """State the reading of an application that ends a product, when it was a judgment call."""

    @abstractmethod
    def state_product(self, app: Applied | None, op: Token | None, rhs: Value, after: Token) -> None:
        """State the reading of an application followed by another factor (`\\sin 2x \\cos x`)."""

    # -- derivatives (derivatives.py)
    @abstractmethod
    def is_derivative_operator(self) -> bool:
        """Whether the `\\frac` at hand is `\\frac{d}{dx}` or `\\frac{\\partial L}{\\partial w}`."""

    @abstractmethod
    def derivative_operator(self, t: Token) -> Value:
        """`\\frac{d}{dx} …`, `\\frac{\\partial^2 f}{\\partial x \\partial y}`."""

    @abstractmethod
    def take_d(self) -> None:
        """Take a `d`, `\\mathrm{d}` or `\\partial`."""

    @abstractmethod
    def factor_no_power(self) -> Value:
        """A variable after d or ∂, without its power (the order)."""

    # -- vectors and matrices of names (tensors.py)
    @abstractmethod
    def range_of(self, letter: str) -> sp.Basic | None:
        """The size an index letter runs up to (its sum's bound, or a size of the statement)."""

    @abstractmethod
    def vector_named(self, name: str) -> Tensor:
        """The vector `name` (entries name[j])."""

    @abstractmethod
    def matrix_named(self, name: str) -> Tensor:
        """The matrix `name` (entries name[r, c])."""

    @abstractmethod
    def sample_row(self, name: str, index: sp.Basic, label: str) -> Tensor:
        """`x_i`: the i-th row of the data x."""

    @abstractmethod
    def matrix_row(self, matrix: str, index: sp.Basic, label: str) -> Tensor:
        """`w_k` of the argument W: the k-th row of W."""

    @abstractmethod
    def entry(self, name: str, letters: list[str]) -> sp.Indexed:
        """`y_i`, `x_{ij}` inside sums, with the ranges of the indices recorded."""

    @abstractmethod
    def argument_rows(self, name: str) -> str | None:
        """The matrix argument whose rows `name_k` stands for, else None."""

    @abstractmethod
    def as_vector(self, v: Value, product: str | tuple[str, str], subscripted: bool = True,
                  after: bool = False) -> Tensor | None:
        """v as a vector where an operation needs one, else None."""

    @abstractmethod
    def as_matrix(self, v: Value, product: str | tuple[str, str] | None) -> Tensor | None:
        """v as a matrix where an operation needs one, else None."""

    @abstractmethod
    def infer_product(self, a: Value, b: Value) -> tuple[Value, Value]:
        """The kinds a product a·b needs (`W x`: a matrix and a vector)."""

    @abstractmethod
    def promote(self, symbol: sp.Symbol, like: Tensor) -> Tensor:
        """A plain name added to a tensor, as a tensor of its shape (`I`: the identity)."""

    @abstractmethod
    def ones(self, value: int, size: sp.Basic | None) -> Tensor:
        """`\\mathbf{1}`, `\\mathbf{0}`."""

    @abstractmethod
    def same(self, a: sp.Basic, b: sp.Basic, message: str) -> None:
        """Unify two sizes; a ValueError naming both when they differ."""

    # -- operations on vectors and matrices (matrixops.py)
    @abstractmethod
    def matrix_operator(self, name: str) -> str | None:
        """The operation a function name means (`tr` -> "trace"), else None."""

    @abstractmethod
    def matrix_call(self, op: str, t: Token) -> Value:
        """The operation applied to the argument that follows."""

    @abstractmethod
    def inverse(self, base: Tensor, caret: Token) -> Tensor:
        """X^{-1}: the entries of Inverse(X) of a name, else a matrix of its own (stated)."""

    @abstractmethod
    def entry_after(self, value: Value) -> Value:
        """The entry a subscript after a vector-valued call picks (`softmax(z)_k`)."""

    @abstractmethod
    def hadamard(self, a: Value, op: Token) -> Value:
        """a ⊙ b, a ⊘ b with b read after the operator at op."""

    @abstractmethod
    def apply_entrywise(self, fn: Callable[..., Value], arg: Value, power: Value = None) -> Value:
        """fn(arg), entry by entry on a vector or a matrix."""

    @abstractmethod
    def wrap(self, fn: Callable[[], Value], tok: Token) -> Value:
        """fn(), a shape error as a ParseError at tok."""

    @abstractmethod
    def tensor_argument(self, t: Token) -> Value:
        """The argument after an operator name, a vector or a matrix kept as one."""

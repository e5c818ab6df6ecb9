"""Superscripts and subscripts: powers, transposes (`^T`, `^\\top`), iteration labels
(`\\theta^{(t)}`), factorials, and the arguments of `^` and `_` as values or as name suffixes."""
from __future__ import annotations

import re

import sympy as sp

from symderiv.ml import notation as N
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor, multiply
from symderiv.parsing.reading_phrases import said
from symderiv.parsing.symbols import Value, index_symbol, indexed_base, number, real, subscript_name

MAX_POWER_BITS = 20_000   # a literal power a**b with more bits than this is refused, not computed


_MAX_MATRIX_POWER = 8       # A^k for k ≤ 8 as a product; larger powers are not what a loss writes

class ScriptsMixin(Grammar):
    """`^` and `_` after a value or a command, and `!`."""

    def postfix(self, base: Value) -> Value:
        powered = False
        while True:
            t = self.tok
            if t.is_("punct", "^"):
                if powered:  # LaTeX refuses x^a^b too; a chain of them would nest without bound
                    raise self.error("double superscript: write x^{a^{b}} or {x^{a}}^{b}", t)
                powered = True
                self.take()
                base = self.superscript(base, t)
            elif t.is_("punct", "!"):
                self.take()
                base = self._factorial(base, t)
            elif t.is_("punct", "_") and isinstance(base, Tensor):
                raise self.error("subscripts on a vector expression are not supported", t)
            else:
                return base

    def _factorial(self, base: Value, t: Token) -> Value:
        """`n!`, `(x + 1)!`, `(x!)!`; `x!!` (a double factorial?) and large numbers are refused."""
        if self.tok.is_("punct", "!"):
            raise self.error("`!!` is ambiguous (a double factorial, or a factorial twice?): "
                             "write (x!)! for the factorial of a factorial", t)
        if isinstance(base, Tensor) or not isinstance(base, sp.Expr):
            raise self.error("a factorial needs a number or a scalar", t)
        if base.is_number and not (isinstance(base, sp.Integer) and 0 <= base <= 20):
            raise self.error("factorials of numbers above 20 are refused (too large)" if isinstance(
                base, sp.Integer) and base > 20 else "a factorial of this number is not defined here", t)
        return sp.factorial(base)

    def superscript(self, base: Value, caret: Token) -> Value:
        """What follows `^`: a transpose, an iteration label `(t)`, or an exponent."""
        if isinstance(base, sp.Tuple):
            raise self.error("a list (a, b, …) cannot be raised to a power", caret)
        if self._transpose_len():
            return self._transposed(base, caret)
        label = self._superscript_label(base)
        if label is not None:
            return self._labelled(base, label)
        exponent = self.script_value()
        if isinstance(exponent, Tensor) and base == sp.E:
            return exponent.map(sp.exp)   # e^{Xθ}: entry by entry
        if isinstance(exponent, Tensor):
            raise self.error("an exponent cannot be a vector", caret)
        if isinstance(base, Tensor):
            return self._tensor_power(base, exponent, caret)
        if base == sp.E:
            return sp.exp(exponent)
        if too_large(base, exponent):
            raise self.error("this power is too large a number to compute", caret)
        return sp.Pow(base, exponent)

    def _transposed(self, base: Value, caret: Token) -> Value:
        self._take_transpose()
        if isinstance(base, Tensor):
            return base.transpose()
        if isinstance(base, (sp.Symbol, sp.Indexed)):
            raise self.error("`^T` on a scalar: transposes need vectors or matrices", caret)
        return base  # the transpose of a scalar is itself

    def _superscript_label(self, base: Value) -> str | None:
        """`^{(t)}` / `^(i)` after a name: the label (taken), not a power; else None."""
        t = self.tok
        if t.is_("punct", "{") and self.peek().is_("punct", "(") and isinstance(base, (sp.Symbol, sp.Indexed, Tensor)):
            close = self.closing(self.n + 1)
            if close + 1 < len(self.t) and self.t[close + 1].is_("punct", "}"):
                label = self.source[self.t[self.n + 1].end:self.t[close].pos].strip()
                for _ in range(close + 2 - self.n):
                    self.take()
                return label
        if t.is_("punct", "(") and isinstance(base, (sp.Symbol, sp.Indexed)):
            close = self.closing(self.n)
            label = self.source[self.t[self.n].end:self.t[close].pos].strip()
            for _ in range(close + 1 - self.n):
                self.take()
            return label
        return None

    def _tensor_power(self, base: Tensor, exponent: Value, caret: Token) -> Value:
        """A^{-1} (the inverse, matrixops.py) and v^2 (v^T v); nothing else."""
        if exponent == -1 and base.kind == "mat":
            return self.inverse(base, caret)
        if exponent == 2 and base.rank == 1:
            col = base if base.kind == "col" else base.transpose()
            return multiply(col.transpose(), col, self.r.ix, self.r.dims)
        if base.kind == "mat" and isinstance(exponent, sp.Integer) and 2 <= exponent <= _MAX_MATRIX_POWER:
            # X^3 = XXX, a product of square matrices (the sizes of a non-square X refuse it)
            self.r.reading(said("matrix_power", power=f"{base.label}^{exponent}", k=str(exponent), name=base.label))
            out: Value = base
            try:
                for _ in range(int(exponent) - 1):
                    out = multiply(out, base, self.r.ix, self.r.dims)
            except ValueError as exc:
                raise self.error(f"a power of a matrix needs a square matrix ({exc})", caret) from None
            return out
        raise self.error("powers of vectors or matrices are not supported (only A^{-1}, v^2 and A^2, A^3, …)", caret)

    def _labelled(self, base: Value, label: str) -> Value:
        if isinstance(base, sp.Symbol):
            if re.fullmatch(r"[a-z]", label) and self.is_bound(label):
                return indexed_base(base.name)[index_symbol(label)]
            return real(f"{base.name}^{{({label})}}")
        raise self.error("a parenthesised superscript must follow a plain symbol")

    def _transpose_len(self) -> int:
        t, a = self.tok, self.peek()
        if t.is_("letter", "T") or t.is_("cmd", "top") or t.is_("cmd", "intercal") \
                or (t.is_("cmd", "mathsf") and self.peek(2).is_("letter", "T")):
            return 1
        if t.is_("punct", "{") and (a.is_("letter", "T") or a.is_("cmd", "top") or a.is_("cmd", "intercal")) \
                and self.peek(2).is_("punct", "}"):
            return 3
        return 0

    def _take_transpose(self) -> None:
        if self.tok.is_("cmd", "mathsf"):
            self.take()
            self.take()
            self.take()
            self.take()
            return
        for _ in range(self._transpose_len()):
            self.take()

    def script_value(self) -> Value:
        """The value of a `^`/`_` argument: a braced group or one token (`x^2`, `x^23` = x²·3)."""
        t = self.tok
        if t.is_("punct", "{"):
            self.take()
            if self.tok.is_("punct", "}"):
                raise self.error("an empty group `{}` has no value")
            value = self.expression()
            self.expect("punct", "}")
            return value
        if t.kind == "num":
            return self.first_digit()
        if t.kind == "letter":
            self.take()
            return self.symbol_value(t.text)
        if t.kind == "cmd":
            if t.text in N.GREEK:
                self.take()
                return self.symbol_value(t.text)
            if t.text == "infty":
                self.take()
                return sp.oo
            return self.atom()
        if t.is_("punct", "-"):
            self.take()
            return -self.script_value()
        raise self.error("a superscript or subscript is missing here")

    def first_digit(self) -> Value:
        t = self.take()
        if len(t.text) > 1 and "." not in t.text:
            self.n -= 1
            self.t[self.n] = Token("num", t.text[1:], t.pos + 1, t.end)
            return sp.Integer(t.text[0])
        return number(t.text)

    def script_text(self) -> str:
        """A subscript as a name suffix: `_i`, `_{ij}`, `_\\theta`, `_{KL}`, `_{t+1}`."""
        t = self.tok
        if t.is_("punct", "{"):
            return subscript_name(self.raw_group_text())
        if t.kind == "num":
            v = self.first_digit()
            return str(v)
        if t.kind == "letter":
            self.take()
            return t.text
        if t.kind == "cmd" and t.text in N.GREEK:
            self.take()
            return t.text
        if t.kind == "cmd" and (t.text in N.FONTS or t.text in N.ACCENTS):
            self.take()
            inner = self.raw_group_text()
            return subscript_name(inner)
        raise self.error("a subscript is missing here")

    def raw_group_text(self) -> str:
        t = self.tok
        if t.is_("punct", "{"):
            close = self.closing(self.n)
            text = self.source[t.end:self.t[close].pos]
            self.n = close + 1
            return text.strip()
        if t.kind in ("letter", "num"):
            self.take()
            return t.text
        if t.kind == "cmd":
            self.take()
            return "\\" + t.text
        raise self.error("a group `{…}` is missing here")

    def scripts(self) -> tuple[Value, Value]:
        """(subscript, superscript) values after a command, in either order (`\\log_2`, `\\int_0^1`)."""
        sub = sup = None
        for _ in range(2):
            if self.tok.is_("punct", "_"):
                self.take()
                sub = self.script_value()
            elif self.tok.is_("punct", "^"):
                self.take()
                sup = self.script_value()
        return sub, sup


def too_large(base: Value, exponent: Value) -> bool:
    """Whether the number base**exponent would have more than MAX_POWER_BITS bits."""
    if not (isinstance(base, sp.Rational) and isinstance(exponent, sp.Rational)):
        return False
    if abs(base.p) <= 1 and base.q == 1:
        return False
    return bool(abs(exponent) * max(abs(base.p), base.q).bit_length() > MAX_POWER_BITS)


"""Names: letters, Greek letters, accents (`\\hat{y}` -> yhat) and fonts (`\\mathbf{x}` is a
vector), read as a scalar, an entry (`x_i` under a sum over i is x[i]), a vector, a matrix or
the head of a call."""
from __future__ import annotations

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.reading_phrases import said
from symderiv.parsing.symbols import (
    INDEX_LETTERS,
    Value,
    font_name,
    index_letters,
    index_symbol,
    indexed_base,
    real,
)


class NamesMixin(Grammar):
    """Names and the values they stand for."""

    def named(self, first: str, t: Token) -> Value:
        """A symbol, an indexed quantity, a vector, or a function call, from a name."""
        if t.kind == "cmd" and t.text in N.FONTS and not self._font_holds_name():
            return self._font_expression(t)
        name, bold = self.read_name()
        sub = self._subscript()
        primes = 0
        if self.tok.kind == "prime":
            primes = int(self.take().text)
            sub = sub if sub is not None else self._subscript()   # y''_1 is y_1''
        # a call: known function, declared head, \sigma(, f(, \ell(, h_\theta(
        if self.tok.is_("punct", "(") or (self.tok.is_("cmd", "left") and self.peek().is_("punct", "(")):
            fname = f"{name}_{sub}" if sub else name
            if self.is_function(name, fname, t.text if t.kind == "cmd" else None):
                return self.call(fname, name, primes, t)
        if primes:
            return self._primed_name(name, sub, bold, primes)  # x' is another point, not a derivative
        if sub is None and self._font_operator(t, name):
            return self._operator_by_name(t, name)
        op = self.matrix_operator(name) if sub is None and t.kind == "cmd" and t.text in N.FONTS \
            and t.text not in N.BOLD_FONTS and len(name) > 1 else None
        if op is not None:
            return self.matrix_call(op, t)   # `\operatorname{tr}` with no argument: refused there
        if name == "e" and sub is None and not bold:
            return sp.E
        if name == "pi" and sub is None:
            return sp.pi
        return self.symbol_value(name, sub, bold)

    def _subscript(self) -> str | None:
        if not self.tok.is_("punct", "_"):
            return None
        self.take()
        return self.script_text()

    def _primed_name(self, name: str, sub: str | None, bold: bool, primes: int) -> Value:
        """`y'`, `y_1''` (the subscript kept: y_1'' and y_2'' are two names), `x_i'` under a sum."""
        marks = "'" * primes
        value = self.symbol_value(name, sub, bold) if sub is not None else real(name)
        if isinstance(value, sp.Indexed):
            return indexed_base(str(value.base.label) + marks)[value.indices]
        if isinstance(value, sp.Symbol):
            return real(value.name + marks)
        return real(f"{name}_{sub}{marks}")

    # -- font commands: a name, an operator name, or mathematics in a font
    def _font_holds_name(self) -> bool:
        """Whether the font command at hand holds a name (`\\mathrm{loss}`, `\\mathbf{\\theta}`,
        `\\mathbf{\\hat{y}}`) rather than mathematics (`\\mathit{x + y}`, `\\mathbf{0}`)."""
        first = self.peek()
        if not first.is_("punct", "{"):
            return first.kind == "letter" or (first.kind == "cmd" and first.text in N.GREEK)
        close = self.closing(self.n + 1)
        inner = [tk for tk in self.t[self.n + 2:close] if not (tk.kind == "cmd" and tk.text in N.IGNORED)]
        if not inner:
            return True  # `\\mathrm{}`: read_name says it is empty
        if inner[0].kind == "cmd" and (inner[0].text in N.ACCENTS or inner[0].text in N.FONTS):
            return True
        return inner[0].kind != "num" and all(
            tk.kind in ("letter", "num") or (tk.kind == "cmd" and tk.text in N.GREEK) for tk in inner)

    def _font_expression(self, t: Token) -> Value:
        """`\\mathit{x + y}` is x + y: what a font command holds, read as mathematics. In bold,
        `\\mathbf{1}` and `\\mathbf{0}` are the vectors of ones and zeros; any other bold
        mathematics is refused (bold marks a vector name: write \\mathbf{x} + \\mathbf{y})."""
        if t.text in N.BOLD_FONTS or (t.text == "mathbb" and self._holds_one()):
            return self._bold_constant(t)   # \mathbb{1}: the vector of ones too
        self.take()
        if not self.tok.is_("punct", "{"):
            return self.atom()
        open_tok = self.take()
        value = self.expression()
        if self.tok.kind == "end":
            raise ParseError("'{' is never closed", self.source, open_tok.pos)
        self.expect("punct", "}")
        return value

    def _holds_one(self) -> bool:
        nxt = self.peek()
        return nxt.is_("num", "1") or (nxt.is_("punct", "{") and self.peek(2).is_("num", "1")
                                       and self.peek(3).is_("punct", "}"))

    def _bold_constant(self, t: Token) -> Value:
        self.take()
        braced = self.tok.is_("punct", "{")
        digit = self.peek() if braced else self.tok
        closed = not braced or self.peek(2).is_("punct", "}")
        if not (digit.kind == "num" and digit.text in ("0", "1") and closed):
            raise self.error(f"\\{t.text} marks a vector name; write it on each name "
                             f"(\\{t.text}{{x}} + \\{t.text}{{y}})", t)
        for _ in range(3 if braced else 1):
            self.take()
        size = None
        if self.tok.is_("punct", "_"):   # \mathbf{1}_n
            sub_tok = self.take()
            value = self.script_value()
            if not isinstance(value, (sp.Symbol, sp.Integer)):
                raise self.error("the length of \\mathbf{1} is a letter or a number: \\mathbf{1}_n", sub_tok)
            size = self.r.dims.written(value)
        return self.ones(int(digit.text), size)

    def _font_operator(self, t: Token, name: str) -> bool:
        """`\\operatorname{erf} x`, `\\mathrm{sgn}\\,x`: an operator name before its argument."""
        if t.kind != "cmd" or t.text not in N.FONTS or t.text in N.BOLD_FONTS:
            return False
        if t.text != "operatorname" and not (len(name) > 1 and (
                name.lower() in N.ML_NAMED or name.lower() in N.MATRIX_OPERATORS)):
            return False
        self.skip_ignored()
        return self.starts_factor(self.tok) and not self.tok.is_("punct", "{")

    def _operator_by_name(self, t: Token, name: str) -> Value:
        op = self.matrix_operator(name)
        if op is not None:
            return self.matrix_call(op, t)
        known = N.ML_NAMED.get(name.lower()) if len(name) > 1 else None
        if known is None:
            self.r.reading(said("undefined_function", src=f"\\{t.text}{{{name}}}", name=name))
            return self.apply_operator(t, sp.Function(name))
        return self.apply_operator(t, known)

    def read_name(self) -> tuple[str, bool]:
        """Letters, Greek, accents and fonts -> (name, bold). `\\hat{y}` -> yhat."""
        t = self.take()
        if t.kind == "letter":
            return t.text, False
        name = t.text
        if name in N.GREEK:
            return name, False
        if name in N.ACCENTS:
            inner = self._accent_inner()
            return inner + N.ACCENTS[name], False
        if name in N.FONTS:
            return self._font_name(t)
        raise self.error(f"unexpected \\{name}", t)

    def _font_name(self, t: Token) -> tuple[str, bool]:
        """The name a font command holds; an accent or a font inside is read as a name again."""
        bold = t.text in N.BOLD_FONTS
        if self.tok.is_("punct", "{") and self.peek().kind == "cmd" and (
                self.peek().text in N.ACCENTS or self.peek().text in N.FONTS):
            self.take()
            inner, inner_bold = self.read_name()
            self.expect("punct", "}")
            return inner, bold or inner_bold
        inner = font_name(self.raw_group_text())
        if not inner:
            raise self.error("an empty name", t)
        return inner, bold

    def _accent_inner(self) -> str:
        """The name under an accent: `\\hat y`, `\\hat{y}`, `\\hat{\\theta}`, `\\hat{y_i}`."""
        t = self.tok
        if t.is_("punct", "{"):
            self.take()
            nxt = self.tok
            if nxt.kind == "letter" or (nxt.kind == "cmd" and (
                    nxt.text in N.GREEK or nxt.text in N.FONTS or nxt.text in N.ACCENTS)):
                inner, _ = self.read_name()
            else:
                raise self.error("an accent must be put on a letter")
            if self.tok.is_("punct", "_"):
                # \hat{y_i}: the subscript inside the accent
                self.take()
                sub = self.script_text()
                self.expect("punct", "}")
                self.pending_sub = sub
                return f"{inner}"
            self.expect("punct", "}")
            return inner
        if t.kind == "letter" or (t.kind == "cmd" and t.text in N.GREEK):
            self.take()
            return t.text
        raise self.error("an accent must be put on a letter")

    def symbol_value(self, name: str, sub: str | None = None, bold: bool = False) -> Value:
        """A scalar `x`, an entry `x[i]` (bound index, or an entry of a known vector), a sample's
        row `x_i` (a vector), a row `w_k` of the argument W, Kronecker's δ_{kl}, a bold or known
        vector, or a matrix."""
        pending = self.pending_sub
        if pending is not None and sub is None:
            sub = pending
        self.pending_sub = None
        if sub is not None:
            return self._subscripted(name, sub, bold)
        r = self.r
        if name in r.matrices or (bold and name[:1].isupper()):
            return self.matrix_named(name)
        if name in r.vectors or (bold and name[:1].islower()):
            return self.vector_named(name)
        if self.matrix_context and self.as_matrix(real(name), None) is not None:
            return self.matrix_named(name)
        return real(name)

    def _subscripted(self, name: str, sub: str, bold: bool) -> Value:
        letters = index_letters(sub)
        if name == "delta" and len(letters) == 2 and all(c.isalpha() for c in letters):
            return sp.KroneckerDelta(index_symbol(letters[0]), index_symbol(letters[1]))  # δ_{kl}
        one = letters[0] if len(letters) == 1 and letters[0].isalpha() else None
        if one is not None and (one in INDEX_LETTERS or self.is_bound(one)):
            matrix = self.argument_rows(name)
            if matrix is not None:
                spelled = f"{name}_{sub}"
                if not any(r.startswith(f"read {name}_") and r.endswith(f"row of {matrix}") for r in self.r.readings):
                    self.r.reading(said("matrix_row", row=spelled, i=one, matrix=matrix))
                return self.matrix_row(matrix, index_symbol(one), spelled)
            if name in self.r.row_vectors:
                return self.sample_row(name, index_symbol(one), f"{name}_{sub}")
        bound = [c for c in letters if self.is_bound(c)] if letters else []
        if bound:
            return self.entry(name, letters)
        is_vec = name in self.r.vectors or (bold and name[:1].islower())
        if is_vec and one is not None and one in INDEX_LETTERS:
            # θ_j outside a sum: the j-th entry of the vector θ
            return self.entry(name, [one])
        return real(f"{name}_{sub}")

    def size(self, name: str) -> sp.Symbol:
        """The size the user wrote as `name` (`n` in `\\sum_{i=1}^{n}`)."""
        value = self.r.dims.written(sp.Symbol(name))
        assert isinstance(value, sp.Symbol)
        return value

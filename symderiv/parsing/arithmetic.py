"""Operators and products: signed sums of terms, products written with `\\cdot`, `/` or side by
side (juxtaposition), series with `\\cdots`, fractions, roots and binomials."""
from __future__ import annotations

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.core.order import remember
from symderiv.ml import notation as N
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor, add, multiply, scale
from symderiv.parsing.matrixops import HADAMARD
from symderiv.parsing.sizes import WEAK
from symderiv.parsing.symbols import ELLIPSIS, Value, indexed_base, size_symbol
from symderiv.parsing.tensors import PARAMETER_VECTORS

MAX_BINOMIAL = 1000
REL_CMDS = {"le", "leq", "ge", "geq", "ne", "neq", "lt", "gt", "approx", "coloneqq", "equiv",
            "triangleq", "leqslant", "geqslant", "in", "to", "mapsto", "Rightarrow", "implies"}
_STOP_CMDS = {"right", "end", "mid", "rangle", "rVert", "rvert", "\\", "cr", "pm", "mp", "rfloor",
              "rceil"} | REL_CMDS | set(HADAMARD)
_TEXT_WORDS = ("if", "otherwise", "else", "for", "where", "and", "or", "when")

Term = tuple[Token, Value]
"""A term of a sum and the token before it (its sign, or its first token)."""


class ArithmeticMixin(Grammar):
    """Sums, products, fractions, roots and binomials."""

    # -- sums
    def expression(self) -> Value:
        self.skip_ignored()
        t = self.tok
        sign = 1
        if t.is_("punct", "+"):
            self.take()
        elif t.is_("punct", "-"):
            self.take()
            sign = -1
        if self.tok.kind == "end" or (self.tok.kind == "punct" and self.tok.text in ")]},=+-"):
            raise self.error("an operand is missing here")
        value = self.term()
        if sign < 0:
            value = scale(sp.Integer(-1), value)
        terms = [(t, value)]
        while True:
            self.skip_ignored()
            t = self.tok
            if t.is_("punct", "+") or t.is_("punct", "-"):
                terms.append((t, self._signed_term(t)))
            elif t.is_("cmd", "pm") or t.is_("cmd", "mp"):
                raise self.error("`\\pm` stands for two formulas; write one of them")
            else:
                return self._sum_terms(terms)

    def _signed_term(self, op: Token) -> Value:
        """The term after a `+` or `-` (negated after `-`)."""
        self.take()
        self.skip_ignored()
        nxt = self.tok
        if nxt.kind == "end" or (nxt.kind == "punct" and nxt.text in ")]}=+-*/^_,&"):
            raise self.error("an operand is missing after this operator", op)
        rhs = self.term()
        if op.text == "-":
            rhs = scale(sp.Integer(-1), rhs)
        return rhs

    def _sum_terms(self, terms: list[Term]) -> Value:
        """Add the terms at once (pairwise Add is quadratic); tensors are added pairwise."""
        if any(v == ELLIPSIS for _, v in terms):
            terms = self._sum_series(terms)
        if len(terms) > 1 and not any(isinstance(v, (Tensor, sp.Tuple)) for _, v in terms):
            value = sp.Add(*[v for _, v in terms])
            remember(value, [v for _, v in terms])      # printed in the order written (core/order.py)
            if value is sp.nan:
                raise self.error("this is undefined (∞ − ∞)", terms[0][0])
            return value
        value = terms[0][1]
        for tok, rhs in terms[1:]:
            value = self._add(value, rhs, tok)
        return value

    def _sum_series(self, terms: list[Term]) -> list[Term]:
        """`x_1 + x_2 + \\cdots + x_n` -> Sum(x[m], (m, 1, n)) among the other terms."""
        at = next(n for n, (_, v) in enumerate(terms) if v == ELLIPSIS)
        if at == 0 or at == len(terms) - 1:
            raise self.error("write a series as a_1 + a_2 + \\cdots + a_n", terms[at][0])
        last = terms[at + 1][1]
        m = self.r.ix.fresh()
        for first in range(at):
            if generalize(terms[first][1], last, m) is not None:
                entry, upper = self.series([terms[first][1], ELLIPSIS, last], m, terms[at][0])
                series = (terms[first][0], sp.Sum(entry, (m, 1, upper)))
                return [*terms[:first], series, *terms[at + 2:]]
        raise self.error("cannot tell what \\cdots stands for here: write its first and last "
                         "terms with subscripts 1 and n", terms[at][0])

    def series(self, items: list[Value], k: sp.Symbol, tok: Token) -> tuple[Value, Value]:
        """`a_1, a_2, \\cdots, a_m` -> (a_k, m), checked against the last item."""
        at = items.index(ELLIPSIS)
        if at == 0 or at != len(items) - 2:
            raise self.error("write a series as a_1, a_2, \\cdots, a_n", tok)
        found = generalize(items[0], items[-1], k)
        if found is None:
            raise self.error("cannot tell what \\cdots stands for here: write its first and last "
                             "terms with subscripts 1 and n", tok)
        entry, upper = found
        if isinstance(upper, sp.Symbol):
            upper = self.size(upper.name)
        return entry, upper

    def _add(self, a: Value, b: Value, tok: Token) -> Value:
        if isinstance(a, sp.Tuple) or isinstance(b, sp.Tuple):
            raise self.error("a list (a, b, …) cannot be added", tok)
        try:
            a, b = self._promote_scaled(a, b), self._promote_scaled(b, a)
            a, b = self._promoted(a, b), self._promoted(b, a)
            value = add(a, b, self.r.dims)
        except ValueError as exc:
            raise self.error(str(exc), tok) from None
        if value is sp.nan:
            raise self.error("this is undefined (∞ − ∞)", tok)
        return value

    def _promoted(self, value: Value, other: Value) -> Value:
        """`X\\theta - y`: a name (or its negation) added to a tensor is a tensor of that shape;
        a sample `y_i` added to a row `\\hat{y}_i` is the i-th row of y."""
        if not isinstance(other, Tensor) or isinstance(value, Tensor):
            return value
        if isinstance(value, sp.Symbol) and not value.is_integer:
            return self.promote(value, other)
        if _is_negated_symbol(value):
            return self.promote(value.args[1], other).map(lambda e: -e)
        if other.kind == "col":
            sign = -1 if isinstance(value, sp.Mul) and len(value.args) == 2 and value.args[0] == -1 else 1
            row = self.as_vector(value.args[1] if sign < 0 else value, f"{value} + {other.label}")
            if row is not None:
                return row.map(lambda e: sign * e)
        return value

    def _promote_scaled(self, value: Value, other: Value) -> Value:
        """`\\lambda I` next to a matrix, `2y` next to a vector: scale times a promoted symbol."""
        if isinstance(other, Tensor) and isinstance(value, sp.Mul):
            syms = [f for f in sp.Mul.make_args(value) if isinstance(f, sp.Symbol) and (
                f.name == "I" or f.name.startswith("I_") or (other.kind != "mat" and f.name[:1].islower()))]
            if len(syms) == 1:
                sym = syms[0]
                factor = value / sym
                if not factor.has(sym):
                    scaled = self.promote(sym, other).map(lambda e: factor * e)
                    return Tensor(scaled.kind, scaled.dims, scaled.entry, f"{sp.sstr(factor)} {sym.name}")
        return value

    # -- products
    def term(self) -> Value:
        value = self.factor()
        while True:
            self.skip_ignored()
            t = self.tok
            app = self.pending_application()   # `\sin 2x` just read: its reading depends on what follows
            if t.is_("cmd", "cdot") or t.is_("cmd", "times") or t.is_("punct", "*") or t.is_("cmd", "ast"):
                self.take()
                self._operand_follows(t)
                after = self.tok
                rhs = self.factor()
                value = self.mul(value, rhs, t, explicit=True)
                self.state_product(app, t, rhs, after)
            elif t.is_("punct", "/") or t.is_("cmd", "div"):
                self.take()
                self._operand_follows(t)
                after = self.tok
                rhs = self.factor()
                if isinstance(rhs, Tensor):
                    raise self.error("cannot divide by a vector", t)
                if isinstance(rhs, sp.Tuple) or not isinstance(rhs, sp.Expr):
                    raise self.error("cannot divide by a list of values", t)
                if rhs == 0:
                    raise self.error("division by zero", t)
                value = self.mul(value, sp.Pow(rhs, -1), t)
                self.state_product(app, t, rhs, after)
            elif t.kind == "cmd" and t.text in HADAMARD:
                value = self.hadamard(value, t)
            elif self.starts_factor(t):
                rhs = self.factor()
                value = self.mul(value, rhs, t)
                self.state_product(app, None, rhs, t)
            else:
                self.state_application(app)
                return value

    def _operand_follows(self, op: Token) -> None:
        self.skip_ignored()
        t = self.tok
        if t.kind == "end" or (t.kind == "punct" and t.text in ")]}=+*/^_,&"):
            raise self.error("an operand is missing after this operator", op)

    def mul(self, a: Value, b: Value, tok: Token, explicit: bool = False) -> Value:
        if isinstance(a, sp.Tuple) or isinstance(b, sp.Tuple):
            raise self.error("a list (a, b, …) cannot be multiplied", tok)
        try:
            a, b = self.infer_product(a, b)
            if isinstance(a, Tensor) and isinstance(b, Tensor) and a.kind == "mat" and b.kind == "col" \
                    and b.label in PARAMETER_VECTORS | self.r.head_args:
                self.r.dims.hint(a.dims[0], "n", WEAK)   # Xθ: the rows of X are the samples
            return multiply(a, b, self.r.ix, self.r.dims)
        except ValueError as exc:
            raise self.error(str(exc), tok) from None

    def starts_factor(self, t: Token) -> bool:
        if t.kind in ("letter", "num"):
            return True
        if t.kind == "punct":
            if t.text in ("(", "[", "{"):
                return True
            if t.text == "|":
                return self.abs_depth == 0
            return False
        if t.kind == "cmd":
            return self._command_starts_factor(t)
        return False

    def _command_starts_factor(self, t: Token) -> bool:
        if t.text in _STOP_CMDS or t.text in ("cdot", "times", "div", "ast", "pm", "mp"):
            return False
        if t.text == "|":
            return self.norm_depth == 0 and not self._norm_is_separator()
        if t.text == "left":
            nxt = self.peek()
            return not (nxt.is_("punct", "|") and self.abs_depth) and not (nxt.is_("cmd", "|") and self.norm_depth)
        return not (t.text in ("text", "mathrm") and self._is_text_word())

    def _norm_is_separator(self) -> bool:
        """Inside call arguments, `\\|` separates (KL(P \\| Q)) unless it opens a closed norm."""
        if not self.arg_depth:
            return False
        m = self.n + 1
        while m < len(self.t):
            tk = self.t[m]
            if tk.is_("cmd", "|"):
                return False
            if tk.is_("punct", ")") or tk.is_("punct", ","):
                return True
            m += 1
        return True

    def _is_text_word(self) -> bool:
        """`\\text{if}`, `\\text{otherwise}`: words of a cases row, not symbols."""
        if not self.peek().is_("punct", "{"):
            return False
        m = self.n + 2
        words = []
        while m < len(self.t) and self.t[m].kind == "letter":
            words.append(self.t[m].text)
            m += 1
        return "".join(words).lower() in _TEXT_WORDS

    def factor(self) -> Value:
        self.skip_ignored()
        t = self.tok
        if t.is_("punct", "-"):
            self.take()
            return scale(sp.Integer(-1), self.factor())
        if t.is_("punct", "+"):
            self.take()
            return self.factor()
        value = self.postfix(self.atom())
        if isinstance(value, sp.Basic) and value.has(sp.zoo, sp.nan):
            raise self.error("this is undefined (a division by zero, a log of 0, or ∞ − ∞)", t)
        return value

    # -- fractions, roots, binomials
    def frac(self, t: Token) -> Value:
        self.take()
        if self.is_derivative_operator():
            return self.derivative_operator(t)
        num = self.frac_argument(t)
        den = self.frac_argument(t)
        if isinstance(den, Tensor):
            raise self.error("cannot divide by a vector", t)
        if den == 0:
            raise self.error("division by zero", t)
        return scale(sp.Pow(den, -1), num)

    def frac_argument(self, t: Token) -> Value:
        """`{…}`, or one digit, letter or Greek letter (`\\frac12`, `\\frac1n`)."""
        if self.tok.is_("punct", "{"):
            open_tok = self.take()
            if self.tok.is_("punct", "}"):
                raise self.error("\\frac has an empty part", open_tok)
            value = self.expression()
            if not self.tok.is_("punct", "}"):
                if self.tok.kind == "end":
                    raise ParseError("'{' is never closed", self.source, open_tok.pos)
                raise self.error("expected '}'")
            self.take()
            return value
        if self.tok.kind == "num":
            return self.first_digit()
        if self.tok.kind == "letter" or (self.tok.kind == "cmd" and self.tok.text in N.GREEK):
            tk = self.take()
            return self.symbol_value(tk.text)
        raise self.error("\\frac needs two arguments: \\frac{numerator}{denominator}", t)

    def sqrt(self, t: Token) -> Value:
        self.take()
        root = None
        if self.tok.is_("punct", "["):
            self.take()
            root = self.expression()
            self.expect("punct", "]")
        arg = self.frac_argument(t) if self.tok.is_("punct", "{") or self.tok.kind in ("num", "letter") else self.atom()
        arg = self.r.component(arg) if isinstance(arg, Tensor) else arg
        return sp.sqrt(arg) if root is None else sp.root(arg, root)

    def binom(self, t: Token) -> Value:
        """\\binom{n}{k}; refused for numbers above MAX_BINOMIAL (SymPy evaluates it at once)."""
        self.take()
        n, k = self.frac_argument(t), self.frac_argument(t)
        for v in (n, k):
            if isinstance(v, Tensor):
                raise self.error("a binomial coefficient of a vector", t)
            if v.is_Number and abs(v) > MAX_BINOMIAL:
                raise self.error(f"binomials of numbers above {MAX_BINOMIAL} are refused (too large)", t)
        return sp.binomial(n, k)


def _is_negated_symbol(v: Value) -> bool:
    """`-y`: minus one times a symbol."""
    return isinstance(v, sp.Mul) and len(v.args) == 2 and v.args[0] == -1 and isinstance(v.args[1], sp.Symbol)


def generalize(first: Value, last: Value, k: sp.Symbol) -> tuple[Value, Value] | None:
    """(a_k, m) from the first and last terms a_1, a_m of a series (`theta_1` or `theta[1]` in
    `first` whose counterpart in `last` is `theta_m`), or None when they do not match."""
    rep: dict[Value, Value] = {}
    rep_last: dict[Value, Value] = {}
    upper: Value = None
    last_names = {s.name: s for s in last.free_symbols if isinstance(s, sp.Symbol)}
    for s in first.free_symbols:
        if isinstance(s, sp.Symbol) and s.name.endswith("_1"):
            base = s.name[:-2]
            ends = [n for n in last_names if n.startswith(base + "_") and n != s.name]
            if len(ends) == 1:
                sub = ends[0][len(base) + 1:]
                m = sp.Integer(sub) if sub.isdigit() else size_symbol(sub)
                if (upper is not None and m != upper) or not (sub.isdigit() or sub.isalpha()):
                    return None
                upper = m
                rep[s] = indexed_base(base)[k]
                rep_last[last_names[ends[0]]] = indexed_base(base)[m]
    for a in first.atoms(sp.Indexed):
        if a.indices[-1] == 1:
            ends = [b for b in last.atoms(sp.Indexed) if b.base == a.base and b != a
                    and b.indices[:-1] == a.indices[:-1]]
            if len(ends) == 1 and upper in (None, ends[0].indices[-1]):
                upper = ends[0].indices[-1]
                entry_index = (*a.indices[:-1], k)
                rep[a] = a.base[entry_index]
    if not rep:
        return None
    entry = first.xreplace(rep)
    if entry.xreplace({k: upper}) != last.xreplace(rep_last):
        return None
    return entry, upper

"""Derivatives written in the formula: `\\frac{d}{dx} f`, `\\frac{\\partial^2 L}{\\partial w_i
\\partial w_j}`, `\\partial_x f` and the gradient `\\nabla_\\theta L(\\theta)`, all kept
unevaluated (sp.Derivative) for the engine to work out step by step."""
from __future__ import annotations

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.cursor import matching
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.operators import plain
from symderiv.parsing.reading_phrases import math, said
from symderiv.parsing.symbols import Value, display_name, unique


class DerivativesMixin(Grammar):
    """d/dx, ∂/∂x, ∂_x and ∇."""

    def is_derivative_operator(self) -> bool:
        """`\\frac{d}{dx}`, `\\frac{\\partial L}{\\partial \\theta}`, `\\frac{d^2 y}{dx^2}`."""
        if not self.tok.is_("punct", "{"):
            return False
        close = matching(self.t, self.n)
        first = self.t[self.n + 1]
        if close + 1 >= len(self.t) or not self.t[close + 1].is_("punct", "{"):
            return False
        den_first = self.t[close + 2]
        num_is_d = first.is_("letter", "d") or first.is_("cmd", "partial") or (
            first.is_("cmd", "mathrm") and self.t[self.n + 2].is_("punct", "{")
            and self.t[self.n + 3].is_("letter", "d") and self.t[self.n + 4].is_("punct", "}"))
        den_is_d = den_first.is_("letter", "d") or den_first.is_("cmd", "partial") or den_first.is_("cmd", "mathrm")
        return num_is_d and den_is_d

    def derivative_operator(self, t: Token) -> Value:
        open_num = self.take()  # {
        self.take_d()
        if self.tok.is_("punct", "^"):  # the order d^2: the denominator's powers count
            self.take()
            self.script_value()
        target = None
        if not self.tok.is_("punct", "}"):
            self._numerator_call()
            target = self.expression()
        self.expect("punct", "}")
        self.expect("punct", "{")
        variables = self._derivative_variables(open_num)
        if not variables:
            raise self.error("the derivative has no variable", t)
        operator_form = target is None
        if target is None:
            # the operator applies to the product that follows (like \sum)
            if not self.starts_factor(self.tok):
                raise self.error("the derivative operator needs something to act on", t)
            target = self.term()
        target = self.r.component(target) if isinstance(target, Tensor) else target
        if isinstance(target, (sp.Symbol, sp.Indexed)) and target not in variables:
            fname = display_name(target)
            target = sp.Function(fname)(*unique(variables))
            if operator_form:
                src = self.source[t.pos:self.t[self.n - 1].end]
                variables_ = unique(variables)
                self.r.reading(said("derivative_function", src=src, target=math(target, plain(target)), name=fname,
                                    variables=(", ".join(sp.latex(v) for v in variables_),
                                               ", ".join(map(plain, variables_)))))
        return sp.Derivative(target, *variables, evaluate=False)

    def _numerator_call(self) -> None:
        """`\\frac{d\\theta(x)}{dx}`: a name applied to arguments in a derivative's numerator is
        differentiated as a function (θ(x)), never as the product θ·x."""
        m = self.n
        head = self.t[m]
        if not (head.kind == "letter" or (head.kind == "cmd" and head.text in N.GREEK)):
            return
        m += 1
        if self.t[m].is_("punct", "_"):
            m += 2 if not self.t[m + 1].is_("punct", "{") else matching(self.t, m + 1) - m + 1
        if m >= len(self.t) or not self.t[m].is_("punct", "("):
            return
        close = matching(self.t, m)
        if close + 1 < len(self.t) and self.t[close + 1].is_("punct", "}"):
            self.r.functions.add(head.text)

    def _derivative_variables(self, open_num: Token) -> list[Value]:
        """The denominator `dx`, `\\partial x \\partial y`, `dx^2`, up to and with its `}`."""
        variables: list[Value] = []
        while not self.tok.is_("punct", "}"):
            if self.tok.kind == "end":
                raise ParseError("'{' is never closed", self.source, open_num.pos)
            self.take_d()
            var_tok = self.tok
            var = self.factor_no_power()
            count = 1
            if self.tok.is_("punct", "^"):
                self.take()
                c = self.script_value()
                count = int(c) if isinstance(c, sp.Integer) and 0 < c < 10 else 1
            var = self.r.component(var) if isinstance(var, Tensor) else var
            if isinstance(var, Tensor) or not isinstance(var, (sp.Symbol, sp.Indexed)):
                raise self.error("differentiate by a variable, e.g. \\partial x", var_tok)
            variables.extend([var] * count)
        self.take()
        return variables

    def take_d(self) -> None:
        t = self.tok
        if t.is_("letter", "d") or t.is_("cmd", "partial"):
            self.take()
            return
        if t.is_("cmd", "mathrm"):
            self.take()
            if self.raw_group_text() != "d":
                raise self.error("expected d", t)
            return
        raise self.error("expected d or \\partial", t)

    def factor_no_power(self) -> Value:
        """A variable after d/∂: `x`, `\\theta_j`, `\\hat{y}`, without taking `^2` (the order)."""
        t = self.tok
        if t.kind == "letter" or (t.kind == "cmd" and (t.text in N.GREEK or t.text in N.ACCENTS or t.text in N.FONTS)):
            name, bold = self.read_name()
            sub = None
            if self.tok.is_("punct", "_"):
                self.take()
                sub = self.script_text()
            return self.symbol_value(name, sub, bold)
        raise self.error("expected a variable")

    def nabla(self, t: Token) -> Value:
        """∇_θ F: the gradient; its k-th component ∂F/∂θ_k when θ is a vector."""
        self.take()
        var = None
        if self.tok.is_("punct", "_"):
            self.take()
            var = self.script_value()
            if isinstance(var, Tensor):
                var = self.r.component(var)   # ∇_θ: by θ_k; ∇_W: by W_kc
        if not self.starts_factor(self.tok):
            raise self.error("\\nabla needs a function to act on", t)
        target = self.factor()
        target = self.r.component(target) if isinstance(target, Tensor) else target
        if var is None:
            cands = target.args if isinstance(target, sp.Function) and target.args \
                else sorted(target.free_symbols, key=str)
            if not cands:
                raise self.error("\\nabla of a constant", t)
            var = cands[0]
        if isinstance(target, (sp.Symbol,)):
            target = sp.Function(target.name)(var)
        if isinstance(target, sp.Function) and var not in target.free_symbols and len(target.args) == 1:
            # ∇_θ L(θ^{(t)}): the gradient taken at θ = θ^{(t)}
            at = target.args[0]
            return sp.Subs(sp.Derivative(target.func(var), var, evaluate=False), var, at)
        return sp.Derivative(target, var, evaluate=False)

    def partial(self, t: Token) -> Value:
        """`\\partial_x f`: the partial derivative by x."""
        self.take()
        if not self.tok.is_("punct", "_"):
            raise self.error("\\partial outside a fraction needs a subscript: \\partial_x f", t)
        self.take()
        var = self.script_value()
        target = self.factor()
        if isinstance(target, sp.Symbol):
            target = sp.Function(target.name)(var)
        return sp.Derivative(target, var, evaluate=False)

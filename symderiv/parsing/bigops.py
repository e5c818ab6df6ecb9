"""Big operators: `\\sum_{i=1}^{n}` and `\\prod` over the product that follows, and integrals
`\\int_a^b … dx` whose integrand runs up to the differential."""
from __future__ import annotations

import sympy as sp

from symderiv.ml import notation as N
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor, scale
from symderiv.parsing.symbols import Value, index_symbol, real


class BigOperatorsMixin(Grammar):
    """Sums, products and integrals."""

    def big_operator(self, t: Token) -> Value:
        """\\sum_{i=1}^{n} body and \\prod: the body is the product that follows."""
        self.take()
        index, lower, upper = self._operator_range(t)
        self.bound.append({index.name})
        self.r.index_names.add(index.name)
        self.ranges.setdefault(index.name, []).append(upper if lower == 1 else None)
        try:
            body = self._summand(t)
        finally:
            self.bound.pop()
            self.ranges[index.name].pop()
        body = bind(body, index)
        op = sp.Sum if t.text == "sum" else sp.Product
        if isinstance(body, Tensor):
            return body.map(lambda e: op(e, (index, lower, upper)))
        return op(body, (index, lower, upper))

    def _operator_range(self, t: Token) -> tuple[sp.Symbol, Value, Value]:
        """(index, lower, upper) of `_{i=1}^{n}` in either order; defaults 1 and the index's size."""
        index = lower = upper = None
        for _ in range(2):
            if self.tok.is_("punct", "_"):
                self.take()
                index, lower = self._sum_lower()
            elif self.tok.is_("punct", "^"):
                self.take()
                upper = self.script_value()
            while self.tok.is_("cmd", "limits") or self.tok.is_("cmd", "nolimits"):
                self.take()
        if index is None:
            raise self.error(f"\\{t.text} needs an index, e.g. \\{t.text}_{{i=1}}^{{n}}", t)
        if upper is None:
            upper = self.r.dims.named(N.DEFAULT_SIZE.get(index.name, "N"))
        elif isinstance(upper, sp.Symbol):
            upper = self.size(upper.name)
        elif isinstance(upper, sp.Integer) and upper > 0:
            self.r.dims.written(upper)
        if lower is None:
            lower = sp.Integer(1)
        return index, lower, upper

    def _summand(self, t: Token) -> Value:
        """The product after `\\sum_i`, which may start with a sign (`\\sum_i -[…]`)."""
        self.skip_ignored()
        sign = 1
        if self.tok.is_("punct", "-") or self.tok.is_("punct", "+"):
            sign = -1 if self.take().text == "-" else 1
        if not self.starts_factor(self.tok):
            raise self.error(f"\\{t.text} has nothing to sum", t)
        body = self.term()
        if sign < 0:
            body = scale(sp.Integer(-1), body)
        return body

    def _sum_lower(self) -> tuple[sp.Symbol, Value]:
        """`_i`, `_{i=1}`, `_{i \\in S}`: (the index, its lower bound or None)."""
        if self.tok.is_("punct", "{"):
            self.take()
            if self.tok.kind != "letter":
                raise self.error("the index of a sum must be a letter")
            idx = self.take().text
            lower = None
            if self.tok.is_("punct", "=") or self.tok.is_("cmd", "in"):
                rel = self.take()
                if rel.is_("punct", "="):
                    lower = self.expression()
                else:
                    self.expression()  # i \in S: the range is left symbolic
            self.expect("punct", "}")
            return index_symbol(idx), lower
        if self.tok.kind == "letter":
            return index_symbol(self.take().text), None
        raise self.error("the index of a sum must be a letter")

    def integral(self, t: Token) -> Value:
        """`\\int_a^b f(x) dx` (definite) or `\\int f(x) \\mathrm{d}x`."""
        self.take()
        self.skip_ignored()   # \int\limits_0^1
        lower, upper = self.scripts()
        stop = self._differential_at()
        if stop is None:
            raise self.error("the integral has no differential (dx)", t)
        saved = self.limit
        self.limit = stop
        self.skip_ignored()
        body = sp.Integer(1) if self.n == stop else self.expression()   # \int_0^7 dx
        self.limit = saved
        self.n = stop
        self.take_d()
        var = self.factor_no_power()
        if lower is not None and upper is not None:
            return sp.Integral(body, (var, lower, upper))
        return sp.Integral(body, var)

    def _differential_at(self) -> int | None:
        """Where the integrand ends: the first top-level `d x` / `\\mathrm{d} x`, else None."""
        m = self.n
        depth = 0
        while m < len(self.t) - 1:
            tk = self.t[m]
            if tk.kind == "punct" and tk.text in "([{":
                depth += 1
            elif tk.kind == "punct" and tk.text in ")]}":
                depth -= 1
            if depth == 0 and (tk.is_("letter", "d") or (tk.is_("cmd", "mathrm") and self.t[m + 1].is_("punct", "{")
                                                          and self.t[m + 2].is_("letter", "d"))):
                nxt = self.t[m + 1] if tk.kind == "letter" else self.t[m + 4]
                if nxt.kind == "letter" or (nxt.kind == "cmd" and nxt.text in N.GREEK):
                    return m
            m += 1
        return None


def bind(body: Value, index: sp.Symbol) -> Value:
    """The summation letter written as a plain symbol in the body (`\\sum_x P(x)`, `\\sum_i i`)
    is the index itself."""
    rep = {real(index.name): index}
    if isinstance(body, Tensor):
        return body.map(lambda e: e.xreplace(rep))
    return body.xreplace(rep)

"""Operator names and how far their argument reaches: `\\sin 2x`, `\\ln xy`, `\\log_2 x`,
`\\sin^2 x`, `\\sin^{-1} x`, `\\operatorname{erf} x`, `\\lfloor x \\rfloor`, `\\gcd(a, b)`.

The rule (README, "How it reads ML notation"):
- a parenthesised argument is the whole argument: `\\sin(x) y` is sin(x)·y;
- otherwise the argument is the product written side by side after the name (`\\sin 2x` is
  sin(2x), `\\ln xy` is ln(xy), `\\sin \\pi x` is sin(πx)), up to the next `+`, `-`, relation,
  comma or closing bracket, an explicit `\\cdot`, `\\times` or `/`, an opening bracket, or the
  next operator name (`\\sin 2x \\cos x` is sin(2x)·cos(x));
- an operator name right after another is its argument: `\\sin \\cos x` is sin(cos x);
- `\\sin^2 x` is (sin x)²; `\\sin^{-1} x` is arcsin x for a trigonometric or hyperbolic name (the
  registry's `inverse`), any other power of a name is a power of its value.

Where that extent was a judgment call the parse says so in `Problem.readings`: an argument of two
or more non-constant factors (`\\ln xy`), an argument of several factors ended by another operator
name (`\\sin 2x \\cos x`), an argument ended by `\\cdot`, `/` or a bracket before a factor that is
not itself an operator (`\\log x \\cdot y`), and every `^{-1}` read as an inverse.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

from symderiv.ml import notation as N
from symderiv.ml.registry import inverse_of
from symderiv.parsing.grammar import Applied, Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.reading_phrases import math, said
from symderiv.parsing.symbols import Value

# Commands that apply to what follows them: they end the juxtaposed argument of another name.
OPERATOR_COMMANDS = {"log", "lg", "ln", "exp", "max", "min", "sum", "prod", "int", "iint", "oint",
                     "nabla", "partial", "lfloor", "lceil", "gcd", "lcm", "det", "operatorname"}
MATRIX_COMMANDS = {"tr", "Tr", "trace", "diag"}   # `\\tr A` (physics packages define them)
_EXPLICIT = {"cdot": "·", "times": "·", "ast": "·", "*": "·", "/": "/", "div": "/"}
_LATEX_SIGN = {"·": r"\cdot"}
_INTEGER_FUNCTIONS: dict[str, Callable[..., Value]] = {"gcd": sp.gcd, "lcm": sp.lcm}


def plain(value: Value, parenthesise: bool = False) -> str:
    """A short plain-text form for a reading: `sin(2x)·cos(x)`, `log(x·y)`, `asin(x)`."""
    if isinstance(value, Tensor):
        return value.label or "a vector"
    text = sp.sstr(value)
    if isinstance(value, sp.Add) and parenthesise:
        text = f"({text})"
    text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)\*(?=[A-Za-z(])", r"\1", text)
    text = re.sub(r"\bpi\b", "π", text.replace("**", "^").replace("*", "·"))
    return text


def _latex(value: Value, parenthesise: bool = False) -> str:
    """The LaTeX of a reading's value (a Tensor by its label)."""
    if isinstance(value, Tensor):
        return value.label or r"\text{a vector}"
    text = math(value, plain(value))[0]
    return rf"\left({text}\right)" if isinstance(value, sp.Add) and parenthesise else text


def is_constant(value: Value) -> bool:
    return isinstance(value, sp.Basic) and not isinstance(value, sp.Tuple) and not value.free_symbols


class OperatorsMixin(Grammar):
    """Operator names (`\\sin`, `\\log`, `\\operatorname{erf}`), floors and ceilings, gcd, lcm."""

    # -- which tokens are operator names
    def starts_operator(self, t: Token, at: int | None = None) -> bool:
        """Whether t (at token index `at`, default the current one) applies to what follows:
        `\\sin`, `\\log`, `\\sum`, `\\nabla`, `\\frac{d}{dx}`, `\\sigma(`, `\\operatorname{…}`."""
        at = self.n if at is None else at
        if t.kind != "cmd":
            return False
        nxt = self.t[at + 1] if at + 1 < len(self.t) else self.t[-1]
        if t.text in N.ELEMENTARY or t.text in OPERATOR_COMMANDS or t.text in MATRIX_COMMANDS:
            return True
        if t.text in ("frac", "dfrac", "tfrac"):
            return self._derivative_at(at + 1)
        if t.text in N.GREEK:
            return nxt.is_("punct", "(") and (t.text in N.FUNCTION_LETTERS or t.text == "Gamma")
        if t.text in N.FONTS and t.text not in N.BOLD_FONTS and nxt.is_("punct", "{"):
            close = self.closing(at + 1)
            name = "".join(tk.text for tk in self.t[at + 2:close] if tk.kind == "letter")
            return close == at + 2 + len(name) and len(name) > 1 and (
                name.lower() in N.ML_NAMED or name.lower() in N.MATRIX_OPERATORS)
        return False

    def _derivative_at(self, at: int) -> bool:
        saved = self.n
        self.n = at
        try:
            return self.is_derivative_operator()
        finally:
            self.n = saved

    # -- elementary functions and logarithms
    def function_command(self, t: Token, fn: Callable[..., Value]) -> Value:
        """\\sin x, \\tanh^2(x), \\exp(…), \\ln x, \\sin^{-1} x: a power written on the name applies
        to the result, except `^{-1}` on a name with an inverse function."""
        self.take()
        power = None
        if self.tok.is_("punct", "^"):
            self.take()
            power = self.script_value()
        inverse = inverse_of(fn) if power == -1 and isinstance(fn, type) else None
        if inverse is not None:
            fn, power = inverse.function, None
            self.r.reading(said("inverse_function", src=f"\\{t.text}^{{-1}}",
                                inverse=(f"\\operatorname{{{inverse.name}}}", inverse.name),
                                reciprocal=(f"1/\\{t.text}", f"1/{t.text}")))
        return self.apply_operator(t, fn, power)

    def log(self, t: Token) -> Value:
        """`\\log x` (natural, as in ML), `\\log_2 x`, `\\lg x` (base 10), `\\log^2 x`."""
        self.take()
        base, power = self.scripts()
        if t.text == "lg":
            base = sp.Integer(10)
        natural = base is None or base == sp.E
        return self.apply_operator(t, sp.log if natural else (lambda a: sp.log(a, base)), power)

    def apply_operator(self, t: Token, fn: Callable[..., Value], power: Value = None) -> Value:
        """fn applied to the argument that follows (parenthesised or juxtaposed), to the power;
        to a vector or a matrix entry by entry (`\\tanh(W x)`)."""
        self.skip_ignored()
        if self._parenthesis_follows():
            return self.apply_entrywise(fn, self.parenthesised(keep=True), power)
        arg, factors, variable = self._juxtaposed_argument(t, keep=True)
        value = self.apply_entrywise(fn, arg, power)
        self.applied = Applied(t.pos, self.n, value, factors, variable)
        return value

    def _parenthesis_follows(self) -> bool:
        return self.tok.is_("punct", "(") or (self.tok.is_("cmd", "left") and self.peek().is_("punct", "("))

    def function_argument(self, t: Token) -> Value:
        """The argument of an operator name: a parenthesised group, else the juxtaposed product."""
        self.skip_ignored()
        if self._parenthesis_follows():
            return self.parenthesised()
        return self._juxtaposed_argument(t)[0]

    def tensor_argument(self, t: Token) -> Value:
        """The argument of `\\operatorname{tr}` and the like: a vector or a matrix kept whole."""
        self.skip_ignored()
        if self._parenthesis_follows():
            return self.parenthesised(keep=True)
        return self._juxtaposed_argument(t, keep=True)[0]

    def _juxtaposed_argument(self, t: Token, keep: bool = False) -> tuple[Value, int, int]:
        """(value, factors, non-constant factors) of the product after an operator name; a
        vector-valued one as its k-th entry unless `keep`."""
        nxt = self.tok
        if nxt.kind == "end" or (nxt.kind == "punct" and nxt.text in ")]}=+*/^_,&") or nxt.is_("cmd", "right"):
            raise self.error(f"\\{t.text} needs an argument", t)
        if nxt.is_("cmd", "sum") or nxt.is_("cmd", "prod"):
            value = self._argument_factor()
            return (value if keep else self._component(value)), 1, 1
        nested = self.starts_operator(nxt)
        factors = [self._argument_factor()]
        value = factors[0]
        while not nested and self._continues_argument():
            op = self.tok
            factors.append(self._argument_factor())
            value = self.mul(value, factors[-1], op)
        variable = sum(1 for f in factors if not is_constant(f) and not isinstance(f, Tensor))
        variable += any(isinstance(f, Tensor) for f in factors)   # θᵀx is one quantity
        return (value if keep else self._component(value)), len(factors), variable

    def _argument_factor(self) -> Value:
        """One factor of an argument; an operator applied inside it states its own reading."""
        value = self.factor()
        self.state_application(self.pending_application())
        return value

    def _component(self, value: Value) -> Value:
        return self.r.component(value) if isinstance(value, Tensor) else value

    def _continues_argument(self) -> bool:
        t = self.tok
        if t.is_("punct", "(") or t.is_("punct", "[") or (t.is_("cmd", "left") and not self.peek().is_("punct", "|")):
            return False
        return self.starts_factor(t) and not self.starts_operator(t)

    # -- readings: where an argument's extent was a judgment call
    def pending_application(self) -> Applied | None:
        """The juxtaposed application that ends right here (taken: each is settled once)."""
        app = self.applied
        self.applied = None
        return app if app is not None and app.end == self.n else None

    def state_application(self, app: Applied | None) -> None:
        """At the end of a product: `\\ln xy` is ln(xy), said when two factors are not constant."""
        if app is not None and app.variable_factors >= 2:
            self._state(app, math(app.value, plain(app.value)))

    def state_product(self, app: Applied | None, op: Token | None, rhs: Value, after: Token) -> None:
        """An application followed by another factor: `\\sin 2x \\cos x`, `\\log x \\cdot y`,
        `\\log x (1 - x)`; `after` is the token that started that factor."""
        if app is None:
            return
        bracket = after.is_("punct", "(") or after.is_("punct", "[") or after.is_("cmd", "left")
        operator = self.starts_operator(after, self._index_of(after))
        sign = _EXPLICIT.get(op.text, "·") if op else "·"
        whole = (f"{_latex(app.value, True)} {_LATEX_SIGN.get(sign, sign)} {_latex(rhs, True)}",
                 f"{plain(app.value, True)}{sign}{plain(rhs, True)}")
        if (op is None and (bracket or app.factors >= 2 or app.variable_factors >= 2)) or (
                op is not None and not operator):
            self._state(app, whole)
        elif op is not None:
            self.state_application_until(app)

    def state_application_until(self, app: Applied) -> None:
        """`\\ln xy \\cdot \\sin z`: the ambiguous argument alone, up to where it ends."""
        if app.variable_factors >= 2:
            src = self.source[app.start:self.t[app.end - 1].end].strip()
            self.r.reading(said("argument", src=src, value=math(app.value, plain(app.value))))

    def _index_of(self, tok: Token) -> int:
        return next(m for m, tk in enumerate(self.t) if tk is tok)

    def _state(self, app: Applied, value: tuple[str, str]) -> None:
        src = self.source[app.start:self.t[max(self.n - 1, 0)].end].strip()
        self.r.reading(said("argument", src=src, value=value))

    # -- floors, ceilings, gcd and lcm
    def floor_ceiling(self, t: Token) -> Value:
        """`\\lfloor x \\rfloor`, `\\lceil x \\rceil` (also after `\\left`)."""
        self.take()
        closer = "rfloor" if t.text == "lfloor" else "rceil"
        value = self._component(self.expression())
        if self.tok.is_("cmd", "right"):
            self.take()
        if not self.tok.is_("cmd", closer):
            raise self.error(f"\\{t.text} is never closed by \\{closer}", t)
        self.take()
        return (sp.floor if t.text == "lfloor" else sp.ceiling)(value)

    def integer_function(self, t: Token) -> Value:
        """`\\gcd(a, b)`, `\\lcm(a, b)`: computed for integers; of anything else an undefined
        function (SymPy's gcd of symbols is a polynomial gcd, not the integers' one)."""
        self.take()
        args = self.call_arguments_in_parentheses(t)
        return self.integer_call(t.text, args, f"\\{t.text}")

    def integer_call(self, name: str, args: list[Value], spelled: str) -> Value:
        if all(isinstance(a, sp.Integer) for a in args) and len(args) >= 2:
            value = args[0]
            for a in args[1:]:
                value = _INTEGER_FUNCTIONS[name](value, a)
            return value
        self.r.reading(said("undefined_integer_function", src=spelled, name=name))
        return sp.Function(name)(*args)

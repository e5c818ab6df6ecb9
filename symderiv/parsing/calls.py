"""Functions and calls: which `name(` is a call, named and ML functions (`\\sigma`,
`\\operatorname{softmax}`, `\\mathrm{ReLU}`), elementary functions (`\\sin^2 x`, `\\log_2 x`),
`\\max`/`\\min`, and `cases` environments.

Function names come from the tables of symderiv.ml.notation (built from the ML registry).
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.cursor import matching
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.reading_phrases import said
from symderiv.parsing.symbols import Value

_CONDITIONS = {"<": sp.Lt, ">": sp.Gt, "le": sp.Le, "leq": sp.Le, "ge": sp.Ge, "geq": sp.Ge,
               "lt": sp.Lt, "gt": sp.Gt, "=": sp.Eq, "ne": sp.Ne, "neq": sp.Ne, "leqslant": sp.Le,
               "geqslant": sp.Ge}
_OTHERWISE = ("otherwise", "else", "sonst", "否则", "其他")


class CallsMixin(Grammar):
    """Calls of functions, elementary functions, max/min and cases."""

    # -- is it a call?
    def is_function(self, name: str, fname: str, font: str | None) -> bool:
        """Whether `name(` opens a call (`\\sigma(z)`, `L(\\theta)`) or a product (`y(w^T x + b)`)."""
        if fname in self.r.functions or name in self.r.functions:
            return True
        if name in N.FUNCTION_LETTERS:
            return True
        if font == "operatorname" or (font in N.FONTS and font not in N.BOLD_FONTS and len(name) > 1):
            return True
        if self._named_quantity_call(name) or (font == "Gamma" and name not in self.r.matrices):
            return True  # \Gamma(n + 1): Euler's gamma function
        if name.lower() in N.ML_NAMED and len(name) > 1 and name not in N.GREEK:
            return True
        # p(x \mid \mu, \sigma^2): a conditional density is a call
        close = matching(self.t, self.n)
        if any(self.t[m].is_("cmd", "mid") for m in range(self.n, close)):
            return True
        # the operand of \nabla_\theta L(…)
        return self.n >= 2 and any(self.t[m].is_("cmd", "nabla") for m in range(max(0, self.n - 6), self.n))

    def _named_quantity_call(self, name: str) -> bool:
        """`L(\\theta)`, `H(f)`, `P(x)`, `\\Phi(z)`: an upper-case name applied to plain names
        (no operators inside) is a call; `C(x + 1)` and matrices (`X(\\theta)`) stay products."""
        if not name[:1].isupper() or name in self.r.matrices or name in self.r.vectors:
            return False
        if len(name) > 1 and name not in N.GREEK:
            return False
        start = self.n + 1 if self.tok.is_("cmd", "left") else self.n
        close = matching(self.t, start)
        for tk in self.t[start + 1:close]:
            if tk.kind == "punct" and tk.text in "+-*/=!<>&":
                return False
            if tk.kind == "cmd" and tk.text not in N.GREEK and tk.text not in N.ACCENTS \
                    and tk.text not in N.FONTS and tk.text not in ("mid", "|", ",", ";", "right"):
                return False
        return True

    # -- calls
    def call(self, fname: str, base_name: str, primes: int, t: Token) -> Value:
        """`f(a, b)`, `\\sigma(z)`, `f'(x)`, `\\mathrm{softmax}(z)_k`; a known function of a vector
        or a matrix entry by entry (`\\sigma(W x_i)`), `\\operatorname{tr}(A X)` written out."""
        op = self.matrix_operator(fname) if not primes and fname == base_name else None
        if op is not None:
            return self.matrix_call(op, t)
        left = self.tok.is_("cmd", "left")
        if left:
            self.take()
        open_tok = self.expect("punct", "(")
        if self.tok.is_("punct", ")"):
            raise self.error("a function call needs an argument", open_tok)
        args = self._call_arguments(keep=True)
        self.close_paren(open_tok, left, "expected ')' to close the call")
        fn = self.function_object(fname, base_name, len(args), t) if not (
            fname.lower() in ("gcd", "lcm") and fname not in self.r.functions) else None
        if fn is not None and len(args) == 1 and not primes and (
                isinstance(args[0], Tensor) or self.vector_context):
            value = self.apply_entrywise(fn, args[0])
            if isinstance(value, Tensor):
                return self.entry_after(value)
        args = [self.r.component(a) if isinstance(a, Tensor) else a for a in args]
        if fn is None:
            return self.integer_call(fname.lower(), args, self.spelled(t, base_name))
        value = fn(*args)
        if primes:
            value = self._primed(fn, value, args, primes, t)
        if self.tok.is_("punct", "_") and (fname.lower() in ("softmax",) or isinstance(value, sp.Function)):
            self.take()
            sub = self.script_text()
            value = sp.Function(f"{fname}_{sub}")(*args)
        return value

    def _call_arguments(self, keep: bool = False) -> list[Value]:
        """`a, b`, `x \\mid \\mu, \\sigma`: the arguments (a vector one as its k-th entry unless
        `keep`)."""
        args = []
        self.arg_depth += 1
        while True:
            value = self.expression()
            args.append(self.r.component(value) if isinstance(value, Tensor) and not keep else value)
            if self.tok.is_("punct", ",") or self.tok.is_("cmd", "mid") or self.tok.is_("cmd", "|") \
                    or self.tok.is_("punct", ";"):
                self.take()
                continue
            break
        self.arg_depth -= 1
        return args

    def _primed(self, fn: Callable[..., Value], value: Value, args: list[Value], primes: int, t: Token) -> Value:
        """f'(x) -> d f/dx; f'(g(x)) -> f' taken at g(x)."""
        if len(args) != 1:
            raise self.error("primes are supported on functions of one variable", t)
        var = args[0]
        if not isinstance(var, (sp.Symbol, sp.Indexed)):
            d = sp.Dummy("u", real=True)
            return sp.Subs(sp.Derivative(fn(d), (d, primes)), d, var)
        return sp.Derivative(value, (var, primes))

    def function_object(self, fname: str, base_name: str, nargs: int, t: Token) -> Callable[..., Value]:
        """The function called: a declared one, an ML function of one argument, Euler's Γ, or a
        new one (an operator name nobody defined says so: "reading \\operatorname{foo} as …")."""
        if fname in self.r.functions or (fname not in ("sigma",) and base_name in self.r.functions):
            return _undefined(fname)
        if fname == "Gamma" and nargs == 1:
            self.r.reading(said("gamma", src=self.spelled(t, base_name), dots=("\\ldots", "…"), gamma=("\\Gamma", "Γ")))
            return sp.gamma
        known: Callable[..., Value] | None = (
            N.ML_NAMED.get(fname.lower()) if fname not in N.GREEK or fname == "sigma" else None)
        if known is not None and nargs == 1:
            return known
        if t.kind == "cmd" and t.text in N.FONTS and t.text not in N.BOLD_FONTS:
            self.r.reading(said("undefined_function", src=self.spelled(t, base_name), name=fname))
        return _undefined(fname)

    def spelled(self, t: Token, name: str) -> str:
        """How the name of a call was written: `\\operatorname{foo}`, `\\Gamma`, `\\gcd`, `f`."""
        if t.kind == "cmd" and t.text in N.FONTS:
            return f"\\{t.text}{{{name}}}"
        return f"\\{t.text}" if t.kind == "cmd" else t.text

    # -- parenthesised arguments
    def parenthesised(self, keep: bool = False) -> Value:
        """`(…)` or `\\left(…\\right)`: one value (a vector one as its k-th entry unless `keep`)."""
        left = self.tok.is_("cmd", "left")
        if left:
            self.take()
        open_tok = self.expect("punct", "(")
        if self.tok.is_("punct", ")"):
            raise self.error("empty parentheses have no value", open_tok)
        value = self.expression()
        self.close_paren(open_tok, left)
        return self.r.component(value) if isinstance(value, Tensor) and not keep else value

    def call_arguments_in_parentheses(self, t: Token) -> list[Value]:
        """`(a, b)` after a name that needs it (`\\gcd(a, b)`)."""
        left = self.tok.is_("cmd", "left")
        if left:
            self.take()
        if not self.tok.is_("punct", "("):
            raise self.error(f"\\{t.text} needs its arguments in parentheses", t)
        open_tok = self.take()
        if self.tok.is_("punct", ")"):
            raise self.error("a function call needs an argument", open_tok)
        args = self._call_arguments()
        self.close_paren(open_tok, left, "expected ')' to close the call")
        return args

    def close_paren(self, open_tok: Token, left: bool, expected: str = "expected ')'") -> None:
        """The `)` (after `\\right` when opened by `\\left(`) that closes the group at open_tok."""
        if left:
            self.expect("cmd", "right")
        if not self.tok.is_("punct", ")"):
            if self.tok.kind == "end":
                raise ParseError("'(' is never closed", self.source, open_tok.pos)
            raise self.error(expected)
        self.take()

    def maxmin(self, t: Token) -> Value:
        self.take()
        if self.tok.is_("punct", "_"):
            raise self.error(f"\\{t.text} over a set (arg{t.text}) is not supported", t)
        left = self.tok.is_("cmd", "left")
        if left:
            self.take()
        open_tok = self.expect("punct", "(") if not self.tok.is_("cmd", "{") else self.take()
        args = [self.expression()]
        while self.tok.is_("punct", ","):
            self.take()
            args.append(self.expression())
        self.close_paren(open_tok, left)
        args = [self.r.component(a) if isinstance(a, Tensor) else a for a in args]
        return (sp.Max if t.text == "max" else sp.Min)(*args)

    # -- cases
    def environment(self, t: Token) -> Value:
        """`\\begin{cases} value & condition \\\\ … \\end{cases}` -> Piecewise."""
        self.take()
        env = self.raw_group_text()
        if env not in ("cases", "dcases"):
            raise self.error(f"the {env} environment is not supported here", t)
        pieces = []
        while True:
            self.skip_ignored()
            value = self.expression()
            cond = sp.true
            if self.tok.is_("punct", "&"):
                self.take()
                cond = self.condition()
            pieces.append((self.r.component(value) if isinstance(value, Tensor) else value, cond))
            self.skip_ignored()
            if self.tok.is_("cmd", "\\") or self.tok.is_("cmd", "cr"):
                self.take()
                self.skip_ignored()
                if self.tok.is_("cmd", "end"):
                    break
                continue
            break
        end = self.expect("cmd", "end")
        closer = self.raw_group_text()
        if closer != env:
            raise self.error(f"\\begin{{{env}}} is closed by \\end{{{closer}}}: write \\end{{{env}}}", end)
        return sp.Piecewise(*pieces)

    def condition(self) -> Value:
        """`\\text{if } |a| \\le \\delta`, `x > 0`, `\\text{otherwise}`."""
        self.skip_ignored()
        while self.tok.is_("cmd", "text") or self.tok.is_("cmd", "mathrm") or self.tok.is_("cmd", "textrm"):
            self.take()
            word = self.raw_group_text().strip().lower().rstrip(",")
            if word in _OTHERWISE:
                return sp.true
            self.skip_ignored()
        bare = (self.word() or "").lower()
        if bare in _OTHERWISE or bare == "if":
            self.take_word()
            if bare != "if":
                return sp.true
        if self.tok.is_("cmd", "\\") or self.tok.is_("cmd", "end"):
            return sp.true
        lhs = self.expression()
        t = self.tok
        if t.text in _CONDITIONS and t.kind in ("punct", "cmd"):
            self.take()
            rhs = self.expression()
            return _CONDITIONS[t.text](lhs, rhs)
        raise self.error("expected a condition such as x > 0 or \\text{otherwise}")


def _undefined(name: str) -> Callable[..., Value]:
    """A function of that name that SymPy knows nothing about (`f`, `L`, `softmax_k`)."""
    fn: Callable[..., Value] = sp.Function(name)
    return fn

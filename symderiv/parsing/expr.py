"""The expression parser: the areas of the grammar put together, atoms, and the table that
sends each command to the area that reads it."""
from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import sympy as sp

from symderiv.ml import notation as N
from symderiv.parsing.arithmetic import REL_CMDS, ArithmeticMixin
from symderiv.parsing.bigops import BigOperatorsMixin
from symderiv.parsing.brackets import BracketsMixin
from symderiv.parsing.calls import CallsMixin
from symderiv.parsing.delegate import DelegateMixin
from symderiv.parsing.derivatives import DerivativesMixin
from symderiv.parsing.heads import HeadsMixin
from symderiv.parsing.lexer import Token
from symderiv.parsing.matrixops import MatrixOpsMixin
from symderiv.parsing.names import NamesMixin
from symderiv.parsing.operators import OperatorsMixin
from symderiv.parsing.scripts import ScriptsMixin
from symderiv.parsing.symbols import ELLIPSIS, Value, number, scientific_reading
from symderiv.parsing.tensors import TensorsMixin


class ExprParser(HeadsMixin, ArithmeticMixin, ScriptsMixin, NamesMixin, OperatorsMixin, CallsMixin,
                 BracketsMixin, DerivativesMixin, BigOperatorsMixin, DelegateMixin, TensorsMixin,
                 MatrixOpsMixin):
    """Recursive descent over one statement's tokens, producing SymPy (or Tensor) values."""

    def atom(self) -> Value:
        self.skip_ignored()
        t = self.tok
        if t.kind == "num":
            self.take()
            reading = scientific_reading(t.text)
            if reading:
                self.r.reading(reading)
            return number(t.text)
        if t.kind == "letter":
            self.refuse_word()
            return self.named(t.text, t)
        if t.kind == "prime":
            raise self.error("a prime must follow a function name")
        if t.kind == "punct":
            return self._punct_atom(t)
        if t.kind == "end":
            raise self.error("the formula ends where a value is expected")
        return self.command(t)

    def _punct_atom(self, t: Token) -> Value:
        """`(…)`, `[…]`, `{…}` and `|…|`."""
        if t.text == "(":
            return self.group("(", ")")
        if t.text == "[":
            return self.group("[", "]")
        if t.text == "{":
            self.take()
            if self.tok.is_("punct", "}"):
                raise self.error("an empty group `{}` has no value", t)
            v = self.expression()
            self.expect("punct", "}")
            return v
        if t.text == "|":
            return self.absolute()
        raise self.error(f"unexpected {t.text!r}")

    def command(self, t: Token) -> Value:
        """A command: a Greek name, a handler of COMMANDS, an elementary function or a registry
        function written as a macro (`\\sgn`), an accent or a font, else unsupported, an
        integral, an environment, or handed to latex2sympy."""
        name = t.text
        if name in N.GREEK:
            return self.named(name, t)
        handler = COMMANDS.get(name)
        if handler is not None:
            return handler(self, t)
        if name in N.ELEMENTARY:
            return self.function_command(t, N.ELEMENTARY[name])
        if len(name) > 1 and name.lower() in N.ML_NAMED:   # a macro \sgn, \erf, \ReLU, \abs
            return self.function_command(t, N.ML_NAMED[name.lower()])
        if name in N.ACCENTS or name in N.FONTS:
            return self.named(name, t)
        if name in N.UNSUPPORTED:
            raise self.error(N.UNSUPPORTED[name])
        if name in ("int", "iint", "oint"):
            return self.integral(t)
        if name in ("begin",):
            return self.environment(t)
        if name in REL_CMDS or name in ("right", "end"):
            raise self.error(f"unexpected \\{name}")
        return self.delegate(t)

    def ellipsis(self, t: Token) -> Value:
        self.take()
        return ELLIPSIS

    def infinity(self, t: Token) -> Value:
        self.take()
        return sp.oo

    def unsupported(self, t: Token) -> NoReturn:
        message = {"lim": "limits (\\lim) are not supported",
                   "pm": "`\\pm` stands for two formulas; write one of them"}.get(t.text)
        raise self.error(message or f"\\{t.text} is not supported")

    def operator_without_operand(self, t: Token) -> NoReturn:
        raise self.error(f"an operand is missing before \\{t.text}")


Handler = Callable[[ExprParser, Token], Value]

COMMANDS: dict[str, Handler] = {
    "frac": ExprParser.frac, "dfrac": ExprParser.frac, "tfrac": ExprParser.frac,
    "cfrac": ExprParser.frac,
    "sqrt": ExprParser.sqrt,
    "sum": ExprParser.big_operator, "prod": ExprParser.big_operator,
    "log": ExprParser.log, "lg": ExprParser.log,
    "lfloor": ExprParser.floor_ceiling, "lceil": ExprParser.floor_ceiling,
    "gcd": ExprParser.integer_function, "lcm": ExprParser.integer_function,
    "left": ExprParser.left,
    "|": ExprParser.norm, "lVert": ExprParser.norm, "Vert": ExprParser.norm,
    "lvert": lambda p, t: p.absolute(),
    "langle": ExprParser.angle,
    "nabla": ExprParser.nabla, "partial": ExprParser.partial,
    "max": ExprParser.maxmin, "min": ExprParser.maxmin,
    "cdots": ExprParser.ellipsis, "ldots": ExprParser.ellipsis, "dots": ExprParser.ellipsis,
    "infty": ExprParser.infinity,
    "lim": ExprParser.unsupported, "pm": ExprParser.unsupported, "mp": ExprParser.unsupported,
    "tr": ExprParser.matrix_command, "Tr": ExprParser.matrix_command,
    "trace": ExprParser.matrix_command, "diag": ExprParser.matrix_command,
    "det": ExprParser.determinant,
    "binom": ExprParser.binom, "dbinom": ExprParser.binom, "tbinom": ExprParser.binom,
    "cdot": ExprParser.operator_without_operand, "times": ExprParser.operator_without_operand,
    "div": ExprParser.operator_without_operand, "ast": ExprParser.operator_without_operand,
}
"""Commands read by a handler of their own, by name (the table of the dispatch in `command`)."""

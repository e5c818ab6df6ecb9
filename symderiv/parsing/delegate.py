"""Commands this layer leaves to latex2sympy2_extended (`\\mod`, `\\choose`).

Only the commands of `DELEGATED` are handed over, as the source text of the command and its
arguments; its symbols come back as our real symbols. latex2sympy2_extended is imported on first
use (it loads antlr, about a second) with its normalisation and lower-casing turned off.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import sympy as sp

from symderiv.core.errors import SymderivError
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.symbols import Value, real

# Commands latex2sympy2_extended reads that this layer leaves to it (from its grammar); any other
# unknown command is an error at once, without loading antlr.
DELEGATED = {"mod", "choose"}


class DelegateMixin(Grammar):
    """Hands a known-to-latex2sympy command over."""

    def delegate(self, t: Token) -> Value:
        """A command our layer does not know: hand `\\cmd{…}{…}` to latex2sympy2_extended."""
        if t.text not in DELEGATED:
            raise self.error(f"unknown command \\{t.text}", t)
        start = t.pos
        self.take()
        while self.tok.is_("punct", "{") or self.tok.is_("punct", "("):
            self.n = self.closing(self.n) + 1
        end = self.t[self.n - 1].end
        text = self.source[start:end]
        try:
            value = latex2sympy(text)
        except SymderivError:
            raise
        except Exception:
            raise self.error(f"\\{t.text} could not be read here", t) from None
        if not isinstance(value, sp.Expr):
            raise self.error(f"\\{t.text} is not supported here", t)
        rep = {s: real(s.name) for s in value.free_symbols if isinstance(s, sp.Symbol)}
        return value.xreplace(rep)


def preload_delegate(latex: object, where: Iterable[object] = ()) -> None:
    """Import latex2sympy2_extended before the time limit starts when the input will need it
    (loading antlr takes about a second; it must not count as parsing time)."""
    texts = [latex] + [w for w in where if isinstance(w, str)]
    if any(isinstance(t, str) and re.search(r"\\(" + "|".join(DELEGATED) + r")(?![A-Za-z])", t) for t in texts):
        import latex2sympy2_extended  # noqa: F401


def latex2sympy(text: str) -> Value:
    """latex2sympy2_extended without its normalisation and lower-casing (imported on first use:
    it loads antlr, which `import symderiv.parsing` should not pay for)."""
    from latex2sympy2_extended import latex2sympy as convert
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig
    from latex2sympy2_extended.math_normalization import NormalizationConfig

    normalization = NormalizationConfig(basic_latex=False, units=False, malformed_operators=False,
                                        nits=False, boxed="none", equations=False)
    conversion = ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False)
    return convert(text, normalization_config=normalization, conversion_config=conversion)

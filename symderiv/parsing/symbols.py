"""The symbols the parser makes, and the name conventions every part of it shares.

An ML reader's conventions: sizes (n, d) are positive integers, the letters of `INDEX_LETTERS` index
samples and features, every other name is a real scalar, and `\\hat{y}_i` names the entry yhat[i].
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeAlias

import sympy as sp

from symderiv.core.problem import Reading
from symderiv.parsing.reading_phrases import said

Value: TypeAlias = Any
"""What a step of the parser yields: a SymPy expression, a Tensor (a vector or a matrix in index
form), an sp.Tuple (a list `(a, b)`) or ELLIPSIS. SymPy has no type information, hence Any."""

INDEX_LETTERS = set("ijklmt")
ELLIPSIS = sp.Symbol(r"\cdots", real=True)   # stands for left-out items while parsing only
SCALAR_NAMES = {"lambda", "eta", "alpha", "gamma", "sigma", "epsilon", "delta", "mu", "beta_0",
                "n", "m", "c", "C", "K", "N", "t", "tau", "rho", "pi", "e"}


def real(name: str) -> sp.Symbol:
    """A real scalar, the default reading of a name."""
    return sp.Symbol(name, real=True)


def index_symbol(name: str) -> sp.Symbol:
    """An index (`i` in `x_i`): an integer."""
    return sp.Symbol(name, integer=True)


def size_symbol(name: str) -> sp.Symbol:
    """A size (`n` samples, `d` features): a positive integer."""
    return sp.Symbol(name, integer=True, positive=True)


def indexed_base(name: str) -> sp.IndexedBase:
    """A vector or matrix written in index form (`theta[j]`, `X[i, j]`), real entries."""
    return sp.IndexedBase(name, real=True)


def number(text: str) -> sp.Rational:
    """The value of a number token: `3` -> Integer, `0.5`, `1e-3` -> Rational (exact)."""
    if "." in text or "e" in text.lower():
        return sp.Rational(text)
    return sp.Integer(text)


def scientific_reading(text: str) -> Reading | None:
    """`1e-3` -> "read 1e-3 as 0.001 (scientific notation: 1·10^-3)"; None for plain numbers."""
    if "e" not in text.lower():
        return None
    value = Decimal(text)
    shown = format(value, "f") if abs(value.adjusted()) <= 12 else format(value.normalize(), "E")
    mantissa, _, exponent = text.lower().partition("e")
    power = exponent.lstrip("+")
    return said("scientific", number=(rf"\texttt{{{text}}}", text), value=shown,
                notation=(rf"{mantissa} \cdot 10^{{{power}}}", f"{mantissa}·10^{power}"))


def is_name(v: Value) -> bool:
    """A plain name (a symbol or an entry such as yhat[i]), not a hidden Dummy."""
    return isinstance(v, (sp.Symbol, sp.Indexed)) and not isinstance(v, sp.Dummy)


def display_name(v: Value) -> str:
    """The name a reader sees: `yhat` for yhat[i], `theta` for theta."""
    return str(v.base.label) if isinstance(v, sp.Indexed) else str(v.name)


def index_letters(sub: str) -> list[str]:
    """Index letters of a subscript: `i` -> [i], `ij` -> [i, j], `i,j` -> [i, j], else []."""
    s = sub.replace(",", "")
    if re.fullmatch(r"[a-z]{1,3}", s) and all(c in INDEX_LETTERS | {"n"} for c in s):
        return list(s)
    if re.fullmatch(r"[a-z]", s):
        return [s]
    if re.fullmatch(r"[a-z]\d", s):
        return list(s)
    return []


def subscript_name(text: str) -> str:
    """`{ij}` -> ij, `{\\theta}` -> theta, `{KL}` -> KL, `{t+1}` -> t+1, `{i,j}` -> i,j."""
    t = text.strip()
    t = re.sub(r"\\(mathrm|text|mathit|operatorname|mathbf)\s*\{([^{}]*)\}", r"\2", t)
    t = re.sub(r"\\([A-Za-z]+)", r"\1", t)
    t = t.replace(" ", "").replace("{", "").replace("}", "")
    return t


def font_name(inner: str) -> str:
    """The name inside a font command: `\\mathrm{soft max}` -> softmax, `\\mathbf{\\theta}` -> theta."""
    t = inner.strip()
    t = re.sub(r"\\([A-Za-z]+)", r"\1", t)
    return t.replace(" ", "")


def unique(seq: list[Value]) -> list[Value]:
    """The items of seq without repeats, in their first order."""
    out: list[Value] = []
    for s in seq:
        if s not in out:
            out.append(s)
    return out

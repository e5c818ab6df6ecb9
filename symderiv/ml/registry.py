"""One registry of the functions a learner differentiates: one entry per function.

An entry says everything symderiv knows about one function — how LaTeX spells it, what it is in
SymPy, its derivative in the form a textbook prints, the identity a step cites, its name in each
language, its curvature for convexity proofs and how to evaluate it to any precision. The parser,
the rules, the printers, the convexity prover and the numeric oracle look entries up here instead
of keeping lists of their own, so adding a function is one entry (plus its tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import mpmath
import sympy as sp

from symderiv.ml.functions import gelu, relu, sigmoid, softplus

Derivative = Callable[[sp.Expr], sp.Expr]
Numeric = Callable[[mpmath.mpf], mpmath.mpf]


@dataclass(frozen=True)
class FunctionEntry:
    """What one function of one argument is, for every stage that meets it."""

    name: str
    function: type[sp.Function]
    derivative: Derivative  # applied expression f(u) -> f'(u), in textbook form
    family: str  # the rule a step cites: exp, log, trig, hyperbolic or ml
    spellings: tuple[str, ...] = ()  # lower-case LaTeX names: \tanh, \operatorname{tanh}, \mathrm{tanh}
    identity: str = ""  # LaTeX of the derivative identity a step quotes, in u
    names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    curvature: tuple[str, str] | None = None  # (convex|concave, increasing|decreasing) on all of ℝ
    numeric: Numeric | None = None  # evaluation at any precision (mpmath), for the oracle

    def rule_name(self, lang: str) -> str:
        """The step's phrase: its name in `lang` followed by the identity it cites."""
        name = self.names.get(lang) or self.names.get("en") or self.name
        colon = "：" if lang == "zh" else ": "
        return f"{name}{colon}${self.identity}$" if self.identity else name


def _arg(e: sp.Expr) -> sp.Expr:
    return e.args[0]


def _names(en: str, zh: str) -> Mapping[str, str]:
    return MappingProxyType({"en": en, "zh": zh})


def _log_numeric(v: mpmath.mpf) -> mpmath.mpf:
    if v <= 0:
        raise ValueError("log of a non-positive number")
    return mpmath.log(v)


ENTRIES: tuple[FunctionEntry, ...] = (
    FunctionEntry("exp", sp.exp, lambda e: e, "exp", ("exp",), curvature=("convex", "increasing"),
                  numeric=mpmath.exp),
    FunctionEntry("log", sp.log, lambda e: 1 / _arg(e), "log", ("log", "ln"),
                  curvature=("concave", "increasing"), numeric=_log_numeric),
    FunctionEntry("sin", sp.sin, lambda e: sp.cos(_arg(e)), "trig", ("sin",), numeric=mpmath.sin),
    FunctionEntry("cos", sp.cos, lambda e: -sp.sin(_arg(e)), "trig", ("cos",), numeric=mpmath.cos),
    FunctionEntry("tan", sp.tan, lambda e: 1 + sp.tan(_arg(e)) ** 2, "trig", ("tan",), numeric=mpmath.tan),
    FunctionEntry("cot", sp.cot, lambda e: -1 - sp.cot(_arg(e)) ** 2, "trig", ("cot",), numeric=mpmath.cot),
    FunctionEntry("sec", sp.sec, lambda e: sp.sec(_arg(e)) * sp.tan(_arg(e)), "trig", ("sec",),
                  numeric=mpmath.sec),
    FunctionEntry("csc", sp.csc, lambda e: -sp.csc(_arg(e)) * sp.cot(_arg(e)), "trig", ("csc",),
                  numeric=mpmath.csc),
    FunctionEntry("arcsin", sp.asin, lambda e: 1 / sp.sqrt(1 - _arg(e) ** 2), "trig", ("arcsin",),
                  numeric=mpmath.asin),
    FunctionEntry("arccos", sp.acos, lambda e: -1 / sp.sqrt(1 - _arg(e) ** 2), "trig", ("arccos",),
                  numeric=mpmath.acos),
    FunctionEntry("arctan", sp.atan, lambda e: 1 / (1 + _arg(e) ** 2), "trig", ("arctan",),
                  numeric=mpmath.atan),
    FunctionEntry("sinh", sp.sinh, lambda e: sp.cosh(_arg(e)), "hyperbolic", ("sinh",), numeric=mpmath.sinh),
    FunctionEntry("cosh", sp.cosh, lambda e: sp.sinh(_arg(e)), "hyperbolic", ("cosh",), numeric=mpmath.cosh),
    FunctionEntry("tanh", sp.tanh, lambda e: 1 - sp.tanh(_arg(e)) ** 2, "hyperbolic", ("tanh",),
                  numeric=mpmath.tanh),
    FunctionEntry("coth", sp.coth, lambda e: 1 - sp.coth(_arg(e)) ** 2, "hyperbolic", ("coth",),
                  numeric=mpmath.coth),
    FunctionEntry("sigmoid", sigmoid, lambda e: e * (1 - e), "ml", ("sigmoid", "sigma", "logistic"),
                  identity=r"\sigma'(u) = \sigma(u)\left(1 - \sigma(u)\right)",
                  names=_names("sigmoid rule", "sigmoid 法则"),
                  numeric=lambda v: 1 / (1 + mpmath.exp(-v))),
    FunctionEntry("softplus", softplus, lambda e: sigmoid(_arg(e)), "ml", ("softplus",),
                  identity=r"\frac{d}{du}\log(1 + e^u) = \sigma(u)",
                  names=_names("softplus rule", "softplus 法则"), curvature=("convex", "increasing"),
                  numeric=lambda v: mpmath.log(1 + mpmath.exp(v))),
    FunctionEntry("relu", relu, lambda e: sp.Heaviside(_arg(e)), "ml", ("relu",),
                  identity=r"\operatorname{ReLU}'(u) = H(u) \ (u \neq 0)",
                  names=_names("ReLU rule", "ReLU 法则"), curvature=("convex", "increasing"),
                  numeric=lambda v: v if v > 0 else mpmath.mpf(0)),
    FunctionEntry("gelu", gelu, lambda e: gelu.derivative_at(_arg(e)), "ml", ("gelu",),
                  identity=r"\operatorname{GELU}'(u) = \Phi(u) + u\,\varphi(u)",
                  names=_names("GELU rule", "GELU 法则"),
                  numeric=lambda v: v * (1 + mpmath.erf(v / mpmath.sqrt(2))) / 2),
)

_BY_FUNCTION: dict[type, FunctionEntry] = {e.function: e for e in ENTRIES}
_BY_SPELLING: dict[str, FunctionEntry] = {s: e for e in ENTRIES for s in e.spellings}


def entry_for(function: type) -> FunctionEntry | None:
    """The entry of a SymPy function class (`sigmoid`, `sp.tanh`), or None."""
    return _BY_FUNCTION.get(function)


def entry_named(spelling: str) -> FunctionEntry | None:
    """The entry a LaTeX name means (`\\operatorname{GELU}` -> 'gelu'), or None."""
    return _BY_SPELLING.get(spelling.lower())


def ml_entries() -> tuple[FunctionEntry, ...]:
    """The machine-learning functions (σ, softplus, ReLU, GELU), defined by symderiv itself."""
    return tuple(e for e in ENTRIES if e.family == "ml")

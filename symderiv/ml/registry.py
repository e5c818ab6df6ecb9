"""One registry of the functions a learner differentiates: one entry per function.

An entry says everything symderiv knows about one function — how LaTeX spells it, what it is in
SymPy, its derivative in the form a textbook prints, the identity a step cites, its name in each
language, its curvature for convexity proofs and how to evaluate it to any precision. The parser,
the rules, the printers, the convexity prover and the numeric oracle look entries up here instead
of keeping lists of their own, so adding a function is one entry (plus its tests).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import mpmath
import sympy as sp

from symderiv.ml.functions import MLFunction, gelu, relu, sigmoid, softmax, softplus

Derivative = Callable[[sp.Expr], sp.Expr]
Derivation = tuple[tuple[str, sp.Expr | tuple[sp.Expr, ...]], ...]
"""f'(z) worked from the definition: (move, line) pairs, the first line the definition written out
and the last the identity a step cites; each line equals the one before (tests check it). A line
that is a tuple is a product shown factor by factor (SymPy would merge the factors). The moves are
phrase keys the pages translate (fact_definition, fact_chain, …)."""
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
    inverse: str = ""  # the entry of its inverse function, written f^{-1} (sin -> arcsin)
    derivation: Callable[[sp.Symbol], Derivation] | None = None  # f'(z) derived from f's definition

    def derived(self, z: sp.Symbol) -> Derivation:
        """f'(z) worked from the definition of f, as (move, line) pairs; () when not written."""
        return self.derivation(z) if self.derivation is not None else ()

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


def _trig(name: str, function: type[sp.Function], derivative: Derivative, numeric: Numeric,
          spellings: tuple[str, ...] = (), inverse: str = "", family: str = "trig") -> FunctionEntry:
    """A trigonometric or hyperbolic entry, spelled by its name and `spellings`."""
    return FunctionEntry(name, function, derivative, family, (name, *spellings), numeric=numeric,
                         inverse=inverse)


def _hyp(name: str, function: type[sp.Function], derivative: Derivative, numeric: Numeric,
         spellings: tuple[str, ...] = (), inverse: str = "") -> FunctionEntry:
    return _trig(name, function, derivative, numeric, spellings, inverse, family="hyperbolic")


def _step(name: str, function: type[sp.Function], spellings: tuple[str, ...], numeric: Numeric,
          identity: str, en: str, zh: str) -> FunctionEntry:
    """A piecewise-constant function (floor, ceiling, sign): derivative 0 wherever it exists;
    at its jumps (the integers, 0) it has none, as its identity says."""
    return FunctionEntry(name, function, lambda e: sp.Integer(0), "ml", spellings, identity=identity,
                         names=_names(en, zh), numeric=numeric)


def _sqrt_u2_minus_1(u: sp.Expr) -> sp.Expr:
    return sp.Abs(u) * sp.sqrt(u**2 - 1)


def _sigmoid_derived(z: sp.Symbol) -> Derivation:
    """σ'(z) = σ(z)(1 − σ(z)), from σ(z) = 1/(1 + e^{−z})."""
    d = 1 + sp.exp(-z)
    return (
        ("fact_definition", sp.Derivative(1 / d, z)),
        ("fact_chain", (-1 / d**2, -sp.exp(-z))),
        ("fact_signs", sp.exp(-z) / d**2),
        ("fact_split", (1 / d, sp.exp(-z) / d)),
        ("fact_complement", (1 / d, 1 - 1 / d)),
        ("fact_name", sigmoid(z) * (1 - sigmoid(z))),
    )


def _softplus_derived(z: sp.Symbol) -> Derivation:
    """softplus'(z) = σ(z), from softplus(z) = log(1 + e^z)."""
    return (
        ("fact_definition", sp.Derivative(sp.log(1 + sp.exp(z)), z)),
        ("fact_chain", (1 / (1 + sp.exp(z)), sp.exp(z))),
        ("fact_divide", 1 / (1 + sp.exp(-z))),
        ("fact_name", sigmoid(z)),
    )


def _tanh_derived(z: sp.Symbol) -> Derivation:
    """tanh'(z) = 1 − tanh²(z), from tanh z = sinh z / cosh z."""
    return (
        ("fact_definition", sp.Derivative(sp.sinh(z) / sp.cosh(z), z)),
        ("fact_quotient", (sp.cosh(z) ** 2 - sp.sinh(z) ** 2) / sp.cosh(z) ** 2),
        ("fact_split", sp.Add(1, -sp.sinh(z) ** 2 / sp.cosh(z) ** 2, evaluate=False)),
        ("fact_name", 1 - sp.tanh(z) ** 2),
    )


ENTRIES: tuple[FunctionEntry, ...] = (
    FunctionEntry("exp", sp.exp, lambda e: e, "exp", ("exp",), curvature=("convex", "increasing"),
                  numeric=mpmath.exp),
    FunctionEntry("log", sp.log, lambda e: 1 / _arg(e), "log", ("log", "ln"),
                  curvature=("concave", "increasing"), numeric=_log_numeric),
    _trig("sin", sp.sin, lambda e: sp.cos(_arg(e)), mpmath.sin, inverse="arcsin"),
    _trig("cos", sp.cos, lambda e: -sp.sin(_arg(e)), mpmath.cos, inverse="arccos"),
    _trig("tan", sp.tan, lambda e: 1 + sp.tan(_arg(e)) ** 2, mpmath.tan, inverse="arctan"),
    _trig("cot", sp.cot, lambda e: -1 - sp.cot(_arg(e)) ** 2, mpmath.cot, inverse="arccot"),
    _trig("sec", sp.sec, lambda e: sp.sec(_arg(e)) * sp.tan(_arg(e)), mpmath.sec, inverse="arcsec"),
    _trig("csc", sp.csc, lambda e: -sp.csc(_arg(e)) * sp.cot(_arg(e)), mpmath.csc, inverse="arccsc"),
    _trig("arcsin", sp.asin, lambda e: 1 / sp.sqrt(1 - _arg(e) ** 2), mpmath.asin, ("asin",)),
    _trig("arccos", sp.acos, lambda e: -1 / sp.sqrt(1 - _arg(e) ** 2), mpmath.acos, ("acos",)),
    _trig("arctan", sp.atan, lambda e: 1 / (1 + _arg(e) ** 2), mpmath.atan, ("atan",)),
    _trig("arccot", sp.acot, lambda e: -1 / (1 + _arg(e) ** 2), mpmath.acot, ("acot", "arcctg")),
    _trig("arcsec", sp.asec, lambda e: 1 / _sqrt_u2_minus_1(_arg(e)), mpmath.asec, ("asec",)),
    _trig("arccsc", sp.acsc, lambda e: -1 / _sqrt_u2_minus_1(_arg(e)), mpmath.acsc, ("acsc",)),
    _hyp("sinh", sp.sinh, lambda e: sp.cosh(_arg(e)), mpmath.sinh, inverse="arcsinh"),
    _hyp("cosh", sp.cosh, lambda e: sp.sinh(_arg(e)), mpmath.cosh, inverse="arccosh"),
    dataclasses.replace(_hyp("tanh", sp.tanh, lambda e: 1 - sp.tanh(_arg(e)) ** 2, mpmath.tanh,
                             inverse="arctanh"), derivation=_tanh_derived),
    _hyp("coth", sp.coth, lambda e: 1 - sp.coth(_arg(e)) ** 2, mpmath.coth, inverse="arccoth"),
    _hyp("sech", sp.sech, lambda e: -sp.sech(_arg(e)) * sp.tanh(_arg(e)), mpmath.sech),
    _hyp("csch", sp.csch, lambda e: -sp.csch(_arg(e)) * sp.coth(_arg(e)), mpmath.csch),
    _hyp("arcsinh", sp.asinh, lambda e: 1 / sp.sqrt(_arg(e) ** 2 + 1), mpmath.asinh, ("arsinh", "asinh")),
    _hyp("arccosh", sp.acosh, lambda e: 1 / sp.sqrt(_arg(e) ** 2 - 1), mpmath.acosh, ("arcosh", "acosh")),
    _hyp("arctanh", sp.atanh, lambda e: 1 / (1 - _arg(e) ** 2), mpmath.atanh, ("artanh", "atanh")),
    _hyp("arccoth", sp.acoth, lambda e: 1 / (1 - _arg(e) ** 2), mpmath.acoth, ("arcoth", "acoth")),
    FunctionEntry("sigmoid", sigmoid, lambda e: e * (1 - e), "ml", ("sigmoid", "sigma", "logistic"),
                  identity=r"\sigma'(u) = \sigma(u)\left(1 - \sigma(u)\right)",
                  names=_names("sigmoid rule", "sigmoid 法则"),
                  numeric=lambda v: 1 / (1 + mpmath.exp(-v)), derivation=_sigmoid_derived),
    FunctionEntry("softplus", softplus, lambda e: sigmoid(_arg(e)), "ml", ("softplus",),
                  identity=r"\frac{d}{du}\log(1 + e^u) = \sigma(u)",
                  names=_names("softplus rule", "softplus 法则"), curvature=("convex", "increasing"),
                  numeric=lambda v: mpmath.log(1 + mpmath.exp(v)), derivation=_softplus_derived),
    FunctionEntry("relu", relu, lambda e: sp.Heaviside(_arg(e)), "ml", ("relu",),
                  identity=r"\operatorname{ReLU}'(u) = H(u) \ (u \neq 0)",
                  names=_names("ReLU rule", "ReLU 法则"), curvature=("convex", "increasing"),
                  numeric=lambda v: v if v > 0 else mpmath.mpf(0)),
    FunctionEntry("gelu", gelu, lambda e: gelu.derivative_at(_arg(e)), "ml", ("gelu",),
                  identity=r"\operatorname{GELU}'(u) = \Phi(u) + u\,\varphi(u)",
                  names=_names("GELU rule", "GELU 法则"),
                  numeric=lambda v: v * (1 + mpmath.erf(v / mpmath.sqrt(2))) / 2),
    FunctionEntry("erf", sp.erf, lambda e: 2 * sp.exp(-_arg(e) ** 2) / sp.sqrt(sp.pi), "ml", ("erf",),
                  identity=r"\frac{d}{du}\operatorname{erf}(u) = \frac{2}{\sqrt{\pi}} e^{-u^2}",
                  names=_names("error-function rule", "误差函数法则"), numeric=mpmath.erf),
    _step("floor", sp.floor, ("floor",), mpmath.floor,
          r"\frac{d}{du}\lfloor u \rfloor = 0 \ (u \notin \mathbb{Z})", "floor rule", "向下取整法则"),
    _step("ceiling", sp.ceiling, ("ceil", "ceiling"), mpmath.ceil,
          r"\frac{d}{du}\lceil u \rceil = 0 \ (u \notin \mathbb{Z})", "ceiling rule", "向上取整法则"),
    _step("sign", sp.sign, ("sgn", "sign", "signum"), mpmath.sign,
          r"\frac{d}{du}\operatorname{sgn}(u) = 0 \ (u \neq 0)", "sign rule", "符号函数法则"),
)
"""Families: exp, log, trig, hyperbolic cite their rule by family; "ml" entries cite their own
rule by name (the ML functions, and erf, floor, ceiling, sign, whose identities a step quotes)."""

_BY_FUNCTION: dict[type, FunctionEntry] = {e.function: e for e in ENTRIES}
_BY_SPELLING: dict[str, FunctionEntry] = {s: e for e in ENTRIES for s in e.spellings}
_BY_NAME: dict[str, FunctionEntry] = {e.name: e for e in ENTRIES}


@dataclass(frozen=True)
class VectorFact:
    """The derivative of a function of a whole vector, derived once like an entry's f'(z).

    Log-sum-exp has no FunctionEntry: the parser writes `\\operatorname{LSE}(z)` out as
    log Σ_j e^{z_j}, which the rules differentiate piece by piece. Its fact (the derivative is the
    softmax) is kept here beside the entries' own, in the vector's entries z_j, j = 1..K."""

    name: str
    names: Mapping[str, str]
    statement: Callable[[], tuple[sp.Expr, sp.Expr]]   # (∂f/∂z_k unevaluated, what it equals)
    derivation: Callable[[], Derivation]               # from the line after ∂f/∂z_k to the result

    def derived(self, z: sp.Symbol | None = None) -> Derivation:
        """The lines from ∂f/∂z_k to the result, as (move, line) pairs (`z` is for FunctionEntry's form)."""
        return self.derivation()


VZ = sp.IndexedBase("z")
VJ, VK = sp.symbols("j k", integer=True)
VSIZE = sp.Symbol("K", integer=True, positive=True)


def _lse_sum() -> sp.Sum:
    return sp.Sum(sp.exp(VZ[VJ]), (VJ, 1, VSIZE))


def _lse_statement() -> tuple[sp.Expr, sp.Expr]:
    return sp.Derivative(sp.log(_lse_sum()), VZ[VK]), softmax(VZ, VK, VSIZE)


def _lse_derived() -> Derivation:
    """∂/∂z_k log Σ_j e^{z_j} = softmax(z)_k: through the log, then the sum's one term with j = k."""
    total = _lse_sum()
    return (
        ("fact_chain_log", (1 / total, sp.Derivative(total, VZ[VK]))),
        ("fact_term_by_term", (1 / total, sp.Sum(sp.KroneckerDelta(VJ, VK) * sp.exp(VZ[VJ]), (VJ, 1, VSIZE)))),
        ("fact_one_term", sp.exp(VZ[VK]) / total),
        ("fact_softmax", softmax(VZ, VK, VSIZE)),
    )


LOG_SUM_EXP = VectorFact("logsumexp", _names("log-sum-exp rule", "对数求和指数法则"), _lse_statement,
                         _lse_derived)
"""∂/∂z_k log Σ_j e^{z_j} = softmax(z)_k, cited by the chain rule through a log of a sum of exponentials."""


def entry_for(function: type) -> FunctionEntry | None:
    """The entry of a SymPy function class (`sigmoid`, `sp.tanh`), or None."""
    return _BY_FUNCTION.get(function)


def entry_named(spelling: str) -> FunctionEntry | None:
    """The entry a LaTeX name means (`\\operatorname{GELU}` -> 'gelu'), or None."""
    return _BY_SPELLING.get(spelling.lower())


def ml_entries() -> tuple[FunctionEntry, ...]:
    """The machine-learning functions (σ, softplus, ReLU, GELU), defined by symderiv itself."""
    return tuple(e for e in ENTRIES if isinstance(e.function, type) and issubclass(e.function, MLFunction))


def inverse_of(function: type) -> FunctionEntry | None:
    """The entry of f^{-1} for a function that has one (`sp.sin` -> arcsin), else None."""
    entry = _BY_FUNCTION.get(function)
    return _BY_NAME.get(entry.inverse) if entry is not None and entry.inverse else None

"""Differentiation rules as data: one frozen dataclass per rule, each able to `eval()` its result.

As in SymPy's `manualintegrate`, a rule holds what it differentiates (`expr`), by what (`var`)
and its sub-steps; evaluation is a small formula over the sub-steps, and printing lives in the
renderer. Every rule is an identity `d expr / d var == eval()` (checked numerically in tests),
where named intermediates (ŷ_i) stand for their definitions.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from operator import mul

import sympy as sp

from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.ml.functions import relu
from symderiv.ml.registry import ENTRIES, FunctionEntry, entry_for


@dataclass(frozen=True)
class Rule:
    """d expr / d var, whatever the rule."""

    expr: sp.Basic
    var: sp.Basic

    key = "rule"

    def eval(self) -> sp.Basic:
        raise NotImplementedError

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return ()

    def walk(self) -> Iterator[Rule]:
        yield self
        for s in self.substeps:
            yield from s.walk()


@dataclass(frozen=True)
class ConstantRule(Rule):
    """d/dx c -> 0 (c does not depend on x)."""

    key = "constant"

    def eval(self) -> sp.Basic:
        return sp.Integer(0)


@dataclass(frozen=True)
class VariableRule(Rule):
    """d/dx x -> 1."""

    key = "variable"

    def eval(self) -> sp.Basic:
        return sp.Integer(1)


@dataclass(frozen=True)
class KroneckerRule(Rule):
    """d θ_j / d θ_k -> δ_jk (entries of one vector)."""

    key = "kronecker"

    def eval(self) -> sp.Basic:
        return sp.Mul(*[sp.KroneckerDelta(a, b) for a, b in zip(self.expr.indices, self.var.indices, strict=False)])


@dataclass(frozen=True)
class SumRule(Rule):
    """d/dx (f + g + …) -> f' + g' + …"""

    steps: tuple[Rule, ...] = ()
    key = "sum"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return self.steps

    def eval(self) -> sp.Basic:
        return sp.Add(*[s.eval() for s in self.steps])


@dataclass(frozen=True)
class ConstantMultipleRule(Rule):
    """d/dx (c·f) -> c·f'."""

    constant: sp.Basic
    step: Rule
    key = "constant_multiple"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.step,)

    def eval(self) -> sp.Basic:
        return self.constant * self.step.eval()


@dataclass(frozen=True)
class PowerRule(Rule):
    """d/dx x^n -> n·x^(n−1)."""

    base: sp.Basic
    exponent: sp.Basic
    key = "power"

    def eval(self) -> sp.Basic:
        return self.exponent * self.base ** (self.exponent - 1)


@dataclass(frozen=True)
class SqrtRule(PowerRule):
    """d/dx √x -> 1/(2√x)."""

    key = "sqrt"


@dataclass(frozen=True)
class ProductRule(Rule):
    """d/dx (f·g·…) -> f'·g·… + f·g'·… + …"""

    factors: tuple[sp.Basic, ...] = ()
    steps: tuple[Rule, ...] = ()
    key = "product"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return self.steps

    def eval(self) -> sp.Basic:
        terms = []
        for n, step in enumerate(self.steps):
            others = [f for m, f in enumerate(self.factors) if m != n]
            terms.append(step.eval() * reduce(mul, others, sp.Integer(1)))
        return sp.Add(*terms)


@dataclass(frozen=True)
class QuotientRule(Rule):
    """d/dx f/g -> (f'·g − f·g') / g²."""

    numerator: sp.Basic
    denominator: sp.Basic
    num_step: Rule
    den_step: Rule
    key = "quotient"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.num_step, self.den_step)

    def eval(self) -> sp.Basic:
        f, g = self.numerator, self.denominator
        return (self.num_step.eval() * g - f * self.den_step.eval()) / g ** 2


@dataclass(frozen=True)
class ChainRule(Rule):
    """d/dx f(g(x)) -> f'(u)|_{u=g(x)} · g'(x), with u named (ŷ, z_i, u)."""

    u: sp.Basic
    inner: sp.Basic
    outer_step: Rule   # d f(u) / d u
    inner_step: Rule   # d g(x) / d x
    named: bool = False              # u is the user's intermediate: results keep its name
    key = "chain"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.outer_step, self.inner_step)

    def eval(self) -> sp.Basic:
        outer = self.outer_step.eval()
        if not self.named:
            outer = outer.xreplace({self.u: self.inner})
        return outer * self.inner_step.eval()


@dataclass(frozen=True)
class ElementaryRule(Rule):
    """d/du f(u) for an elementary f of the variable itself: exp, log, trig, sigmoid, …"""

    key = "elementary"

    @property
    def entry(self) -> FunctionEntry:
        """The registry's entry for the function differentiated here."""
        found = entry_for(type(self.expr))
        assert found is not None, type(self.expr)
        return found

    def eval(self) -> sp.Basic:
        return self.entry.derivative(self.expr)


@dataclass(frozen=True)
class ExpRule(ElementaryRule):
    """d/du e^u -> e^u."""

    key = "exp"


@dataclass(frozen=True)
class LogRule(ElementaryRule):
    """d/du ln u -> 1/u."""

    key = "log"


@dataclass(frozen=True)
class TrigRule(ElementaryRule):
    """d/du sin u -> cos u, cos u -> −sin u, tan u -> 1 + tan² u, …"""

    key = "trig"


@dataclass(frozen=True)
class HyperbolicRule(ElementaryRule):
    """d/du tanh u -> 1 − tanh² u, sinh u -> cosh u, cosh u -> sinh u."""

    key = "hyperbolic"


@dataclass(frozen=True)
class MLFunctionRule(ElementaryRule):
    """d/du f(u) -> f'(u) for an ML function of the registry (σ' = σ(1 − σ), softplus' = σ, GELU' = Φ + uφ)."""

    @property
    def key(self) -> str:  # type: ignore[override]
        return self.entry.name


@dataclass(frozen=True)
class ExponentialRule(Rule):
    """d/du a^u -> a^u · ln a (constant base a)."""

    key = "exponential"

    def eval(self) -> sp.Basic:
        return self.expr * sp.log(self.expr.base)


@dataclass(frozen=True)
class PiecewiseRule(Rule):
    """d/du max(0, u), |u|, ReLU(u), cases: piece by piece; undefined where the pieces meet.

    `undefined` lists the points where the derivative does not exist (u = 0 for |u|, ReLU)."""

    pieces: tuple = ()            # ((derivative, condition), ...)
    undefined: tuple = ()
    key = "piecewise"

    def eval(self) -> sp.Basic:
        return sp.Piecewise(*self.pieces)


@dataclass(frozen=True)
class IndexSumRule(Rule):
    """d/dθ_k Σ_i f_i -> Σ_i d f_i / dθ_k (the derivative moves inside the sum)."""

    step: Rule
    key = "index_sum"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.step,)

    def eval(self) -> sp.Basic:
        return sp.Sum(self.step.eval(), *self.expr.limits)


@dataclass(frozen=True)
class KroneckerCollapseRule(Rule):
    """Σ_j δ_jk g_j -> g_k: only the j = k term of the sum survives."""

    step: Rule
    index: sp.Symbol
    key = "kronecker_collapse"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.step,)

    def eval(self) -> sp.Basic:
        return collapse_kronecker(sp.Sum(self.step.eval(), *self.expr.limits))


@dataclass(frozen=True)
class DeterminantRule(Rule):
    """d det X / dX_kj -> det(X) (X⁻¹)_jk (Jacobi's formula; the entries of X independent)."""

    key = "determinant"

    def eval(self) -> sp.Basic:
        k, j = self.var.indices
        return self.expr * sp.Inverse(self.expr.arg)[j, k]


@dataclass(frozen=True)
class InverseEntryRule(Rule):
    """d (X⁻¹)_ab / dX_kj -> −(X⁻¹)_ak (X⁻¹)_jb (from d(X⁻¹) = −X⁻¹ dX X⁻¹)."""

    key = "inverse_entry"

    def eval(self) -> sp.Basic:
        inverse, a, b = self.expr.args
        k, j = self.var.indices
        return -inverse[a, k] * inverse[j, b]


@dataclass(frozen=True)
class DefinitionRule(Rule):
    """d ŷ / dθ -> d(definition of ŷ)/dθ: a named intermediate differentiated through its definition."""

    definition: sp.Basic   # the defining expression of this instance
    step: Rule
    key = "definition"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.step,)

    def eval(self) -> sp.Basic:
        return self.step.eval()


@dataclass(frozen=True)
class RewriteRule(Rule):
    """f -> an equal form that is easier to differentiate (e.g. a quotient written as a product)."""

    rewritten: sp.Basic
    step: Rule
    key = "rewrite"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.step,)

    def eval(self) -> sp.Basic:
        return self.step.eval()


@dataclass(frozen=True)
class FallbackRule(Rule):
    """d/dx f -> sympy.diff(f, x), for what no rule covers (shown as such)."""

    key = "fallback"

    def eval(self) -> sp.Basic:
        return sp.diff(self.expr, self.var)


@dataclass(frozen=True)
class ChainThroughRule(Rule):
    """d f / dθ -> Σ_a ∂f/∂a · da/dθ (+ ∂f/∂θ with the intermediates a held fixed).

    `links` pairs each intermediate a (ŷ_i, z_i) with the step for ∂f/∂a and the step for da/dθ.
    """

    links: tuple = ()            # ((a, outer_step, inner_step), ...)
    direct: Rule | None = None
    key = "chain"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        out = []
        for _, outer, inner in self.links:
            out += [outer, inner]
        if self.direct is not None:
            out.append(self.direct)
        return tuple(out)

    def eval(self) -> sp.Basic:
        total = sp.Add(*[outer.eval() * inner.eval() for _, outer, inner in self.links])
        if self.direct is not None:
            total += self.direct.eval()
        return total


RULE_FOR_FAMILY: dict[str, type[ElementaryRule]] = {
    "exp": ExpRule, "log": LogRule, "trig": TrigRule, "hyperbolic": HyperbolicRule, "ml": MLFunctionRule,
}

# Functions with a rule of their own; ReLU is piecewise (its kink is a step of its own in the engine).
ELEMENTARY_RULES: dict[type, type[ElementaryRule]] = {
    e.function: RULE_FOR_FAMILY[e.family] for e in ENTRIES if e.function is not relu
}

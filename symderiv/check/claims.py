"""Reading a claim: LaTeX -> SymPy, then in the terms the truth is written in.

A learner writes a gradient entry the way a textbook does: with intermediates (ŷ_i), subscripts
outside any sum (x_i), a vector for its k-th component (Σ_i (ŷ_i − y_i) x_i). `prepare` turns such
a claim into an expression comparable with ∂f/∂θ_k point by point.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.check.sampling import SampledTruth
from symderiv.check.truth import nest_sums
from symderiv.check.variables import free_indices, outer_sum_vars
from symderiv.core.problem import Problem
from symderiv.parsing.parser import parse, parse_expression


def load_problem(latex_or_problem: str | Problem, where: Sequence[str]) -> Problem:
    """The function to differentiate: a Problem as given, or LaTeX parsed with its definitions."""
    if isinstance(latex_or_problem, Problem):
        return latex_or_problem
    return parse(latex_or_problem, where=list(where))


def parse_claim(latex: str, problem: Problem) -> sp.Basic:
    """A claimed derivative in LaTeX, read with the problem's names and intermediates."""
    return parse_expression(latex, problem=problem)


def prepare(claim: sp.Basic, sampled: SampledTruth) -> sp.Basic:
    """The claim with definitions substituted and its component index named like the truth's."""
    claim = sampled.problem.expanded(_subscripts_as_indices(claim, sampled))
    if claim.has(sp.Derivative):  # a line may still say d/dx(inner): evaluate it
        claim = claim.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    claim = collapse_kronecker(nest_sums(claim))
    component = sampled.component
    if component is not None:
        claim = _as_component(claim, sampled)
    if component is not None and not claim.has(component):
        extra = [s for s in free_indices(claim) if s not in sampled.truth.free_symbols
                 and s not in outer_sum_vars(sampled.truth)]
        if len(extra) == 1:
            claim = claim.xreplace({extra[0]: component})
    return claim


def _subscripts_as_indices(claim: sp.Basic, sampled: SampledTruth) -> sp.Basic:
    """`x_i`, `y_i` written outside any sum (plain symbols to the parser) -> x[i], y[i].

    A learner who drops the sum over samples writes the summand with a free i; it must be
    compared with the truth's summand, so it has to be indexed like the truth.
    """
    bases = {str(a.base.label): a.base for a in sampled.function.atoms(sp.Indexed)}
    bases.update({d.name: d.target.base for d in sampled.problem.definitions
                  if isinstance(d.target, sp.Indexed)})
    rep = {}
    for s in claim.free_symbols:
        m = re.fullmatch(r"(\w+?)_\{?([a-z])\}?", str(s))
        if m and m.group(1) in bases and not s.is_integer:
            rep[s] = bases[m.group(1)][sp.Symbol(m.group(2), integer=True)]
    return claim.xreplace(rep) if rep else claim


def _as_component(claim: sp.Basic, sampled: SampledTruth) -> sp.Basic:
    """Read a vector claim as its k-th component: x_i -> x_{ik}, θ -> θ_k.

    A gradient w.r.t. a vector is a vector; `Σ_i (ŷ_i − y_i) x_i` means, per component,
    `Σ_i (ŷ_i − y_i) x_{ik}`. Only quantities the function itself indexes once more qualify.
    """
    arity: dict = {}
    for a in sampled.function.atoms(sp.Indexed):
        arity[a.base] = max(arity.get(a.base, 0), len(a.indices))
    k = sampled.component
    rep = {a: _one_more_index(a, k) for a in claim.atoms(sp.Indexed)
           if arity.get(a.base, 0) == len(a.indices) + 1}
    by_name = {str(b.label): b for b, r in arity.items() if r == 1}
    labels = {a.base.label for a in claim.atoms(sp.Indexed)}
    rep.update({s: by_name[str(s)][k] for s in claim.free_symbols - labels
                if isinstance(s, sp.Symbol) and str(s) in by_name and not s.is_integer})
    return claim.xreplace(rep) if rep else claim


def _one_more_index(a: sp.Indexed, k: sp.Symbol) -> sp.Indexed:
    """x_i -> x_{ik}."""
    indices = (*a.indices, k)
    return a.base[indices]

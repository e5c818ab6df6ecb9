"""Reading a claim: LaTeX -> SymPy, then in the terms the truth is written in.

A learner writes a gradient entry the way a textbook does: with intermediates (ŷ_i), subscripts
outside any sum (x_i), a vector for its k-th component (Σ_i (ŷ_i − y_i) x_i), a matrix for its
(k, j) entry, the problem's data as a matrix (Xᵀ(ŷ − y): problem_terms.py). `prepare` turns such a
claim into an expression comparable with ∂f/∂θ_k (or ∂f/∂W_kj) point by point.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.check.problem_terms import claim_latex, identities, tie_names
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
    return parse_expression(claim_latex(latex), problem=problem)


def prepare(claim: sp.Basic, sampled: SampledTruth) -> sp.Basic:
    """The claim in the problem's names, definitions substituted, its entry indices named like the
    truth's, matrices held whole in the truth's stand-ins."""
    claim = tie_names(claim, sampled.problem)
    claim = sampled.problem.expanded(_subscripts_as_indices(claim, sampled))
    if claim.has(sp.Derivative):  # a line may still say d/dx(inner): evaluate it
        claim = claim.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    claim = collapse_kronecker(nest_sums(claim))
    if len(sampled.free) == 1:
        claim = _as_component(claim, sampled)
    claim = identities(_entry_indices(claim, sampled), sampled.problem, sampled.free)
    return sampled.wholes.hide(claim)


def _entry_indices(claim: sp.Basic, sampled: SampledTruth) -> sp.Basic:
    """The claim's free entry indices renamed to the truth's: its k (and column c) as k (and j).

    The parser names a claim's row index k and its column index afresh; the truth's indices avoid
    the names the function uses. An index already shared is kept; the others are matched in order
    (the parser's k first)."""
    missing = [f for f in sampled.free if f not in claim.free_symbols]
    if not missing:
        return claim
    extra = [s for s in free_indices(claim) if s not in sampled.truth.free_symbols
             and s not in outer_sum_vars(sampled.truth)]
    if len(extra) != len(missing):
        # the parser names a claim's row index k and its column index with any free letter, one
        # the truth sums over included
        extra = [s for s in free_indices(claim) if s not in sampled.truth.free_symbols
                 and (len(sampled.free) == 2 or s.name == "k")]
    if len(extra) != len(missing):
        return claim
    extra.sort(key=lambda s: (s.name != "k", s.name))
    return _free_of_bound(claim, set(missing)).xreplace(dict(zip(extra, missing, strict=True)))


def _free_of_bound(expr: sp.Basic, names: set[sp.Symbol]) -> sp.Basic:
    """Every sum over one of `names` summed over a fresh index instead (so a free index renamed to
    that name is never captured: Σ_l A_il X_lk with its column j renamed l)."""
    clashing = {lim[0] for s in expr.atoms(sp.Sum) for lim in s.limits} & names
    if not clashing:
        return expr
    taken = {s.name for s in expr.atoms(sp.Symbol)} | {s.name for s in names}
    rep = {}
    for old in sorted(clashing, key=str):
        name = next(c for c in (*"pqrstuvwabc", *(f"i{n}" for n in range(99))) if c not in taken)
        taken.add(name)
        rep[old] = sp.Symbol(name, integer=True)

    def visit(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Sum):
            limits = [(rep.get(i, i), lo, hi) for i, lo, hi in e.limits]
            bound = {i: rep[i] for i, _, _ in e.limits if i in rep}
            return sp.Sum(visit(e.function.xreplace(bound)), *limits)
        if not e.args or e.is_Atom:
            return e
        return e.func(*[visit(a) for a in e.args])

    return visit(expr)


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

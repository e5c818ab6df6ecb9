"""The facts a worked solution uses, derived once: σ'(z) = σ(z)(1 − σ(z)) from 1/(1 + e^{−z}), …

A step citing the sigmoid rule (or softplus, tanh), or the chain rule through log Σ_j e^{z_j} (whose
derivative is the softmax), would otherwise assert the identity. The page
opens with a "facts used" section deriving each one from the function's definition, line by line
with the move named (the lines are the registry entry's `derivation`, checked in tests to be equal
one to the next), and the steps that use a fact refer back to it by number.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.ml.registry import LOG_SUM_EXP, FunctionEntry, VectorFact
from symderiv.output.phrases import phrase, text_phrase
from symderiv.output.printing import latex, text

Z = sp.Symbol("z", real=True)


@dataclass(frozen=True)
class Fact:
    """One derived identity as printed: its number, the sentence heading it and its lines."""

    number: int
    entry: FunctionEntry | VectorFact
    head: str                              # "Fact 1 (sigmoid rule): …"
    lhs: str                               # d/dz σ(z), the left side of the first line
    lines: tuple[tuple[str, str], ...]     # (move said, the line) — LaTeX or plain text by format


def fact_cited(rule: R.Rule) -> FunctionEntry | VectorFact | None:
    """The fact a step uses: its function's entry (σ, softplus, tanh), or log-sum-exp for the chain
    rule through log Σ_j e^{…} (one sum over one index); None for a step that uses none."""
    if isinstance(rule, R.ElementaryRule):
        return rule.entry if rule.entry.derivation is not None else None
    if isinstance(rule, R.ChainRule) and is_log_sum_exp(rule.expr):
        return LOG_SUM_EXP
    return None


def is_log_sum_exp(e: sp.Basic) -> bool:
    """log Σ_j e^{a_j}: the log of one sum, over one index, of exponentials."""
    return (isinstance(e, sp.log) and isinstance(e.args[0], sp.Sum) and len(e.args[0].limits) == 1
            and isinstance(e.args[0].function, sp.exp))


def entries_used(rules: Iterable[R.Rule]) -> list[FunctionEntry | VectorFact]:
    """The facts (registry entries with a derivation, log-sum-exp) the step trees cite, in the order
    first met."""
    found: dict[str, FunctionEntry | VectorFact] = {}
    stack = list(rules)[::-1]
    while stack:
        rule = stack.pop()
        cited = fact_cited(rule)
        if cited is not None:
            found.setdefault(cited.name, cited)
        stack.extend(s for s in reversed(rule.substeps) if s is not None)
    return list(found.values())


def facts(entries: Iterable[FunctionEntry | VectorFact], lang: str, plain: bool = False) -> list[Fact]:
    """Each entry's derivative worked from its definition, numbered from 1."""
    out = []
    show = text if plain else latex
    say = text_phrase if plain else phrase
    for n, entry in enumerate(entries, 1):
        if isinstance(entry, VectorFact):
            lhs, rhs = entry.statement()
            f = lhs.expr
        else:
            f = entry.function(Z)
            lhs, rhs = sp.Derivative(f, Z), entry.derivative(f)
        name = entry.names.get(lang) or entry.names.get("en") or entry.name
        identity = f"{_shown(lhs, show)} = {show(rhs)}"
        head = say("fact_head", lang, n=n, name=name, identity=identity)
        lines = tuple((say(_plain_key(key, lang) if plain else key, lang, f=show(f)), _shown(e, show))
                      for key, e in entry.derived(Z))
        out.append(Fact(n, entry, head, _shown(lhs, show), lines))
    return out


def _plain_key(key: str, lang: str) -> str:
    """The plain-text wording of a move whose sentence is mostly LaTeX (`fact_complement_plain`)."""
    plain = f"{key}_plain"
    return plain if phrase(plain, lang) != phrase("no_such_phrase", lang) else key


def _shown(e: sp.Basic | tuple[sp.Basic, ...], show) -> str:
    """A line as the move left it: an unevaluated product factor by factor (a · b), else printed."""
    if isinstance(e, sp.Derivative) and show is not latex:       # d/dz [1/(1 + exp(-z))], ∂/∂z_k [Σ_j exp(z_j)]
        d = "∂" if isinstance(e.variables[0], sp.Indexed) else "d"
        return f"{d}/{d}{text(e.variables[0])} [{text(e.expr)}]"
    if isinstance(e, tuple):
        parts = []
        for k, a in enumerate(e):
            s = _shown(a, show) if isinstance(a, sp.Derivative) else show(a)
            if show is text and isinstance(a, sp.Pow) and a.exp == -1 and isinstance(a.base, sp.Sum):
                s = f"1/({show(a.base)})"                                  # 1/(Σ_j exp(z_j)), not 1/Σ_j …
            if isinstance(a, (sp.Add, sp.Sum)) or (k and a.could_extract_minus_sign()):
                s = rf"\left({s}\right)" if show is latex else f"({s})"
            parts.append(s)
        return (r" \cdot " if show is latex else " · ").join(parts)
    return show(e)

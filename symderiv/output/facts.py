"""The facts a worked solution uses, derived once: σ'(z) = σ(z)(1 − σ(z)) from 1/(1 + e^{−z}), …

A step citing the sigmoid rule (or softplus, tanh) would otherwise assert the identity. The page
opens with a "facts used" section deriving each one from the function's definition, line by line
with the move named (the lines are the registry entry's `derivation`, checked in tests to be equal
one to the next), and the steps that use a fact refer back to it by number.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.ml.registry import FunctionEntry
from symderiv.output.phrases import phrase, text_phrase
from symderiv.output.printing import latex, text

Z = sp.Symbol("z", real=True)


@dataclass(frozen=True)
class Fact:
    """One derived identity as printed: its number, the sentence heading it and its lines."""

    number: int
    entry: FunctionEntry
    head: str                              # "Fact 1 (sigmoid rule): …"
    lhs: str                               # d/dz σ(z), the left side of the first line
    lines: tuple[tuple[str, str], ...]     # (move said, the line) — LaTeX or plain text by format


def entries_used(rules: Iterable[R.Rule]) -> list[FunctionEntry]:
    """The registry entries with a derivation that the step trees cite, in the order first met."""
    found: dict[str, FunctionEntry] = {}
    stack = list(rules)[::-1]
    while stack:
        rule = stack.pop()
        if isinstance(rule, R.ElementaryRule):
            entry = rule.entry
            if entry.derivation is not None:
                found.setdefault(entry.name, entry)
        stack.extend(s for s in reversed(rule.substeps) if s is not None)
    return list(found.values())


def facts(entries: Iterable[FunctionEntry], lang: str, plain: bool = False) -> list[Fact]:
    """Each entry's derivative worked from its definition, numbered from 1."""
    out = []
    for n, entry in enumerate(entries, 1):
        derived = entry.derived(Z)
        f = entry.function(Z)
        name = entry.names.get(lang) or entry.names.get("en") or entry.name
        show = text if plain else latex
        say = text_phrase if plain else phrase
        identity = f"{_shown(sp.Derivative(f, Z), show)} = {show(entry.derivative(f))}"
        head = say("fact_head", lang, n=n, name=name, identity=identity)
        lines = tuple((say(_plain_key(key, lang) if plain else key, lang, f=show(f)), _shown(e, show))
                      for key, e in derived)
        out.append(Fact(n, entry, head, _shown(sp.Derivative(f, Z), show), lines))
    return out


def _plain_key(key: str, lang: str) -> str:
    """The plain-text wording of a move whose sentence is mostly LaTeX (`fact_complement_plain`)."""
    plain = f"{key}_plain"
    return plain if phrase(plain, lang) != phrase("no_such_phrase", lang) else key


def _shown(e: sp.Basic | tuple[sp.Basic, ...], show) -> str:
    """A line as the move left it: an unevaluated product factor by factor (a · b), else printed."""
    if isinstance(e, sp.Derivative) and show is not latex:       # d/dz [1/(1 + exp(-z))]
        return f"d/d{text(e.variables[0])} [{text(e.expr)}]"
    if isinstance(e, tuple):
        parts = []
        for k, a in enumerate(e):
            s = show(a)
            if isinstance(a, sp.Add) or (k and a.could_extract_minus_sign()):
                s = rf"\left({s}\right)" if show is latex else f"({s})"
            parts.append(s)
        return (r" \cdot " if show is latex else " · ").join(parts)
    return show(e)

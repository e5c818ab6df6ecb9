"""Each step's result as the pages print it, worked out once by the deriver.

A step's printed result is its rule's value with the names folded back (σ(z_i) -> ŷ_i); where the
links of a chain are multiplied or a sum is taken, also in textbook form. That costs more than the
derivation itself, so the deriver computes it once per rule (a sub-derivation shared by two
sections, or by the rows of a Hessian, is one rule object: once for all of them) and the Derivation
carries the table; the printers (text, md, tex, json) only look results up.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.calculus.simplify import fold, textbook
from symderiv.core.problem import Definition

# where the links are multiplied or a sum is taken, the result is also simplified as a textbook would
TEXTBOOK = (R.ChainRule, R.ChainThroughRule, R.IndexSumRule, R.ConstantMultipleRule, R.KroneckerCollapseRule)
TEXTBOOK_MAX_OPS = 80


def shown_result(rule: R.Rule, definitions: Iterable[Definition]) -> sp.Basic:
    """The step's result with names folded back; in textbook form where links are multiplied
    (chain) or a sum is taken (small expressions only: above that textbook is not cheap)."""
    definitions = tuple(definitions)
    value = fold(collapse_kronecker(rule.eval()), definitions)
    if (isinstance(rule, R.ChainThroughRule) or value.has(sp.Sum)) and isinstance(rule, TEXTBOOK) \
            and sp.count_ops(value) <= TEXTBOOK_MAX_OPS:
        value = textbook(value, definitions)
    return value


@dataclass(frozen=True)
class Shown:
    """The printed result of every rule of a derivation, by rule (object identity: the table keeps
    each rule, so an id is never reused while the table lives), for its `definitions`."""

    definitions: tuple[Definition, ...] = ()
    table: Mapping[int, tuple[R.Rule, sp.Basic]] = field(default_factory=dict, compare=False, repr=False)

    def get(self, rule: R.Rule, definitions: tuple[Definition, ...]) -> sp.Basic | None:
        """The result worked out by the deriver, or None (another rule, other definitions)."""
        found = self.table.get(id(rule))
        if found is None or found[0] is not rule or definitions != self.definitions:
            return None
        return found[1]

    def __reduce__(self) -> tuple:
        """Pickled (a notes worker, the cache): the rules come back as new objects, keyed anew."""
        return (_rebuilt, (self.definitions, tuple(self.table.values())))


def _rebuilt(definitions: tuple[Definition, ...], entries: tuple[tuple[R.Rule, sp.Basic], ...]) -> Shown:
    return Shown(definitions, {id(rule): (rule, value) for rule, value in entries})


def record(rule: R.Rule, definitions: tuple[Definition, ...], table: dict[int, tuple[R.Rule, sp.Basic]]) -> None:
    """Work out the result of `rule` and of every rule under it not yet in `table` (a shared
    sub-tree is walked once)."""
    todo = [rule]
    while todo:
        r = todo.pop()
        if id(r) in table:
            continue
        table[id(r)] = (r, shown_result(r, definitions))
        todo.extend(s for s in r.substeps if s is not None)

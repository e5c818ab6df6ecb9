"""Each step's result as the pages print it, worked out once by the deriver.

A step's printed result is its rule's value with the names folded back (σ(z_i) -> ŷ_i); where the
links of a chain are multiplied or a sum is taken, also in textbook form. That costs more than the
derivation itself, so the deriver computes it once per rule (a sub-derivation shared by two
sections, or by the rows of a Hessian, is one rule object: once for all of them) and the Derivation
carries the table; the printers (text, md, tex, json) only look results up.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.calculus.simplify import fold, textbook
from symderiv.core.problem import Definition

# where the links are multiplied or a sum is taken, the result is also simplified as a textbook would
TEXTBOOK = (R.ChainRule, R.ChainThroughRule, R.IndexSumRule, R.ConstantMultipleRule, R.KroneckerCollapseRule)
TEXTBOOK_MAX_OPS = 80


K = TypeVar("K")
V = TypeVar("V")


class ByIdentity(Generic[K, V]):
    """A map keyed by the object itself, by identity: rules are frozen dataclasses that compare and
    hash whole trees, the cost this avoids. It holds each key, so an id is never reused while the
    map lives (the deriver's table of results, a printer's steps)."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[K, V]] = ()) -> None:
        self._items: dict[int, tuple[K, V]] = {id(k): (k, v) for k, v in items}

    def get(self, key: K) -> V | None:
        found = self._items.get(id(key))
        return found[1] if found is not None and found[0] is key else None

    def __contains__(self, key: object) -> bool:
        found = self._items.get(id(key))
        return found is not None and found[0] is key

    def __setitem__(self, key: K, value: V) -> None:
        self._items[id(key)] = (key, value)

    def items(self) -> tuple[tuple[K, V], ...]:
        return tuple(self._items.values())


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
    table: ByIdentity[R.Rule, sp.Basic] = field(default_factory=ByIdentity, compare=False, repr=False)

    def get(self, rule: R.Rule, definitions: tuple[Definition, ...]) -> sp.Basic | None:
        """The result worked out by the deriver, or None (another rule, other definitions)."""
        return self.table.get(rule) if definitions == self.definitions else None

    def __reduce__(self) -> tuple:
        """Pickled (a notes worker, the cache): the rules come back as new objects, keyed anew."""
        return (_rebuilt, (self.definitions, self.table.items()))


def _rebuilt(definitions: tuple[Definition, ...], entries: tuple[tuple[R.Rule, sp.Basic], ...]) -> Shown:
    return Shown(definitions, ByIdentity(entries))


def record(rule: R.Rule, definitions: tuple[Definition, ...], table: ByIdentity[R.Rule, sp.Basic]) -> None:
    """Work out the result of `rule` and of every rule under it not yet in `table` (a shared
    sub-tree is walked once)."""
    todo = [rule]
    while todo:
        r = todo.pop()
        if r in table:
            continue
        table[r] = shown_result(r, definitions)
        todo.extend(s for s in r.substeps if s is not None)

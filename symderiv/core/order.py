"""The order in which the user wrote a sum's terms, remembered for the printers.

SymPy sorts the terms of an `Add` canonically, so `y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)` would print
with its terms swapped and `wx + b` as `b + wx`. The parser records each sum it builds here (keyed by
the canonical `Add`, which is what every later stage holds) and the printers print a recorded sum in
the written order. Only the order is kept: the expression itself stays SymPy's, so nothing that
computes with it changes.
"""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock

import sympy as sp

_MAX = 4096           # sums remembered (the oldest forgotten first): bounded, as every cache here
_WRITTEN: OrderedDict[sp.Basic, tuple[sp.Basic, ...]] = OrderedDict()
_LOCK = Lock()


def remember(value: sp.Basic, terms: list[sp.Basic] | tuple[sp.Basic, ...]) -> None:
    """Record that the sum `value` was written as `terms`, in this order (when they are its terms)."""
    if not isinstance(value, sp.Add) or set(terms) != set(value.args) or len(terms) != len(value.args):
        return
    with _LOCK:
        _WRITTEN[value] = tuple(terms)
        _WRITTEN.move_to_end(value)
        while len(_WRITTEN) > _MAX:
            _WRITTEN.popitem(last=False)


def written_order(expr: sp.Basic) -> tuple[sp.Basic, ...] | None:
    """The terms of the sum `expr` in the order the user wrote them, or None when not recorded."""
    with _LOCK:
        return _WRITTEN.get(expr)

"""The order in which the user wrote a sum's terms, remembered for the printers.

SymPy sorts the terms of an `Add` canonically, so `y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)` would print
with its terms swapped and `wx + b` as `b + wx`. The parser records each sum it builds here (keyed by
the canonical `Add`, which is what every later stage holds) and the printers print a recorded sum in
the written order. Only the order is kept: the expression itself stays SymPy's, so nothing that
computes with it changes.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any

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


def terms_in_order(expr: sp.Add, rank: Callable[[sp.Basic], Any] | None = None) -> list[sp.Basic]:
    """The terms as the user wrote them, else positive terms first (sorted by `rank`, if given)."""
    written = written_order(expr)
    if written is not None:
        return list(written)
    terms = list(sp.Add.make_args(expr))
    if rank is not None:
        terms = sorted(terms, key=rank)
    return [t for t in terms if not t.could_extract_minus_sign()] + \
        [t for t in terms if t.could_extract_minus_sign()]


def forget() -> None:
    """Forget every recorded order: what is printed next depends only on what is parsed next
    (the examples script starts from here, so its pages do not depend on what ran before)."""
    with _LOCK:
        _WRITTEN.clear()

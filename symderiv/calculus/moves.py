"""A simplification shown as named moves, one line each: multiply out and cancel, expand, collect.

Where the chain rule multiplies its links, the product is rarely in its final form:
`(y/ŷ − (1 − y)/(1 − ŷ)) · ŷ(1 − ŷ) x = (y − ŷ) x` is the line every learner wants to see worked.
`moves` writes that jump as the moves one makes by hand, each line an identity of the one before
(checked here with SymPy: a move that cannot be checked is not shown) and each changing more than
the order of the terms. Lines are SymPy expressions; a sum whose terms are shown as the move left
them (y − yŷ − ŷ + yŷ, before the like terms cancel) is built unevaluated and its order recorded
for the printers (core/order.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import sympy as sp
from sympy.core.cache import cacheit

from symderiv.core.order import remember

MAX_OPS = 60          # products larger than this are simplified in one line, as before


@dataclass(frozen=True)
class Move:
    """One line of a simplification: the move's name (a phrase key) and the line it gives."""

    key: str          # move_cancel, move_expand, move_collect, move_factor
    expr: sp.Basic


def _shown_sum(terms: list[sp.Basic]) -> sp.Basic:
    """The sum of `terms` as written, not combined: the line shows the terms the move made."""
    if len(terms) == 1:
        return terms[0]
    s = sp.Add(*terms, evaluate=False)
    remember(s, terms)
    return s


@cacheit        # SymPy's bounded cache: the pages of one derivation check the same lines again
def _equal(a: sp.Basic, b: sp.Basic) -> bool:
    """Whether the two lines are the same expression (a move must be an identity to be shown)."""
    try:
        return sp.simplify(sp.expand(a - b)) == 0
    except (TypeError, ValueError, RecursionError):     # not comparable: the move is not shown
        return False


def moves(start: sp.Basic, end: sp.Basic) -> tuple[Move, ...]:
    """The moves from `start` (the links multiplied) to `end` (the simplified result), or () when
    the jump is a single move or cannot be checked."""
    if not isinstance(start, sp.Mul) or sp.count_ops(start) > MAX_OPS:
        return ()
    sums = [f for f in start.args if isinstance(f, sp.Add)
            and any(sp.fraction(t)[1] != 1 for t in f.args)]
    if len(sums) != 1:
        return ()
    fractions = sums[0]
    rest = [f for f in start.args if f is not fractions]
    below = set().union(*(_names(sp.fraction(t)[1]) for t in fractions.args))
    inside = [f for f in rest if _names(f) & below]          # what cancels the denominators
    outside = sp.Mul(*[f for f in rest if not _names(f) & below])
    if not inside:
        return ()
    factor = sp.Mul(*inside)
    cancelled = [sp.cancel(t * factor) if sp.fraction(t * factor)[1] != 1 else t * factor
                 for t in fractions.args]
    if any(sp.fraction(sp.together(t))[1] != 1 for t in cancelled):
        return ()
    lines = [Move("move_cancel", _times(outside, _shown_sum(cancelled)))]
    expanded = [a for t in cancelled for a in sorted(sp.Add.make_args(sp.expand(t)), key=_size)]
    if len(expanded) > len(cancelled):
        lines.append(Move("move_expand", _times(outside, _shown_sum(expanded))))
    collected = sp.Add(*expanded)
    if len(sp.Add.make_args(collected)) < len(expanded):
        lines.append(Move("move_collect", _times(outside, collected)))
    last = lines[-1].expr
    if _evaluated(last) != end:        # a line that only reorders the terms is not a move
        lines.append(Move("move_factor", end))
    chain = [start, *(m.expr for m in lines)]
    if not all(_equal(a, b) for a, b in pairwise(chain)):
        return ()
    return tuple(lines)


def _times(outside: sp.Basic, inner: sp.Basic) -> sp.Basic:
    """outside · (inner), the sum kept as the move wrote it."""
    if outside == 1:
        return inner
    return sp.Mul(inner, outside, evaluate=False)


def _evaluated(e: sp.Basic) -> sp.Basic:
    """`e` with its shown sums and products combined as SymPy combines them."""
    if isinstance(e, (sp.Add, sp.Mul)):
        return e.func(*[_evaluated(a) for a in e.args])
    return e


def _names(e: sp.Basic) -> set[sp.Basic]:
    """The quantities in `e` (ŷ_i, x_ik, y), not the indices they share (i)."""
    indexed = e.atoms(sp.Indexed)
    labels = {a.base.label for a in indexed}
    return indexed | {a for a in e.atoms(sp.Symbol) if not a.is_integer and a not in labels}


def _size(term: sp.Basic) -> tuple[int, str]:
    """Shorter terms first, as one expands y(1 − ŷ) = y − yŷ."""
    return len([f for f in sp.Mul.make_args(term) if not f.is_Number]), ""

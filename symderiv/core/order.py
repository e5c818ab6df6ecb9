"""The order in which the user wrote a sum's terms, carried by the problem and read by the printers.

SymPy sorts the terms of an `Add` canonically, so `y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)` would print
with its terms swapped and `wx + b` as `b + wx`. The parser records each sum it builds (keyed by the
canonical `Add`, which is what every later stage holds) and the Problem keeps them (`orders`); the
page printers put a problem's orders in force while they print (`writing`), and the formula printers
print a recorded sum in the written order. Only the order is kept: the expression itself stays
SymPy's, so nothing that computes with it changes.

The orders live in a ContextVar, never in the process: what a page prints depends only on its own
problem, not on what else the process parsed before (a notes pool, a web server, a cache of pages).
A ContextVar is per thread (and per asyncio task): work handed to another thread takes the orders
with it only through `contextvars.copy_context().run`; the printers set them in the thread that prints.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sympy as sp

Orders = tuple[tuple[sp.Basic, tuple[sp.Basic, ...]], ...]
"""Sums and their terms as written: ((sum, (term, term, …)), …), later entries winning."""

_BOOK: ContextVar[dict[sp.Basic, tuple[sp.Basic, ...]] | None] = ContextVar("symderiv_written_orders",
                                                                            default=None)


def remember(value: sp.Basic, terms: list[sp.Basic] | tuple[sp.Basic, ...]) -> None:
    """Record that the sum `value` was written as `terms`, in this order (when they are its terms),
    for the parse or the page in progress (outside both: nothing to record it for)."""
    book = _BOOK.get()
    if book is None or not isinstance(value, sp.Add):
        return
    if set(terms) != set(value.args) or len(terms) != len(value.args):
        return
    book.pop(value, None)          # re-recorded: it moves to the end, as the latest
    book[value] = tuple(terms)


@contextmanager
def recording() -> Iterator[dict[sp.Basic, tuple[sp.Basic, ...]]]:
    """Collect the orders recorded in the block, starting from none (a parse: `recorded(book)`)."""
    book: dict[sp.Basic, tuple[sp.Basic, ...]] = {}
    token = _BOOK.set(book)
    try:
        yield book
    finally:
        _BOOK.reset(token)


def recorded(book: dict[sp.Basic, tuple[sp.Basic, ...]]) -> Orders:
    """A recording as an immutable value, for a frozen Problem."""
    return tuple(book.items())


@contextmanager
def writing(*orders: Orders) -> Iterator[None]:
    """Print with these orders (and those in force around the block) until the block ends. Sums
    recorded while printing (a move's line) stay in the block: nested blocks restore the outer ones."""
    book = dict(_BOOK.get() or {})
    for pairs in orders:
        for value, terms in pairs:
            book.pop(value, None)
            book[value] = terms
    token = _BOOK.set(book)
    try:
        yield
    finally:
        _BOOK.reset(token)


def written_order(expr: sp.Basic) -> tuple[sp.Basic, ...] | None:
    """The terms of the sum `expr` in the order the user wrote them, or None when not recorded."""
    book = _BOOK.get()
    return None if book is None else book.get(expr)


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

"""The order in which a product's factors are printed: numbers, names and functions, differences,
data, sums (ŷ(1 − ŷ) x_i, (ŷ − y) x), the same in LaTeX and in plain text.

Ranking is on every printed product, so what it needs is worked out lazily (the symbols of the
differences, only for a plain x) or kept (a difference's printed length, under SymPy's bounded cache).
"""
from __future__ import annotations

import sympy as sp
from sympy.core.cache import cacheit


def ordered_factors(args: tuple[sp.Basic, ...]) -> list[sp.Basic]:
    """A product's factors in the order the page prints them (`_factor_rank`)."""
    differences = [f for f in args if isinstance(f, sp.Add)]
    held: list[set[sp.Basic] | None] = []

    def in_differences() -> set[sp.Basic] | None:      # worked out only for a plain x
        if not held:
            held.append(set().union(*[f.free_symbols for f in differences]) if differences else None)
        return held[0]

    return sorted(args, key=lambda f: _factor_rank(f, in_differences))


@cacheit        # the same difference is ranked again in every step that prints it
def _printed_length(f: sp.Basic) -> int:
    return len(str(f))


@cacheit        # a sum's free symbols are costly (its limits bind names), and it is printed again and again
def _sum_is_number(f: sp.Sum) -> bool:
    return bool(f.is_number)


def _factor_rank(f, in_differences=lambda: None):
    """Numbers, then names and functions, then differences, then data (x_i, x_{ik}), then sums:
    ŷ(1 − ŷ) x_i, (ŷ − y) x. A plain x goes after a difference that does not hold it
    ((ŷ − y) x), else first (x(x cos x + 2 sin x), 2xy e^{…})."""
    if _sum_is_number(f) if isinstance(f, sp.Sum) else f.is_number:
        return (0, "")
    if isinstance(f, sp.Sum):
        return (5, "")
    if isinstance(f, sp.Indexed) and len(f.indices) >= 2:
        return (4, str(f))
    base = f.base if isinstance(f, sp.Pow) else f
    name = str(base.base.label) if isinstance(base, sp.Indexed) else getattr(base, "name", "")
    if name[:1] in ("x", "X") and name.rstrip("_0123456789") in ("x", "X", "x'") and (
            isinstance(base, sp.Indexed) or ((held := in_differences()) is not None and not base.free_symbols & held)):
        return (4, str(f))
    if isinstance(f, sp.Add) or (isinstance(f, sp.Pow) and isinstance(f.base, sp.Add)):
        return (3, str(_printed_length(f)).zfill(4))
    if isinstance(f, (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.tanh, sp.sinh, sp.cosh)) and \
            not f.args[0].is_Atom:
        return (3.5, "")  # (1 − y) log(1 − ŷ): the coefficient before the function
    return (1, "")

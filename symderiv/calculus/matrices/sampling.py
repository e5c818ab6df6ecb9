"""Random sizes and data for the numerical checks of matrix forms.

Sizes differ per size symbol (n=4, d=3, k=2 …) so that a missing transpose changes a shape or a
value; data are standard normal (symmetric or positive definite where a form needs it).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import sympy as sp

from symderiv.calculus.matrices.sizes import SAMPLE_COUNTS

Array: TypeAlias = npt.NDArray[np.float64]
Size: TypeAlias = "int | str | sp.Expr"
Shape: TypeAlias = "tuple[Size, Size]"



class MissingValue(KeyError):
    """An atom has no number: a base, matrix, scalar or size symbol absent from the data given."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "missing value"


# ---------------------------------------------------------------- sizes and data


def random_sizes(symbols: Iterable[sp.Symbol]) -> dict[sp.Symbol, int]:
    """Distinct sizes ≥ 2 per size name (4, 3, 2, 5, 6, …), sample counts first, then by name:
    a transposed form fails on shape or value, no vector passes for a scalar, a failure replays."""
    symbols = list(symbols)
    names = sorted({s.name for s in symbols}, key=lambda name: (name not in SAMPLE_COUNTS, name.casefold(), name))
    sequence = itertools.chain((4, 3, 2), itertools.count(5))
    by_name = dict(zip(names, sequence, strict=False))  # the sequence is endless
    return {s: by_name[s.name] for s in symbols}


def random_data(shapes: Mapping[str, Shape] | Iterable[tuple[str, Shape]], sizes: Mapping[sp.Symbol, int],
                rng: np.random.Generator, symmetric: Collection[str] = frozenset(),
                positive_definite: Collection[str] = frozenset()) -> dict[str, Array]:
    """Standard-normal data per `name: (rows, cols)` (a mapping or pairs); (r, 1) gives a 1-D vector.
    A size is an int, a size symbol or expression, or a size's name (`"d"`, as JSON `"shapes"` has it).
    Positive-definite data are `a aᵀ + r I` plus a skew part (none when symmetric): `log det` and inverses
    are defined and well conditioned, and a missing transpose still shows."""
    table, concrete = _by_name(sizes), dict(shapes.items() if isinstance(shapes, Mapping) else shapes)
    unknown = (set(symmetric) | set(positive_definite)) - set(concrete)
    if unknown:
        raise ValueError(f"symmetric/positive-definite names without a shape: {sorted(unknown)}")
    out: dict[str, Array] = {}
    for name in sorted(concrete):
        rows, cols = (_concrete_size(s, table) for s in concrete[name])
        if (name in symmetric or name in positive_definite) and rows != cols:
            raise ValueError(f"{name} is {rows}×{cols}: only a square matrix is symmetric")
        a = rng.standard_normal((rows, cols))
        if name in positive_definite:
            # a positive-definite symmetric part (det > 0: log det is real) plus, unless declared
            # symmetric, a skew part: with symmetric data X⁻¹ would pass for X⁻ᵀ
            skew = rng.standard_normal((rows, rows))
            a = a @ a.T + rows * np.eye(rows) + (0 if name in symmetric else (skew - skew.T) / 2)
        elif name in symmetric:
            a = (a + a.T) / 2
        out[name] = a[:, 0].copy() if cols == 1 else a
    return out


def random_scalars(names: Iterable[str | sp.Symbol], rng: np.random.Generator) -> dict[str, float]:
    """A value in [0.5, 2) per scalar name: positive (log and √ stay real) and away from 0."""
    return {name: float(rng.uniform(0.5, 2.0)) for name in sorted({str(n) for n in names})}


def _by_name(sizes: Mapping[Any, int]) -> dict[str, int]:
    return {str(s): int(v) for s, v in sizes.items()}


def _concrete_size(size: Size, table: Mapping[str, int]) -> int:
    """An int for a size: an int, a size name, or a SymPy expression in size symbols."""
    if isinstance(size, (int, np.integer)) or (isinstance(size, str) and size.isdigit()):
        return int(size)
    names = [size] if isinstance(size, str) else sorted(s.name for s in size.free_symbols)
    unknown = [name for name in names if name not in table]
    if unknown:
        raise MissingValue(f"no value for the size {unknown[0]!r} in {size}")
    if isinstance(size, str):
        return table[size]
    value = size.xreplace({s: sp.Integer(table[s.name]) for s in size.free_symbols})
    if not value.is_Integer:
        raise ValueError(f"the size {size} is not an integer ({value})")
    return int(value)

"""The size of every index position, read off the sums of an index form.

`Σ_{i=1}^{n} Σ_{j=1}^{d} θ_j x_ij` says x is n×d and θ has d entries: the shape of each name is
the range of the indices it is used with. A name used with two different ranges has no shape.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import sympy as sp

Shape = tuple[sp.Basic, ...]
SAMPLE_COUNTS = ("n", "m", "N", "M", "B")  # sized first (4), so XᵀX of n×d data (d < n) is invertible


class ShapeConflict(Exception):
    """A name used with indices of different ranges."""


def index_shapes(exprs: Iterable[sp.Basic], known: Mapping[sp.Basic, sp.Basic] | None = None) -> dict[str, Shape]:
    """label -> the sizes of its index positions (free indices sized by `known`)."""
    out: dict[str, Shape] = {}
    for e in exprs:
        _walk(e, dict(known or {}), out)
    return out


def _walk(e: sp.Basic, scope: dict[sp.Basic, sp.Basic], out: dict[str, Shape]) -> None:
    if isinstance(e, sp.Sum):
        inner = dict(scope)
        for i, _lo, hi in e.limits:
            inner[i] = hi
        _walk(e.function, inner, out)
        return
    if isinstance(e, sp.FunctionMatrix) and len(e.lamda.variables) == 2:
        # a matrix written entry by entry (det(XᵀX)): its entry's indices run over its rows, columns
        a, b = e.lamda.variables
        _walk(e.lamda.expr, {**scope, a: e.rows, b: e.cols}, out)
        return
    if isinstance(e, sp.MatrixSymbol):
        # a matrix held whole (det X, X⁻¹): its own shape
        _record(out, e.name, tuple(e.shape))
        return
    if isinstance(e, sp.Indexed):
        sizes = tuple(scope.get(i) for i in e.indices)
        if None in sizes:
            return
        _record(out, str(e.base.label), sizes)
        return
    for a in e.args:
        _walk(a, scope, out)


def _record(out: dict[str, Shape], label: str, sizes: Shape) -> None:
    seen = out.get(label)
    if seen is not None and seen != sizes:
        raise ShapeConflict(f"{label} is used with sizes {seen} and {sizes}")
    out[label] = sizes


def free_index_sizes(expr: sp.Basic, shapes: Mapping[str, Shape]) -> dict[sp.Basic, sp.Basic]:
    """Sizes of the indices of `expr` that no sum binds, from the shapes of the names they index."""
    out: dict[sp.Basic, sp.Basic] = {}
    for a in expr.atoms(sp.Indexed):
        shape = shapes.get(str(a.base.label))
        if shape is None:
            continue
        for i, size in zip(a.indices, shape, strict=False):
            if isinstance(i, sp.Symbol):
                out.setdefault(i, size)
    return out

"""The NumPy side shared by analyze and optimize: SymPy -> NumPy functions, safe calls, sample points.

Warnings at invalid points (log of a negative, 0/0) are expected here and silenced: a value that is
not a finite real number comes back as None, and the caller decides what that means.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp

GRID_HALF_WIDTH = 3.0  # numeric searches and curvature samples cover [-3, 3]^n (+ random points)

NumericFunction = Callable[..., Any]


def lambdify(symbols: Sequence[sp.Symbol], expr: Any) -> NumericFunction:
    """NumPy function of expr; δ(u) from differentiating a kink (|u|, max(0, u)) counts as 0,
    its value everywhere but on the kink itself (NumPy has no Dirac delta)."""
    if isinstance(expr, sp.Basic) and expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    elif isinstance(expr, (list, tuple, sp.MatrixBase)) and any(
            isinstance(e, sp.Basic) and e.has(sp.DiracDelta) for e in _flat(expr)):
        expr = sp.Matrix(expr).replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # NumPy as the module object, not "numpy": the name would run `from numpy import *`, which
        # loads numpy.testing, f2py, fft, random … (a tenth of a second); the code is the same
        return sp.lambdify(list(symbols), expr, modules=[_SPECIAL, {"numpy": np}, np], cse=True)


def _elementwise(fn: Callable[..., Any]) -> Callable[..., Any]:
    """An mpmath function applied entry by entry to NumPy arrays, as floats."""
    return np.vectorize(lambda *args: float(fn(*args)), otypes=[float])


# What NumPy has not (Γ and its derivatives, from x! and binomials; erf from GELU): mpmath, entry by
# entry. NumPy's printer names these functions as SymPy does; this table gives the names a meaning.
_SPECIAL = {"gamma": _elementwise(mpmath.gamma), "loggamma": _elementwise(mpmath.loggamma),
            "polygamma": _elementwise(mpmath.polygamma), "digamma": _elementwise(mpmath.digamma),
            "erf": _elementwise(mpmath.erf), "erfc": _elementwise(mpmath.erfc),
            "factorial": _elementwise(mpmath.factorial), "binomial": _elementwise(mpmath.binomial)}


def _flat(expr: Any) -> Iterator[Any]:
    for e in (expr if not isinstance(expr, sp.MatrixBase) else list(expr)):
        if isinstance(e, (list, tuple)):
            yield from _flat(e)
        else:
            yield e


def call(fn: NumericFunction, point: Sequence[float] | np.ndarray) -> np.ndarray | None:
    """fn at point as a float array, or None where it is undefined (log of a negative, 0/0...)."""
    with quiet():
        return call_quietly(fn, point)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """NumPy's floating-point warnings and Python's warnings off, for many `call_quietly` at once."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def call_quietly(fn: NumericFunction, point: Sequence[float] | np.ndarray) -> np.ndarray | None:
    """`call` inside `quiet()`: a Newton search calls fn thousands of times, and entering the two
    warning contexts each time cost as much as the calls."""
    try:
        out = np.asarray(fn(*point), dtype=complex)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError, NameError, AttributeError):
        return None
    if not np.all(np.isfinite(out)) or np.any(np.abs(out.imag) > 1e-9 * (1 + np.abs(out.real))):
        return None
    return out.real.astype(float)


def sample_points(n: int, rng: np.random.Generator) -> np.ndarray:
    """A grid over [-3, 3]^n (avoiding exact zeros, where many functions are special) plus random points."""
    per_axis = {1: 25, 2: 9, 3: 5}.get(n, 0)
    pts: list[np.ndarray] = []
    if per_axis:
        axis = np.linspace(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, per_axis) + 0.0137
        pts = [np.array(p) for p in itertools.product(axis, repeat=n)]
    pts += list(rng.uniform(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, size=(60, n)))
    pts += list(rng.uniform(0.05, 2 * GRID_HALF_WIDTH, size=(20, n)))  # a positive orthant for logs
    return np.array(pts)


def short_number(v: float, digits: int = 4) -> str:
    """A short decimal: 3 places for moderate values, scientific for tiny or huge ones.

    The one number format of analyze's pages and optimize's messages (output/ uses it too).
    """
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e5:
        return f"{v:.{digits}g}" if abs(v) >= 1e3 else f"{v:.{digits - 1}f}".rstrip("0").rstrip(".")
    return f"{v:.{digits - 1}e}"

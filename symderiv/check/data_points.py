"""Points whose data respect the problem: symmetric where declared, invertible under det and X⁻¹.

The numeric oracle's `Point` draws every entry on its own. That is right for data in general (a
non-symmetric A is what keeps (A + Aᵀ)x from passing for 2Ax) but not for a matrix declared
symmetric (`A \\in \\mathbb{S}^d`: A_jk = A_kj), nor for a matrix under det or an inverse, which
must be invertible (and have det > 0 under log det). Such a matrix is drawn whole here as
B Bᵀ + r·I plus a skew part: its symmetric part is positive definite, so det X > 0 and X is well
conditioned, yet X ≠ Xᵀ unless X is declared symmetric (X⁻¹ must not pass for X⁻ᵀ). The stand-ins
of whole matrices (whole_matrices.py) get the values of the matrices drawn at the point.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp

from symderiv.calculus.oracle import Point, Undefined, int_value
from symderiv.check.whole_matrices import Wholes


@dataclass(frozen=True)
class DataRules:
    """What the data of one problem must satisfy: symmetric names, and the matrices held whole."""

    symmetric: frozenset[str] = frozenset()
    wholes: Wholes = field(default_factory=Wholes)


class DataPoint(Point):
    """A Point (calculus.oracle) that draws symmetric and invertible matrices whole, and gives the
    stand-ins det(X) and (X⁻¹)_ab the values of the X drawn here."""

    def __init__(self, rng: random.Random, ints: dict, ranges: dict, mode: str,
                 rules: DataRules | None = None) -> None:
        super().__init__(rng, ints, ranges, mode)
        self.rules = rules or DataRules()
        self._derived: dict[Any, Any] = {}

    def scalar(self, key: Any) -> Any:
        """An entry's value in hundredths (a derived one exactly, as an mpf)."""
        wholes = self.rules.wholes     # looked up each time: a claim may hold a matrix whole too
        if isinstance(key, sp.Symbol):
            det_of = {s: name for name, s in wholes.det.items()}
            if key in det_of:
                return 100 * mpmath.det(self._matrix(det_of[key]))
        if isinstance(key, tuple):
            label, idx = key
            inverse_of = {str(b.label): name for name, b in wholes.inverse.items()}
            if label in inverse_of:
                return 100 * _entry(self._inverse(inverse_of[label]), idx)
            if label in self.rules.wholes.names:
                self._draw_whole(label)
            elif label in self.rules.symmetric and len(idx) == 2:
                key = (label, tuple(sorted(idx)))
        return super().scalar(key)

    # -- matrices drawn whole
    def _size(self, name: str) -> int:
        rows, _ = self.rules.wholes.shapes[name]
        return int_value(rows, self)

    def _draw_whole(self, name: str) -> None:
        """X = B Bᵀ + r I (+ a skew part unless X is symmetric), in hundredths: B in tenths."""
        if ("drawn", name) in self._derived:
            return
        self._derived[("drawn", name)] = True
        r = self._size(name)
        b = [[self.rng.randint(-9, 9) for _ in range(r)] for _ in range(r)]
        skew = [[0] * r for _ in range(r)]
        if name not in self.rules.symmetric:
            for p in range(r):
                for q in range(p + 1, r):
                    c = self.rng.randint(-60, 60)
                    skew[p][q], skew[q][p] = c, -c
        for p in range(r):
            for q in range(r):
                value = sum(b[p][t] * b[q][t] for t in range(r)) + (100 * r if p == q else 0) + skew[p][q]
                key = (name, (p + 1, q + 1))
                if key not in self.values:
                    self.order.append(key)
                self.values[key] = value

    def _matrix(self, name: str) -> mpmath.matrix:
        self._draw_whole(name)
        r = self._size(name)
        return mpmath.matrix([[mpmath.mpf(self.values[(name, (p, q))]) / 100 for q in range(1, r + 1)]
                              for p in range(1, r + 1)])

    def _inverse(self, name: str) -> mpmath.matrix:
        key = ("inverse", name, mpmath.mp.dps)
        if key not in self._derived:
            self._derived[key] = mpmath.inverse(self._matrix(name))
        return self._derived[key]


def _entry(m: mpmath.matrix, idx: tuple) -> Any:
    a, b = idx
    if not (1 <= a <= m.rows and 1 <= b <= m.cols):
        raise Undefined(f"entry ({a}, {b}) of a {m.rows}×{m.cols} matrix")
    return m[a - 1, b - 1]

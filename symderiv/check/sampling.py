"""The truth of one problem sampled at random points, and claims compared with it there.

The points are drawn once per problem (over a few size instances for index claims) where the
truth is finite and real; the claim, every line of a derivation and every slip model are then
evaluated at the same points by the numeric oracle (`symderiv.calculus.oracle`).

Sizes differ per size symbol in every instance (n = 4, d = 3, m = 2, then rotated), so no matrix is
square unless the problem makes it so and a missing transpose changes a value or reads past an
edge; only the diagnosis of a claim of the wrong shape draws equal sizes (`square`), the one place
where such a claim has values at all. Data are symmetric where declared and invertible under det
and inverses (data_points.py).
"""
from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import sympy as sp

from symderiv.calculus.matrices.forms import MatrixForm
from symderiv.calculus.matrices.sizes import SAMPLE_COUNTS  # (not .sampling: NumPy's)
from symderiv.calculus.oracle import Point, Undefined, close, real_value
from symderiv.check.data_points import DataPoint, DataRules
from symderiv.check.results import DEFAULT_SETTINGS, Settings
from symderiv.check.truth import display_form, nest_sums, true_derivative, truth_matrix_form
from symderiv.check.variables import index_ranges, only_symbol, resolve_variable, size_symbols
from symderiv.check.whole_matrices import of_function
from symderiv.core.problem import Problem

SIZE_SEQUENCE = (4, 3, 2)   # then 5, 6, …: one size per size symbol, rotated per instance
SQUARE_SIZE = 3


@dataclass(frozen=True)
class Sample:
    """One accepted point with the truth's value there."""

    point: Point
    truth: mpmath.mpf


@dataclass(frozen=True)
class NumericCheck:
    """The claim at every sample: values (None where undefined), the first differing sample."""

    values: tuple
    first_bad: int | None
    max_difference: float


class SampledTruth:
    """∂f/∂var of one problem and its values at the sampled points.

    `var` is θ_k (a vector's entry, `free` = (k,)), W_kj (a matrix's, `free` = (k, j)) or a scalar
    (`free` = ()); `component` is the first free index (None for a scalar). Matrices held whole
    (det X, X⁻¹) are in stand-ins (`wholes`) in `function`, `truth` and prepared claims.
    """

    def __init__(self, problem: Problem, wrt: str | None, settings: Settings = DEFAULT_SETTINGS,
                 square: bool = False):
        self.problem = problem
        self.settings = settings
        self.square = square
        written = nest_sums(problem.expanded())
        self.wholes = of_function(written)
        self.function = self.wholes.hide(written)
        self.var_name = wrt or (problem.variables[0] if problem.variables else only_symbol(self.function))
        self.var, self.free = resolve_variable(problem, written, self.var_name)
        self.component = self.free[0] if self.free else None
        self.truth = true_derivative(problem, self.var, self.wholes)
        self.rules = DataRules(frozenset(problem.symmetric), self.wholes)
        self.ranges = index_ranges(problem, self.function, self.var, self.free)
        self._display: sp.Basic | None = None
        self._matrix: MatrixForm | bool | None = False
        self.samples = self._sample()

    def at_equal_sizes(self) -> SampledTruth:
        """The same truth sampled with every size equal: where a claim of the wrong shape has values."""
        twin = copy.copy(self)
        twin.square = True
        twin.samples = twin._sample()
        return twin

    def with_symmetric(self, names: frozenset[str]) -> SampledTruth:
        """The same truth sampled with the matrices `names` symmetric as well (would the claim be
        right if they were?)."""
        twin = copy.copy(self)
        twin.rules = DataRules(self.rules.symmetric | names, self.wholes)
        twin.samples = twin._sample()
        return twin

    @property
    def display(self) -> sp.Basic:
        """The truth as a textbook prints it (intermediates folded, matrices held whole shown)."""
        if self._display is None:
            self._display = self.wholes.show(display_form(self.problem, self.truth))
        return self._display

    def matrix_form(self) -> MatrixForm | None:
        """The truth in matrix form ((A + Aᵀ)x), checked; None for a scalar variable or when none is found."""
        if self._matrix is False:
            self._matrix = truth_matrix_form(self.problem, self.display, self.wholes.show(self.truth), self.free,
                                             str(self.var.base.label) if self.free else self.var_name)
        return self._matrix if isinstance(self._matrix, MatrixForm) else None

    def expected_shape(self) -> tuple[sp.Basic, sp.Basic] | None:
        """The shape of the derivative (the variable's): (d, 1) for a vector, (k, d) for a matrix."""
        if not self.free:
            return None
        shape = self.problem.shape_of(str(self.var.base.label))
        if len(self.free) == 1:
            if shape is not None:
                return (shape[0] if shape[0] != 1 else shape[1], sp.Integer(1))
            return (self.ranges[self.free[0]], sp.Integer(1))
        return shape if shape is not None else (self.ranges[self.free[0]], self.ranges[self.free[1]])

    def symmetrised(self, expr: sp.Basic) -> sp.Basic:
        """`expr` with each matrix declared symmetric replaced by its symmetric part (A_jk -> (A_jk +
        A_kj)/2): how a proof sees that 2Ax is (A + Aᵀ)x when Aᵀ = A."""
        names = set(self.problem.symmetric)
        if not names:
            return expr
        inverses = self.wholes.inverse_names()     # the inverse of a symmetric matrix is symmetric
        names |= {label for label, name in inverses.items() if name in names}
        return expr.replace(
            lambda e: isinstance(e, sp.Indexed) and str(e.base.label) in names and len(e.indices) == 2,
            lambda e: (e.base[e.indices] + e.base[e.indices[1], e.indices[0]]) / 2)

    def sizes(self) -> list[sp.Symbol]:
        """The size symbols (n, d, …) of the function and its derivative."""
        return size_symbols(self.problem, self.function, self.truth)

    def point(self, rng: random.Random, ints: dict, mode: str) -> Point:
        """A fresh point with these sizes, whose data keep the problem's rules."""
        return DataPoint(rng, ints, self.ranges, mode, self.rules)

    def _instance_sizes(self, sizes: list[sp.Symbol], t: int) -> dict[sp.Symbol, int]:
        if self.square:
            return {sym: SQUARE_SIZE for sym in sizes}
        values = [*SIZE_SEQUENCE, *range(5, 5 + max(0, len(sizes) - len(SIZE_SEQUENCE)))]
        r = t % len(values)
        values = values[r:] + values[:r]
        ordered = sorted(sizes, key=lambda s: (s.name not in SAMPLE_COUNTS, s.name.casefold(), s.name))
        return dict(zip(ordered, values, strict=False))

    def _sample(self) -> tuple[Sample, ...]:
        """Random points where the truth is finite and real, over a few size instances."""
        s = self.settings
        rng = random.Random(s.seed)
        sizes = self.sizes()
        n_inst = s.instances if sizes or self.free else 1
        samples = []
        with mpmath.workdps(s.dps):
            for t in range(n_inst):
                ints = self._instance_sizes(sizes, t)
                got, attempts = 0, 0
                while got < s.points and attempts < 8 * s.points:
                    mode = ("mixed", "positive", "unit")[attempts % 3]
                    attempts += 1
                    point = self.point(rng, ints, mode)
                    for index in self.free:
                        point.integer(index)
                    try:
                        value = real_value(self.truth, point)
                    except Undefined:
                        continue
                    samples.append(Sample(point, value))
                    got += 1
        return tuple(samples)

    def numeric(self, claim: sp.Basic, samples: Sequence[Sample] | None = None) -> NumericCheck:
        """The claim's values at the samples and where it first differs from the truth."""
        samples = self.samples if samples is None else samples
        values: list = []
        first_bad, worst = None, 0.0
        with mpmath.workdps(self.settings.dps):
            for n, sample in enumerate(samples):
                try:
                    c = real_value(claim, sample.point)
                except Undefined:
                    c = None
                values.append(c)
                if c is None or not close(c, sample.truth, self.settings.rel_tol):
                    if first_bad is None:
                        first_bad = n
                else:
                    worst = max(worst, float(abs(c - sample.truth)))
        return NumericCheck(tuple(values), first_bad, worst)

    def matches(self, candidate: sp.Basic, num: NumericCheck) -> bool:
        """Whether `candidate` equals the claim (whose values are `num`) at every sample."""
        if candidate == self.truth:
            return False
        with mpmath.workdps(self.settings.dps):
            hits = 0
            for sample, c in zip(self.samples, num.values, strict=False):
                if c is None:
                    return False
                try:
                    v = real_value(candidate, sample.point)
                except Undefined:
                    return False
                if not close(c, v, 1e-9):
                    return False
                hits += 1
        return hits > 0

"""The truth of one problem sampled at random points, and claims compared with it there.

The points are drawn once per problem (over a few size instances for index claims) where the
truth is finite and real; the claim, every line of a derivation and every slip model are then
evaluated at the same points by the numeric oracle (`symderiv.calculus.oracle`).
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import sympy as sp

from symderiv.calculus.oracle import Point, Undefined, close, real_value
from symderiv.check.results import DEFAULT_SETTINGS, Settings
from symderiv.check.truth import nest_sums, true_derivative
from symderiv.check.variables import index_ranges, only_symbol, resolve_variable, size_symbols
from symderiv.core.problem import Problem


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
    """∂f/∂var of one problem and its values at the sampled points."""

    def __init__(self, problem: Problem, wrt: str | None, settings: Settings = DEFAULT_SETTINGS):
        self.problem = problem
        self.settings = settings
        self.function = nest_sums(problem.expanded())
        self.var_name = wrt or (problem.variables[0] if problem.variables else only_symbol(self.function))
        self.var, self.component = resolve_variable(problem, self.function, self.var_name)
        self.truth = true_derivative(problem, self.var)
        self.ranges = index_ranges(problem, self.function, self.var, self.component)
        self.samples = self._sample()

    def sizes(self) -> list[sp.Symbol]:
        """The size symbols (n, d, …) of the function and its derivative."""
        return size_symbols(self.problem, self.function, self.truth)

    def _sample(self) -> tuple[Sample, ...]:
        """Random points where the truth is finite and real, over a few size instances."""
        s = self.settings
        rng = random.Random(s.seed)
        sizes = self.sizes()
        n_inst = s.instances if sizes or self.component is not None else 1
        samples = []
        with mpmath.workdps(s.dps):
            for t in range(n_inst):
                ints = {sym: 2 + ((t * (p + 1)) % 3) for p, sym in enumerate(sizes)}
                got, attempts = 0, 0
                while got < s.points and attempts < 8 * s.points:
                    mode = ("mixed", "positive", "unit")[attempts % 3]
                    attempts += 1
                    point = Point(rng, ints, self.ranges, mode)
                    if self.component is not None:
                        point.integer(self.component)
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

"""The checker: one problem's truth, sampled once; any number of claims checked against it.

Cheapest check first (as Math-Verify does): the claim's shape (read in the problem's terms:
problem_terms.py), structural equality, then numbers at the sampled points (mpmath, 30 digits, so
rounding never looks like a mistake), then a symbolic proof under a time limit. A wrong claim comes
with a counterexample, confirmed at 60 digits, and its likely slip; a claim of the wrong shape has no
values at the problem's sizes, so it comes with the shapes instead, and its slip is diagnosed where
it has values (every size equal).
"""
from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp

from symderiv.calculus.oracle import Undefined, close, real_value
from symderiv.check import claims
from symderiv.check.problem_terms import read_shapes
from symderiv.check.proof import prove_zero
from symderiv.check.results import Counterexample, Slip, VerifyResult
from symderiv.check.sampling import NumericCheck, SampledTruth
from symderiv.check.slips import diagnose


def as_float(v: mpmath.mpf) -> sp.Float:
    """An mpmath value as a SymPy Float with all of its bits."""
    return sp.Float(v, precision=max(53, v._mpf_[3])) if v else sp.Float(0.0)


class Checker(SampledTruth):
    """The truth of one problem, sampled once; any number of claims are checked against it."""

    _square: SampledTruth | None = None

    def prepare(self, claim: sp.Basic) -> sp.Basic:
        """The claim with definitions substituted and its component index named like ours."""
        return claims.prepare(claim, self)

    def check(self, claim: sp.Basic, prove: bool = True) -> VerifyResult:
        """Verdict for one claim: its shape, then structural, numeric and (if asked) symbolic."""
        reading = read_shapes(self.prepare(claim), self.problem, self.var, self.free, self.expected_shape())
        prepared = reading.claim
        base = VerifyResult("correct", variable=self.var_name, claim=self.wholes.show(prepared),
                            truth=self.wholes.show(self.truth), truth_display=self.display,
                            points=len(self.samples))
        if reading.mismatch is not None:
            return replace(base, verdict="wrong", shape=reading.mismatch, points=0,
                           slip=self._diagnose_at_equal_sizes(prepared))
        if prepared == self.truth or sp.expand(self.symmetrised(prepared - self.truth)) == 0:
            return replace(base, method="structural")
        num = self.numeric(prepared)
        if num.first_bad is not None and self._confirm(prepared, num.first_bad):
            return replace(base, verdict="wrong", counterexample=self._counterexample(num),
                           slip=self.diagnose(prepared, num), max_difference=num.max_difference)
        base = replace(base, max_difference=num.max_difference)
        if not prove:
            return replace(base, verdict="undecided")
        method = prove_zero(self.symmetrised(prepared - self.truth), self.settings.simplify_seconds)
        return replace(base, verdict="correct" if method else "undecided", method=method or "")

    def _diagnose_at_equal_sizes(self, claim: sp.Basic) -> Slip | None:
        """The slip behind a claim of the wrong shape, found where it has values: every size equal."""
        if self._square is None:
            self._square = self.at_equal_sizes()
        square = self._square
        num = square.numeric(claim)
        if num.first_bad is None:
            return None
        slip = diagnose(square, claim, num)
        return None if slip.kind == "unknown" else slip

    def diagnose(self, claim: sp.Basic, num: NumericCheck) -> Slip:
        """The likely slip behind a wrong claim (slips.py)."""
        return diagnose(self, claim, num)

    def _counterexample(self, num: NumericCheck) -> Counterexample:
        assert num.first_bad is not None
        sample = self.samples[num.first_bad]
        claimed = num.values[num.first_bad]
        return Counterexample(sample.point.items(), None if claimed is None else as_float(claimed),
                              as_float(sample.truth))

    def _confirm(self, claim: sp.Basic, n: int) -> bool:
        """Re-evaluate a disagreement at higher precision so rounding never convicts a claim."""
        point = self.samples[n].point
        with mpmath.workdps(self.settings.confirm_dps):
            try:
                t = real_value(self.truth, point)
            except Undefined:
                return False
            try:
                c = real_value(claim, point)
            except Undefined:
                return True
            return not close(c, t, self.settings.rel_tol)

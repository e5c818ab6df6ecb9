"""Property test for verify on random formulas: the true derivative written another way is
accepted, and a wrong one (a slip of sign or factor, a missing term) is rejected with a point where
the two differ. The claims are given as SymPy expressions (the parser is tested elsewhere)."""
from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symderiv.check.verify import verify
from symderiv.ml.functions import to_elementary
from symderiv.parsing.parser import parse

try:  # the formula strategy lives with the deriver's property test, wherever the layout puts it
    from test_derive_property import formulas
except ImportError:  # tests/calculus/test_derive_property.py (tests/ is on sys.path via conftest)
    from calculus.test_derive_property import formulas

X = sp.Symbol("x", real=True)


def _setup(latex):
    problem = parse(latex)
    if "x" not in problem.variables:
        return None, None
    truth = sp.diff(to_elementary(problem.expanded()), X)
    return problem, truth


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas(), st.sampled_from(["expand", "factor", "together"]))
def test_an_equivalent_form_is_never_rejected(latex, form):
    problem, truth = _setup(latex)
    if problem is None or truth == 0:
        return
    claim = getattr(sp, form)(truth)
    result = verify(problem, "x", claim, timeout=20)
    assert result.verdict in ("correct", "undecided"), (latex, form, result.verdict)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas(), st.sampled_from(["sign", "factor", "plus_one"]))
def test_a_wrong_claim_is_never_accepted(latex, slip):
    problem, truth = _setup(latex)
    if problem is None or truth.is_zero:
        return
    claim = {"sign": -truth, "factor": 2 * truth, "plus_one": truth + 1}[slip]
    result = verify(problem, "x", claim, timeout=20)
    if result.verdict == "undecided":      # equal at every tested point: only when truth ≈ 0 there
        return
    assert result.verdict == "wrong", (latex, slip)
    cx = result.counterexample
    assert cx is not None and (cx.claimed is None or abs(float(cx.claimed) - float(cx.true)) > 1e-9)

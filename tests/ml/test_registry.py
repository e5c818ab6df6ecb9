"""The ML registry: every entry's derivative agrees with sympy.diff of its definition and with
finite differences of its own numeric evaluator; every spelling reaches it through the parser;
GELU (added as one entry) works end to end."""
from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp

from symderiv.calculus.engine import derive
from symderiv.ml.functions import ML_FUNCTIONS, gelu, to_elementary
from symderiv.ml.registry import ENTRIES, entry_for, entry_named, ml_entries
from symderiv.parsing.parser import parse

x = sp.Symbol("x", real=True)
POINTS = (-1.3, -0.4, 0.35, 0.8, 1.7)


def _domain(entry_name: str) -> tuple[float, ...]:
    if entry_name == "log":
        return (0.35, 0.8, 1.7)
    if entry_name in ("arcsin", "arccos"):
        return (-0.4, 0.35, 0.8)
    return POINTS


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_derivative_matches_sympy_and_finite_differences(entry):
    applied = entry.function(x)
    claimed = entry.derivative(applied)
    oracle = sp.diff(to_elementary(applied), x)
    for v in _domain(entry.name):
        if entry.name == "relu" and abs(v) < 1e-9:
            continue
        got = float(to_elementary(claimed).subs(x, v).evalf(30))
        assert got == pytest.approx(float(oracle.subs(x, v).evalf(30)), rel=1e-12, abs=1e-12)
        h = mpmath.mpf("1e-12")
        with mpmath.workdps(40):
            fd = (entry.numeric(mpmath.mpf(v) + h) - entry.numeric(mpmath.mpf(v) - h)) / (2 * h)
        assert got == pytest.approx(float(fd), rel=1e-8, abs=1e-8)
        assert float(entry.numeric(mpmath.mpf(v))) == pytest.approx(float(to_elementary(applied).subs(x, v)))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_spelling_is_read_as_the_entry(entry):
    assert entry_for(entry.function) is entry
    for spelling in entry.spellings:
        assert entry_named(spelling.upper()) is entry
        if spelling == "sigma":
            continue  # \sigma alone is a symbol; \sigma(…) is read in the parser's own tests
        p = parse(rf"f(x) = \operatorname{{{spelling}}}(x)")
        assert isinstance(p.expr, entry.function), (spelling, p.expr)


def test_ml_entries_are_symderivs_own_functions():
    assert {e.function for e in ml_entries()} == set(ML_FUNCTIONS)
    for e in ml_entries():
        assert e.identity and e.names["en"] and e.names["zh"]
        assert e.rule_name("en").startswith(e.names["en"] + ": $")
        assert e.rule_name("zh").startswith(e.names["zh"] + "：$")


def test_gelu_end_to_end():
    """GELU(x) = x Φ(x): read from LaTeX, derived step by step by its own rule, and right."""
    d = derive(r"f(w) = \operatorname{GELU}(w x + b)", wrt="w")
    (g,) = d.gradient
    assert "gelu" in [s.key for s in g.step.walk()]
    w, xx, b = (sp.Symbol(n, real=True) for n in ("w", "x", "b"))
    truth = sp.diff(xx * w * (1 + sp.erf((w * xx + b) / sp.sqrt(2))) / 2
                    + b * (1 + sp.erf((w * xx + b) / sp.sqrt(2))) / 2, w)
    for wv, xv, bv in ((0.3, -1.2, 0.5), (-0.7, 0.9, 0.1)):
        at = {w: wv, xx: xv, b: bv}
        got = float(to_elementary(g.expanded).subs(at).evalf(30))
        assert got == pytest.approx(float(truth.subs(at).evalf(30)), rel=1e-12)
        h = 1e-6

        def f(t: float, xv: float = xv, bv: float = bv) -> float:
            z = t * xv + bv
            return z * (1 + math.erf(z / math.sqrt(2))) / 2

        assert got == pytest.approx((f(wv + h) - f(wv - h)) / (2 * h), rel=1e-6)
    assert gelu(sp.Integer(0)) == 0

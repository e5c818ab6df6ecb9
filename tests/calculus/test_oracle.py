"""The numeric oracle (symderiv.calculus.oracle) that verify's checks rest on: every registry
function is evaluated by its entry's `numeric`, to the working precision; values off the real
domain are reported as Undefined, never as a wrong number. (Tests of a calculus module kept with
its main user, the check.)"""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from symderiv.calculus import oracle
from symderiv.calculus.oracle import Point, Undefined, evaluate, real_value
from symderiv.ml.registry import ENTRIES

X = sp.Symbol("x", real=True)
NUMERIC = [e for e in ENTRIES if e.numeric is not None]
OUTSIDE_THE_UNIT_INTERVAL = {"arcsec", "arccsc", "arccosh", "arccoth"}  # real only for |u| ≥ 1 (u > 1)


def _point(hundredths: int) -> Point:
    p = Point(random.Random(0), {}, {}, "mixed")
    p.values[X] = hundredths
    p.order.append(X)
    return p


@pytest.mark.parametrize("entry", NUMERIC, ids=lambda e: e.name)
def test_registry_functions_are_evaluated_by_their_entry(entry):
    assert oracle._handler(entry.function) is not oracle._ev_fallback, entry.name
    inner = 3 + X / 3 if entry.name in OUTSIDE_THE_UNIT_INTERVAL else X / 3  # inside the real domain
    expr = entry.function(inner)
    reference = sp.N(expr.subs(X, sp.Rational(37, 100)), 40)
    point = _point(37)
    with mpmath.workdps(30):
        value = real_value(expr, point)
        assert value == entry.numeric(evaluate(inner, point))   # the entry's evaluator, bit for bit
        assert abs(value - mpmath.mpf(str(reference))) < mpmath.mpf(10) ** -25


def test_precision_is_the_callers():
    e = sp.exp(X) - 1 - X          # at x = 0.01: x²/2 + x³/6 + …, lost to rounding at 15 digits
    value = real_value(e, _point(1), dps=50)
    with mpmath.workdps(50):
        assert abs(value - (mpmath.exp(mpmath.mpf("0.01")) - mpmath.mpf("1.01"))) < mpmath.mpf(10) ** -48


def test_off_the_real_domain_is_undefined_or_complex():
    with mpmath.workdps(30):
        z = evaluate(sp.log(X), _point(-166))
        assert isinstance(z, mpmath.mpc) and abs(z.imag - mpmath.pi) < 1e-25
        with pytest.raises(Undefined):
            real_value(sp.log(X), _point(-166))
        with pytest.raises(Undefined):
            real_value(1 / (X - sp.Rational(1, 2)), _point(50))
        # complex on the way, real at the end: cos(√x) for x < 0 is cosh(√|x|)
        assert abs(real_value(sp.cos(sp.sqrt(X)), _point(-166)) - mpmath.cosh(mpmath.sqrt(mpmath.mpf("1.66")))) < 1e-25


def test_sums_unroll_over_drawn_sizes():
    i = sp.Symbol("i", integer=True)
    n = sp.Symbol("n", integer=True, positive=True)
    x = sp.IndexedBase("x")
    p = Point(random.Random(0), {n: 3}, {}, "positive")
    with mpmath.workdps(30):
        total = real_value(sp.Sum(x[i], (i, 1, n)), p)
        assert total == sum(mpmath.mpf(v) / 100 for v in p.values.values())
    assert [str(name) for name, _ in p.items()] == ["n", "x[1]", "x[2]", "x[3]"]


def test_comparing_a_complex_value_is_undefined_not_an_error():
    """sign, Heaviside, max and min of log(negative) have no real value (a fuzz finding, was TypeError)."""
    with mpmath.workdps(30):
        for expr in (sp.sign(sp.log(X)), sp.Heaviside(sp.log(X)), sp.Max(sp.log(X), 0), sp.Min(sp.log(X), 1)):
            with pytest.raises(Undefined):
                real_value(expr, _point(-166))
        assert real_value(sp.sign(sp.log(X)), _point(250)) == 1

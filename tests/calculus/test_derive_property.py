"""Property test: on random formulas, every derivative symderiv prints equals sympy.diff and a
central finite difference, and every step of the tree is an identity.

The formulas are built from the rules' vocabulary (sums, products, quotients, powers, exp, log,
trig, tanh, σ, √) so that every rule and their compositions get exercised, not only the corpus.
"""
from __future__ import annotations

import math
import random

import sympy as sp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from symderiv.calculus.engine import derive
from symderiv.ml.functions import to_elementary

LEAVES = ["x", "y", "2", "3", r"\frac{1}{2}", "x y"]
POSITIVE = [r"\left(1 + \left({a}\right)^2\right)", r"e^{{{a}}}", r"\left(2 + \sin({a})\right)"]
UNARY = [r"\sin\left({a}\right)", r"\cos\left({a}\right)", r"e^{{{a}}}", r"\tanh\left({a}\right)",
         r"\sigma\left({a}\right)", r"\log{{{p}}}", r"\sqrt{{{p}}}", r"\left({a}\right)^{{2}}",
         r"\left({a}\right)^{{3}}"]
BINARY = [r"{a} + {b}", r"{a} - {b}", r"{a} \cdot {b}", r"\frac{{{a}}}{{{p}}}"]


@st.composite
def formulas(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(LEAVES))
    a = draw(formulas(depth=depth - 1))
    positive = draw(st.sampled_from(POSITIVE)).format(a=a)
    if draw(st.booleans()):
        return draw(st.sampled_from(UNARY)).format(a=a, p=positive)
    b = draw(formulas(depth=depth - 1))
    return draw(st.sampled_from(BINARY)).format(a=a, b=b, p=draw(st.sampled_from(POSITIVE)).format(a=b))


X, Y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)


def _value(expr, point):
    v = complex(sp.N(to_elementary(expr).subs(point), 30))
    return v.real if abs(v.imag) < 1e-12 and math.isfinite(v.real) else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas(), st.randoms(use_true_random=False))
@example(r"x + e^{(3)^3}", random.Random(0))      # a large constant beside x: the quotient needs 30 digits
def test_derivatives_of_random_formulas_are_right(latex, rnd: random.Random):
    from symderiv.parsing.parser import parse
    problem = parse(latex)
    names = [v for v in ("x", "y") if v in problem.variables]
    if not names:
        return  # a constant: nothing to differentiate
    d = derive(problem, wrt=names, hessian=True, timeout=20)
    full = to_elementary(d.problem.expanded())
    point = {X: sp.Rational(rnd.randint(-150, 150), 100), Y: sp.Rational(rnd.randint(-150, 150), 100)}
    for g in d.gradient:
        var = g.wrt
        truth = _value(sp.diff(full, var), point)
        got = _value(g.expanded, point)
        if truth is None:
            continue
        assert got is not None and abs(got - truth) <= 1e-8 * max(1.0, abs(truth)), (latex, var)
        h = sp.Rational(1, 10**6)
        # the difference quotient taken in 30 digits: in doubles a large constant term (e^{27}) swamps it
        quotient = _value((full.subs({**point, var: point[var] + h}) - full.subs({**point, var: point[var] - h}))
                          / (2 * h), {})
        if quotient is not None:
            assert abs(quotient - got) <= 1e-4 * max(1.0, abs(got)), latex
        for step in g.step.walk():      # every step is an identity
            if step.key in ("fallback",) or step.expr.has(sp.Piecewise):
                continue
            want = _value(sp.diff(to_elementary(d.problem.expanded(step.expr)), step.var),
                          {**point, **({step.var: sp.Rational(1, 3)} if step.var not in point else {})})
            have = _value(to_elementary(d.problem.expanded(step.eval())),
                          {**point, **({step.var: sp.Rational(1, 3)} if step.var not in point else {})})
            if want is not None:
                assert have is not None and abs(have - want) <= 1e-8 * max(1.0, abs(want)), (latex, step.key)
    for a, row in enumerate(d.hessian):
        for b, e in enumerate(row):
            truth = _value(sp.diff(full, d.gradient[a].wrt, e.wrt), point)
            if truth is not None:
                got = _value(e.expanded, point)
                assert got is not None and abs(got - truth) <= 1e-7 * max(1.0, abs(truth)), (latex, a, b)


@st.composite
def sample_losses(draw):
    """Σ_i g(θᵀx_i, y_i) with a random g: the shape of every ML loss over samples."""
    g = draw(formulas(depth=2).filter(lambda f: "x" in f)).replace("x", "Z").replace("y", "Y")
    g = g.replace("Z", r"\theta^T x_i").replace("Y", "y_i")
    scale = draw(st.sampled_from(["", r"\frac{1}{n}", "-", r"\frac{1}{2n}"]))
    ridge = draw(st.sampled_from(["", r" + \lambda\|\theta\|^2"]))
    return scale + r"\sum_{i=1}^{n} \left(" + g + r"\right)" + ridge


def _instantiate(expr, n=3, d=2):
    sizes = {s: {"n": n, "d": d}[s.name] for s in expr.free_symbols
             if isinstance(s, sp.Symbol) and s.name in ("n", "d") and s.is_integer}
    return to_elementary(expr.subs(sizes).doit())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample_losses(), st.randoms(use_true_random=False))
def test_gradients_of_random_sample_losses_are_right(latex, rnd: random.Random):
    d = derive(latex, wrt="theta", hessian=True, timeout=30)
    g = d.gradient[0]
    (k,) = g.index
    full = _instantiate(d.problem.expanded())
    theta = sp.IndexedBase("theta", real=True)
    lam = sp.Symbol("lambda", real=True)
    point = {lam: sp.Rational(1, 5)}
    for a in full.atoms(sp.Indexed):
        point.setdefault(a, sp.Rational(rnd.randint(-120, 120), 100))
    for kv in (1, 2):
        truth = _value(sp.diff(full, theta[kv]), point)
        got = _value(_instantiate(g.expanded.subs(k, kv)), point)
        if truth is None:
            continue
        assert got is not None and abs(got - truth) <= 1e-8 * max(1.0, abs(truth)), (latex, kv)
        (l_,) = d.hessian[0][0].index
        for lv in (1, 2):
            h_truth = _value(sp.diff(full, theta[kv], theta[lv]), point)
            h_got = _value(_instantiate(d.hessian[0][0].expanded.subs({k: kv, l_: lv})), point)
            if h_truth is not None:
                assert h_got is not None and abs(h_got - h_truth) <= 1e-7 * max(1.0, abs(h_truth)), (latex, kv, lv)

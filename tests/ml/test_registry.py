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
from symderiv.ml.registry import ENTRIES, entry_for, entry_named, inverse_of, ml_entries
from symderiv.parsing.parser import parse

x = sp.Symbol("x", real=True)
POINTS = (-1.3, -0.4, 0.35, 0.8, 1.7)


DOMAINS = {  # points inside each function's real domain (and away from the jumps of floor, sign)
    "log": (0.35, 0.8, 1.7), "arcsin": (-0.4, 0.35, 0.8), "arccos": (-0.4, 0.35, 0.8),
    "arctanh": (-0.4, 0.35, 0.8), "arccosh": (1.3, 1.7, 2.4), "arccoth": (-1.3, 1.7, 2.4),
    "arcsec": (-1.3, 1.7, 2.4), "arccsc": (-1.3, 1.7, 2.4),
}


def _domain(entry_name: str) -> tuple[float, ...]:
    return DOMAINS.get(entry_name, POINTS)


def _oracle_at(oracle: sp.Expr, v: float) -> float | None:
    """sympy.diff's result at v; None where SymPy has no closed form (it leaves
    Derivative(floor(x), x) unevaluated): finite differences alone decide there."""
    if oracle.has(sp.Derivative, sp.Subs):
        return None
    return float(oracle.subs(x, v).evalf(30))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_derivative_matches_sympy_and_finite_differences(entry):
    applied = entry.function(x)
    claimed = entry.derivative(applied)
    oracle = sp.diff(to_elementary(applied), x)
    for v in _domain(entry.name):
        if entry.name == "relu" and abs(v) < 1e-9:
            continue
        got = float(to_elementary(claimed).subs(x, v).evalf(30))
        want = _oracle_at(oracle, v)
        assert want is not None or entry.name in ("floor", "ceiling")
        if want is not None:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
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


@pytest.mark.parametrize("f, inverse", [
    (sp.sin, sp.asin), (sp.cos, sp.acos), (sp.tan, sp.atan), (sp.cot, sp.acot), (sp.sec, sp.asec),
    (sp.csc, sp.acsc), (sp.sinh, sp.asinh), (sp.cosh, sp.acosh), (sp.tanh, sp.atanh), (sp.coth, sp.acoth),
])
def test_trig_and_hyperbolic_names_know_their_inverse(f, inverse):
    entry = inverse_of(f)
    assert entry is not None and entry.function is inverse
    assert inverse_of(sp.exp) is None and inverse_of(sp.log) is None


@pytest.mark.parametrize("spelling, function", [
    ("arsinh", sp.asinh), ("arcsinh", sp.asinh), ("arcosh", sp.acosh), ("artanh", sp.atanh),
    ("erf", sp.erf), ("floor", sp.floor), ("ceil", sp.ceiling), ("sgn", sp.sign), ("sign", sp.sign),
    ("arccot", sp.acot),
])
def test_operator_names_sympy_has_are_registry_entries(spelling, function):
    entry = entry_named(spelling)
    assert entry is not None and entry.function is function
    assert entry_for(function) is entry


@pytest.mark.parametrize("name", ["floor", "ceiling", "sign"])
def test_piecewise_constant_entries_say_where_the_derivative_is_missing(name):
    """floor, ceiling and sign: derivative 0 away from their jumps, which the identity names."""
    entry = entry_named(name)
    assert entry is not None and entry.derivative(entry.function(x)) == 0
    assert r"\notin" in entry.identity or r"\neq" in entry.identity
    assert entry not in ml_entries()


# --------------------------------------------------------------------------- the new entries, end to end
END_TO_END = [  # (LaTeX, SymPy body in x, points inside its domain and away from jumps)
    (r"\operatorname{arsinh}(2x + 1)", sp.asinh(2 * x + 1), POINTS),
    (r"\cosh^{-1}(x^2 + 2)", sp.acosh(x**2 + 2), POINTS),
    (r"\tanh^{-1} \frac{x}{2}", sp.atanh(x / 2), POINTS),
    (r"\sin^{-1} \frac{x}{2}", sp.asin(x / 2), POINTS),
    (r"\tan^{-1} 3x", sp.atan(3 * x), POINTS),
    (r"\operatorname{arccot}(x)", sp.acot(x), POINTS),
    (r"\operatorname{arcsec}(x^2 + 2)", sp.asec(x**2 + 2), POINTS),
    (r"\operatorname{erf}(x^2)", sp.erf(x**2), POINTS),
    (r"\operatorname{sech} 2x", sp.sech(2 * x), POINTS),
    (r"x \lfloor 3x \rfloor", x * sp.floor(3 * x), (-1.3, -0.4, 0.8, 1.7)),
    (r"x^2 \operatorname{sgn}(x)", x**2 * sp.sign(x), POINTS),
    (r"\lceil x \rceil + \sin 2x", sp.ceiling(x) + sp.sin(2 * x), POINTS),
]


@pytest.mark.parametrize("latex, body, points", END_TO_END, ids=[c[0] for c in END_TO_END])
def test_new_entries_derive_by_their_rule_and_agree_with_sympy_and_finite_differences(latex, body, points):
    """The engine uses each entry's own derivative (no sympy.diff fallback step for the function
    itself), and the result equals sympy.diff (where SymPy has a closed form) and finite
    differences away from the jumps."""
    d = derive(f"f(x) = {latex}", wrt="x")
    (g,) = d.gradient
    assert "fallback" not in [s.key for s in g.step.walk()], latex
    oracle = sp.diff(body, x)
    f = sp.lambdify(x, body, modules="mpmath")
    for v in points:
        got = complex(sp.N(g.expanded.subs(x, v), 30))
        want = _oracle_at(oracle, v)
        if want is not None:
            assert got == pytest.approx(want, rel=1e-10, abs=1e-10), (latex, v)
        h = mpmath.mpf("1e-10")
        with mpmath.workdps(40):
            fd = (f(mpmath.mpf(v) + h) - f(mpmath.mpf(v) - h)) / (2 * h)
        assert got.real == pytest.approx(float(fd), rel=1e-7, abs=1e-7), (latex, v)

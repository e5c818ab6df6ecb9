"""Property tests of the operator-name readings over the whole registry: for random functions,
coefficients, variables and forms (`\\sin 2x`, `\\sin(2x)`, `\\sin^2 2x`, `\\sin^{-1} 2x`,
`\\operatorname{erf} 2x`, `\\sin 2x \\cos 3x`), the parse is the function of the juxtaposed product,
and a reading is stated exactly where the README's rule says the extent was a judgment call."""
from __future__ import annotations

import random

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symderiv.ml.notation import ELEMENTARY
from symderiv.ml.registry import ENTRIES, inverse_of
from symderiv.parsing.parser import parse

COMMANDS = sorted(ELEMENTARY)                                   # \sin, \arcsinh, \ln, …
NAMED = sorted({e.spellings[0] for e in ENTRIES if e.family == "ml" and e.name != "sigmoid"})
VARIABLES = {"x": "x", "y": "y", r"\theta": "theta", "t": "t"}


def _value(expr: sp.Basic, at: dict[str, float]) -> complex:
    return complex(sp.N(expr.xreplace({s: at[s.name] for s in expr.free_symbols}), 30))


def _same(got: sp.Basic, want: sp.Basic) -> bool:
    rng = random.Random(3)
    for _ in range(3):
        at = {n: rng.uniform(0.2, 0.9) for n in VARIABLES.values()}
        a, b = _value(got, at), _value(want, at)
        if abs(a - b) > 1e-9 * max(1.0, abs(b)):
            return False
    return True


def _real(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _fn(spelling: str):
    return sp.log if spelling in ("ln", "log") else ELEMENTARY[spelling]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(COMMANDS), st.integers(2, 9), st.sampled_from(sorted(VARIABLES)),
       st.sampled_from(["juxtaposed", "parenthesised", "squared", "inverse"]))
def test_a_command_applies_to_the_juxtaposed_product(command, c, var, form):
    v = _real(VARIABLES[var])
    fn = _fn(command)
    latex = {"juxtaposed": rf"\{command} {c}{var}", "parenthesised": rf"\{command}({c}{var})",
             "squared": rf"\{command}^2 {c}{var}", "inverse": rf"\{command}^{{-1}} {c}{var}"}[form]
    p = parse(latex)
    inverse = inverse_of(fn) if form == "inverse" else None
    if form == "inverse" and inverse is not None:
        want = inverse.function(c * v)
        assert p.readings == (rf"read \{command}^{{-1}} as the inverse function {inverse.name}, not 1/{command}",)
    else:
        want = fn(c * v) ** {"squared": 2, "inverse": -1}.get(form, 1)
        assert p.readings == ()
    assert _same(p.expr, want), (latex, p.expr, want)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(COMMANDS), st.sampled_from(COMMANDS), st.integers(2, 9), st.integers(2, 9))
def test_the_argument_stops_at_the_next_operator_name_and_says_so(first, second, a, b):
    x = _real("x")
    latex = rf"\{first} {a}x \{second} {b}x"
    p = parse(latex)
    assert _same(p.expr, _fn(first)(a * x) * _fn(second)(b * x)), latex
    assert len(p.readings) == 1 and p.readings[0].startswith(rf"read {latex} as ")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(COMMANDS + NAMED), st.sampled_from(sorted(VARIABLES)), st.sampled_from(sorted(VARIABLES)))
def test_two_variable_factors_are_one_argument_stated(name, u, w):
    latex = rf"\{name} {u} {w}" if name in ELEMENTARY else rf"\operatorname{{{name}}} {u} {w}"
    p = parse(latex)
    fn = _fn(name) if name in ELEMENTARY else next(e.function for e in ENTRIES if name in e.spellings)
    want = fn(_real(VARIABLES[u]) * _real(VARIABLES[w]))
    assert _same(p.expr, want), (latex, p.expr)
    assert any(r.startswith(f"read {latex} as ") for r in p.readings), p.readings

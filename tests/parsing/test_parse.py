"""The parser reads ML notation as meant: a table-driven corpus checked numerically, and the
symbol conventions checked structurally.

Corpus rows (`tests/data/parse_corpus.json`, and `tests/data/notation_corpus.json` for the readings
of standard notation: operator names, `^{-1}`, derivative notation, relations, fonts, scientific
notation): `latex`, `where`, `expected` (a SymPy expression written by hand for
`problem.expanded()`), optional `lhs`, `name`, `kind`, `relation`, `readings` (the sentences
`problem.readings` must hold, exactly; `[]`: none), and `notes`. The
expected strings are trusted test data, evaluated here with a namespace of SymPy names only:
bare names are real symbols (`i j k l` indices, `n d K N` sizes), `B.x` an IndexedBase,
`F.f` an undefined function, `I.x` an index symbol, `S('name')` a symbol with any name.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from symderiv.core.problem import Definition
from symderiv.ml.functions import relu, sigmoid, softplus
from symderiv.parsing.parser import parse, parse_expression

DATA = Path(__file__).resolve().parents[1] / "data" / "parse_corpus.json"
CORPUS = json.loads(DATA.read_text(encoding="utf-8"))
NOTATION = json.loads((DATA.parent / "notation_corpus.json").read_text(encoding="utf-8"))
SHARED = Path(__file__).resolve().parents[3] / "shared"

INDEX_NAMES = set("ijkl")
SIZE_NAMES = {"n", "d", "K", "N"}
SIZES_AT = {"n": 3, "d": 2, "K": 3, "N": 3}   # sizes instantiated for the numeric comparison
FREE_AT = {"i": 2, "j": 1, "k": 2, "l": 1, "x": 2}   # values of free indices (within every size)


# --------------------------------------------------------------------------- expected strings
class _Maker:
    def __init__(self, make):
        self._make = make

    def __getattr__(self, name):
        return self._make(name)

    def __call__(self, name):
        return self._make(name)


class _Names(dict):
    """Names in expected strings: SymPy's, then real symbols by ML convention."""

    def __missing__(self, key):
        if key in INDEX_NAMES:
            return sp.Symbol(key, integer=True)
        if key in SIZE_NAMES:
            return sp.Symbol(key, integer=True, positive=True)
        return sp.Symbol(key, real=True)


NAMESPACE = {
    **{n: getattr(sp, n) for n in (
        "Sum", "Product", "Derivative", "Subs", "Integral", "Piecewise", "Max", "Min", "Abs", "log",
        "exp", "sqrt", "sin", "cos", "tan", "tanh", "pi", "E", "oo", "Rational", "Integer", "asin", "acos",
        "atan", "acot", "asinh", "acosh", "atanh", "erf", "floor", "ceiling", "sign")},
    "gamma_function": sp.gamma,
    "sigmoid": sigmoid, "softplus": softplus, "relu": relu, "True": True,
    "B": _Maker(lambda n: sp.IndexedBase(n, real=True)),
    "F": _Maker(sp.Function),
    "I": _Maker(lambda n: sp.Symbol(n, integer=True)),
    "S": _Maker(lambda n: sp.Symbol(n, real=True)),
}


def expected(text: str) -> sp.Basic:
    """Evaluate a trusted expected string of the corpus (test data, never user input)."""
    value = eval(text, {"__builtins__": {}}, _Names(NAMESPACE))
    return sp.Integer(value) if isinstance(value, int) else value


# --------------------------------------------------------------------------- numeric equality
def _concrete(call: AppliedUndef) -> sp.Expr:
    """A fixed smooth positive function standing for an undefined one (same name, same body)."""
    h = sum(map(ord, call.func.__name__)) % 5 + 2
    s = sum((m + 1) * a for m, a in enumerate(call.args))
    return sp.sin(s / h) + sp.Rational(3, 2) + s**2 / 10


def instantiate(expr: sp.Basic) -> sp.Basic:
    """Sizes and free indices by value, undefined functions by concrete ones, then doit()."""
    rep = {s: SIZES_AT.get(s.name, FREE_AT.get(s.name)) for s in expr.free_symbols
           if isinstance(s, sp.Symbol) and s.is_integer and (s.name in SIZES_AT or s.name in FREE_AT)}
    expr = expr.subs(rep) if rep else expr
    expr = expr.replace(lambda e: isinstance(e, AppliedUndef), _concrete)
    return expr.doit()


def _leaves(expr: sp.Basic) -> set:
    return {a for a in expr.atoms(sp.Indexed)} | {
        s for s in expr.free_symbols if isinstance(s, sp.Symbol)}


def numerically_equal(got: sp.Basic, want: sp.Basic, points: int = 3, seed: int = 7) -> bool:
    """Equal at `points` random points; leaves are matched by name (`x[2, 1]`, `theta`)."""
    a, b = instantiate(got), instantiate(want)
    names = sorted({str(v) for v in _leaves(a) | _leaves(b)})
    if {str(v) for v in _leaves(a)} != {str(v) for v in _leaves(b)}:
        return False
    rng = random.Random(seed)
    for _ in range(points):
        values = {n: sp.Float(rng.uniform(0.15, 0.85), 30) for n in names}
        va = complex(sp.N(a.xreplace({v: values[str(v)] for v in _leaves(a)}), 20))
        vb = complex(sp.N(b.xreplace({v: values[str(v)] for v in _leaves(b)}), 20))
        if abs(va - vb) > 1e-9 * max(1.0, abs(vb)):
            return False
    return True


def _row_id(n: int, row: dict) -> str:
    return f"{n:03d}-" + re.sub(r"[^A-Za-z0-9]+", "_", row["latex"])[:40].strip("_")


@pytest.mark.parametrize("row", CORPUS + NOTATION, ids=[_row_id(n, r) for n, r in enumerate(CORPUS)]
                         + [f"notation-{_row_id(n, r)}" for n, r in enumerate(NOTATION)])
def test_corpus_row(row):
    problem = parse(row["latex"], where=row["where"])
    want = expected(row["expected"])
    got = problem.expanded()
    assert numerically_equal(got, want), f"{got!r}\n  !=  {want!r}\n({row['notes']})"
    if "lhs" in row:
        lhs = problem.expanded(problem.lhs)
        assert numerically_equal(lhs, expected(row["lhs"])), f"lhs {lhs!r} ({row['notes']})"
    if "name" in row:
        assert problem.name == row["name"]
    if "kind" in row:
        assert problem.kind == row["kind"]
    if "relation" in row:
        assert problem.relation == row["relation"]
    if "readings" in row:
        assert list(problem.readings) == row["readings"]


def test_numeric_equality_is_not_vacuous():
    assert not numerically_equal(expected("Sum(B.x[i], (i, 1, n))"), expected("Sum(B.x[i], (i, 1, d))"))
    assert not numerically_equal(expected("log(x)"), expected("log(x, 10)"))
    assert not numerically_equal(expected("F.f(x)"), expected("F.g(x)"))
    assert not numerically_equal(expected("x_1"), expected("B.x[1]"))
    assert numerically_equal(expected("Derivative(F.f(x)**2, x)"), expected("2*F.f(x)*Derivative(F.f(x), x)"))


# --------------------------------------------------------------------------- corpus coverage
def test_corpus_is_large_enough():
    assert len(CORPUS) >= 80
    assert {"latex", "where", "expected", "notes"} <= set().union(*CORPUS)


def _seed_formulas() -> list[str]:
    path = SHARED / "seed" / "ml-calculus-for-machine-learning.md"
    if not path.exists():
        pytest.skip("the shared seed note is not next to the project")
    text = path.read_text(encoding="utf-8")
    return [(m.group(1) or m.group(2)).strip()
            for m in re.finditer(r"\$\$(.+?)\$\$|\$(.+?)\$", text, re.S)]


def test_corpus_holds_every_seed_formula():
    have = {r["latex"] for r in CORPUS}
    missing = [f for f in _seed_formulas() if f not in have]
    assert not missing


def test_corpus_holds_every_notation_formula():
    path = SHARED / "corpus" / "ml-notation.json"
    if not path.exists():
        pytest.skip("the shared notation corpus is not next to the project")
    have = {r["latex"] for r in CORPUS}
    missing = [e["latex"] for e in json.loads(path.read_text(encoding="utf-8")) if e["latex"] not in have]
    assert not missing


# --------------------------------------------------------------------------- conventions
def real(name):
    return sp.Symbol(name, real=True)


i, j, k = (sp.Symbol(c, integer=True) for c in "ijk")
n, d, K = (sp.Symbol(c, integer=True, positive=True) for c in "ndK")
theta, x, y, w, X = (sp.IndexedBase(c, real=True) for c in ("theta", "x", "y", "w", "X"))


def expr_of(latex, **kw):
    return parse(latex, **kw).expr


@pytest.mark.parametrize("latex, want", [
    (r"\theta", real("theta")), (r"\hat{y}", real("yhat")), (r"\bar{x}", real("xbar")),
    (r"\tilde{x}", real("xtilde")), (r"x_1", real("x_1")), (r"\theta_1", real("theta_1")),
    (r"x_{12}", real("x_12")), (r"e", sp.E), (r"\pi", sp.pi), (r"X", real("X")),
])
def test_symbol_names(latex, want):
    assert expr_of(latex) == want  # == compares assumptions too (real=True)


def test_symbols_print_back_as_written():
    assert sp.latex(expr_of(r"\hat{y}")) == r"\hat{y}"
    assert sp.latex(expr_of(r"\theta")) == r"\theta"


def test_subscripts_under_a_sum_are_indexed():
    assert expr_of(r"\sum_{i=1}^{n} y_i") == sp.Sum(y[i], (i, 1, n))
    assert expr_of(r"\sum_{i=1}^{n} x_{ij}") == sp.Sum(x[i, j], (i, 1, n))
    assert expr_of(r"\sum_{i=1}^{n} x_{i,j}") == sp.Sum(x[i, j], (i, 1, n))


def test_transpose_is_a_dot_product_and_never_dropped():
    assert expr_of(r"\theta^T x_i") == sp.Sum(theta[j] * x[i, j], (j, 1, d))
    assert expr_of(r"w^T x") == sp.Sum(w[j] * x[j], (j, 1, d))
    for form in (r"\theta^\top x", r"\theta^{T} x", r"\theta^{\top} x", r"\mathbf{\theta}^T\mathbf{x}"):
        assert expr_of(form) == sp.Sum(theta[j] * x[j], (j, 1, d)), form
    assert expr_of(r"\theta^T x") != expr_of(r"\theta x")
    assert not expr_of(r"\theta^T x").has(real("T"))


def test_squared_norm_is_a_sum_of_squares():
    assert expr_of(r"\|w\|^2") == sp.Sum(w[j] ** 2, (j, 1, d))
    assert expr_of(r"\|w\|_2^2") == sp.Sum(w[j] ** 2, (j, 1, d))


def test_vector_valued_formula_is_its_kth_component():
    assert expr_of(r"\mathbf{W}\mathbf{x}") == sp.Sum(sp.IndexedBase("W", real=True)[k, j] * x[j], (j, 1, d))
    assert k in expr_of(r"\mathbf{x} + \mathbf{b}").free_symbols


def test_sigma_call_is_the_sigmoid_and_sigma_alone_a_symbol():
    e = expr_of(r"\sigma(z)")
    assert isinstance(e, sigmoid) and e == sigmoid(real("z"))
    assert sp.simplify(e.diff(real("z")) - e * (1 - e)) == 0
    assert expr_of(r"\sigma^2") == real("sigma") ** 2
    assert isinstance(expr_of(r"\sigma(\theta^T x_i)"), sigmoid)


def test_call_versus_product():
    e = expr_of(r"y(w^T x+b)")
    assert isinstance(e, sp.Mul) and real("y") in e.args
    assert not e.atoms(AppliedUndef)
    assert not expr_of(r"\delta(|a| - 1)").atoms(AppliedUndef)
    assert expr_of(r"f(x)") == sp.Function("f")(real("x"))
    assert expr_of(r"g(h(x))") == sp.Function("g")(sp.Function("h")(real("x")))
    assert expr_of(r"L(\theta)") == sp.Function("L")(real("theta"))
    assert expr_of(r"H(f)") == sp.Function("H")(real("f"))
    assert expr_of(r"C(x + 1)") == real("C") * (real("x") + 1)


def test_named_ml_functions():
    z = real("z")
    assert expr_of(r"\operatorname{ReLU}(z)") == relu(z)
    assert expr_of(r"\mathrm{softplus}(z)") == softplus(z)
    assert expr_of(r"\tanh(z)") == sp.tanh(z)
    assert expr_of(r"\max(0, z)") == sp.Max(0, z)
    assert expr_of(r"|z|") == sp.Abs(z)
    # the trace is written out, never an unknown function `tr` (issue 12)
    assert expr_of(r"\operatorname{tr}(A)") == sp.Sum(sp.IndexedBase("A", real=True)[j, j], (j, 1, d))


def test_log_is_natural_unless_a_base_is_written():
    xs = real("x")
    assert expr_of(r"\log x") == sp.log(xs)
    assert expr_of(r"\ln x") == sp.log(xs)
    assert sp.simplify(expr_of(r"\log_2 x") - sp.log(xs) / sp.log(2)) == 0
    assert sp.simplify(expr_of(r"\log_{10} x") - sp.log(xs) / sp.log(10)) == 0


def test_upper_and_lower_case_stay_distinct():
    assert len(expr_of(r"X + x").free_symbols) == 2
    e = expr_of(r"\sum_{k=1}^{K} y_k")
    assert e == sp.Sum(y[k], (k, 1, K))
    assert k != K


def test_prime_keeps_the_derivative():
    p = parse(r"f'(x) = 2x")
    assert p.lhs == sp.Derivative(sp.Function("f")(real("x")), real("x"))
    assert p.expr == 2 * real("x")
    p2 = parse(r"f''(x) = 2")
    assert p2.lhs == sp.Derivative(sp.Function("f")(real("x")), (real("x"), 2))


def test_iteration_superscript_is_not_a_power():
    e = expr_of(r"\theta^{(t)}")
    assert not isinstance(e, sp.Pow) and e == real("theta^{(t)}")
    assert not isinstance(expr_of(r"x^{(i)}"), sp.Pow)


def test_kl_divergence_separator_and_calls():
    p = parse(r"D_{KL}(P \| Q) = \sum_{x} P(x) \log \frac{P(x)}{Q(x)}")
    assert p.name == "D_KL" and p.args == (real("P"), real("Q"))
    calls = {c.func.__name__ for c in p.expr.atoms(AppliedUndef)}
    assert calls == {"P", "Q"}


def test_gradient_and_partials_are_derivatives():
    p = parse(r"\nabla_\theta L(\theta) = \frac{1}{n} X^T (X\theta - y)")
    assert isinstance(p.lhs, sp.Derivative)
    e = expr_of(r"\frac{\partial f}{\partial y}")
    assert e == sp.Derivative(sp.Function("f")(real("y")), real("y"))
    e2 = expr_of(r"\frac{\partial^2 f}{\partial x \partial y}")
    assert e2.variables == (real("x"), real("y"))


def test_function_head_gives_name_arguments_and_variables():
    p = parse(r"f(x, y) = x^2 + 3xy + y^2")
    assert (p.kind, p.name, p.args, p.variables) == ("function", "f", (real("x"), real("y")), ("x", "y"))
    p = parse(r"L(\theta) = -y\log \hat{y} - (1 - y)\log(1 - \hat{y})")
    assert p.variables == ("theta",)


def test_definitions_stay_names_and_expand():
    p = parse(r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
              where=[r"\hat{y}_i = \sigma(\theta^T x_i)"])
    yhat = sp.IndexedBase("yhat", real=True)
    assert p.definitions == (Definition(yhat[i], sigmoid(sp.Sum(theta[j] * x[i, j], (j, 1, d))),
                                        r"\hat{y}_i = \sigma(\theta^T x_i)"),)
    assert p.expr.has(yhat[i]) and not p.expr.has(sigmoid)
    assert p.expanded().has(sigmoid) and not p.expanded().has(yhat[i])
    # the same definition written inside the formula
    for sep in (",", ";", r"\text{ where }"):
        q = parse(r"L = \sum_{i=1}^{n} (y_i - \hat{y}_i)^2" + sep + r" \hat{y}_i = w x_i")
        assert [str(dfn.target) for dfn in q.definitions] == ["yhat[i]"], sep


def test_sum_extends_over_the_product_and_stops_at_plus():
    e = expr_of(r"\sum_{i=1}^{n} x_i y_i + z")
    assert e == sp.Sum(x[i] * y[i], (i, 1, n)) + real("z")


def test_sizes_and_indices_have_their_assumptions():
    e = expr_of(r"\frac{1}{n}\sum_{i=1}^{n} y_i")
    assert e == sp.Sum(y[i], (i, 1, n)) / n
    assert {s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.is_integer} == {n}
    assert e.free_symbols.isdisjoint({real("n"), sp.Symbol("n")})


def test_parse_expression_uses_the_problem_conventions():
    p = parse(r"L(\theta) = \sum_{i=1}^{n} (y_i - \theta^T x_i)^2")
    e = parse_expression(r"-2 \sum_{i=1}^{n} (y_i - \theta^T x_i) x_{ik}", p)
    assert e.has(x[i, k]) and e.has(theta[j])


def test_library_never_evaluates_user_text():
    root = Path(__file__).resolve().parents[2] / "symderiv"
    sources = sorted((root / "parsing").rglob("*.py")) + sorted((root / "ml").rglob("*.py"))
    assert len(sources) >= 5
    for path in sources:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<!def )\b(eval|exec|sympify|parse_expr|S)\(", source), path.name


def test_a_sum_may_start_with_a_sign():
    """\\sum_i -[…] is the sum of the negated summand (written in ML notes for the mean loss)."""
    from symderiv.parsing.parser import parse as parse_latex
    p = parse_latex(r"\sum_{i=1}^{n} -\left[y_i \log x_i\right] + 1")
    i, n = sp.Symbol("i", integer=True), sp.Symbol("n", integer=True, positive=True)
    y, x = sp.IndexedBase("y", real=True), sp.IndexedBase("x", real=True)
    assert sp.simplify(p.expr - (sp.Sum(-y[i] * sp.log(x[i]), (i, 1, n)) + 1)) == 0


# --------------------------------------------------------------------------- relations and readings
def test_problem_states_no_relation_and_no_reading_by_default():
    p = parse(r"x^2 + \sin x")
    assert p.relation == "" and p.readings == ()
    from symderiv.core.problem import Problem
    assert Problem(source="", expr=real("x")).readings == () and Problem(source="", expr=real("x")).relation == ""


def test_each_reading_is_stated_once_even_when_a_head_is_tried_first():
    p = parse(r"\sigma(\ln ab) = \ln ab")
    assert p.readings == (r"read \ln ab as log(a·b)",)


def test_conditions_keep_their_sign_and_are_not_definitions():
    p = parse(r"L = (w - 1)^2, w > 0, b \le 1")
    assert p.definitions == ()
    assert [(str(a), rel, str(b)) for a, rel, b in p.conditions] == [("w", ">", "0"), ("b", "≤", "1")]


def test_a_differentiated_name_becomes_a_function_only_where_it_is_differentiated():
    p = parse(r"\frac{d\theta(x)}{dx} = 2\theta(x)")
    assert p.lhs == sp.Derivative(sp.Function("theta")(real("x")), real("x"))
    assert p.expr == 2 * sp.Function("theta")(real("x"))

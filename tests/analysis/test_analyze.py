"""analyze: critical points, their classification and convexity, checked against known answers.

Every verdict is also re-checked independently here: exact points must make ∇f vanish exactly,
"neither" witnesses must show curvature of the claimed sign (recomputed with sympy.hessian), and
the corpus in data/analyze_cases.json holds textbook answers.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import sympy as sp

from symderiv import cli
from symderiv.analysis import analyze_expr, analyze_problem, builtin_data, prove_nonnegative, sample_sum
from symderiv.analysis.convexity import convexity
from symderiv.core.errors import SymderivError
from symderiv.core.problem import Definition, Problem
from symderiv.ml.functions import sigmoid, to_elementary
from symderiv.output.analysis_report import analysis_markdown, phrase_text, render_json, render_markdown, render_text
from symderiv.parsing.parser import parse

CASES = json.loads((pathlib.Path(__file__).parents[1] / "data" / "analyze_cases.json").read_text("utf-8"))["cases"]
x, y = sp.symbols("x y", real=True)


def _analysis(case):
    return analyze_problem(parse(case["latex"], case.get("where", [])), timeout=20)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_convexity(case):
    assert _analysis(case).convexity.verdict == case["convexity"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_critical_points(case):
    a = _analysis(case)
    got = [(dict(zip(a.variables, p.values, strict=True)), p.kind) for p in a.critical_points]
    for want in case["points"]:
        matches = [kind for at, kind in got
                   if all(abs(at[k] - v) < 1e-6 for k, v in want["at"].items())]
        assert matches == [want["kind"]], (want, got)
    if not case.get("periodic"):
        assert len(got) == len(case["points"]), got
    if "exact" in case:
        assert a.exact is case["exact"]
    if case.get("family"):
        assert any(n.key == "family" for n in a.notes)


def _hessian_at(expr, xs, point):
    h = sp.hessian(to_elementary(expr), xs).subs(dict(zip(xs, point, strict=True)))
    return np.array(h.evalf(), dtype=float)


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("indexed")], ids=lambda c: c["name"])
def test_witnesses_and_exact_points_are_checked_independently(case):
    problem = parse(case["latex"])
    expr = problem.expanded()
    xs = [next(s for s in expr.free_symbols if s.name == n) for n in problem.variables]
    a = analyze_problem(problem)
    for p in a.critical_points:
        if p.exact is not None:
            grad = [sp.diff(to_elementary(expr), v).subs(dict(zip(xs, p.exact, strict=True))) for v in xs]
            assert all(sp.simplify(g) == 0 for g in grad)
    w = a.convexity.witness or {}
    for key, sign in (("negative", -1), ("positive", 1)):
        if key in w:
            point = [w[key]["point"][n] for n in problem.variables]
            v = np.array([w[key]["direction"][n] for n in problem.variables])
            curvature = v @ _hessian_at(expr, xs, point) @ v
            assert sign * curvature > 0
    if a.convexity.verdict == "neither":
        assert {"negative", "positive"} <= set(w)


def test_text_format_matches_the_issue():
    out = render_text(analyze_problem(parse("f(x, y) = (1-x)^2 + 100(y - x^2)^2")))
    lines = out.splitlines()
    assert "  (x, y) = (1, 1): H has eigenvalues 501 - √250601 ≈ 0.399, 501 + √250601 ≈ 1002, all > 0: H is " \
        "positive definite, so a local minimum" in lines
    assert lines[1].startswith("  ∇f(x, y) = (") and lines[2].startswith("  H(x, y) = ∇²f(x, y) = [")
    assert lines[-2] == "Convexity: Neither convex nor concave."
    assert lines[-1].startswith("  At (x, y) = (") and "vᵀHv = -" in lines[-1]


def test_text_no_critical_points_and_convexity_line():
    lines = render_text(analyze_problem(parse("f(x) = e^{x}"))).splitlines()
    assert "  no critical points" in lines
    assert lines[-2] == "Convexity: Convex."


def test_json_shape():
    obj = json.loads(render_json(analyze_problem(parse("f(x, y) = x^2 - y^2"))))
    assert obj["critical_points"] == [{"point": {"x": 0.0, "y": 0.0}, "exact": {"x": "0", "y": "0"},
                                       "kind": "saddle", "eigenvalues": [-2.0, 2.0],
                                       "exact_eigenvalues": ["-2", "2"], "note": None}]
    assert obj["convexity"]["verdict"] == "neither"
    assert set(obj["convexity"]["witness"]) == {"negative", "positive"}
    assert isinstance(obj["convexity"]["reason"], str)


def test_numeric_points_say_so_and_have_no_exact_form():
    a = analyze_problem(parse(r"f(x) = \cos x + \frac{x^2}{10}"))
    assert not a.exact and "numeric" in phrase_text(a.method)
    obj = json.loads(render_json(a))
    assert all(p["exact"] is None for p in obj["critical_points"])


def test_zero_eigenvalue_gets_the_higher_order_test():
    quartic = analyze_expr(x**4, [x]).critical_points[0]
    cubic = analyze_expr(x**3, [x]).critical_points[0]
    assert quartic.kind == cubic.kind == "undecided"
    assert "even order" in phrase_text(quartic.note) and "minimum" in phrase_text(quartic.note)
    assert "odd order" in phrase_text(cubic.note)


def test_constant_psd_hessian_with_a_zero_eigenvalue_is_convex_not_strict():
    c = convexity((x - y) ** 2, [x, y])
    assert c.verdict == "convex" and "positive semidefinite" in phrase_text(c.reason)


def test_principal_minors_proof_when_composition_rules_do_not_apply():
    c = convexity(x**4 + y**4 + x**2 * y**2, [x, y])
    assert c.verdict == "convex" and c.reason.key == "minors"


def test_undecided_is_honest():
    c = convexity(x**2 + sp.sin(x), [x])    # convex (f'' = 2 − sin x ≥ 1) but not provable here
    assert c.verdict == "undecided" and "not proved" in phrase_text(c.reason)


@pytest.mark.parametrize("expr, provable", [
    (x**2, True), (sp.exp(x), True), ((x - 1) ** 2 + y**2, True), (x**2 - 2 * x + 1, True),
    (x**2 + x * y + y**2, True), (sigmoid(x) * (1 - sigmoid(x)), True),
    (x**3, False), (x * y, False), (x**2 - y**2, False), (sp.sin(x), False)])
def test_prove_nonnegative(expr, provable):
    assert (prove_nonnegative(expr) is not None) is provable


# -- sums over samples -------------------------------------------------------------------------

i, j = sp.Symbol("i", integer=True), sp.Symbol("j", integer=True)
n, d = sp.Symbol("n", integer=True, positive=True), sp.Symbol("d", integer=True, positive=True)
Y, YHAT, TH, X = (sp.IndexedBase(s) for s in ("y", "yhat", "theta", "x"))
ZI = sp.Sum(TH[j] * X[i, j], (j, 1, d))


def _logistic_problem() -> Problem:
    body = -sp.Sum(Y[i] * sp.log(YHAT[i]) + (1 - Y[i]) * sp.log(1 - YHAT[i]), (i, 1, n))
    return Problem(source="", expr=body, kind="function", name="L",
                   definitions=(Definition(YHAT[i], sigmoid(ZI)),), variables=("theta",))


def test_logistic_loss_is_recognised_without_the_parser():
    ss = sample_sum(_logistic_problem().expanded(), ["theta"])
    assert ss is not None and ss.predictor == ZI and ss.features == X and ss.data == (Y,)
    a = analyze_problem(_logistic_problem())
    assert a.convexity.verdict == "convex" and a.convexity.reason.key == "gram_sigmoid"
    text = render_text(a)
    assert "no closed form" in text and "H(θ) = Σ_i σ(z_i)(1 − σ(z_i)) x_i x_iᵀ = XᵀSX" in text
    assert "no critical points" not in text


def test_least_squares_with_bias_is_convex():
    b = sp.Symbol("b", real=True)
    expr = sp.Sum((Y[i] - ZI - b) ** 2, (i, 1, n)) / n
    a = analyze_problem(Problem(source="", expr=expr, variables=("theta", "b")))
    assert a.convexity.verdict == "convex"
    assert "linear in (θ, b)" in phrase_text(a.method)


def test_nonconvex_per_sample_loss_is_not_called_convex():
    expr = sp.Sum(sp.sin(ZI) + Y[i], (i, 1, n))
    a = analyze_problem(Problem(source="", expr=expr, variables=("theta",)))
    assert a.convexity.verdict == "neither"


def test_logistic_loss_with_data_gives_the_numeric_minimum(tmp_path):
    data = builtin_data(200, 2, seed=3)
    a = analyze_problem(_logistic_problem(), data=data)
    (p,) = a.critical_points
    assert p.kind == "minimum" and p.exact is None and a.variables == ("theta_1", "theta_2")


# -- Markdown, languages, notes ----------------------------------------------------------------

def test_markdown_and_chinese():
    a = analyze_problem(parse("f(x, y) = x^2 - y^2"))
    md = render_markdown(a, "zh")
    assert "**鞍点**" in md and "### 凸性\n\n**既不是凸函数也不是凹函数。**" in md and "$$\\nabla f(x, y) =" in md
    assert "saddle point" in render_markdown(a, "en")
    assert "鞍点" in render_text(a, "zh")


def test_analysis_markdown_for_notes():
    md = analysis_markdown(parse("f(x) = x^4 - 2x^2"))
    assert md.startswith("#### Gradient and Hessian") and "#### Critical points" in md and md.count("minimum") >= 2
    assert analysis_markdown(parse("f(x, y, w) = x^2 + y^2 + w^2")) == ""


# -- CLI ---------------------------------------------------------------------------------------

def test_cli_text_and_json(capsys):
    assert cli.main(["analyze", "f(x) = x^2"]) == 0
    assert "x = 0: f'' = 2 > 0, so a local minimum" in capsys.readouterr().out
    assert cli.main(["analyze", "f(x, y) = x^2 + y^2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["convexity"]["verdict"] == "convex"


def test_cli_default_is_the_seed_logistic_loss(capsys):
    assert cli.main(["analyze"]) == 0
    out = capsys.readouterr().out
    assert "∇L(θ) = Σ_i (σ(z_i) − y_i) x_i = Xᵀ(ŷ − y)" in out
    assert "H(θ) = Σ_i σ(z_i)(1 − σ(z_i)) x_i x_iᵀ = XᵀSX" in out
    assert "Convexity: Convex." in out and "every diagonal entry ŷ_i(1 − ŷ_i) of S is > 0 and S ⪰ 0" in out


@pytest.mark.parametrize("argv", [["analyze", "f(x) = a x^2"], ["analyze", r"\frac{"],
                                  ["analyze", "f(x)=x^2", "--timeout", "-1"]])
def test_cli_bad_input_exits_2_without_traceback(argv, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_symbols_other_than_variables_are_refused():
    with pytest.raises(SymderivError, match="needs numbers for the symbols a"):
        analyze_expr(sp.Symbol("a", real=True) * x**2, [x])

"""analyze's page makes claims a learner can check: each is checked here against SymPy.

The gradient and Hessian shown are the function's; an exact critical point zeroes the gradient; a
witness of non-convexity is a simple point (integers, halves) and a simple direction where vᵀHv
really has the sign the page says; "definite" and "semidefinite" are used as eigenvalues say.
"""
from __future__ import annotations

import re

import pytest
import sympy as sp

from symderiv.analysis.api import analyze_problem
from symderiv.output.analysis_page import render_latex, render_markdown, render_text
from symderiv.parsing.parser import parse

FUNCTIONS = ["f(x, y) = x^2 + x y + y^2 - x + y", "f(x, y) = x^3 - 3x + y^2", "f(x) = x^4 - 4x^2",
             "f(x, y) = x^2 - y^2", "f(x, y) = x^3 + y^3 - 3 x y", "f(x, y) = e^{x} + y^2 - 2 y",
             "f(x, y) = x^4 - x^2 y + y^2", "f(x, y, w) = x^2 + y^2 - w^2 + x w"]


def _setup(latex: str):
    problem = parse(latex)
    a = analyze_problem(problem)
    xs = [sp.Symbol(n, real=True) for n in a.variables]
    f = a.function.xreplace({s: x for s in a.function.free_symbols for x in xs if s.name == x.name})
    return a, f, xs


@pytest.mark.parametrize("latex", FUNCTIONS)
def test_gradient_hessian_and_points_are_right(latex: str) -> None:
    a, f, xs = _setup(latex)
    grad = [sp.diff(f, x) for x in xs]
    assert a.gradient is not None and a.hessian is not None
    assert all(sp.simplify(g - h) == 0 for g, h in zip(a.gradient, grad, strict=True))
    assert sp.simplify(a.hessian - sp.hessian(f, xs)) == sp.zeros(len(xs))
    for p in a.critical_points:
        if p.exact is not None:  # an exact point really zeroes ∇f
            at = dict(zip(xs, p.exact, strict=True))
            assert all(sp.simplify(g.xreplace(at)) == 0 for g in grad), (latex, p.exact)


@pytest.mark.parametrize("latex", FUNCTIONS)
def test_witnesses_are_simple_and_true(latex: str) -> None:
    a, f, xs = _setup(latex)
    w = a.convexity.witness or {}
    h = sp.hessian(f, xs)
    for key, sign in (("negative", -1), ("positive", 1)):
        if key not in w or "point" not in w[key]:
            continue
        point = [sp.nsimplify(w[key]["point"][x.name]) for x in xs]
        v = sp.Matrix([sp.nsimplify(w[key]["direction"][x.name]) for x in xs])
        assert all(c.q <= 2 and abs(c) <= 3 for c in point), (latex, point)  # small integers or halves
        assert all(c in (-1, 0, 1) for c in v)
        curvature = (v.T * h.xreplace(dict(zip(xs, point, strict=True))) * v)[0]
        assert sign * curvature > 0, (latex, point, list(v), curvature)
        assert float(curvature) == pytest.approx(w[key]["curvature"])


def test_definite_and_semidefinite_words() -> None:
    strict = render_text(analyze_problem(parse("f(x, y) = x^2 + x y + y^2")), "zh")
    assert "特征值 1, 3 均 > 0，所以 H 处处正定" in strict
    semi = render_text(analyze_problem(parse("f(x, y) = x^2")), "zh")
    assert "均 ≥ 0，所以 H 处处半正定" in semi and "处处正定" not in semi
    saddle = render_text(analyze_problem(parse("f(x, y) = x^2 - y^2")), "zh")
    assert "H 的特征值 -2, 2 有正有负，H 不定，所以是鞍点" in saddle


def test_exact_points_are_printed_exactly() -> None:
    text = render_text(analyze_problem(parse("f(x, y) = x^2 + x y + y^2 - x + y")))
    assert "(x, y) = (1, -1):" in text and "≈" not in text.split("Critical points")[1].split("Convexity")[0]
    third = render_text(analyze_problem(parse("f(x, y) = 3x^2 + 3 y^2 - 2x + 2y")))
    assert "(x, y) = (1/3, -1/3):" in third
    root = render_markdown(analyze_problem(parse("f(x) = x^4 - 4x^2")))
    assert r"$x = \sqrt{2} \approx 1.414$" in root and "$$f'(x) = 4 x^{3} - 8 x" in root


def test_seed_convexity_argument_in_both_languages() -> None:
    problem = parse(r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]",
                    [r"\hat{y}_i = \sigma(\theta^T x_i)"])
    a = analyze_problem(problem)
    assert a.convexity.verdict == "convex"
    md = render_markdown(a, "zh")
    assert r"= X^T S X$$" in md and r"= X^T(\hat{y} - y)$$" in md
    assert r"$S$ 的每个对角元 $\hat{y}_{i}(1 - \hat{y}_{i}) > 0$，所以 $S \succeq  0$" in md and "**凸函数。**" in md
    assert r"第 $i$ 行为 $x_{i}^{T}$" in md  # X is defined before it is used
    en = render_markdown(a, "en")
    assert r"every diagonal entry $\hat{y}_{i}(1 - \hat{y}_{i})$ of $S$ is $> 0$ and $S \succeq  0$" in en
    text = render_text(a, "zh")
    assert "S 的每个对角元 ŷ_i(1 − ŷ_i) > 0，所以 S ⪰ 0" in text


def test_latex_page_structure() -> None:
    tex = render_latex(analyze_problem(parse("f(x, y) = x^3 - 3x + y^2")), "zh")
    assert tex.startswith(r"\documentclass") and r"\begin{CJK}{UTF8}{gbsn}" in tex and r"\usepackage{lmodern}" in tex
    assert tex.count(r"\begin{itemize}") == tex.count(r"\end{itemize}") == 1
    assert not re.search(r"(?<!\\)\*\*", tex) and "$$" not in tex

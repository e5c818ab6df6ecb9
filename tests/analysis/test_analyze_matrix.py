"""analyze on functions of a vector variable written in matrix notation: quadratics in matrix form
(critical points x* = −H⁻¹g, checked; convexity from Gram terms of the Hessian), clear refusals for
what is not supported yet — never a wrong answer, never a traceback."""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from symderiv import cli
from symderiv.analysis.api import analyze
from symderiv.calculus.matrices import numeric
from symderiv.core.errors import SymderivError
from symderiv.output.analysis_report import phrase_text, render_json, render_markdown, render_text

d, m, n = (sp.Symbol(s, integer=True, positive=True) for s in "dmn")


def _run(capsys, *argv):
    code = cli.main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_quadratic_form_with_linear_term(capsys):
    a = analyze("x^T A x + b^T x")
    q = a.quadratic
    A = sp.MatrixSymbol("A", d, d)
    assert a.variables == ("x",) and q is not None and q.hessian == A + A.T and q.solution_checked
    assert a.convexity.verdict == "undecided" and a.convexity.reason.key == "mat_depends"
    text = render_text(a)
    assert "(A + Aᵀ) x = - b" in text and "x* = - (A + Aᵀ)⁻¹ b" in text and "variable: x" in text
    code, out, _ = _run(capsys, "x^T A x + b^T x")
    assert code == 0 and "Convexity: Undecided." in out and "positive semidefinite" in out


def test_least_squares_is_convex_with_the_normal_equations(capsys):
    a = analyze(r"\frac12\|Ax-b\|^2")
    q = a.quadratic
    A = sp.MatrixSymbol("A", m, d)
    assert q.hessian == A.T * A and a.convexity.verdict == "convex"
    assert a.convexity.reason.key == "mat_gram_convex"
    assert "Aᵀ A x = Aᵀ b" in render_text(a) and "x* = (Aᵀ A)⁻¹ Aᵀ b" in render_text(a)
    rng = np.random.default_rng(0)
    data = {"A": rng.standard_normal((4, 3)), "b": rng.standard_normal(4)}
    got = numeric.evaluate_matrix(q.solution, {m: 4, d: 3}, data, {})
    want = np.linalg.lstsq(data["A"], data["b"], rcond=None)[0]
    assert np.allclose(np.ravel(got), want)


def test_function_form_names_its_own_variable():
    a = analyze(r"f(x) = \frac12\|Ax-b\|^2")
    assert a.quadratic is not None and a.variables == ("x",)
    assert not any(note.key == "mat_variable" for note in a.notes)


def test_ridge_is_convex_when_lambda_is_nonnegative():
    a = analyze(r"\|X\theta - y\|^2 + \lambda\|\theta\|^2")
    assert a.convexity.verdict == "undecided" and a.convexity.reason.key == "mat_gram_if_convex"
    assert "λ ≥ 0" in phrase_text(a.convexity.reason)
    assert "θ* = (λ I + Xᵀ X)⁻¹ Xᵀ y" in render_text(a)


def test_symmetric_matrix_and_concave_quadratic():
    a = analyze("x^T A x + b^T x", where=[r"A \in \mathbb{S}^{d}"])
    assert a.quadratic.hessian == 2 * sp.MatrixSymbol("A", d, d)
    b = analyze(r"b^T x - \frac12 x^T x")
    assert b.convexity.verdict == "concave" and "x* = b" in render_text(b)


def test_sum_of_squares_of_a_vector_is_not_read_as_a_sum_over_samples():
    """xᵀx was read as Σ_j g(z_j) with g'(z) = 0 — a wrong derivative; now ∇f = 2x, x* = 0, convex."""
    a = analyze("x^T x")
    assert a.method.key == "mat_forms" and a.convexity.verdict == "convex"
    assert "x* = 0" in render_text(a)


def test_seed_logistic_loss_keeps_the_sample_sum_argument():
    a = analyze(r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]",
                where=[r"\hat{y}_i = \sigma(\theta^T x_i)"])
    assert a.quadratic is None and a.convexity.reason.key == "gram_sigmoid"


def test_markdown_json_and_chinese(capsys):
    a = analyze("x^T A x + b^T x")
    md = render_markdown(a, "zh")
    assert "二次函数" in md and r"$x^{*} = - \left(A + A^{T}\right)^{-1} b$" in md
    assert "no critical points" not in render_markdown(a) and "没有临界点" not in md
    data = json.loads(render_json(a))
    assert data["matrix"]["hessian"]["latex"] == "A + A^{T}" and data["matrix"]["solution"] is not None
    code, out, _ = _run(capsys, r"\frac12\|Ax-b\|^2", "--format", "json")
    assert code == 0 and json.loads(out)["convexity"]["verdict"] == "convex"


@pytest.mark.parametrize("latex, words", [
    (r"\log\det X", "matrix variables"),
    (r"\operatorname{tr}(AX)", "matrix variables"),
    (r"\|W\|_F^2", "matrix variables"),
    (r"\log(1 + e^{-w^T x})", "not quadratic"),
])
def test_what_is_not_supported_yet_is_said(capsys, latex, words):
    with pytest.raises(SymderivError, match=words):
        analyze(latex)
    code, out, err = _run(capsys, latex)
    assert code == 2 and err.startswith("error:") and words in err and not out

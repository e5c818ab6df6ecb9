"""verify with claims in matrix notation: read in the problem's own terms, checked at non-square
sizes on data that keep the problem's rules, transposes diagnosed, wrong shapes reported as such.
"""
from __future__ import annotations

import json

import mpmath
import pytest
import sympy as sp

from symderiv.check.checker import Checker
from symderiv.check.claims import load_problem, parse_claim
from symderiv.check.problem_terms import claim_latex
from symderiv.check.results import SymmetricSlip, TransposeSlip
from symderiv.check.verify import verify, verify_steps
from symderiv.cli.main import main
from symderiv.output.verify_report import explanation, report

LOGISTIC = r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
YHAT = r"\hat{y}_i = \sigma(\theta^T x_i)"
LSQ = r"\frac12\|Ax-b\|^2"


def _run(capsys, *argv):
    code = main(["verify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- the problem's own terms -----------------------------------------------------------------

@pytest.mark.parametrize("claim", [r"X^T(\hat{y} - y)", r"X^T\hat{y} - X^T y", r"X^T(\sigma(X\theta) - y)",
                                   r"\sum_{i=1}^{n} (\hat{y}_i - y_i) x_i",
                                   r"\sum_{i=1}^{N} (\hat{y}_i - y_i) x_i"])
def test_seed_gradient_in_matrix_notation_is_correct(claim):
    """The claim's X is the data matrix whose rows are the problem's x_i, ŷ and y its ŷ_i and y_i."""
    result = verify(LOGISTIC, "theta", claim, where=[YHAT])
    assert result.verdict == "correct", explanation(result)


def test_seed_gradient_cli_exit_0_and_matrix_form(capsys):
    code, out, _ = _run(capsys, LOGISTIC, "--where", YHAT, "--wrt", "theta", "--claim", r"X^T(\hat{y} - y)")
    assert code == 0 and out.startswith("verdict: correct")
    assert "in matrix form: Xᵀ (y\u0302 - y)" in out and "X: the n × d matrix whose i-th row is x_iᵀ" in out


def test_seed_gradient_transposed_data_matrix_has_the_wrong_shape():
    result = verify(LOGISTIC, "theta", r"X(\hat{y} - y)", where=[YHAT])
    assert result.verdict == "wrong" and result.counterexample is None
    assert result.shape is not None and result.shape.expected == (sp.Symbol("d", integer=True, positive=True),
                                                                    sp.Integer(1))
    assert "the claim has the wrong shape" in explanation(result)


def test_sign_slip_still_found_in_matrix_notation():
    result = verify(LOGISTIC, "theta", r"X^T(y - \hat{y})", where=[YHAT])
    assert result.verdict == "wrong" and result.slip.kind == "sign"


# -- symmetric or not ------------------------------------------------------------------------

def test_quadratic_form_two_ax_is_right_only_for_symmetric_a(capsys):
    result = verify("x^T A x", "x", "2Ax")
    assert result.verdict == "wrong" and isinstance(result.slip, SymmetricSlip)
    words = explanation(result)
    assert "correct only if A is symmetric" in words and "(A + Aᵀ) x" in words and "∂/∂θ" not in words
    assert "只有当 $A$ 是对称矩阵" in explanation(result, "md", "zh")
    code, _, _ = _run(capsys, "x^T A x", "--wrt", "x", "--claim", "2Ax")
    assert code == 1


def test_quadratic_form_with_symmetric_declaration_is_right(capsys):
    code, out, _ = _run(capsys, "x^T A x", "--wrt", "x", "--claim", "2Ax", "--where", r"A \in \mathbb{S}^{d}")
    assert code == 0 and out.startswith("verdict: correct") and "proved" in out
    assert verify("x^T A x", "x", "(A + A^T)x").verdict == "correct"


# -- log det: a missing transpose ------------------------------------------------------------

def test_logdet_inverse_is_a_missing_transpose_right_for_symmetric_x(capsys):
    result = verify(r"\log\det X", "X", "X^{-1}")
    assert result.verdict == "wrong"
    assert isinstance(result.slip, TransposeSlip) and result.slip.gradient
    assert [str(m) for m in result.slip.symmetric] == ["X"]
    text = explanation(result)
    assert "a missing transpose" in text and "correct for a symmetric X" in text
    code, out, _ = _run(capsys, r"\log\det X", "--wrt", "X", "--claim", "X^{-1}")
    assert code == 1 and "likely slip: transpose — a missing transpose" in out


@pytest.mark.parametrize("claim", ["X^{-T}", r"X^{-\top}", "(X^T)^{-1}", "(X^{-1})^T", r"\left(X^{-1}\right)^{T}"])
def test_logdet_inverse_transpose_is_right(capsys, claim):
    code, out, _ = _run(capsys, r"\log\det X", "--wrt", "X", "--claim", claim)
    assert code == 0 and out.startswith("verdict: correct"), out


def test_inverse_transpose_spellings_are_rewritten():
    assert claim_latex("X^{-T}") == "{X^{-1}}^{T}"
    assert claim_latex(r"2\Sigma^{-\top} x") == r"2{\Sigma^{-1}}^{T} x"
    assert claim_latex("(X^T)^{-1}") == "{X^{-1}}^{T}"
    assert claim_latex("(A + B)^{-T}") == "{(A + B)^{-1}}^{T}"
    assert claim_latex(r"\mathbf{X}^{-T}") == r"{\mathbf{X}^{-1}}^{T}"
    assert claim_latex("X^{-1} + A^T") == "X^{-1} + A^T"


@pytest.mark.parametrize("latex, claim", [
    (r"\det X", r"\det(X) X^{-T}"),
    (r"\log\det X - \operatorname{tr}(S X)", r"X^{-T} - S^T"),
    (r"\operatorname{tr}(X^{-1} A)", r"-X^{-T} A^T X^{-T}"),
])
def test_whole_matrices_differentiate_by_jacobi_and_the_inverse_rule(latex, claim):
    assert verify(latex, "X", claim).verdict == "correct"


def test_data_under_det_are_invertible_and_not_symmetric():
    checker = Checker(load_problem(r"\log\det X", []), "X")
    assert checker.samples
    for sample in checker.samples:
        point = sample.point
        n = point.ints[sp.Symbol("n", integer=True, positive=True)]
        x = mpmath.matrix([[point.values[("X", (a, b))] for b in range(1, n + 1)] for a in range(1, n + 1)])
        assert mpmath.det(x) > 0 and x != x.T


# -- a wrong shape ---------------------------------------------------------------------------

def test_missing_transpose_with_the_wrong_shape(capsys):
    result = verify(LSQ, "x", "A(Ax - b)")
    assert result.verdict == "wrong" and result.counterexample is None
    assert isinstance(result.slip, TransposeSlip) and str(result.slip.matrix) == "A"
    assert {str(u.name): tuple(map(str, u.shape)) for u in result.shape.uses}["A"] == ("m", "d")
    code, out, _ = _run(capsys, LSQ, "--wrt", "x", "--claim", "A(Ax - b)")
    assert code == 1 and "counterexample" not in out
    assert "the claim has the wrong shape" in out and "A as m × m (here A is m × d)" in out
    assert "likely slip: transpose — a missing transpose" in out
    code, out, _ = _run(capsys, LSQ, "--wrt", "x", "--claim", "A(Ax - b)", "--format", "json")
    data = json.loads(out)
    assert data["counterexample"] is None and data["shape_mismatch"]["expected"] == ["d", "1"]
    code, out, _ = _run(capsys, LSQ, "--wrt", "x", "--claim", "A(Ax - b)", "--lang", "zh", "--format", "md")
    assert "所给结果的形状不对" in out


@pytest.mark.parametrize("claim, verdict", [("A^T(Ax - b)", "correct"), ("A^TAx - A^Tb", "correct"),
                                            ("A^TAx - b", "wrong")])
def test_least_squares_claims(claim, verdict):
    assert verify(LSQ, "x", claim).verdict == verdict


@pytest.mark.parametrize("latex, claim, verdict, shape", [
    ("a^T X b", "a b^T", "correct", False),
    ("a^T X b", "b a^T", "wrong", True),
    ("a^T X b", "a", "wrong", True),
    (r"\operatorname{tr}(AX)", "A^T", "correct", False),
    (r"\operatorname{tr}(AX)", "A", "wrong", True),
    (r"\operatorname{tr}(X)", "I", "correct", False),
    (r"\operatorname{tr}(X)", r"\mathbf{I}", "correct", False),
    (r"\operatorname{tr}(X^T X)", "2X", "correct", False),
    (r"\|W\|_F^2", "2W", "correct", False),
])
def test_matrix_variables(latex, claim, verdict, shape):
    result = verify(latex, "W" if "W" in latex else "X", claim)
    assert result.verdict == verdict, explanation(result)
    assert (result.shape is not None) is shape


def test_sizes_differ_per_size_symbol():
    """No matrix is square unless the problem makes it so: every size instance is non-square."""
    checker = Checker(load_problem(LSQ, []), "x")
    instances = {tuple(sorted((str(s), v) for s, v in sample.point.ints.items() if s.is_positive))
                 for sample in checker.samples}
    assert len(instances) >= 2
    for sizes in instances:
        values = [v for _, v in sizes]
        assert len(set(values)) == len(values)


def test_vector_entry_index_never_captures_a_summation_index():
    """∂/∂z of log Σ_k e^{z_k}: the entry index is not the bound k (the truth was 1)."""
    result = verify(r"\log \sum_{k=1}^{K} e^{z_k}", "z", r"\frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}")
    assert result.verdict == "correct"


def test_a_claim_names_the_problems_data_only():
    problem = load_problem(LOGISTIC + ", " + YHAT, [])
    claim = parse_claim(r"X^T(\hat{y} - y)", problem)
    checker = Checker(problem, "theta")
    labels = {str(a.base.label) for a in checker.prepare(claim).atoms(sp.Indexed)}
    assert labels >= {"x", "y"} and "X" not in labels


# -- hand derivations ------------------------------------------------------------------------

LSQ_STEPS = r"""
\begin{aligned}
\nabla_x f &= A^T(Ax - b) \\
&= A^TAx - A^Tb \\
&= A(Ax - b)
\end{aligned}
"""

LOGDET_STEPS = r"""
\begin{align*}
\frac{\partial}{\partial X} \log\det X &= X^{-T} \\
&= X^{-1}
\end{align*}
"""


def test_steps_in_matrix_notation(capsys, tmp_path):
    res = verify_steps(LSQ_STEPS, latex=LSQ, wrt="x")
    assert [line.ok for line in res.lines] == [True, True, False]
    assert res.first_wrong.result.shape is not None
    out = report(res)
    assert "the claim has the wrong shape" in out and "in matrix form: Aᵀ (A x - b)" in out
    path = tmp_path / "steps.md"
    path.write_text(LOGDET_STEPS, encoding="utf-8")
    code, out, _ = _run(capsys, "--steps", str(path), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["first_wrong_line"] == 2 and data["slip"] == "transpose"


# -- never a traceback -----------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    [r"\log\det X", "--wrt", "X", "--claim", r"\operatorname{tr}(X)"],
    [r"\log\det X", "--wrt", "X", "--claim", "X"],
    [r"\log\det X", "--wrt", "X", "--claim", r"\det X"],
    [LSQ, "--wrt", "x", "--claim", "A^T"],
    [LSQ, "--wrt", "x", "--claim", "x^T A^T"],
    [LSQ, "--wrt", "A", "--claim", "(Ax - b)x^T"],
    ["x^T A x", "--wrt", "A", "--claim", "x x^T"],
    ["x^T A x", "--wrt", "A", "--claim", "x^T x"],
    [LOGISTIC, "--where", YHAT, "--wrt", "theta", "--claim", r"X^T S X"],
])
def test_matrix_claims_never_crash(capsys, argv):
    code, _, err = _run(capsys, *argv)
    assert code in (0, 1, 2), err
    assert code != 2 or err.startswith("error:")


def test_shape_reading_of_matrices_held_whole():
    """An entry of X⁻¹ has the shape of X: (X⁻¹)_kj fits ∂f/∂X, (X⁻¹)_k read as a vector does not."""
    from symderiv.check.problem_terms import read_shapes

    problem = load_problem(r"\log\det X", [])
    n = sp.Symbol("n", integer=True, positive=True)
    k, j = sp.symbols("k j", integer=True)
    inverse = sp.Inverse(sp.MatrixSymbol("X", n, n))
    var = sp.IndexedBase(sp.Symbol("X", real=True))[k, j]
    assert read_shapes(inverse[j, k], problem, var, (k, j), (n, n)).mismatch is None
    wrong = read_shapes(sp.Sum(inverse[k, j], (j, 1, n)), problem, var, (k, j), (n, n))
    assert wrong.mismatch is not None and wrong.mismatch.claim_shape == (n, sp.Integer(1))


def test_a_claim_through_the_determinant_of_an_expression_is_refused_clearly(capsys) -> None:
    """derive works det(XᵀX) out; verify's independent truth cannot yet: exit 2, the matrix named."""
    from symderiv import cli
    assert cli.main(["verify", r"\log\det(X^T X)", "--wrt", "X", "--claim", r"2X(X^TX)^{-1}"]) == 2
    err = capsys.readouterr().err
    assert "determinant or inverse of a matrix expression (XᵀX)" in err and "Traceback" not in err

"""symderiv verify: verdicts, counterexamples, slip diagnoses, whole derivations, the CLI.

Corpus files (tests/data/verify_*.json) hold the cases: equivalent forms that must never be
rejected, and wrong claims that must never be accepted, each with the slip it was built with.
Diagnoses are checked by their kind only: the kind comes from numeric comparisons, not strings.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp

from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.check.results import ChainSlip, StrayLn10Slip
from symderiv.check.verify import (
    SLIP_KINDS,
    Checker,
    Settings,
    parse_head,
    split_derivation,
    verify,
    verify_steps,
)
from symderiv.cli.main import main
from symderiv.core.problem import Definition, Problem
from symderiv.ml.functions import sigmoid
from symderiv.output.verify_report import explanation, slip_words

DATA = Path(__file__).parents[1] / "data"
EQUIVALENT = json.loads((DATA / "verify_equivalent.json").read_text(encoding="utf-8"))
WRONG = json.loads((DATA / "verify_wrong.json").read_text(encoding="utf-8"))

LOGISTIC = (r"L(\theta) = -\sum_{i=1}^{n} \left[y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)"
            r"\right]")
YHAT = r"\hat{y}_i = \sigma(\theta^T x_i)"


def _case_id(row):
    return f"{row['latex'][:25]} | {row['claim'][:25]}"


# -- corpora -------------------------------------------------------------------------------

def test_corpus_sizes_and_slip_coverage():
    assert len(EQUIVALENT) >= 50
    assert len(WRONG) >= 50
    assert {row["slip"] for row in WRONG} == set(SLIP_KINDS)


@pytest.mark.parametrize("row", EQUIVALENT, ids=_case_id)
def test_equivalent_forms_are_accepted(row):
    result = verify(row["latex"], row["wrt"], row["claim"], where=row.get("where", ()))
    assert result.verdict == "correct", explanation(result)
    assert result.counterexample is None


@pytest.mark.parametrize("row", WRONG, ids=_case_id)
def test_wrong_claims_are_rejected_with_their_slip(row):
    result = verify(row["latex"], row["wrt"], row["claim"], where=row.get("where", ()))
    assert result.verdict == "wrong"
    assert result.slip.kind == row["slip"], slip_words(result.slip, "md")
    cx = result.counterexample
    # the counterexample really separates the claim from the truth
    assert cx.claimed is None or abs(float(cx.claimed) - float(cx.true)) > 1e-6 * max(
        1.0, abs(float(cx.true)))


# -- core logic on SymPy problems (no parser involved) ---------------------------------------

def _logistic_problem():
    i, j, k = (sp.Symbol(c, integer=True) for c in "ijk")
    n, d = sp.symbols("n d", integer=True, positive=True)
    theta, x, y, yhat = (sp.IndexedBase(sp.Symbol(c, real=True)) for c in
                         ("theta", "x", "y", "yhat"))
    loss = -sp.Sum(y[i] * sp.log(yhat[i]) + (1 - y[i]) * sp.log(1 - yhat[i]), (i, 1, n))
    definition = Definition(yhat[i], sigmoid(sp.Sum(theta[j] * x[i, j], (j, 1, d))))
    problem = Problem(source="", expr=loss, definitions=(definition,), variables=("theta",),
                      vectors=frozenset({"theta", "x"}), sizes=((i, n), (j, d)))
    return problem, (i, k, n, x, y, yhat)


def test_logistic_gradient_in_intermediates_is_proved():
    problem, (i, k, n, x, y, yhat) = _logistic_problem()
    result = verify(problem, "theta", sp.Sum((yhat[i] - y[i]) * x[i, k], (i, 1, n)))
    assert result.verdict == "correct"
    assert result.method == "cancel"


@pytest.mark.parametrize("build, kind", [
    (lambda i, k, n, x, y, yhat: sp.Sum(yhat[i] - y[i], (i, 1, n)), "chain"),
    (lambda i, k, n, x, y, yhat: sp.Sum((y[i] - yhat[i]) * x[i, k], (i, 1, n)), "sign"),
    (lambda i, k, n, x, y, yhat: (yhat[i] - y[i]) * x[i, k], "sum"),
    (lambda i, k, n, x, y, yhat: sp.Sum((yhat[i] - y[i]) * x[i, k], (i, 1, n)) / n, "factor"),
])
def test_logistic_slips_on_sympy_claims(build, kind):
    problem, symbols = _logistic_problem()
    result = verify(problem, "theta", build(*symbols))
    assert result.verdict == "wrong"
    assert result.slip.kind == kind


def test_chain_slip_names_the_missing_factor():
    problem, (i, k, n, x, y, yhat) = _logistic_problem()
    result = verify(problem, "theta", sp.Sum(yhat[i] - y[i], (i, 1, n)))
    assert "chain rule" in slip_words(result.slip)
    # the factor it names is ∂z_i/∂θ_k = x_{i,k}: check that expression, not the words
    checker = Checker(problem, "theta")
    claim = checker.prepare(sp.Sum((yhat[i] - y[i]) * x[i, k], (i, 1, n)))
    assert checker.numeric(claim).first_bad is None


def test_symmetric_part_is_not_enough():
    """(A + A^T)θ must not be accepted as 2Aθ: the data are random and non-symmetric."""
    result = verify(r"\theta^T A \theta", "theta", r"2\sum_{j=1}^{d} A_{kj} \theta_j")
    assert result.verdict == "wrong"
    assert result.slip.kind == "transpose"


def test_undecided_when_no_proof_but_numbers_agree():
    """A claim only `simplify` can prove is undecided (not wrong) when simplify has no time."""
    x = sp.Symbol("x", real=True)
    problem = Problem(source="", expr=sp.sin(x) ** 2, variables=("x",))
    hard = 2 * sp.tan(x) / (1 + sp.tan(x) ** 2)
    result = verify(problem, "x", hard, settings=Settings(simplify_seconds=0.01))
    assert result.verdict == "undecided"
    assert result.points > 0 and result.max_difference < 1e-20
    assert "no symbolic proof" in explanation(result)
    assert verify(problem, "x", hard).verdict == "correct"


def test_domain_is_respected():
    """log and sqrt: points outside the domain are skipped, never counted against a claim."""
    assert verify(r"\log(1 - x^2)", "x", r"\frac{-2x}{1-x^2}").verdict == "correct"
    assert verify(r"\sqrt{x - 1}", "x", r"\frac{1}{2\sqrt{x-1}}").verdict == "correct"


def test_reduce_kronecker_keeps_other_terms():
    j, k = sp.Symbol("j", integer=True), sp.Symbol("k", integer=True)
    d = sp.Symbol("d", integer=True, positive=True)
    a, b = sp.IndexedBase("a"), sp.IndexedBase("b")
    expr = sp.Sum(sp.KroneckerDelta(j, k) * a[j] + b[j], (j, 1, d))
    assert collapse_kronecker(expr) == a[k] + sp.Sum(b[j], (j, 1, d))


def test_slip_text_reads_like_text():
    """A slip's terminal sentence prints its formulas as plain text (∂z_i/∂θ_k, 1/(ln 10)), from the
    SymPy expressions the slip holds; Markdown gets the same formulas as LaTeX."""
    i, k = sp.Symbol("i", integer=True), sp.Symbol("k", integer=True)
    theta, x, z = sp.IndexedBase(sp.Symbol("theta", real=True)), sp.IndexedBase("x"), sp.IndexedBase("z")
    slip = ChainSlip(var=theta[k], inner=sp.Sum(theta[k] * x[i, k], (k, 1, 3)), name=z[i], named=False,
                     factor=x[i, k])
    assert "∂z_i/∂θ_k" in slip_words(slip)
    assert r"$\frac{\partial z_{i}}{\partial \theta_{k}}$" in slip_words(slip, "md")
    assert "1/(ln 10)" in slip_words(StrayLn10Slip())
    assert r"$\frac{1}{\ln 10}$" in slip_words(StrayLn10Slip(), "md")
    problem, (i, k, n, x, y, yhat) = _logistic_problem()
    assert "∂z_i/∂θ_k" in slip_words(verify(problem, "theta", sp.Sum(yhat[i] - y[i], (i, 1, n))).slip)


# -- whole derivations -----------------------------------------------------------------------

CHAIN_STEPS = r"""
$$
\begin{aligned}
\frac{d}{dx}(x^2+1)^3 &= 3(x^2+1)^2 \cdot \frac{d}{dx}(x^2+1) \\
&= 3(x^2+1)^2 \cdot 2x \\
&= 3(x^2+1)^2 \\
&= 3x^4 + 6x^2 + 3
\end{aligned}
$$
"""

PRODUCT_STEPS = r"""
\begin{align*}
\frac{d}{dx} x^2 \sin x &= 2x \sin x + x^2 \cos x \\
&= x(2\sin x + x\cos x)
\end{align*}
"""

DOLLAR_STEPS = r"""
$$\frac{d}{dx} \frac{x}{x+1} = \frac{(x+1) - x}{(x+1)^2}$$
$$= \frac{x - (x+1)}{(x+1)^2}$$
$$= \frac{-1}{(x+1)^2}$$
"""

LOGISTIC_STEPS = "\n".join([
    "",
    r"\begin{aligned}",
    r"\frac{\partial L}{\partial \theta} &= -\sum_{i=1}^{n}\left(\frac{y_i}{\hat{y}_i} - "
    r"\frac{1-y_i}{1-\hat{y}_i}\right)\hat{y}_i(1-\hat{y}_i) x_i \\",
    r"&= -\sum_{i=1}^{n}\left(y_i(1-\hat{y}_i) - (1-y_i)\hat{y}_i\right) x_i \\",
    r"&= \sum_{i=1}^{n}(\hat{y}_i - y_i)",
    r"\end{aligned}",
    "",
])


@pytest.mark.parametrize("text, latex, first_wrong, slip, final", [
    (CHAIN_STEPS, None, 3, "chain", False),
    (PRODUCT_STEPS, None, None, None, True),
    (DOLLAR_STEPS, None, 2, "quotient", False),
    (LOGISTIC_STEPS, LOGISTIC, 3, "chain", False),
])
def test_first_wrong_line(text, latex, first_wrong, slip, final):
    where = [YHAT] if latex else []
    res = verify_steps(text, latex=latex, where=where)
    bad = res.first_wrong
    assert (bad.n if bad else None) == first_wrong
    assert res.final_correct is final
    if slip:
        assert bad.result.slip.kind == slip


def test_split_derivation_and_heads():
    lines = split_derivation(CHAIN_STEPS)
    assert len(lines) == 4 and lines[0][0].startswith(r"\frac{d}{dx}")
    head = parse_head(lines[0][0])
    assert head.function == "(x^2+1)^3"
    assert head.wrt == "x"
    assert parse_head(r"\frac{\partial L}{\partial \theta}").wrt == "theta"


# -- CLI -------------------------------------------------------------------------------------

def _run(capsys, *argv):
    code = main(["verify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_wrong_logistic_gradient_text(capsys):
    code, out, _ = _run(capsys, LOGISTIC, "--where", YHAT, "--wrt", "theta",
                        "--claim", r"\sum_{i=1}^{n} (\hat{y}_i - y_i)")
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == "verdict: wrong"
    assert lines[1].startswith("likely slip: chain — ")
    assert any(line.startswith("counterexample: ") for line in lines)
    assert any(line.startswith("true derivative: ") for line in lines)


def test_cli_json_contract(capsys):
    code, out, _ = _run(capsys, "x^3", "--claim", "3x^3", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"verdict", "slip", "explanation", "counterexample", "truth"}
    assert data["verdict"] == "wrong" and data["slip"] == "power"
    assert set(data["counterexample"]) == {"point", "claimed", "true"}
    assert data["counterexample"]["claimed"] != data["counterexample"]["true"]
    assert set(data["truth"]) == {"latex", "sympy"} and data["truth"]["sympy"].startswith("Mul(")


def test_cli_correct_and_md(capsys):
    code, out, _ = _run(capsys, r"\sin(x^2)", "--claim", r"2x\cos(x^2)", "--format", "md")
    assert code == 0
    assert out.startswith("**verdict: correct**") and "$$" in out


def test_cli_steps_json(capsys, tmp_path):
    path = tmp_path / "steps.md"
    path.write_text(CHAIN_STEPS, encoding="utf-8")
    code, out, _ = _run(capsys, "--steps", str(path), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["first_wrong_line"] == 3 and data["slip"] == "chain"
    assert data["final_correct"] is False
    assert [line["ok"] for line in data["lines"]] == [True, True, False, False]


def test_cli_steps_text_has_fixed_lines(capsys, tmp_path):
    path = tmp_path / "steps.md"
    path.write_text(PRODUCT_STEPS, encoding="utf-8")
    code, out, _ = _run(capsys, "--steps", str(path))
    assert code == 0
    assert "first wrong line: none" in out.splitlines()
    assert "✓" in out and "✗" not in out


def test_cli_bad_input_exits_2(capsys):
    code, _, err = _run(capsys, "x^2", "--claim", "2x +")
    assert code == 2 and err.startswith("error:")
    code, _, err = _run(capsys, "x^2")
    assert code == 2 and err.startswith("error:")

"""Every command on every corpus formula ends with a result or a clear error — never an internal one.

Found by sweeping the parse corpus through the CLI: analyze/optimize on undefined functions,
optimize on kinks (δ from max(0, x)), verify by a matrix-indexed name, derive of a formula that is
itself a derivative. Each must answer with exit 0/1/2/3 and no `internal error`.
"""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from symderiv.cli.main import main

CORPUS = json.loads((Path(__file__).parents[1] / "data" / "parse_corpus.json").read_text(encoding="utf-8"))
ROWS = CORPUS["cases"] if isinstance(CORPUS, dict) else CORPUS
COMMANDS = {
    "derive": ["derive", "--format", "json", "--hessian"],
    "analyze": ["analyze"],
    "optimize": ["optimize", "--iters", "50"],
    "verify": ["verify", "--wrt", "x", "--claim", "2x"],
}


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", COMMANDS)
def test_no_internal_errors_over_the_corpus(command):
    failures = []
    for row in ROWS[::2]:
        where = [a for w in row.get("where", []) for a in ("--where", w)]
        code, _, err = run(COMMANDS[command] + [row["latex"]] + where + ["--timeout", "5"])
        if code not in (0, 1, 2, 3) or "internal error" in err or "Traceback" in err:
            failures.append((row["latex"], code, err[:200]))
        if code in (2, 3):
            assert err.startswith("error: ") and len(err.strip().splitlines()) <= 3, err
    assert not failures, failures


@pytest.mark.parametrize("argv, words", [
    (["derive", r"H_{ij} = \frac{\partial^2 f}{\partial \theta_i \partial \theta_j}"], "already contains a derivative"),
    (["analyze", r"\frac{\partial f}{\partial y}"], "explicit function"),
    (["analyze", r"L(\theta)"], "explicit function"),
    (["optimize", r"J(w) = \frac{1}{2n} \sum_{i=1}^{n} (w^T x_i + b - y_i)^2"], "--where 'b = 0'"),
    (["verify", r"\sum_{i=1}^{n} x_{i,j}", "--wrt", "x", "--claim", "1"], "two indices"),
])
def test_clear_errors_for_what_cannot_be_done(argv, words):
    code, _, err = run(argv)
    assert code == 2 and words in err, err


def test_optimize_runs_through_a_kink():
    code, out, _ = run(["optimize", r"\max(0, x) + (x - 1)^2", "--start", "3"])
    assert code == 0 and "converged" in out


def test_hessian_json_names_the_free_indices_of_each_block():
    code, out, _ = run(["derive", r"\sum_{i=1}^{n}(w^T x_i + b - y_i)^2", "--wrt", "w,b", "--hessian",
                        "--format", "json"])
    h = json.loads(out)["hessian"]
    assert code == 0 and h["index"] == [[["k", "l"], ["k", None]], [[None, "k"], None]]
    code, out, _ = run(["derive", "--hessian", "--format", "json"])      # one vector variable
    assert json.loads(out)["hessian"]["index"] == ["k", "l"]


def test_the_free_index_never_clashes_with_an_index_of_the_formula():
    """−log softmax(z)_k by z: the class k is fixed, so ∂/∂z_l = softmax_l − δ_kl (l ≠ the name k)."""
    import sympy as sp

    from symderiv.calculus.engine import derive

    d = derive(r"-\log \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}", wrt="z")
    g = d.gradient[0]
    free = g.index[0]
    assert free.name != "k"
    k, K = sp.Symbol("k", integer=True), sp.Symbol("K", integer=True, positive=True)
    z = sp.IndexedBase("z", real=True)
    values = {z[1]: sp.Rational(1, 3), z[2]: sp.Rational(-1, 2), z[3]: sp.Rational(2, 1)}
    expr = g.expanded.subs({K: 3, k: 2}).doit()
    for m in (1, 2, 3):
        got = expr.subs(free, m).doit().subs(values)
        soft = sp.exp(values[z[m]]) / sum(sp.exp(v) for v in values.values())
        assert abs(float(got) - float(soft - (1 if m == 2 else 0))) < 1e-12


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{e^{z_l}}{\sum_{j=1}^{K} e^{z_j}} - \delta_{kl}", "correct"),   # softmax_l − δ_kl
    (r"\frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}} - 1", "wrong"),               # only the k-th entry
])
def test_verify_keeps_the_class_index_apart_from_the_component(claim, verdict):
    code, out, _ = run(["verify", r"-\log \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}", "--wrt", "z",
                        "--claim", claim])
    assert out.splitlines()[0] == f"verdict: {verdict}" and code == (0 if verdict == "correct" else 1)

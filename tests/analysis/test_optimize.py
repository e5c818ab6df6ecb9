"""optimize: gradient descent and Newton reach known minima, failures are detected and explained,
and the vectorised logistic-loss form agrees with sympy.diff on an instantiated problem."""
from __future__ import annotations

import json
import os
import pathlib

import numpy as np
import pytest
import sympy as sp

from symderiv import cli
from symderiv.analysis import (
    Dataset,
    Optimization,
    build_objective,
    builtin_data,
    gradient_descent,
    load_csv,
    newton,
    objective_from_expr,
    objective_from_sample_sum,
    parse_start,
    run_methods,
    sample_sum,
)
from symderiv.core.errors import SymderivError
from symderiv.core.problem import Definition, Problem
from symderiv.ml.functions import sigmoid, to_elementary
from symderiv.output.analysis_report import optimization_json, optimization_markdown, optimization_text, phrase_text
from symderiv.output.plots import write_plot
from symderiv.parsing.parser import parse

x, y = sp.symbols("x y", real=True)
i, j = sp.Symbol("i", integer=True), sp.Symbol("j", integer=True)
n, d = sp.Symbol("n", integer=True, positive=True), sp.Symbol("d", integer=True, positive=True)
Y, YHAT, TH, X = (sp.IndexedBase(s) for s in ("y", "yhat", "theta", "x"))
SEED = (r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
        [r"\hat{y}_i = \sigma(\theta^T x_i)"])


def _logistic_problem() -> Problem:
    body = -sp.Sum(Y[i] * sp.log(YHAT[i]) + (1 - Y[i]) * sp.log(1 - YHAT[i]), (i, 1, n))
    return Problem(source="", expr=body, kind="function", name="L",
                   definitions=(Definition(YHAT[i], sigmoid(sp.Sum(TH[j] * X[i, j], (j, 1, d)))),),
                   variables=("theta",))


def test_quadratic_both_methods_reach_the_minimum():
    obj = objective_from_expr((x - 1) ** 2 + 10 * (y + 2) ** 2, ["x", "y"])
    gd, nt = run_methods(obj, np.zeros(2), ("gd", "newton"))
    for run in (gd, nt):
        assert run.status == "converged"
        assert np.allclose(run.last.theta, (1, -2), atol=1e-6)
    assert nt.iterations_to_tol == 1 < gd.iterations_to_tol


def test_rosenbrock_both_methods_reach_the_minimum():
    obj = objective_from_expr((1 - x) ** 2 + 100 * (y - x**2) ** 2, ["x", "y"])
    nt = newton(obj, np.array([-1.2, 1.0]), iters=100, tol=1e-8)
    gd = gradient_descent(obj, np.zeros(2), lr=2e-3, iters=30000, tol=1e-5)
    assert nt.status == gd.status == "converged"
    assert np.allclose(nt.last.theta, (1, 1), atol=1e-8)
    assert np.allclose(gd.last.theta, (1, 1), atol=1e-4)
    assert nt.iterations_to_tol < 10 and gd.iterations_to_tol > 1000


def test_vectorised_logistic_matches_sympy_diff_on_an_instance():
    data = builtin_data(6, 3, seed=5)
    problem = _logistic_problem()
    obj = objective_from_sample_sum(sample_sum(problem.expanded(), ["theta"]), ["theta"], data)
    assert obj.form == "logistic"
    # the symbolic oracle: instantiate the sums, put the data in, differentiate with SymPy
    inst = problem.expanded().subs({n: data.n, d: data.d}).doit()
    reps = {X[a + 1, b + 1]: sp.Float(data.X[a, b]) for a in range(data.n) for b in range(data.d)}
    reps.update({Y[a + 1]: sp.Float(data.y[a]) for a in range(data.n)})
    thetas = [TH[k + 1] for k in range(data.d)]
    loss = to_elementary(inst.xreplace(reps))
    grad = [sp.diff(loss, t) for t in thetas]
    hess = sp.hessian(loss, thetas)
    rng = np.random.default_rng(0)
    for _ in range(3):
        p = rng.normal(size=data.d)
        at = dict(zip(thetas, p, strict=True))
        assert obj.f(p) == pytest.approx(float(loss.subs(at)), rel=1e-10)
        assert np.allclose(obj.grad(p), [float(g.subs(at)) for g in grad], rtol=1e-9)
        assert np.allclose(obj.hess(p), np.array(hess.subs(at), dtype=float), rtol=1e-9)


def test_generic_sample_sum_matches_sympy_diff():
    b = sp.Symbol("b", real=True)
    expr = sp.Sum((Y[i] - sp.Sum(TH[j] * X[i, j], (j, 1, d)) - b) ** 2, (i, 1, n)) / n
    data = builtin_data(5, 2, seed=1)
    obj = objective_from_sample_sum(sample_sum(expr, ["theta", "b"]), ["theta", "b"], data)
    assert obj.form == "sample-sum" and obj.names == ("theta_1", "theta_2", "b")
    run = newton(obj, np.zeros(3), iters=10, tol=1e-10)
    A = np.hstack([data.X, np.ones((data.n, 1))])
    assert np.allclose(run.last.theta, np.linalg.lstsq(A, data.y, rcond=None)[0])   # normal equations
    assert run.iterations_to_tol == 1


def test_newton_on_1000_by_10_logistic_converges_fast():
    obj = objective_from_sample_sum(sample_sum(_logistic_problem().expanded(), ["theta"]), ["theta"],
                                    builtin_data(1000, 10))
    run = newton(obj, np.zeros(10), iters=100, tol=1e-6)
    assert run.status == "converged" and run.iterations_to_tol <= 15


def test_divergence_lr_too_large():
    obj = objective_from_expr(x**2, ["x"])
    run = gradient_descent(obj, np.array([1.0]), lr=1.5, iters=1000, tol=1e-6)
    assert run.status == "diverged" and run.message.key == "opt_loss_rose"
    assert "too large" in phrase_text(run.message) and "2/λ_max ≈ 1" in phrase_text(run.message)
    assert "太大" in phrase_text(run.message, "zh") and "2/λ_max ≈ 1" in phrase_text(run.message, "zh")


def test_divergence_unbounded_below_is_not_blamed_on_eta():
    obj = objective_from_expr(x**2 - y**2, ["x", "y"])
    run = gradient_descent(obj, np.array([1.0, 1.0]), lr=0.1, iters=10000, tol=1e-6)
    assert run.status == "diverged" and dict(run.message.params)["cause"].key == "opt_unbounded"
    assert "without bound" in phrase_text(run.message) and "无下界" in phrase_text(run.message, "zh")


def test_divergence_nan():
    obj = objective_from_expr(x**2 - sp.log(x), ["x"])
    run = gradient_descent(obj, np.array([2.0]), lr=1.0, iters=100, tol=1e-6)
    assert run.status == "diverged" and "non-finite" in phrase_text(run.message)
    assert "不再有限" in phrase_text(run.message, "zh")


def test_newton_singular_and_indefinite_hessians_are_reported():
    singular = newton(objective_from_expr((x - y) ** 2, ["x", "y"]), np.array([1.0, 0.0]), 10, 1e-6)
    assert singular.status == "singular" and "singular" in phrase_text(singular.message)
    assert "奇异" in phrase_text(singular.message, "zh")
    saddle = newton(objective_from_expr(x**2 - y**2, ["x", "y"]), np.array([1.0, 1.0]), 10, 1e-6)
    assert saddle.status == "converged" and saddle.events and "not positive definite" in phrase_text(saddle.events[0])
    assert "不是正定的" in phrase_text(saddle.events[0], "zh")


def test_run_messages_are_phrases_and_json_keeps_the_english_sentences():
    obj = objective_from_expr(x**2 - y**2, ["x", "y"])
    runs = run_methods(obj, np.array([1.0, 1.0]), ("gd", "newton"), lr=0.1)
    gd, nt = runs
    assert gd.lr_note is not None and gd.lr_note.key == "lr_given" and nt.lr_note is None
    out = json.loads(optimization_json(Optimization(obj, (1.0, 1.0), 1e-6, runs)))
    assert out["runs"][0]["lr_note"] == "--lr" and out["runs"][1]["lr_note"] is None
    assert out["runs"][0]["message"] == phrase_text(gd.message)
    assert out["runs"][0]["message"].startswith("θ ran off to infinity at iteration ")
    assert out["runs"][1]["events"] == [
        "the Hessian is not positive definite at iteration 1 (λ_min = -2): the Newton step is not a descent "
        "direction and may head for a saddle or maximum"]
    zh = json.loads(optimization_json(Optimization(obj, (1.0, 1.0), 1e-6, runs), lang="zh"))
    assert [r["message"] for r in zh["runs"]] == [r["message"] for r in out["runs"]]


def test_text_table_and_summary():
    obj = build_objective(parse(*SEED))
    runs = run_methods(obj, np.zeros(2), ("gd", "newton"))
    out = optimization_text(Optimization(obj, (0.0, 0.0), 1e-6, runs))
    assert "data: built-in (random seed 0), 100 samples × 2 features" in out
    assert "summary:" in out and "Newton's method   converged in" in out
    md = optimization_markdown(Optimization(obj, (0.0, 0.0), 1e-6, runs))
    assert r"| iteration | $\theta$ | $L$ | $\|\nabla L\|$ |" in md


def test_load_csv(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("x1,x2,y\n0.5,1,1\n-1,2,0\n", "utf-8")
    data = load_csv(str(f))
    assert data.X.shape == (2, 2) and list(data.y) == [1.0, 0.0]
    for text, msg in [("1,2\n3\n", "has 1 values"), ("1,2\na,b\n", "not a number"), ("", "no rows"),
                      ("1\n2\n", "two columns"), ("1,nan\n", "non-finite")]:
        f.write_text(text, "utf-8")
        with pytest.raises(SymderivError, match=msg):
            load_csv(str(f))
    with pytest.raises(SymderivError, match="no such file"):
        load_csv(str(tmp_path / "missing.csv"))


@pytest.mark.parametrize("text, msg", [("1,a", "not a number"), ("1,2,3", "needs 2 numbers"),
                                       ("inf,0", "not a finite")])
def test_parse_start_errors(text, msg):
    with pytest.raises(SymderivError, match=msg):
        parse_start(text, 2, ("x", "y"))


def test_parse_start_forms():
    assert list(parse_start("1, 2", 2, "xy")) == [1, 2]
    assert list(parse_start("0.5", 3, "abc")) == [0.5] * 3
    assert list(parse_start(None, 2, "xy")) == [0, 0]


def test_plot_is_written_atomically(tmp_path):
    obj = objective_from_expr((x - 1) ** 2 + 10 * (y + 2) ** 2, ["x", "y"])
    runs = run_methods(obj, np.zeros(2), ("gd", "newton"))
    out = write_plot(obj, runs, str(tmp_path / "p.png"))
    assert pathlib.Path(out).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(os.listdir(tmp_path)) == ["p.png"]
    one_d = objective_from_expr(x**4, ["x"])
    write_plot(one_d, run_methods(one_d, np.ones(1), ("newton",)), str(tmp_path / "q.svg"))
    assert (tmp_path / "q.svg").read_text("utf-8").lstrip().startswith("<?xml")
    with pytest.raises(SymderivError, match="unknown image type"):
        write_plot(obj, runs, str(tmp_path / "p.txt"))


def test_cli_logistic_json_with_data_file(tmp_path, capsys):
    data = builtin_data(50, 2, seed=2)
    f = tmp_path / "train.csv"
    f.write_text("\n".join(",".join(map(str, [*row, lab])) for row, lab in zip(data.X, data.y, strict=True)), "utf-8")
    assert cli.main(["optimize", SEED[0], "--where", SEED[1][0], "--data", str(f), "--format", "json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["data"] == {"source": "train.csv", "samples": 50, "features": 2}
    gd, nt = obj["runs"]
    assert gd["status"] == nt["status"] == "converged"
    assert np.allclose(gd["final"]["theta"], nt["final"]["theta"], atol=1e-5)
    assert cli.main(["analyze", SEED[0], "--where", SEED[1][0], "--data", str(f), "--format", "json"]) == 0
    (pt,) = json.loads(capsys.readouterr().out)["critical_points"]
    assert np.allclose(list(pt["point"].values()), nt["final"]["theta"], atol=1e-5)
    assert pt["kind"] == "minimum"


def test_cli_default_runs_without_data(tmp_path, capsys):
    plot = tmp_path / "paths.png"
    assert cli.main(["optimize", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "Newton's method needed" in out and plot.exists()


@pytest.mark.parametrize("argv", [
    ["optimize", "f(x, y) = x^2 + y^2", "--start", "1,a"],
    ["optimize", "f(x, y) = x^2 + y^2", "--lr", "-1"],
    ["optimize", "f(x, y) = x^2 + y^2", "--plot", "out.bmp"],
    ["optimize", "f(x, y) = x^2 + y^2", "--data", "/nonexistent.csv"],
    ["optimize", "f(x) = a x^2"]])
def test_cli_bad_input_exits_2(argv, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_dataset_properties():
    data = Dataset(np.zeros((3, 2)), np.zeros(3))
    assert (data.n, data.d) == (3, 2)


def test_the_logistic_update_formulas_on_the_page_are_the_objective_s():
    """optimize writes θ − ηXᵀ(ŷ − y) and θ − (XᵀSX)⁻¹Xᵀ(ŷ − y) for the seed: its gradient and Hessian are those."""
    from symderiv.analysis.api import optimize
    from symderiv.analysis.data import builtin_data
    from symderiv.cli.analyze import SEED_LOGISTIC, SEED_WHERE

    data = builtin_data(30, 3, 1)
    r = optimize(SEED_LOGISTIC, where=SEED_WHERE, data=data, iters=5)
    md = optimization_markdown(r, None, "en")
    assert r"\theta^{(t)} - \eta\, X^T(\hat{y}^{(t)} - y)$" in md
    assert r"(X^T S^{(t)} X)^{-1}\, X^T(\hat{y}^{(t)} - y)$" in md
    theta = np.random.default_rng(3).normal(size=3)
    p = 1 / (1 + np.exp(-data.X @ theta))
    assert np.allclose(r.objective.grad(theta), data.X.T @ (p - data.y))
    assert np.allclose(r.objective.hess(theta), data.X.T @ np.diag(p * (1 - p)) @ data.X)

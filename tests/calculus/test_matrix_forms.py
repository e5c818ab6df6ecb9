"""Index form -> matrix form: the textbook forms, checked numerically, and never a wrong one."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symderiv import derive
from symderiv.calculus.matrices import numeric
from symderiv.calculus.matrices.forms import MatrixContext, MatrixForm, check
from symderiv.calculus.matrices.translate import NotTranslatable, Symbols, Translator
from symderiv.ml.functions import sigmoid
from symderiv.output.printing import latex

SEED = r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
SEED_WHERE = [r"\hat{y}_i = \sigma(\theta^T x_i)"]
n_, d_ = sp.symbols("n d", integer=True, positive=True)
i, j, k, ell = sp.symbols("i j k l", integer=True)
RNG = np.random.default_rng(3)
N, D = 4, 3
X = RNG.normal(size=(N, D))
Y01 = RNG.integers(0, 2, N).astype(float)


def _value(form: MatrixForm, data: dict[str, np.ndarray]) -> np.ndarray:
    m = form.matrix
    for _ in range(3):
        m = m.xreplace(dict(form.definitions))
    sizes = {n_: N, d_: D}
    return np.asarray(numeric.evaluate_matrix(m, sizes, data, {}), dtype=float).reshape(-1)


def _sig(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def test_seed_gradient_and_hessian_are_the_textbook_forms() -> None:
    d = derive(SEED, "theta", hessian=True, where=SEED_WHERE)
    g, h = d.gradient[0].matrix, d.hessian[0][0].matrix
    assert g is not None and h is not None
    assert latex(g.matrix) == r"X^{T} \left(\hat{y} - y\right)"
    assert latex(h.matrix) == r"X^{T} S X"
    assert dict((s.name, latex(v)) for s, v in h.definitions)["S"] == \
        r"\operatorname{diag}\left(\hat{y} \odot \left(\mathbf{1} - \hat{y}\right)\right)"
    theta = RNG.normal(size=D)
    p = _sig(X @ theta)
    data = {"X": X, "y": Y01, "theta": theta}
    assert np.allclose(_value(g, data), X.T @ (p - Y01))
    assert np.allclose(_value(h, data), (X.T @ np.diag(p * (1 - p)) @ X).reshape(-1))
    assert dict(d.shapes) == {"X": (n_, d_), "theta": (d_, 1), "y": (n_, 1), "yhat": (n_, 1)}


@pytest.mark.parametrize(("latex_in", "want"), [
    ("x^T A x", r"\left(A + A^{T}\right) x"),
    (r"\frac{1}{2}\|Ax - b\|_2^2", r"A^{T} \left(A x - b\right)"),
    (r"\sum_{i=1}^{n} (e^{\theta^T x_i} - y_i \theta^T x_i)", r"X^{T} \left(\mu - y\right)"),
    (r"\sum_{i=1}^{n} \log(1 + e^{-y_i \theta^T x_i})",
     r"- X^{T} \left(y \odot \sigma\left(-y \odot X \theta\right)\right)"),
])
def test_textbook_gradients(latex_in: str, want: str) -> None:
    d = derive(latex_in, "x" if "x^T" in latex_in or "Ax" in latex_in else "theta")
    form = d.gradient[0].matrix
    assert form is not None
    assert latex(form.matrix) == want
    assert form.checked_at, "every form says where it was checked"


def test_a_wrong_form_is_refused_by_the_check() -> None:
    d = derive("x^T A x", "x")
    g = d.gradient[0]
    ctx = MatrixContext.of(d.problem, d.intermediates)
    assert ctx is not None
    A, x = sp.MatrixSymbol("A", d_, d_), sp.MatrixSymbol("x", d_, 1)
    wrong = MatrixForm(2 * A * x, (), ((A, "A"), (x, "x")))
    assert check(ctx, wrong, g.expanded, g.index, {g.index[0]: d_}) is None
    right = MatrixForm((A + A.T) * x, (), ((A, "A"), (x, "x")))
    assert check(ctx, right, g.expanded, g.index, {g.index[0]: d_}) is not None


def test_symmetric_declaration_is_not_assumed() -> None:
    """Without a declaration A is not symmetric: 2Ax would be wrong and is never printed."""
    form = derive("x^T A x", "x").gradient[0].matrix
    assert form is not None and "2" not in latex(form.matrix)


def _translate(expr: sp.Basic, free: tuple, sizes: dict) -> sp.MatrixExpr:
    return Translator(Symbols({"x": "X"}, {})).term(expr, free, sizes).matrix


def test_rules_over_index_structure() -> None:
    a, b, th, A = (sp.IndexedBase(s) for s in ("a", "b", "theta", "A"))
    x = sp.IndexedBase("x")
    assert _translate(a[k] * b[ell], (k, ell), {k: n_, ell: d_}) == sp.MatrixSymbol("a", n_, 1) * \
        sp.MatrixSymbol("b", d_, 1).T
    assert _translate(A[ell, k], (k, ell), {k: d_, ell: d_}) == sp.MatrixSymbol("A", d_, d_).T
    assert _translate(sp.KroneckerDelta(k, ell), (k, ell), {k: d_, ell: d_}) == sp.Identity(d_)
    xtheta = sp.Sum(x[i, j] * th[j], (j, 1, d_))
    grad = _translate(sp.Sum((sigmoid(xtheta) - a[i]) * x[i, k], (i, 1, n_)), (k,), {k: d_})
    assert latex(grad) == r"X^{T} \left(\sigma\left(X \theta\right) - a\right)"
    trace = _translate(sp.Sum(A[j, j], (j, 1, d_)), (), {})
    assert "tr" in latex(trace)


def test_what_has_no_matrix_form_is_not_guessed() -> None:
    a, x = sp.IndexedBase("a"), sp.IndexedBase("x")
    with pytest.raises(NotTranslatable):
        _translate(a[1] * x[k], (k,), {k: d_})           # a fixed entry
    with pytest.raises(NotTranslatable):
        _translate(a[k] ** x[k, ell], (k, ell), {k: d_, ell: d_})      # an entry in an exponent
    with pytest.raises(NotTranslatable):
        _translate(a[k] * x[ell, i], (k, ell), {k: d_, ell: d_, i: n_})   # an index no sum binds, not free


def test_json_matrix_forms_are_portable_and_name_their_intermediates() -> None:
    from symderiv.output.json import derivation_json
    out = derivation_json(derive(SEED, "theta", hessian=True, where=SEED_WHERE))
    assert out["shapes"] == {"X": ["n", "d"], "theta": ["d", 1], "y": ["n", 1], "yhat": ["n", 1]}
    assert out["gradient"][0]["matrix"]["latex"] == r"X^{T} \left(\hat{y} - y\right)"
    assert out["hessian"]["matrix"]["latex"] == r"X^{T} S X"
    defs = {e["symbol"]: e for e in out["definitions"]}
    assert "Function('sigmoid')" in defs["yhat"]["matrix"]["sympy"]
    assert "S" in defs and "matrix" in defs["S"]


def test_steps_carry_the_shape_of_what_they_produce() -> None:
    from symderiv.output.json import derivation_json
    out = derivation_json(derive(SEED, "theta", where=SEED_WHERE))
    shapes = []

    def walk(step: dict) -> None:
        shapes.append(step["shape"])
        for s in step["substeps"]:
            walk(s)
    for s in out["steps"]:
        walk(s)
    assert ["d", 1] in shapes and [] in shapes      # by θ: θ's shape; by an intermediate (d/dŷ_i): a scalar
    assert set(map(tuple, shapes)) == {("d", 1), ()}
    scalar = derivation_json(derive("x^2 + 3x", "x"))
    assert scalar["steps"][0]["shape"] == []


def _held(expr: sp.Basic) -> MatrixForm | None:
    from symderiv.core.problem import Problem
    d = derive(Problem(source="held", expr=expr, variables=("X",)), "X")
    return d.gradient[0].matrix


def test_log_det_and_inverse_by_their_rules() -> None:
    """Jacobi's formula and d(X⁻¹) = −X⁻¹ dX X⁻¹ give X⁻ᵀ, det(X) X⁻ᵀ and −X⁻ᵀAᵀX⁻ᵀ, each checked."""
    Xs = sp.MatrixSymbol("X", d_, d_)
    a, b = sp.symbols("a b", integer=True)
    A = sp.IndexedBase("A")
    logdet = _held(sp.log(sp.Determinant(Xs)))
    assert logdet is not None and latex(logdet.matrix) == "X^{-T}"
    det = _held(sp.Determinant(Xs))
    assert det is not None and latex(det.matrix) == r"\det\left(X\right) X^{-T}"
    trace = _held(sp.Sum(sp.Sum(sp.Inverse(Xs)[a, b] * A[b, a], (b, 1, d_)), (a, 1, d_)))
    assert trace is not None and latex(trace.matrix) == "- X^{-T} A^{T} X^{-T}"
    rng = np.random.default_rng(5)
    M = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    Am = rng.normal(size=(3, 3))
    got = numeric.evaluate_matrix(trace.matrix, {d_: 3}, {"X": M, "A": Am}, {})
    fd = numeric.central_difference(lambda v: float(np.trace(np.linalg.inv(v) @ Am)), M)
    assert np.allclose(got, fd, atol=1e-6)


def test_poisson_names_its_mean_and_keeps_diag_of_it() -> None:
    d = derive(r"\sum_{i=1}^{n} (e^{\theta^T x_i} - y_i \theta^T x_i)", "theta", hessian=True)
    g, h = d.gradient[0].matrix, d.hessian[0][0].matrix
    assert g is not None and h is not None
    assert [(s.name, latex(v)) for s, v in g.definitions] == [("mu", r"\exp\left(X \theta\right)")]
    assert latex(h.matrix) == r"X^{T} \operatorname{diag}\left(\mu\right) X"


def test_a_matrix_variable_never_captures_a_summation_index() -> None:
    """∂/∂U_kj of Σ_ij (X_ij − Σ_l U_il V_jl)²: the column index j of U_kj is also a bound index of
    the loss; renaming bound indices must never capture it (it once gave U_km V_mm)."""
    from symderiv.core.problem import Problem
    from symderiv.parsing.parser import indexed_base
    K_ = sp.Symbol("K", integer=True, positive=True)
    Xb, Ub, Vb = (indexed_base(s) for s in "XUV")
    loss = sp.Sum(sp.Sum((Xb[i, j] - sp.Sum(Ub[i, ell] * Vb[j, ell], (ell, 1, K_))) ** 2, (j, 1, d_)), (i, 1, n_))
    d = derive(Problem(source="mf", expr=loss, variables=("U",)), "U")
    g = d.gradient[0]
    assert g.matrix is not None and latex(g.matrix.matrix) == r"-2 \left(X - U V^{T}\right) V"
    rng = np.random.default_rng(11)
    data = {"X": rng.normal(size=(4, 3)), "V": rng.normal(size=(3, 2))}
    U0 = rng.normal(size=(4, 2))
    sizes = {n_: 4, d_: 3, K_: 2}
    got = numeric.evaluate_index(g.expanded, g.index, sizes, {**data, "U": U0}, {})
    fd = numeric.central_difference(lambda u: float(np.sum((data["X"] - u @ data["V"].T) ** 2)), U0)
    assert np.allclose(got, fd, atol=1e-5)


MLP = r"L = \frac{1}{2}\|\hat{y} - y\|^2"
MLP_WHERE = [r"\hat{y} = V h + c", r"h = \sigma(a)", r"a = W x + b"]


def test_backprop_names_its_error_signals_once() -> None:
    d = derive(MLP, ["V", "c", "W", "b"], where=MLP_WHERE)
    forms = {g.variable: g.matrix for g in d.gradient}
    assert all(f is not None for f in forms.values())
    got = {v: latex(f.matrix) for v, f in forms.items() if f is not None}
    assert got == {"V": r"\delta h^{T}", "c": r"\delta", "W": r"\delta_{h} x^{T}", "b": r"\delta_{h}"}
    w = forms["W"]
    assert w is not None
    defs = {s.name: latex(v) for s, v in w.definitions}
    assert defs["delta"] == r"\hat{y} - y"
    assert defs["delta_h"] == r"V^{T} \delta \odot h \odot \left(\mathbf{1} - h\right)"
    assert dict(w.shared)["delta_h"] == ("W", "b")
    # the numbers: δ_h xᵀ against finite differences of the network's loss
    rng = np.random.default_rng(2)
    K_, m_ = 2, 4
    V, c, b, x, y = (rng.normal(size=s) for s in ((K_, m_), K_, m_, D, K_))
    W0 = rng.normal(size=(m_, D))

    def loss(W: np.ndarray) -> float:
        return float(0.5 * np.sum((V @ _sig(W @ x + b) + c - y) ** 2))
    sizes = {sym: {"K": K_, "m": m_, "d": D}[sym.name] for shape in dict(d.shapes).values() for sym in shape
             if isinstance(sym, sp.Symbol)}
    m = w.matrix
    for _ in range(len(w.definitions) + 1):      # δ_h -> δ -> ŷ -> h -> a
        m = m.xreplace(dict(w.definitions))
    got_w = numeric.evaluate_matrix(m, sizes, {"V": V, "c": c, "b": b, "x": x, "y": y, "W": W0}, {})
    assert np.allclose(got_w, numeric.central_difference(loss, W0), atol=1e-6)


def test_batch_backprop_is_the_stacked_form() -> None:
    d = derive(r"L = \sum_{i=1}^{n} \frac12\|\hat{y}_i - y_i\|^2", ["V", "c", "W", "b"],
               where=[r"\hat{y}_i = V h_i + c", r"h_i = \sigma(W x_i + b)"])
    got = {g.variable: latex(g.matrix.matrix) for g in d.gradient if g.matrix is not None}
    assert got == {"V": r"\Delta^{T} H", "c": r"\Delta^{T} \mathbf{1}", "W": r"\Delta_{h}^{T} X",
                   "b": r"\Delta_{h}^{T} \mathbf{1}"}


SOFTMAX = r"L(W) = -\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik} \log \frac{e^{w_k^T x_i}}{\sum_{j=1}^{K} e^{w_j^T x_i}}"


def test_softmax_regression_general_and_one_hot() -> None:
    """In general (P diag-weighted by Y's row sums) and, checked with one-hot Y, (P − Y)ᵀX."""
    g = derive(SOFTMAX, "W").gradient[0].matrix
    assert g is not None
    assert latex(g.matrix) == r"\left(P^{T} \operatorname{diag}\left(Y \mathbf{1}\right) - Y^{T}\right) X"
    assert g.one_hot is not None and latex(g.one_hot[1]) == r"\left(P - Y\right)^{T} X"
    rng = np.random.default_rng(4)
    n, d, K = 5, 3, 4
    X, W0 = rng.normal(size=(n, d)), rng.normal(size=(K, d))
    Y = np.eye(K)[rng.integers(0, K, n)]

    def loss(W: np.ndarray) -> float:
        Z = X @ W.T
        return float(-np.sum(Y * (Z - np.log(np.exp(Z).sum(1, keepdims=True)))))
    m = g.one_hot[1].xreplace(dict(g.definitions))
    sizes = {sp.Symbol("n"): n, sp.Symbol("d"): d, sp.Symbol("K"): K}      # matched by name
    got = numeric.evaluate_matrix(m, sizes, {"X": X, "Y": Y, "W": W0}, {})
    assert np.allclose(got, numeric.central_difference(loss, W0), atol=1e-6)


def test_a_missing_transpose_under_log_det_is_caught() -> None:
    """Data under det are positive definite but not symmetric, so X⁻¹ cannot pass for X⁻ᵀ."""
    d = derive(r"\log\det X", "X")
    g = d.gradient[0]
    assert g.matrix is not None
    ctx = MatrixContext.of(d.problem, d.intermediates)
    assert ctx is not None
    X = next(m for m, _ in g.matrix.data)
    sizes = dict(zip(g.index, X.shape, strict=True))
    assert check(ctx, MatrixForm(sp.Inverse(X), (), g.matrix.data), g.expanded, g.index, sizes) is None
    assert check(ctx, MatrixForm(g.matrix.matrix, (), g.matrix.data), g.expanded, g.index, sizes) is not None


def test_a_hidden_layer_signal_keeps_its_layer_name_when_asked_alone() -> None:
    d = derive(MLP, ["W", "b"], where=MLP_WHERE)
    got = {g.variable: latex(g.matrix.matrix) for g in d.gradient if g.matrix is not None}
    assert got == {"W": r"\delta_{h} x^{T}", "b": r"\delta_{h}"}

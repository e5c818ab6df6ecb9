"""Hessians of one matrix variable as Kronecker products (row-major vec: W_kj at (k − 1)d + j),
each compared with finite differences of the gradient computed in plain numpy."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symderiv
from symderiv.calculus.matrices.forms import MatrixContext, MatrixForm, check
from symderiv.calculus.matrices.numeric import evaluate_matrix
from symderiv.output.json import derivation_json

SOFTMAX = (r"L(W) = -\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik} \log "
           r"\frac{e^{w_k^T x_i}}{\sum_{j=1}^{K} e^{w_j^T x_i}}")


def _fd_hessian(grad, w: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Row-major: column (l − 1)d + m is ∂ vec(∇f) / ∂W_lm by central differences."""
    rows, cols = w.shape
    out = np.empty((rows * cols, rows * cols))
    for a in range(rows):
        for b in range(cols):
            up, down = w.copy(), w.copy()
            up[a, b] += h
            down[a, b] -= h
            out[:, a * cols + b] = ((grad(up) - grad(down)) / (2 * h)).reshape(-1)
    return out


def _form_value(d, sizes: dict[str, int], data: dict[str, np.ndarray]) -> np.ndarray:
    form = d.hessian[0][0].matrix
    assert form is not None
    return evaluate_matrix(form.matrix, {sp.Symbol(k): v for k, v in sizes.items()}, data, {})


def test_frobenius_factorisation_by_u_is_two_i_kron_vtv() -> None:
    d = symderiv.derive(r"\|X - UV^T\|_F^2", "U", hessian=True)
    form = d.hessian[0][0].matrix
    assert form is not None
    V = next(s for s in form.matrix.atoms(sp.MatrixSymbol) if s.name == "V")
    assert form.matrix == 2 * sp.KroneckerProduct(sp.Identity(sp.Symbol("n", integer=True, positive=True)), V.T * V)
    rng = np.random.default_rng(1)
    n, dd, m = 4, 3, 2
    X, U, V = rng.normal(size=(n, dd)), rng.normal(size=(n, m)), rng.normal(size=(dd, m))
    want = _fd_hessian(lambda u: -2 * (X - u @ V.T) @ V, U)
    got = _form_value(d, {"n": n, "d": dd, "m": m}, {"X": X, "U": U, "V": V})
    assert np.allclose(got, want, atol=1e-5)


def test_trace_quadratic_by_x_is_a_plus_at_kron_i() -> None:
    d = symderiv.derive(r"\operatorname{tr}(X^T A X)", "X", hessian=True)
    form = d.hessian[0][0].matrix
    assert form is not None and isinstance(form.matrix, sp.KroneckerProduct)
    A_, I_ = form.matrix.args
    assert isinstance(I_, sp.Identity) and A_.args[0] + A_.args[0].T == A_
    rng = np.random.default_rng(2)
    n, dd = 4, 3
    A, X = rng.normal(size=(n, n)), rng.normal(size=(n, dd))
    want = _fd_hessian(lambda x: (A + A.T) @ x, X)
    assert np.allclose(_form_value(d, {"n": n, "d": dd}, {"A": A, "X": X}), want, atol=1e-5)
    assert np.allclose(want, np.kron(A + A.T, np.eye(dd)), atol=1e-5)   # the layout, independently


def test_wrong_kronecker_order_fails_the_check() -> None:
    d = symderiv.derive(r"\operatorname{tr}(X^T A X)", "X", hessian=True)
    g, e = d.gradient[0], d.hessian[0][0]
    form = e.matrix
    assert form is not None
    a, b = form.matrix.args
    ctx = MatrixContext.of(d.problem, d.intermediates)
    assert ctx is not None
    rows, cols = dict(d.shapes)["X"]
    free = (*g.index, *e.index)
    sizes = dict(zip(free, (rows, cols, rows, cols), strict=True))
    assert check(ctx, form, e.expanded, free, sizes, square=True) is not None
    swapped = MatrixForm(sp.KroneckerProduct(b, a), form.definitions, form.data)
    assert check(ctx, swapped, e.expanded, free, sizes, square=True) is None


def test_softmax_hessian_index_form_matches_finite_differences() -> None:
    """The index form the Kronecker form would be checked against is right (the bound m of
    Π_m e^{W_km x_im} no longer clashes with the Hessian's free m)."""
    from symderiv.calculus.matrices.numeric import evaluate_index
    d = symderiv.derive(SOFTMAX, "W", hessian=True)
    g, e = d.gradient[0], d.hessian[0][0]
    rng = np.random.default_rng(3)
    n, K, dd = 5, 3, 2
    x, y, W = rng.normal(size=(n, dd)), rng.random(size=(n, K)), rng.normal(size=(K, dd))
    sizes = {sp.Symbol("n"): n, sp.Symbol("K"): K, sp.Symbol("d"): dd}
    Ks, ds = sp.Symbol("K", integer=True, positive=True), sp.Symbol("d", integer=True, positive=True)
    free = (*g.index, *e.index)
    H = evaluate_index(e.expanded, free, sizes, {"x": x, "y": y, "W": W}, {},
                       ranges=dict(zip(free, (Ks, ds, Ks, ds), strict=True))).reshape(K * dd, K * dd)

    def grad(w: np.ndarray) -> np.ndarray:
        z = x @ w.T
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return (p * y.sum(axis=1, keepdims=True) - y).T @ x

    assert np.allclose(H, _fd_hessian(grad, W), atol=1e-5)
    # Σ_i (diag(p_i) − p_i p_iᵀ) ⊗ x_i x_iᵀ (labels that are not one-hot: scaled by Σ_k y_ik)
    z = x @ W.T
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    blocks = sum(y[i].sum() * np.kron(np.diag(p[i]) - np.outer(p[i], p[i]), np.outer(x[i], x[i])) for i in range(n))
    assert np.allclose(H, blocks, atol=1e-8)


@pytest.mark.parametrize(("latex", "wrt"), [(r"\|X - UV^T\|_F^2", "U"), (r"\operatorname{tr}(X^T A X)", "X")])
def test_json_gives_matrix_layout_and_index_pairs(latex: str, wrt: str) -> None:
    h = derivation_json(symderiv.derive(latex, wrt, hessian=True))["hessian"]
    assert h["layout"] == "row-major" and r"\otimes" in h["matrix"]["latex"]
    assert [len(pair) for pair in h["index"]] == [2, 2]


def test_vector_variable_hessian_has_no_layout() -> None:
    h = derivation_json(symderiv.derive(r"\frac{1}{2}\|Ax - b\|_2^2", "x", hessian=True))["hessian"]
    assert "layout" not in h


SOFTMAX_MATRIX = r"L(W) = -\sum_{i=1}^{n} y_i^T \log\operatorname{softmax}(W x_i)"


def _softmax_blocks(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Σ_i (Σ_k y_ik)(diag(p_i) − p_i p_iᵀ) ⊗ x_i x_iᵀ, computed in plain numpy."""
    z = x @ w.T
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return sum(y[i].sum() * np.kron(np.diag(p[i]) - np.outer(p[i], p[i]), np.outer(x[i], x[i]))
               for i in range(len(x)))


@pytest.mark.parametrize("latex", [SOFTMAX, SOFTMAX_MATRIX])
def test_softmax_hessian_has_its_per_sample_kronecker_form(latex: str) -> None:
    """Both spellings of softmax regression: Σ_i (y_iᵀ𝟏)(diag(p_i) − p_i p_iᵀ) ⊗ x_i x_iᵀ, checked,
    and equal to the same blocks computed in numpy at sizes the check did not use."""
    from symderiv.calculus.matrices.forms import _substituted
    d = symderiv.derive(latex, "W", hessian=True)
    form = d.hessian[0][0].matrix
    assert form is not None and form.checked_at
    rng = np.random.default_rng(11)
    n, k, dd = 6, 3, 4
    x, y, w = rng.normal(size=(n, dd)), rng.random(size=(n, k)), rng.normal(size=(k, dd))
    got = evaluate_matrix(_substituted(form), {sp.Symbol("n"): n, sp.Symbol("K"): k, sp.Symbol("d"): dd},
                          {"X": x, "Y": y, "W": w}, {})
    assert np.allclose(got, _softmax_blocks(x, y, w), atol=1e-10)
    assert form.one_hot is not None            # with one-hot labels the weight y_iᵀ𝟏 is 1
    page = symderiv.render(d, "text")
    assert "(diag(p_i) - p_i p_iᵀ) ⊗ x_i x_iᵀ" in page
    assert "p_i: the i-th row of P, as a column" in page


def test_softmax_block_form_with_a_wrong_sign_is_rejected() -> None:
    """The check is not vacuous: diag(p_i) + p_i p_iᵀ in place of − fails against the index form."""
    d = symderiv.derive(SOFTMAX_MATRIX, "W", hessian=True)
    block = d.hessian[0][0]
    form = block.matrix
    assert form is not None
    wrong = form.matrix.replace(lambda e: isinstance(e, sp.MatMul) and e.as_coeff_matrices()[0] == -1,
                                lambda e: sp.MatMul(*e.as_coeff_matrices()[1]))
    assert wrong != form.matrix
    ctx = MatrixContext.of(d.problem, d.intermediates)
    assert ctx is not None
    g = d.gradient[0]
    free = (*g.index, *block.index)
    rows, cols = dict(d.shapes)["W"]
    sizes = dict(zip(free, (rows, cols, rows, cols), strict=True))
    assert check(ctx, form, block.expanded, free, sizes, square=True) is not None
    assert check(ctx, MatrixForm(wrong, form.definitions, form.data), block.expanded, free, sizes, square=True) is None


def test_two_layer_network_hessian_by_w_is_a_per_sample_kronecker_sum() -> None:
    """Σ_i (y_i − vᵀσ(W x_i))² by W: a checked Σ_i A_i ⊗ x_i x_iᵀ, equal to finite differences of
    the gradient computed in numpy at sizes the check did not use."""
    from symderiv.calculus.matrices.forms import _substituted
    d = symderiv.derive(r"\sum_{i=1}^{n} (y_i - v^T \sigma(W x_i))^2", "W", hessian=True)
    form = d.hessian[0][0].matrix
    assert form is not None and "SampleSum" in type(form.matrix).__name__
    rng = np.random.default_rng(5)
    n, m, dd = 5, 3, 2
    x, y, v, w = rng.normal(size=(n, dd)), rng.normal(size=n), rng.normal(size=m), rng.normal(size=(m, dd))

    def grad(wm: np.ndarray) -> np.ndarray:
        h = 1 / (1 + np.exp(-x @ wm.T))
        r = y - h @ v
        return -2 * ((r[:, None] * h * (1 - h) * v).T @ x)

    sizes = {sp.Symbol("n"): n, sp.Symbol("m"): m, sp.Symbol("d"): dd}
    got = evaluate_matrix(_substituted(form), sizes, {"X": x, "y": y, "v": v, "W": w}, {})
    assert np.allclose(got, _fd_hessian(grad, w), atol=1e-5)

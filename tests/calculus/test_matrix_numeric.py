"""The numeric check behind every printed matrix form (symderiv.calculus.matrices.numeric): index
forms and matrix forms evaluate to what numpy computes directly, a wrong or transposed form does not
agree, an off-by-one index never agrees silently, and finite differences match gradients."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from symderiv.calculus.matrices.numeric import (
    MissingValue,
    agree,
    central_difference,
    evaluate_index,
    evaluate_matrix,
    random_data,
    random_scalars,
    random_sizes,
)
from symderiv.ml.functions import gelu, relu, sigmoid, softplus

i, j, k, m = sp.symbols("i j k m", integer=True)
n, d, h = sp.symbols("n d h", integer=True, positive=True)
x, a, b, theta, y = (sp.IndexedBase(s) for s in ("x", "a", "b", "theta", "y"))
A, W, Xi = sp.IndexedBase("A"), sp.IndexedBase("W"), sp.IndexedBase("X")
SIZES = random_sizes([n, d, h])  # n=4, d=3, h=2
NP, DP, HP = SIZES[n], SIZES[d], SIZES[h]

Am, Bm, Xm = sp.MatrixSymbol("A", d, d), sp.MatrixSymbol("B", d, d), sp.MatrixSymbol("X", n, d)
Sm, Wm = sp.MatrixSymbol("S", d, d), sp.MatrixSymbol("W", h, d)
xm, thm, ym, vm = sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("theta", d, 1), sp.MatrixSymbol("y", n, 1), \
    sp.MatrixSymbol("v", n, 1)


def _sig(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


@pytest.fixture
def data() -> dict[str, np.ndarray]:
    shapes = {"x": (d, 1), "a": ("h", 1), "b": (d, 1), "theta": (d, 1), "y": (n, 1), "v": (n, 1),
              "A": (d, d), "B": (d, d), "X": (n, d), "W": (h, d), "S": (d, d)}
    return random_data(shapes, SIZES, np.random.default_rng(7), positive_definite={"S"})


# ---- sizes and data


def test_sizes_differ_are_never_one_and_put_the_sample_count_first():
    sizes = random_sizes([sp.Symbol("k", integer=True), sp.Symbol("d"), sp.Symbol("n"), sp.Symbol("m2")])
    by_name = {s.name: v for s, v in sizes.items()}
    assert by_name == {"n": 4, "d": 3, "k": 2, "m2": 5}
    many = random_sizes(sp.symbols("p0:9"))
    assert len(set(many.values())) == 9 and min(many.values()) >= 2
    assert random_sizes(sp.symbols("p0:9")) == many


def test_one_size_per_name_whatever_the_assumptions():
    sizes = random_sizes([sp.Symbol("d"), sp.Symbol("d", integer=True, positive=True), sp.Symbol("k")])
    d1, d2, k1 = sizes.values()
    assert len(sizes) == 3 and d1 == d2 != k1


def test_random_data_shapes_and_the_vector_convention(data):
    assert data["x"].shape == (DP,) and data["y"].shape == (NP,)  # one column → 1-D
    assert data["X"].shape == (NP, DP) and data["W"].shape == (HP, DP)
    # positive definite (its symmetric part) but not symmetric: X⁻¹ must not pass for X⁻ᵀ
    S = data["S"]
    assert np.all(np.linalg.eigvalsh((S + S.T) / 2) > 0) and np.linalg.det(S) > 0
    assert not np.allclose(S, S.T)
    pairs = random_data([("A", ("d", "d")), ("r", (1, d + 1))], SIZES, np.random.default_rng(0), symmetric={"A"})
    assert np.allclose(pairs["A"], pairs["A"].T) and pairs["r"].shape == (1, DP + 1)
    with pytest.raises(ValueError, match="square"):
        random_data({"X": (n, d)}, SIZES, np.random.default_rng(0), symmetric={"X"})
    with pytest.raises(ValueError, match="without a shape"):
        random_data({"X": (n, d)}, SIZES, np.random.default_rng(0), symmetric={"Y"})
    with pytest.raises(MissingValue, match="'q'"):
        random_data({"X": ("q", d)}, SIZES, np.random.default_rng(0))


def test_random_scalars_are_positive_and_keyed_by_name():
    values = random_scalars([sp.Symbol("lam"), "c"], np.random.default_rng(1))
    assert set(values) == {"lam", "c"} and all(0.5 <= v < 2 for v in values.values())


# ---- index forms


def test_quadratic_form_index_form(data):
    form = sp.Sum(x[j] * sp.Sum(A[j, m] * x[m], (m, 1, d)), (j, 1, d))
    value = evaluate_index(form, (), SIZES, data, {})
    assert value.shape == ()
    assert agree(value, data["x"] @ data["A"] @ data["x"])


def test_gradient_index_form_with_a_free_index(data):
    grad = sp.Sum(A[k, j] * x[j], (j, 1, d)) + sp.Sum(A[j, k] * x[j], (j, 1, d))
    value = evaluate_index(grad, (k,), SIZES, data, {})
    assert value.shape == (DP,)
    assert agree(value, (data["A"] + data["A"].T) @ data["x"])
    assert not agree(value, data["A"] @ data["x"])


def test_sample_sums_with_sigmoid(data):
    z = sp.Sum(Xi[i, j] * theta[j], (j, 1, d))
    loss = sp.Sum(-y[i] * sp.log(sigmoid(z)) - (1 - y[i]) * sp.log(1 - sigmoid(z)), (i, 1, n))
    grad = sp.Sum((sigmoid(z) - y[i]) * Xi[i, k], (i, 1, n))
    hess = sp.Sum(sigmoid(z) * (1 - sigmoid(z)) * Xi[i, k] * Xi[i, m], (i, 1, n))
    X, th, yv = data["X"], data["theta"], data["y"]
    p = _sig(X @ th)
    assert agree(evaluate_index(loss, (), SIZES, data, {}), np.sum(-yv * np.log(p) - (1 - yv) * np.log(1 - p)))
    assert agree(evaluate_index(grad, (k,), SIZES, data, {}), X.T @ (p - yv))
    assert agree(evaluate_index(hess, (k, m), SIZES, data, {}), X.T @ np.diag(p * (1 - p)) @ X)


def test_two_free_indices_keep_their_order(data):
    outer = evaluate_index(a[k] * b[j], (k, j), SIZES, data, {})
    assert outer.shape == (HP, DP)
    assert agree(outer, np.outer(data["a"], data["b"]))
    assert not agree(evaluate_index(a[k] * b[j], (j, k), SIZES, data, {}), np.outer(data["a"], data["b"]))
    square = evaluate_index(A[k, j], (k, j), SIZES, data, {})
    assert agree(square, data["A"]) and not agree(square, data["A"].T)


def test_matrix_variable_gradient_of_a_layer(data):
    """∂/∂W_kj Σ_h a_h σ(Σ_j W_hj b_j) = a_k σ'(·)_k b_j, a matrix with W's shape (h × d)."""
    z = sp.Sum(W[k, m] * b[m], (m, 1, d))
    grad = a[k] * sigmoid(z) * (1 - sigmoid(z)) * b[j]
    s = _sig(data["W"] @ data["b"])
    expected = np.outer(data["a"] * s * (1 - s), data["b"])
    assert agree(evaluate_index(grad, (k, j), SIZES, data, {}), expected)


def test_kronecker_delta_piecewise_and_scalars(data):
    picked = sp.Sum(sp.KroneckerDelta(j, k) * x[j], (j, 1, d))
    assert agree(evaluate_index(picked, (k,), SIZES, data, {}, ranges={k: d}), data["x"])
    assert isinstance(picked.doit(), sp.Piecewise)  # SymPy's own Σδ: Piecewise with relations
    assert agree(evaluate_index(picked.doit(), (k,), SIZES, data, {}, ranges={k: d}), data["x"])
    lam = sp.Symbol("lambda")
    ridge = lam * sp.Sum(theta[j] ** 2, (j, 1, d)) / 2
    assert agree(evaluate_index(ridge, (), SIZES, data, {"lambda": 0.7}), 0.35 * data["theta"] @ data["theta"])
    identity = evaluate_index(sp.KroneckerDelta(k, m), (k, m), SIZES, data, {}, ranges={k: d, m: d})
    assert agree(identity, np.eye(DP))


def test_shadowed_and_repeated_summation_variables(data):
    xv = data["x"]
    assert agree(evaluate_index(sp.Sum(x[j], (j, 1, d)) * sp.Sum(x[j] ** 2, (j, 1, d)), (), SIZES, data, {}),
                 xv.sum() * (xv**2).sum())
    nested = sp.Sum(sp.Sum(x[j], (j, 1, d)) * x[j], (j, 1, d))
    assert agree(evaluate_index(nested, (), SIZES, data, {}), xv.sum() ** 2)
    assert agree(evaluate_index(sp.Sum(2, (j, 1, d)), (), SIZES, data, {}), 2 * DP)  # a constant body counts
    triangular = sp.Sum(sp.Sum(x[m], (m, 1, j)), (j, 1, d))  # an upper limit that is an outer index
    assert agree(evaluate_index(triangular, (), SIZES, data, {}), np.cumsum(xv).sum())


@pytest.mark.parametrize(("f", "reference"), [
    (sigmoid, _sig),
    (softplus, lambda z: np.log1p(np.exp(z))),
    (relu, lambda z: np.maximum(z, 0)),
    (gelu, lambda z: z * (1 + np.vectorize(math.erf)(z / math.sqrt(2))) / 2),
    (sp.tanh, np.tanh),
    (sp.sec, lambda z: 1 / np.cos(z)),  # not in numpy: evaluated through the registry's mpmath entry
], ids=lambda f: getattr(f, "__name__", ""))
def test_functions(data, f, reference):
    value = evaluate_index(f(sp.Sum(A[k, j] * x[j], (j, 1, d))), (k,), SIZES, data, {})
    assert agree(value, reference(data["A"] @ data["x"]))


def test_sigmoid_does_not_overflow():
    value = evaluate_index(sp.log(sigmoid(x[k])), (k,), {}, {"x": np.array([-800.0, 0.0, 800.0])}, {})
    assert np.all(np.isfinite(value[1:])) and value[1] == pytest.approx(-math.log(2))


def test_off_by_one_indices_never_agree(data):
    right = sp.Sum(x[j] * b[j], (j, 1, d))
    expected = data["x"] @ data["b"]
    assert agree(evaluate_index(right, (), SIZES, data, {}), expected)
    for wrong in (sp.Sum(x[j] * b[j], (j, 0, d - 1)), sp.Sum(x[j + 1] * b[j + 1], (j, 1, d)),
                  sp.Sum(x[j] * b[j], (j, 1, d + 1))):
        value = evaluate_index(wrong, (), SIZES, data, {})
        assert np.isnan(value) and not agree(value, expected)
    shifted = evaluate_index(A[k, j + 1], (k, j), SIZES, data, {}, ranges={k: d, j: d})
    assert not agree(shifted, data["A"]) and np.isnan(shifted[:, -1]).all()


def test_unknown_atoms_are_named(data):
    with pytest.raises(MissingValue, match="'z'"):
        evaluate_index(sp.Sum(sp.IndexedBase("z")[j], (j, 1, d)), (), SIZES, data, {})
    with pytest.raises(MissingValue, match="'c'"):
        evaluate_index(sp.Symbol("c") * x[k], (k,), SIZES, data, {})
    with pytest.raises(MissingValue, match="'j'"):  # an index neither summed nor free
        evaluate_index(x[j], (), SIZES, data, {})
    with pytest.raises(MissingValue, match="'Z'"):
        evaluate_matrix(sp.MatrixSymbol("Z", d, d) * xm, SIZES, data, {})
    with pytest.raises(KeyError):  # MissingValue is a KeyError
        evaluate_matrix(sp.Symbol("c") * xm, SIZES, data, {})


def test_free_index_ranges_must_be_known_and_consistent(data):
    with pytest.raises(ValueError, match="unknown"):
        evaluate_index(sp.KroneckerDelta(k, m), (k, m), SIZES, data, {})
    with pytest.raises(ValueError, match="lengths"):
        evaluate_index(a[k] + b[k], (k,), SIZES, data, {})  # a has h entries, b has d


# ---- matrix forms


def test_matrix_forms_against_numpy(data):
    A_, B_, X_, S_, W_ = (data[s] for s in "ABXSW")
    x_, th, y_, v_ = (data[s][:, None] for s in ("x", "theta", "y", "v"))
    ones = sp.OneMatrix(n, 1)
    z = sp.Dummy("z")
    cases = [
        ((Am + Am.T) * xm, (A_ + A_.T) @ x_),
        (2 * Am * xm - xm, 2 * A_ @ x_ - x_),
        (Xm.T * (ElementwiseApplyFunction(sp.Lambda(z, sp.exp(z)), Xm * thm) - ym), X_.T @ (np.exp(X_ @ th) - y_)),
        (Xm.T * ((Xm * thm).applyfunc(sigmoid) - ym), X_.T @ (_sig(X_ @ th) - y_)),
        (sp.Inverse(Am).T, np.linalg.inv(A_).T),
        (sp.Inverse(Sm) * xm, np.linalg.solve(S_, x_)),
        (sp.log(sp.Determinant(Sm)), np.log(np.linalg.det(S_))),
        (sp.HadamardProduct(ym, vm), y_ * v_),
        (sp.HadamardPower(Xm, 2), X_**2),
        (Xm.T * DiagMatrix(ym) * Xm, X_.T @ np.diag(y_[:, 0]) @ X_),
        (ones.T * vm, np.array([[v_.sum()]])),
        (sp.Trace(Am * Bm), np.trace(A_ @ B_)),
        (sp.exp(sp.Trace(thm.T * xm)), np.exp(th[:, 0] @ x_[:, 0])),
        (thm.T * xm, np.array([[th[:, 0] @ x_[:, 0]]])),
        (sp.Identity(d) - xm * xm.T, np.eye(DP) - x_ @ x_.T),
        (Wm * xm + sp.ZeroMatrix(h, 1), W_ @ x_),
        (sp.MatPow(Am, 2), A_ @ A_),
        (sp.Trace(Xm.T * Xm) * Am, np.trace(X_.T @ X_) * A_),
    ]
    for expr, expected in cases:
        got = evaluate_matrix(expr, SIZES, data, {})
        assert np.shape(got) == np.shape(expected), expr
        assert agree(got, expected), expr
    assert isinstance(evaluate_matrix(sp.log(sp.Determinant(Sm)), SIZES, data, {}), float)


def test_a_wrong_matrix_form_does_not_agree_with_the_index_form(data):
    index_form = sp.Sum(A[k, j] * x[j], (j, 1, d)) + sp.Sum(A[j, k] * x[j], (j, 1, d))
    want = evaluate_index(index_form, (k,), SIZES, data, {})
    assert agree(evaluate_matrix((Am + Am.T) * xm, SIZES, data, {}), want)  # (d,) is the column (d, 1)
    assert not agree(evaluate_matrix(Am * xm, SIZES, data, {}), want)
    assert not agree(evaluate_matrix(Am.T * xm, SIZES, data, {}), want)


def test_a_transposed_matrix_gradient_fails_on_shape(data):
    """∂(aᵀWb)/∂W = abᵀ (h × d): the transpose baᵀ is d × h, so it cannot agree."""
    am, bm = sp.MatrixSymbol("a", h, 1), sp.MatrixSymbol("b", d, 1)
    want = evaluate_index(a[k] * b[j], (k, j), SIZES, data, {})
    assert agree(evaluate_matrix(am * bm.T, SIZES, data, {}), want)
    assert not agree(evaluate_matrix(bm * am.T, SIZES, data, {}), want)


def test_matrix_data_shape_must_match_the_declared_shape(data):
    with pytest.raises(ValueError, match="declared"):
        evaluate_matrix(sp.MatrixSymbol("X", d, n).T, SIZES, data, {})


def test_unknown_matrix_nodes_fall_back_to_sympy(data):
    block = sp.BlockMatrix([[Am, Bm]])
    assert agree(evaluate_matrix(block, SIZES, data, {}), np.hstack([data["A"], data["B"]]))


# ---- finite differences and agreement


def test_central_difference_of_a_quadratic_is_its_gradient(data):
    A_, b_ = data["A"], data["b"]
    fd = central_difference(lambda v: float(v @ A_ @ v + b_ @ v), data["x"])
    assert agree(fd, (A_ + A_.T) @ data["x"] + b_)
    assert not agree(fd, 2 * A_ @ data["x"] + b_)


def test_central_difference_checks_a_matrix_gradient(data):
    """∂ log det S / ∂S = S⁻ᵀ, differentiated through evaluate_matrix itself."""
    def loss(s: np.ndarray) -> float:
        return float(evaluate_matrix(sp.log(sp.Determinant(Sm)), SIZES, {**data, "S": s}, {}))

    fd = central_difference(loss, data["S"])
    assert fd.shape == (DP, DP)
    assert agree(fd, evaluate_matrix(sp.Inverse(Sm).T, SIZES, data, {}), rtol=1e-5)


def test_agree_refuses_nan_inf_and_other_shapes():
    v = np.array([1.0, 2.0, 3.0])
    assert agree(v, v.copy()) and agree(v, v[:, None]) and agree(v[:, None], v)
    assert not agree(v, v[None, :])  # a row is not a column
    assert not agree(v, np.array([1.0, 2.0]))
    assert not agree(np.array([1.0, np.nan, 3.0]), v) and not agree(v, np.array([1.0, np.inf, 3.0]))
    assert agree(np.float64(2.0), np.array([[2.0]])) and not agree(np.float64(2.0), np.array([2.0, 2.0]))
    assert agree(1e6 + 0.1, 1e6) and not agree(1.001, 1.0)  # relative to max(1, max|b|)
    assert not agree("not a number", 1.0)

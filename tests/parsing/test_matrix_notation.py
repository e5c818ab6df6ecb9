"""Matrix notation read into index form (issue 12): traces, Frobenius norms, Hadamard products,
diag, the vector of ones, the identity, elementwise functions, softmax and log-sum-exp, the rows of
a matrix argument, inverses. Each reading is checked against numpy at non-square sizes."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from symderiv.core.errors import ParseError
from symderiv.parsing.parser import parse, parse_expression

try:  # tests/parsing is on sys.path when pytest imports this module
    from test_matrix_shapes import close, evaluate, shapes, sig
except ImportError:  # pragma: no cover
    from parsing.test_matrix_shapes import close, evaluate, shapes, sig

RNG = np.random.default_rng(21)
A43, X43, A44, A33 = (RNG.normal(size=s) for s in ((4, 3), (4, 3), (4, 4), (3, 3)))
v3, v4, w4 = RNG.normal(size=3), RNG.normal(size=4), RNG.normal(size=4)


def value(latex: str, data: dict[str, np.ndarray], where: list[str] | None = None,
          free: dict[str, int] | None = None) -> float:
    p = parse(latex, where=where or [])
    return evaluate(p.expanded(), p, data, free)


# --------------------------------------------------------------------------- trace
@pytest.mark.parametrize("latex", [r"\operatorname{tr}(AX)", r"\mathrm{tr}(AX)", r"\text{tr}(AX)", r"\tr(AX)",
                                   r"\operatorname{Tr}(A X)", r"\operatorname{tr} A X", r"\operatorname{trace}(AX)"])
def test_trace_is_written_out_never_an_unknown_function(latex: str) -> None:
    p = parse(latex)
    assert not p.expr.atoms(AppliedUndef) and not any("tr" in r for r in p.readings)
    s = shapes(p)
    assert s["A"] == (s["X"][1], s["X"][0])
    A = RNG.normal(size=(3, 4))
    assert close(evaluate(p.expr, p, {"A": A, "X": X43}), np.trace(A @ X43))


def test_trace_of_a_quadratic_form_in_a_matrix() -> None:
    p = parse(r"\operatorname{tr}(X^T A X)")
    assert shapes(p)["A"] == (shapes(p)["X"][0],) * 2
    assert close(evaluate(p.expr, p, {"A": A44, "X": X43}), np.trace(X43.T @ A44 @ X43))


def test_trace_of_a_scalar_and_of_a_vector() -> None:
    p = parse(r"\operatorname{tr}(x^T A x)")
    assert close(evaluate(p.expr, p, {"A": A33, "x": v3}), v3 @ A33 @ v3)
    with pytest.raises(ParseError, match="square matrix"):
        parse(r"\operatorname{tr}(A x)")


# --------------------------------------------------------------------------- norms
def test_frobenius_norm() -> None:
    assert close(value(r"\|W\|_F^2", {"W": A43}), np.sum(A43**2))
    assert close(value(r"\|W\|_F", {"W": A43}), np.linalg.norm(A43))
    assert close(value(r"\|W\|_{F}^{2}", {"W": A43}), np.sum(A43**2))
    U, V = RNG.normal(size=(4, 2)), RNG.normal(size=(3, 2))
    assert close(value(r"\|X - UV^T\|_F^2", {"X": X43, "U": U, "V": V}), np.sum((X43 - U @ V.T) ** 2))


def test_matrix_norm_without_a_subscript_is_frobenius_and_stated() -> None:
    p = parse(r"\|W\|^2")
    assert any("Frobenius" in r for r in p.readings)
    assert close(evaluate(p.expr, p, {"W": A43}), np.sum(A43**2))
    with pytest.raises(ParseError, match="spectral"):
        parse(r"\|W\|_2")


def test_vector_norms_stay() -> None:
    assert close(value(r"\|v\|_1", {"v": v4}), np.sum(np.abs(v4)))
    assert close(value(r"\|v\|_2", {"v": v4}), np.linalg.norm(v4))
    assert close(value(r"\|v\|^2", {"v": v4}), v4 @ v4)


# --------------------------------------------------------------------------- Hadamard, diag, 1, I
@pytest.mark.parametrize("op", [r"\odot", r"\circ", "⊙"])
def test_hadamard_product(op: str) -> None:
    assert close(value(rf"\mathbf{{1}}^T (a {op} b)", {"a": v4, "b": w4}), np.sum(v4 * w4))


def test_hadamard_quotient_and_precedence() -> None:
    assert close(value(r"\mathbf{1}^T (a \oslash b)", {"a": v4, "b": w4 + 3}), np.sum(v4 / (w4 + 3)))
    y, theta = np.sign(w4), v3
    p = parse(r"\mathbf{1}^T \log(\mathbf{1} + e^{-y \odot X\theta})")
    want = np.sum(np.log(1 + np.exp(-y * (X43 @ theta))))
    assert close(evaluate(p.expr, p, {"y": y, "X": X43, "theta": theta}), want)
    with pytest.raises(ParseError, match="entrywise"):
        parse(r"2 \odot 3")


def test_diag() -> None:
    assert close(value(r"x^T \operatorname{diag}(v) x", {"x": v3, "v": v3 + 1}), v3 @ np.diag(v3 + 1) @ v3)
    assert close(value(r"\mathbf{1}^T \operatorname{diag}(A)", {"A": A33}), np.trace(A33))


@pytest.mark.parametrize("ones", [r"\mathbf{1}", r"\mathbb{1}", r"\mathbf{1}_n", r"\boldsymbol{1}"])
def test_vector_of_ones(ones: str) -> None:
    p = parse(rf"{ones}^T \exp(X\theta)")
    assert close(evaluate(p.expr, p, {"X": X43, "theta": v3}), np.sum(np.exp(X43 @ v3)))
    if ones.endswith("_n"):
        assert shapes(p)["X"][0] == "n"


def test_identity_next_to_a_matrix() -> None:
    want = v3 @ (A33 + 0.5 * np.eye(3)) @ v3
    for latex in (r"x^T (A + \lambda I) x", r"x^T (A + \lambda I_d) x"):
        assert close(value(latex, {"x": v3, "A": A33, "lambda": np.float64(0.5)}), want), latex


# --------------------------------------------------------------------------- elementwise functions
@pytest.mark.parametrize("latex, fn", [
    (r"\mathbf{1}^T \sigma(W x)", sig), (r"\mathbf{1}^T \tanh(W x)", np.tanh),
    (r"\mathbf{1}^T \exp(W x)", np.exp), (r"\mathbf{1}^T \operatorname{ReLU}(W x)", lambda z: np.maximum(z, 0)),
    (r"\mathbf{1}^T \operatorname{softplus}(W x)", lambda z: np.log1p(np.exp(z))),
    (r"\mathbf{1}^T \log(\mathbf{1} + e^{W x})", lambda z: np.log1p(np.exp(z))),
])
def test_elementwise_functions_of_a_vector(latex: str, fn) -> None:
    assert close(value(latex, {"W": A43, "x": v3}), float(np.sum(fn(A43 @ v3))))


def test_elementwise_functions_of_a_matrix() -> None:
    B = RNG.normal(size=(3, 2))
    assert close(value(r"\|\tanh(A B)\|_F^2", {"A": A43, "B": B}), np.sum(np.tanh(A43 @ B) ** 2))
    assert close(value(r"y^T \log \sigma(X\theta)", {"y": w4, "X": X43, "theta": v3}), w4 @ np.log(sig(X43 @ v3)))


# --------------------------------------------------------------------------- softmax, log-sum-exp
def test_softmax_of_a_vector() -> None:
    z = RNG.normal(size=4)
    p = parse(r"\operatorname{softmax}(z)_k")
    assert close(evaluate(p.expr, p, {"z": z}, {"k": 2}), np.exp(z[1]) / np.sum(np.exp(z)))
    y = np.eye(4)[2]
    assert close(value(r"-\sum_k y_k \log \operatorname{softmax}(z)_k", {"y": y, "z": z}),
                 -np.log(np.exp(z[2]) / np.sum(np.exp(z))))
    assert close(value(r"y^T \log \operatorname{softmax}(W x)", {"y": w4, "W": A43, "x": v3}),
                 w4 @ np.log(np.exp(A43 @ v3) / np.sum(np.exp(A43 @ v3))))


@pytest.mark.parametrize("latex", [r"\operatorname{LSE}(z)", r"\operatorname{logsumexp}(z)",
                                   r"\log\sum_{k=1}^{K} e^{z_k}"])
def test_log_sum_exp(latex: str) -> None:
    z = RNG.normal(size=4)
    assert close(value(latex, {"z": z}), np.log(np.sum(np.exp(z))))


def test_a_users_own_softmax_stays_the_users() -> None:
    p = parse(r"\mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}")
    assert p.name == "softmax_k"


# --------------------------------------------------------------------------- rows of a matrix argument
@pytest.mark.parametrize("row", [r"w_k^T", r"w_k^\top", r"W_k^T", r"\mathbf{w}_k^T", r"\mathbf{w}_k^\top"])
def test_rows_of_the_matrix_argument(row: str) -> None:
    p = parse(rf"L(W) = -\sum_{{i=1}}^{{n}}\sum_{{k=1}}^{{K}} y_{{ik}} {row} x_i")
    assert shapes(p)["W"] == ("K", "d") and p.variables == ("W",)
    assert any("row of W" in r for r in p.readings)
    assert not [a for a in p.expr.atoms(sp.Indexed) if str(a.base.label) == "w"]
    Y, W = np.eye(2)[RNG.integers(0, 2, 4)], RNG.normal(size=(2, 3))
    assert close(evaluate(p.expr, p, {"x": X43, "y": Y, "W": W}), -np.sum(Y * (X43 @ W.T)))


def test_a_vector_written_bare_is_not_the_rows_of_the_argument() -> None:
    p = parse(r"L(W) = \|w\|^2 + \sum_{k=1}^{K} w_k")
    assert {str(a.base.label) for a in p.expr.atoms(sp.Indexed)} == {"w"}


# --------------------------------------------------------------------------- inverses, entries
def test_inverse_of_a_matrix_name_is_sympys_inverse() -> None:
    p = parse(r"f(X) = \operatorname{tr}(A X^{-1})")
    (inv,) = p.expr.atoms(sp.Inverse)
    assert inv.arg == sp.MatrixSymbol("X", *dict(p.shapes)["X"])
    A, X = RNG.normal(size=(3, 3)), A33 + 3 * np.eye(3)
    assert close(evaluate(p.expr, p, {"A": A, "X": X}), np.trace(A @ np.linalg.inv(X)))
    p = parse(r"(x - \mu)^T S^{-1} (x - \mu)")
    S, mu = A33 @ A33.T + np.eye(3), RNG.normal(size=3)
    assert shapes(p)["S"] == ("d", "d") and any("read S as a matrix" in r for r in p.readings)
    assert close(evaluate(p.expr, p, {"S": S, "x": v3, "mu": mu}), (v3 - mu) @ np.linalg.inv(S) @ (v3 - mu))


def test_inverse_of_an_expression_is_the_inverse_of_its_entries() -> None:
    p = parse(r"L(A) = x^T (A^T A)^{-1} x")
    A = RNG.normal(size=(4, 3))
    assert close(_numeric(p, {"A": A, "x": v3}), v3 @ np.linalg.inv(A.T @ A) @ v3)
    assert not p.readings


def _numeric(p, data: dict[str, np.ndarray]) -> float:
    """The value of a parse holding a matrix written out (det(AXB), (AᵀA)⁻¹), by symderiv's own
    numeric evaluator (SymPy's doit would invert the matrix symbolically)."""
    from symderiv.calculus.matrices.numeric import evaluate_index
    sizes = {size: np.shape(data[name])[axis] for name, shape in p.shapes for axis, size in enumerate(shape)
             if isinstance(size, sp.Symbol)}
    return float(evaluate_index(p.expr, (), sizes, data, {}))


def test_determinant_of_a_matrix_name() -> None:
    p = parse(r"\log\det X")
    assert p.expr == sp.log(sp.Determinant(sp.MatrixSymbol("X", *dict(p.shapes)["X"])))
    assert p.variables == ("X",)
    X = A33 @ A33.T + np.eye(3)
    assert close(evaluate(p.expr, p, {"X": X}), np.log(np.linalg.det(X)))
    p = parse(r"\det(A X B)")
    A, X, B = RNG.normal(size=(2, 4)), RNG.normal(size=(4, 3)), RNG.normal(size=(3, 2))
    assert close(_numeric(p, {"A": A, "X": X, "B": B}), np.linalg.det(A @ X @ B))


def test_inverse_of_data_is_a_matrix_of_its_own_and_stated() -> None:
    p = parse(r"L(x) = x^T (A^T A)^{-1} x")
    assert any("(A^T A)^{-1}" in r and "inverse" in r for r in p.readings)
    assert set(shapes(p)) == {"x"}   # the inverse is no name of the input


def test_gradient_by_a_matrix_is_an_entry() -> None:
    p = parse(r"\nabla_W L = X^T (X W - Y)")
    assert isinstance(p.lhs, sp.Derivative)
    (var,) = p.lhs.variables
    assert isinstance(var, sp.Indexed) and str(var.base.label) == "W" and len(var.indices) == 2
    assert set(var.indices) <= p.expr.free_symbols


def test_a_claimed_matrix_is_read_by_entries() -> None:
    p = parse("a^T X b")
    claim = parse_expression("a b^T", p)
    assert {str(a.base.label) for a in claim.atoms(sp.Indexed)} == {"a", "b"}
    assert len([s for s in claim.free_symbols if s.is_integer]) == 2   # its row and column


# --------------------------------------------------------------------------- powers of a square matrix
@pytest.mark.parametrize(("latex", "want"), [
    (r"\operatorname{tr}(A^2)", lambda a: np.trace(a @ a)),
    (r"\operatorname{tr}(A^3)", lambda a: np.trace(a @ a @ a)),
])
def test_a_power_of_a_square_matrix_is_a_product_and_says_so(latex: str, want) -> None:
    p = parse(latex)
    assert close(value(latex, {"A": A44}), want(A44))
    assert any("matrix product" in r for r in p.readings)


def test_a_power_of_a_non_square_matrix_is_refused_with_a_caret() -> None:
    with pytest.raises(ParseError, match="square matrix") as exc:
        parse(r"\operatorname{tr}(W^2)", where=[r"W \in \mathbb{R}^{k \times d}"])
    assert exc.value.column is not None

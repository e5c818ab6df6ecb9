"""Matrix-calculus cases, as data: each a formula, its `--where` lines, the variable, random data at
non-square sizes that differ per size symbol, and the loss written again in numpy from the textbook.

Sources: the Matrix Cookbook (Petersen & Pedersen, version of November 15, 2012; equation numbers of
that edition), matrixcalculus.org's own example list (Laue, Mitterreiter, Giesen), and ML losses.
The gradient each source prints is noted for the reader; the test never compares with it, only with
central finite differences of `loss`.

Data naming follows `../shared/checks/matrix_check.py`: sample rows x_i are bound to `X`, y_i to `y`,
vectors y_i (entries y_{ik}) to `Y`; every other symbol by its own name; scalars (λ) are floats.
Sizes: n = 5 samples, d = 3 features, k = 2, m = 4 (and the size symbols are whatever the derivation
calls them: the test reads them from `Derivation.shapes` and the arrays bound to each name).
Vectors are 1-D arrays; a matrix under det, log det or an inverse is positive definite, and not
symmetric unless the case declares it so (a missing transpose must show).

Below the cases: the reference numerics that tests/calculus/test_matrix_corpus.py and
benchmarks/matrix_forms.py share, independent of symderiv (finite differences, the binding of names
and sizes, and a numpy evaluator of SymPy matrix expressions).
"""
from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalMatrix, DiagonalOf
from sympy.matrices.expressions.matexpr import MatrixElement

N, D, K, M = 5, 3, 2, 4          # samples, features, a small size, a fourth size: all different
CLASSES = 4                       # softmax regression: classes (≠ n, d)

Data = dict[str, "np.ndarray | float"]
Array = np.ndarray


@dataclass(frozen=True)
class MatrixCase:
    """One case: `derive(latex, wrt, where=where)`; `data(rng)` binds every other name, `value(rng)`
    is the point at which ∂loss/∂wrt is taken, `loss(value, data)` the textbook loss in numpy."""

    id: str
    latex: str
    wrt: str
    data: Callable[[np.random.Generator], Data]
    value: Callable[[np.random.Generator], Array]
    loss: Callable[[Array, Mapping[str, object]], float]
    source: str
    where: tuple[str, ...] = ()
    table: bool = False           # a row of issue 12's table of textbook forms

    def sample(self) -> tuple[Data, Array]:
        """The case's data and point, the same on every run (a generator seeded by the case id)."""
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        data = self.data(rng)
        return data, np.asarray(self.value(rng), dtype=float)


# ---------------------------------------------------------------- random data


def g(rng: np.random.Generator, *shape: int) -> Array:
    return rng.normal(size=shape)


def spd(rng: np.random.Generator, k: int) -> Array:
    """Symmetric positive definite."""
    a = rng.normal(size=(k, k))
    return a @ a.T + k * np.eye(k)


def pd(rng: np.random.Generator, k: int) -> Array:
    """Positive definite but not symmetric (xᵀMx > 0): det > 0, well conditioned, M ≠ Mᵀ."""
    a = rng.normal(size=(k, k))
    return spd(rng, k) + (a - a.T) / 2


def sym(rng: np.random.Generator, k: int) -> Array:
    a = rng.normal(size=(k, k))
    return (a + a.T) / 2


def labels01(rng: np.random.Generator, n: int = N) -> Array:
    y = rng.integers(0, 2, n).astype(float)
    y[:2] = (0.0, 1.0)            # both classes present
    return y


def onehot(rng: np.random.Generator, n: int, k: int) -> Array:
    return np.eye(k)[rng.integers(0, k, n)]


def sig(z: Array) -> Array:
    return 1 / (1 + np.exp(-z))


def logsumexp(z: Array, axis: int | None = None) -> Array:
    top = np.max(z, axis=axis, keepdims=True)
    out = top + np.log(np.sum(np.exp(z - top), axis=axis, keepdims=True))
    return out.squeeze() if axis is None else np.squeeze(out, axis=axis)


def logdet(a: Array) -> float:
    sign, value = np.linalg.slogdet(a)
    return float(value) if sign > 0 else float("nan")


inv = np.linalg.inv


# ---------------------------------------------------------------- shared data of several cases

SEED_LOSS = r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
SEED_WHERE = (r"\hat{y}_i = \sigma(\theta^T x_i)",)
MLP = r"L = \frac{1}{2}\|\hat{y} - y\|^2"
MLP_WHERE = (r"\hat{y} = V h + c", r"h = \sigma(a)", r"a = W x + b")
MLP_BATCH = r"L = \frac{1}{2}\sum_{i=1}^{n}\|\hat{y}_i - y_i\|^2"
MLP_BATCH_WHERE = (r"\hat{y}_i = V h_i + c", r"h_i = \sigma(a_i)", r"a_i = W x_i + b")
GAUSS = r"\frac{1}{2}\log\det\Sigma + \frac{1}{2}(x - \mu)^T \Sigma^{-1} (x - \mu)"
WLS = r"(x - As)^T W (x - As)"
WLS_WHERE = (r"W \in \mathbb{S}^{n}", r"A \in \mathbb{R}^{n \times d}")
MF = r"\|X - UV^T\|_F^2"


def mlp_data(rng: np.random.Generator) -> Data:
    """ŷ = V σ(W x + b) + c: x ∈ ℝ^d, hidden size m, output size k."""
    return {"V": g(rng, K, M), "c": g(rng, K), "W": g(rng, M, D), "b": g(rng, M), "x": g(rng, D),
            "y": g(rng, K)}


def mlp_loss(name: str) -> Callable[[Array, Mapping[str, object]], float]:
    def loss(v: Array, p: Mapping[str, object]) -> float:
        q = {**p, name: v}
        yhat = q["V"] @ sig(q["W"] @ q["x"] + q["b"]) + q["c"]
        return 0.5 * float(np.sum((yhat - q["y"]) ** 2))
    return loss


def mlp_case(name: str, shape: tuple[int, ...], table: bool) -> MatrixCase:
    return MatrixCase(f"mlp-{name}", MLP, name, lambda r: {k: v for k, v in mlp_data(r).items() if k != name},
                      lambda r: g(r, *shape), mlp_loss(name),
                      "issue 12 item 5: two-layer network, backprop through definitions", MLP_WHERE, table)


def gauss_data(rng: np.random.Generator) -> Data:
    return {"Sigma": spd(rng, D), "x": g(rng, D), "mu": g(rng, D)}


def gauss_loss(name: str) -> Callable[[Array, Mapping[str, object]], float]:
    def loss(v: Array, p: Mapping[str, object]) -> float:
        q = {**p, name: v}
        r = q["x"] - q["mu"]
        return 0.5 * logdet(q["Sigma"]) + 0.5 * float(r @ inv(q["Sigma"]) @ r)
    return loss


def wls_data(rng: np.random.Generator) -> Data:
    return {"x": g(rng, N), "A": g(rng, N, D), "s": g(rng, D), "W": spd(rng, N)}


def wls_loss(name: str) -> Callable[[Array, Mapping[str, object]], float]:
    def loss(v: Array, p: Mapping[str, object]) -> float:
        q = {**p, name: v}
        r = q["x"] - q["A"] @ q["s"]
        return float(r @ q["W"] @ r)
    return loss


def mf_data(rng: np.random.Generator) -> Data:
    return {"X": g(rng, N, D), "U": g(rng, N, K), "V": g(rng, D, K)}


def mf_loss(name: str) -> Callable[[Array, Mapping[str, object]], float]:
    def loss(v: Array, p: Mapping[str, object]) -> float:
        q = {**p, name: v}
        return float(np.sum((q["X"] - q["U"] @ q["V"].T) ** 2))
    return loss


def drop(data: Callable[[np.random.Generator], Data], name: str) -> Callable[[np.random.Generator], Data]:
    return lambda r: {k: v for k, v in data(r).items() if k != name}


C = MatrixCase
S_D = r"A \in \mathbb{S}^{d}"

# ---------------------------------------------------------------- issue 12's table of textbook forms
# (the first twelve, in order, are the cases of ../shared/checks/matrix_check.py)

TABLE = [
    C("quadratic-form", "x^T A x", "x", lambda r: {"A": g(r, D, D)}, lambda r: g(r, D),
      lambda v, p: float(v @ p["A"] @ v), "Matrix Cookbook (81): (A + Aᵀ)x", table=True),
    C("least-squares-Ax-b", r"\frac{1}{2}\|Ax - b\|_2^2", "x", lambda r: {"A": g(r, N, D), "b": g(r, N)},
      lambda r: g(r, D), lambda v, p: 0.5 * float(np.sum((p["A"] @ v - p["b"]) ** 2)),
      "ML: least squares; Aᵀ(Ax − b)", table=True),
    C("bilinear-aXb", "a^T X b", "X", lambda r: {"a": g(r, N), "b": g(r, D)}, lambda r: g(r, N, D),
      lambda v, p: float(p["a"] @ v @ p["b"]), "Matrix Cookbook (70): abᵀ", table=True),
    C("trace-AX", r"\operatorname{tr}(AX)", "X", lambda r: {"A": g(r, D, N)}, lambda r: g(r, N, D),
      lambda v, p: float(np.trace(p["A"] @ v)), "Matrix Cookbook (100): Aᵀ", table=True),
    C("trace-XtAX", r"\operatorname{tr}(X^T A X)", "X", lambda r: {"A": g(r, N, N)}, lambda r: g(r, N, D),
      lambda v, p: float(np.trace(v.T @ p["A"] @ v)), "Matrix Cookbook (108): (A + Aᵀ)X", table=True),
    C("logdet", r"\log\det X", "X", lambda r: {}, lambda r: pd(r, D), lambda v, p: logdet(v),
      "Matrix Cookbook (57): X⁻ᵀ", table=True),
    C("matrix-factorisation-U", MF, "U", drop(mf_data, "U"), lambda r: g(r, N, K), mf_loss("U"),
      "ML: matrix factorisation; −2(X − UVᵀ)V", table=True),
    C("logistic-pm1", r"\sum_{i=1}^{n} \log(1 + e^{-y_i \theta^T x_i})", "theta",
      lambda r: {"X": g(r, N, D), "y": 2 * labels01(r) - 1}, lambda r: g(r, D),
      lambda v, p: float(np.sum(np.logaddexp(0, -p["y"] * (p["X"] @ v)))),
      "ML: logistic loss, ±1 labels; −Xᵀ(y ⊙ σ(−y ⊙ Xθ))", table=True),
    C("poisson", r"\sum_{i=1}^{n} (e^{\theta^T x_i} - y_i \theta^T x_i)", "theta",
      lambda r: {"X": g(r, N, D), "y": r.integers(0, 4, N).astype(float)}, lambda r: 0.3 * g(r, D),
      lambda v, p: float(np.sum(np.exp(p["X"] @ v) - p["y"] * (p["X"] @ v))),
      "ML: Poisson regression; Xᵀ(μ − y), μ = exp(Xθ)", table=True),
    C("softmax-index",
      r"L(W) = -\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik} \log \frac{e^{w_k^T x_i}}{\sum_{j=1}^{K} e^{w_j^T x_i}}", "W",
      lambda r: {"X": g(r, N, D), "Y": onehot(r, N, CLASSES)}, lambda r: g(r, CLASSES, D),
      lambda v, p: -float(np.sum(p["Y"] * (p["X"] @ v.T - logsumexp(p["X"] @ v.T, axis=1)[:, None]))),
      "ML: softmax regression, index spelling; (P − Y)ᵀX", table=True),
    C("seed-logistic", SEED_LOSS, "theta", lambda r: {"X": g(r, N, D), "y": labels01(r)}, lambda r: g(r, D),
      lambda v, p: -float(np.sum(p["y"] * np.log(sig(p["X"] @ v)) + (1 - p["y"]) * np.log(1 - sig(p["X"] @ v)))),
      "ML: the seed loss (logistic, 0/1 labels); Xᵀ(ŷ − y)", SEED_WHERE, table=True),
    mlp_case("W", (M, D), True),
    # the rest of the table
    C("quadratic-form-symmetric", "x^T A x", "x", lambda r: {"A": sym(r, D)}, lambda r: g(r, D),
      lambda v, p: float(v @ p["A"] @ v), "Matrix Cookbook (81), A symmetric: 2Ax", (S_D,), table=True),
    C("frobenius-W", r"\|W\|_F^2", "W", lambda r: {}, lambda r: g(r, K, D), lambda v, p: float(np.sum(v ** 2)),
      "Matrix Cookbook §2.7.1 (Frobenius norm): 2W", table=True),
    C("softmax-matrix", r"L(W) = -\sum_{i=1}^{n} y_i^T \log\operatorname{softmax}(W x_i)", "W",
      lambda r: {"X": g(r, N, D), "Y": onehot(r, N, CLASSES)}, lambda r: g(r, CLASSES, D),
      lambda v, p: -float(np.sum(p["Y"] * (p["X"] @ v.T - logsumexp(p["X"] @ v.T, axis=1)[:, None]))),
      "ML: softmax regression, matrix spelling; (P − Y)ᵀX", table=True),
    mlp_case("V", (K, M), True),
    mlp_case("c", (K,), True),
    mlp_case("b", (M,), True),
    C("mlp-batch-W", MLP_BATCH, "W",
      lambda r: {"V": g(r, K, M), "c": g(r, K), "b": g(r, M), "X": g(r, N, D), "Y": g(r, N, K)},
      lambda r: g(r, M, D),
      lambda v, p: 0.5 * float(np.sum((sig(p["X"] @ v.T + p["b"]) @ p["V"].T + p["c"] - p["Y"]) ** 2)),
      "issue 12 item 5: two-layer network over samples; batch form", MLP_BATCH_WHERE, table=True),
]

# ---------------------------------------------------------------- the Matrix Cookbook

COOKBOOK = [
    C("cookbook-49-det", r"\det X", "X", lambda r: {}, lambda r: pd(r, D), lambda v, p: float(np.linalg.det(v)),
      "Matrix Cookbook (49): det(X) X⁻ᵀ"),
    C("cookbook-51-det-AXB", r"\det(AXB)", "X", lambda r: {"A": g(r, K, M), "B": g(r, D, K)},
      lambda r: g(r, M, D), lambda v, p: float(np.linalg.det(p["A"] @ v @ p["B"])),
      "Matrix Cookbook (51), rectangular X: det(AXB) Aᵀ(AXB)⁻ᵀBᵀ"),
    C("cookbook-55-logdet-XtX", r"\log\det(X^T X)", "X", lambda r: {}, lambda r: g(r, N, D),
      lambda v, p: logdet(v.T @ v), "Matrix Cookbook (55): 2(X⁺)ᵀ"),
    C("cookbook-61-inverse-form", r"a^T X^{-1} b", "X", lambda r: {"a": g(r, D), "b": g(r, D)},
      lambda r: pd(r, D), lambda v, p: float(p["a"] @ inv(v) @ p["b"]), "Matrix Cookbook (61): −X⁻ᵀabᵀX⁻ᵀ"),
    C("cookbook-62-det-inverse", r"\det(X^{-1})", "X", lambda r: {}, lambda r: pd(r, D),
      lambda v, p: float(np.linalg.det(inv(v))), "Matrix Cookbook (62): −det(X⁻¹) X⁻ᵀ"),
    C("cookbook-63-trace-inverse", r"\operatorname{tr}(A X^{-1} B)", "X",
      lambda r: {"A": g(r, K, D), "B": g(r, D, K)}, lambda r: pd(r, D),
      lambda v, p: float(np.trace(p["A"] @ inv(v) @ p["B"])), "Matrix Cookbook (63): −(X⁻¹BAX⁻¹)ᵀ"),
    C("cookbook-69-linear", "a^T x", "x", lambda r: {"a": g(r, D)}, lambda r: g(r, D),
      lambda v, p: float(p["a"] @ v), "Matrix Cookbook (69): a"),
    C("cookbook-71-aXtb", "a^T X^T b", "X", lambda r: {"a": g(r, D), "b": g(r, N)}, lambda r: g(r, N, D),
      lambda v, p: float(p["a"] @ v.T @ p["b"]), "Matrix Cookbook (71): baᵀ"),
    C("cookbook-72-aXa", "a^T X a", "X", lambda r: {"a": g(r, D)}, lambda r: g(r, D, D),
      lambda v, p: float(p["a"] @ v @ p["a"]), "Matrix Cookbook (72): aaᵀ"),
    C("cookbook-77-bXtXc", "b^T X^T X c", "X", lambda r: {"b": g(r, D), "c": g(r, D)}, lambda r: g(r, N, D),
      lambda v, p: float(p["b"] @ v.T @ v @ p["c"]), "Matrix Cookbook (77): X(bcᵀ + cbᵀ)"),
    C("cookbook-78-bilinear-affine", "(Bx + u)^T C (Dx + v)", "x",
      lambda r: {"B": g(r, M, D), "u": g(r, M), "C": g(r, M, K), "D": g(r, K, D), "v": g(r, K)},
      lambda r: g(r, D), lambda v, p: float((p["B"] @ v + p["u"]) @ p["C"] @ (p["D"] @ v + p["v"])),
      "Matrix Cookbook (78): BᵀC(Dx + v) + DᵀCᵀ(Bx + u)",
      (r"B \in \mathbb{R}^{m \times d}", r"C \in \mathbb{R}^{m \times k}", r"D \in \mathbb{R}^{k \times d}")),
    C("cookbook-82-bXtDXc", "b^T X^T D X c", "X", lambda r: {"b": g(r, D), "c": g(r, D), "D": g(r, N, N)},
      lambda r: g(r, N, D), lambda v, p: float(p["b"] @ v.T @ p["D"] @ v @ p["c"]),
      "Matrix Cookbook (82): DᵀXbcᵀ + DXcbᵀ", (r"D \in \mathbb{R}^{n \times n}",)),
    C("cookbook-83-affine-quadratic", "(Xb + c)^T D (Xb + c)", "X",
      lambda r: {"b": g(r, D), "c": g(r, N), "D": g(r, N, N)}, lambda r: g(r, N, D),
      lambda v, p: float((v @ p["b"] + p["c"]) @ p["D"] @ (v @ p["b"] + p["c"])),
      "Matrix Cookbook (83): (D + Dᵀ)(Xb + c)bᵀ", (r"D \in \mathbb{R}^{n \times n}",)),
    C("cookbook-84-weighted-s", WLS, "s", drop(wls_data, "s"), lambda r: g(r, D), wls_loss("s"),
      "Matrix Cookbook (84), W symmetric: −2AᵀW(x − As)", WLS_WHERE),
    C("cookbook-85-weighted-x", WLS, "x", drop(wls_data, "x"), lambda r: g(r, N), wls_loss("x"),
      "Matrix Cookbook (85), W symmetric: 2W(x − As)", WLS_WHERE),
    C("cookbook-88-weighted-A", WLS, "A", drop(wls_data, "A"), lambda r: g(r, N, D), wls_loss("A"),
      "Matrix Cookbook (88), W symmetric: −2W(x − As)sᵀ", WLS_WHERE),
    C("cookbook-99-trace", r"\operatorname{tr}(X)", "X", lambda r: {}, lambda r: g(r, D, D),
      lambda v, p: float(np.trace(v)), "Matrix Cookbook (99): I"),
    C("cookbook-101-trace-AXB", r"\operatorname{tr}(AXB)", "X", lambda r: {"A": g(r, K, N), "B": g(r, D, K)},
      lambda r: g(r, N, D), lambda v, p: float(np.trace(p["A"] @ v @ p["B"])), "Matrix Cookbook (101): AᵀBᵀ"),
    C("cookbook-102-trace-AXtB", r"\operatorname{tr}(AX^TB)", "X", lambda r: {"A": g(r, K, D), "B": g(r, N, K)},
      lambda r: g(r, N, D), lambda v, p: float(np.trace(p["A"] @ v.T @ p["B"])), "Matrix Cookbook (102): BA"),
    C("cookbook-103-trace-XtA", r"\operatorname{tr}(X^T A)", "X", lambda r: {"A": g(r, N, D)},
      lambda r: g(r, N, D), lambda v, p: float(np.trace(v.T @ p["A"])), "Matrix Cookbook (103): A"),
    C("cookbook-106-trace-X2", r"\operatorname{tr}(X^2)", "X", lambda r: {}, lambda r: g(r, D, D),
      lambda v, p: float(np.trace(v @ v)), "Matrix Cookbook (106): 2Xᵀ"),
    C("cookbook-111-trace-XBXt", r"\operatorname{tr}(X B X^T)", "X", lambda r: {"B": g(r, D, D)},
      lambda r: g(r, N, D), lambda v, p: float(np.trace(v @ p["B"] @ v.T)), "Matrix Cookbook (111): XBᵀ + XB"),
    C("cookbook-114-trace-AXBX", r"\operatorname{tr}(AXBX)", "X", lambda r: {"A": g(r, D, N), "B": g(r, D, N)},
      lambda r: g(r, N, D), lambda v, p: float(np.trace(p["A"] @ v @ p["B"] @ v)),
      "Matrix Cookbook (114): AᵀXᵀBᵀ + BᵀXᵀAᵀ"),
    C("cookbook-116-trace-BtXtCXB", r"\operatorname{tr}(B^T X^T C X B)", "X",
      lambda r: {"B": g(r, D, K), "C": g(r, N, N)}, lambda r: g(r, N, D),
      lambda v, p: float(np.trace(p["B"].T @ v.T @ p["C"] @ v @ p["B"])), "Matrix Cookbook (116): CᵀXBBᵀ + CXBBᵀ",
      (r"C \in \mathbb{R}^{n \times n}",)),
    C("cookbook-117-trace-XtBXC", r"\operatorname{tr}(X^T B X C)", "X",
      lambda r: {"B": g(r, N, N), "C": g(r, D, D)}, lambda r: g(r, N, D),
      lambda v, p: float(np.trace(v.T @ p["B"] @ v @ p["C"])), "Matrix Cookbook (117): BXC + BᵀXCᵀ",
      (r"C \in \mathbb{R}^{d \times d}",)),
    C("cookbook-118-trace-AXBXtC", r"\operatorname{tr}(AXBX^TC)", "X",
      lambda r: {"A": g(r, K, N), "B": g(r, D, D), "C": g(r, N, K)}, lambda r: g(r, N, D),
      lambda v, p: float(np.trace(p["A"] @ v @ p["B"] @ v.T @ p["C"])), "Matrix Cookbook (118): AᵀCᵀXBᵀ + CAXB",
      (r"C \in \mathbb{R}^{n \times k}",)),
    C("cookbook-119-trace-square", r"\operatorname{tr}((AXB + C)(AXB + C)^T)", "X",
      lambda r: {"A": g(r, K, N), "B": g(r, D, M), "C": g(r, K, M)}, lambda r: g(r, N, D),
      lambda v, p: float(np.sum((p["A"] @ v @ p["B"] + p["C"]) ** 2)), "Matrix Cookbook (119): 2Aᵀ(AXB + C)Bᵀ"),
    C("cookbook-107-trace-AX2", r"\operatorname{tr}(X^2 B)", "X", lambda r: {"B": g(r, D, D)}, lambda r: g(r, D, D),
      lambda v, p: float(np.trace(v @ v @ p["B"])), "Matrix Cookbook (107): (XB + BX)ᵀ"),
    C("quadratic-A2", "x^T A^2 x", "x", lambda r: {"A": g(r, D, D)}, lambda r: g(r, D),
      lambda v, p: float(v @ p["A"] @ p["A"] @ v), "(A² + (Aᵀ)²)x"),
    C("cookbook-129-norm", r"\|x - a\|_2", "x", lambda r: {"a": g(r, D)}, lambda r: g(r, D),
      lambda v, p: float(np.linalg.norm(v - p["a"])), "Matrix Cookbook (129): (x − a)/‖x − a‖₂"),
]

# ---------------------------------------------------------------- matrixcalculus.org's examples

MATRIXCALCULUS = [
    C("mc-half-xAx", r"\frac{1}{2} x^T A x", "x", lambda r: {"A": g(r, D, D)}, lambda r: g(r, D),
      lambda v, p: 0.5 * float(v @ p["A"] @ v), "matrixcalculus.org example 0.5*x'*A*x"),
    C("mc-hadamard-linear", r"(y \odot v)^T x", "x", lambda r: {"y": g(r, D), "v": g(r, D)}, lambda r: g(r, D),
      lambda v, p: float((p["y"] * p["v"]) @ v), "matrixcalculus.org example (y.*v)'*x: y ⊙ v"),
    C("mc-sin-linear", r"\sin(x)^T y", "x", lambda r: {"y": g(r, D)}, lambda r: g(r, D),
      lambda v, p: float(np.sin(v) @ p["y"]), "matrixcalculus.org example sin(x)'*y: cos(x) ⊙ y"),
    C("mc-norm2-squared-x", r"\|Ax - y\|_2^2", "x", lambda r: {"A": g(r, N, D), "y": g(r, N)}, lambda r: g(r, D),
      lambda v, p: float(np.sum((p["A"] @ v - p["y"]) ** 2)), "matrixcalculus.org example norm2(A*x-y)^2"),
    C("mc-norm2-squared-A", r"\|Ax - y\|_2^2", "A", lambda r: {"x": g(r, D), "y": g(r, N)}, lambda r: g(r, N, D),
      lambda v, p: float(np.sum((v @ p["x"] - p["y"]) ** 2)),
      "matrixcalculus.org example norm2(A*x-y)^2, by A: 2(Ax − y)xᵀ"),
    C("mc-norm1", r"\|Ax - y\|_1", "x", lambda r: {"A": g(r, N, D), "y": g(r, N)}, lambda r: g(r, D),
      lambda v, p: float(np.sum(np.abs(p["A"] @ v - p["y"]))),
      "matrixcalculus.org example norm1(A*x-y): Aᵀ sign(Ax − y) (random point: no kink)"),
    C("mc-logistic-sum", r"\mathbf{1}^T \log(\exp(-y \odot (Xw)) + \mathbf{1})", "w",
      lambda r: {"X": g(r, N, D), "y": 2 * labels01(r) - 1}, lambda r: g(r, D),
      lambda v, p: float(np.sum(np.logaddexp(0, -p["y"] * (p["X"] @ v)))),
      "matrixcalculus.org example sum(log(exp(-y.*(X*w)) + vector(1)))"),
    C("mc-trace-AXtBXC", r"\operatorname{tr}(A X^T B X C)", "X",
      lambda r: {"A": g(r, K, D), "B": g(r, N, N), "C": g(r, D, K)}, lambda r: g(r, N, D),
      lambda v, p: float(np.trace(p["A"] @ v.T @ p["B"] @ v @ p["C"])),
      "matrixcalculus.org example tr(A*X'*B*X*C): BXCA + BᵀXAᵀCᵀ", (r"C \in \mathbb{R}^{d \times k}",)),
    C("inverse-of-gram", r"L(A) = x^T (A^T A)^{-1} x", "A", lambda r: {"x": g(r, D)}, lambda r: g(r, N, D),
      lambda v, p: float(p["x"] @ inv(v.T @ v) @ p["x"]), "−2A(AᵀA)⁻¹xxᵀ(AᵀA)⁻¹ (inverse of an expression)"),
    C("logdet-gram-plus-identity", r"\log\det(I + X^T X)", "X", lambda r: {}, lambda r: g(r, N, D),
      lambda v, p: logdet(np.eye(D) + v.T @ v), "2X(I + XᵀX)⁻¹"),
    C("mc-logdet-inverse", r"\log\det(X^{-1})", "X", lambda r: {}, lambda r: pd(r, D),
      lambda v, p: logdet(inv(v)), "matrixcalculus.org example log(det(inv(X))): −X⁻ᵀ"),
]

# ---------------------------------------------------------------- ML losses


def regression(rng: np.random.Generator) -> Data:
    return {"X": g(rng, N, D), "y": g(rng, N)}


ML = [
    C("least-squares-index", r"\frac{1}{2}\sum_{i=1}^{n} (\theta^T x_i - y_i)^2", "theta", regression,
      lambda r: g(r, D), lambda v, p: 0.5 * float(np.sum((p["X"] @ v - p["y"]) ** 2)),
      "ML: least squares, index spelling; Xᵀ(Xθ − y)"),
    C("least-squares-matrix", r"\frac{1}{2}\|X\theta - y\|^2", "theta", regression, lambda r: g(r, D),
      lambda v, p: 0.5 * float(np.sum((p["X"] @ v - p["y"]) ** 2)), "ML: least squares, matrix spelling"),
    C("ridge-matrix", r"\frac{1}{2}\|Xw - y\|_2^2 + \frac{\lambda}{2}\|w\|_2^2", "w",
      lambda r: {**regression(r), "lambda": 0.7}, lambda r: g(r, D),
      lambda v, p: 0.5 * float(np.sum((p["X"] @ v - p["y"]) ** 2)) + 0.35 * float(v @ v),
      "ML: ridge; Xᵀ(Xw − y) + λw"),
    C("ridge-index", r"\sum_{i=1}^{n} (y_i - w^T x_i)^2 + \lambda w^T w", "w",
      lambda r: {**regression(r), "lambda": 0.7}, lambda r: g(r, D),
      lambda v, p: float(np.sum((p["y"] - p["X"] @ v) ** 2)) + 0.7 * float(v @ v), "ML: ridge, index spelling"),
    C("linear-regression-bias", r"\frac{1}{2n}\sum_{i=1}^{n}(w^T x_i + b - y_i)^2", "w",
      lambda r: {**regression(r), "b": 0.4}, lambda r: g(r, D),
      lambda v, p: float(np.sum((p["X"] @ v + p["b"] - p["y"]) ** 2)) / (2 * N),
      "ML: linear regression with a bias, mean squared error"),
    C("logistic-01-plain", r"\sum_{i=1}^{n} \left(\log(1 + e^{\theta^T x_i}) - y_i \theta^T x_i\right)", "theta",
      lambda r: {"X": g(r, N, D), "y": labels01(r)}, lambda r: g(r, D),
      lambda v, p: float(np.sum(np.logaddexp(0, p["X"] @ v) - p["y"] * (p["X"] @ v))),
      "ML: logistic loss, 0/1 labels, no definitions; Xᵀ(σ(Xθ) − y)"),
    C("logistic-01-l2", r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
      r" + \frac{\lambda}{2}\|\theta\|^2", "theta",
      lambda r: {"X": g(r, N, D), "y": labels01(r), "lambda": 0.5}, lambda r: g(r, D),
      lambda v, p: -float(np.sum(p["y"] * np.log(sig(p["X"] @ v)) + (1 - p["y"]) * np.log(1 - sig(p["X"] @ v))))
      + 0.25 * float(v @ v), "ML: L2-regularised logistic regression; Xᵀ(ŷ − y) + λθ", SEED_WHERE),
    C("poisson-matrix", r"\mathbf{1}^T \exp(X\theta) - y^T X\theta", "theta",
      lambda r: {"X": g(r, N, D), "y": r.integers(0, 4, N).astype(float)}, lambda r: 0.3 * g(r, D),
      lambda v, p: float(np.sum(np.exp(p["X"] @ v)) - p["y"] @ p["X"] @ v), "ML: Poisson regression, matrix spelling"),
    C("log-sum-exp-index", r"\log \sum_{k=1}^{K} e^{z_k}", "z", lambda r: {}, lambda r: g(r, CLASSES),
      lambda v, p: float(logsumexp(v)), "ML: log-sum-exp; softmax(z)"),
    C("log-sum-exp-affine", r"\log(\mathbf{1}^T \exp(Ax))", "x", lambda r: {"A": g(r, M, D)}, lambda r: g(r, D),
      lambda v, p: float(logsumexp(p["A"] @ v)), "ML: log-sum-exp of an affine map; Aᵀ softmax(Ax)"),
    C("softmax-cross-entropy", r"-y^T \log\operatorname{softmax}(z)", "z",
      lambda r: {"y": np.eye(CLASSES)[1]}, lambda r: g(r, CLASSES),
      lambda v, p: -float(p["y"] @ (v - logsumexp(v))), "ML: softmax cross-entropy; softmax(z) − y"),
    C("softmax-lse-matrix", r"\sum_{i=1}^{n} \left(\log(\mathbf{1}^T \exp(W x_i)) - y_i^T W x_i\right)", "W",
      lambda r: {"X": g(r, N, D), "Y": onehot(r, N, CLASSES)}, lambda r: g(r, CLASSES, D),
      lambda v, p: float(np.sum(logsumexp(p["X"] @ v.T, axis=1)) - np.sum(p["Y"] * (p["X"] @ v.T))),
      "ML: softmax regression as log-sum-exp minus the true score; (P − Y)ᵀX"),
    C("two-layer-scalar", r"\frac{1}{2}\sum_{i=1}^{n} (v^T \sigma(W x_i) - y_i)^2", "W",
      lambda r: {**regression(r), "v": g(r, M)}, lambda r: g(r, M, D),
      lambda v, p: 0.5 * float(np.sum((sig(p["X"] @ v.T) @ p["v"] - p["y"]) ** 2)),
      "ML: two-layer network, one output (issue 12: refused on main)"),
    C("two-layer-rows", r"L(W) = \frac{1}{2}\sum_{i=1}^{n} \left(\sum_{h=1}^{m} v_h \sigma(w_h^T x_i) - y_i\right)^2",
      "W", lambda r: {**regression(r), "v": g(r, M)}, lambda r: g(r, M, D),
      lambda v, p: 0.5 * float(np.sum((sig(p["X"] @ v.T) @ p["v"] - p["y"]) ** 2)),
      "ML: two-layer network, hidden units as rows w_h of W"),
    C("two-layer-tanh-v", r"\frac{1}{2}\sum_{i=1}^{n} (v^T \tanh(W x_i) - y_i)^2", "v",
      lambda r: {**regression(r), "W": g(r, M, D)}, lambda r: g(r, M),
      lambda v, p: 0.5 * float(np.sum((np.tanh(p["X"] @ p["W"].T) @ v - p["y"]) ** 2)),
      "ML: two-layer tanh network, output weights"),
    C("gaussian-nll-mu", GAUSS, "mu", drop(gauss_data, "mu"), lambda r: g(r, D), gauss_loss("mu"),
      "ML: Gaussian negative log-likelihood by μ; Σ⁻¹(μ − x)"),
    C("gaussian-nll-Sigma", GAUSS, "Sigma", drop(gauss_data, "Sigma"), lambda r: spd(r, D), gauss_loss("Sigma"),
      "ML: Gaussian negative log-likelihood by Σ; ½Σ⁻ᵀ − ½Σ⁻ᵀ(x − μ)(x − μ)ᵀΣ⁻ᵀ"),
    C("gaussian-nll-samples",
      r"\frac{n}{2}\log\det\Sigma + \frac{1}{2}\sum_{i=1}^{n}(x_i - \mu)^T\Sigma^{-1}(x_i - \mu)", "mu",
      lambda r: {"X": g(r, N, D), "Sigma": spd(r, D)}, lambda r: g(r, D),
      lambda v, p: N / 2 * logdet(p["Sigma"]) + 0.5 * float(np.sum(((p["X"] - v) @ inv(p["Sigma"])) * (p["X"] - v))),
      "ML: Gaussian log-likelihood of n samples by μ; Σ⁻¹Σ_i(μ − x_i)"),
    C("matrix-factorisation-V", MF, "V", drop(mf_data, "V"), lambda r: g(r, D, K), mf_loss("V"),
      "ML: matrix factorisation by V; −2(X − UVᵀ)ᵀU"),
    C("pca-trace", r"\operatorname{tr}(W^T A W)", "W", lambda r: {"A": sym(r, D)}, lambda r: g(r, D, K),
      lambda v, p: float(np.trace(v.T @ p["A"] @ v)), "ML: PCA-style objective, A symmetric; 2AW", (S_D,)),
    C("mahalanobis", r"(x - \mu)^T S^{-1} (x - \mu)", "x", lambda r: {"S": spd(r, D), "mu": g(r, D)},
      lambda r: g(r, D), lambda v, p: float((v - p["mu"]) @ inv(p["S"]) @ (v - p["mu"])),
      "ML: squared Mahalanobis distance, S symmetric; 2S⁻¹(x − μ)", (r"S \in \mathbb{S}^{d}",)),
    C("multi-output-least-squares", r"\frac{1}{2}\|XW - Y\|_F^2", "W",
      lambda r: {"X": g(r, N, D), "Y": g(r, N, K)}, lambda r: g(r, D, K),
      lambda v, p: 0.5 * float(np.sum((p["X"] @ v - p["Y"]) ** 2)), "ML: multi-output least squares; Xᵀ(XW − Y)"),
    C("weighted-least-squares", r"(y - X\beta)^T C (y - X\beta)", "beta",
      lambda r: {**regression(r), "C": g(r, N, N)}, lambda r: g(r, D),
      lambda v, p: float((p["y"] - p["X"] @ v) @ p["C"] @ (p["y"] - p["X"] @ v)),
      "ML: generalised least squares, C not symmetric; −Xᵀ(C + Cᵀ)(y − Xβ)", (r"C \in \mathbb{R}^{n \times n}",)),
    C("log-cosh", r"\sum_{i=1}^{n} \log\cosh(\theta^T x_i - y_i)", "theta", regression, lambda r: g(r, D),
      lambda v, p: float(np.sum(np.log(np.cosh(p["X"] @ v - p["y"])))), "ML: log-cosh regression (smooth)"),
    C("pseudo-huber", r"\sum_{i=1}^{n} \left(\sqrt{1 + (\theta^T x_i - y_i)^2} - 1\right)", "theta", regression,
      lambda r: g(r, D), lambda v, p: float(np.sum(np.sqrt(1 + (p["X"] @ v - p["y"]) ** 2) - 1)),
      "ML: pseudo-Huber regression (smooth)"),
]

CASES: tuple[MatrixCase, ...] = (*TABLE, *COOKBOOK, *MATRIXCALCULUS, *ML)


# ---------------------------------------------------------------- reference numerics
# Independent of symderiv: finite differences of the numpy losses, the binding of names and sizes
# (as ../shared/checks/matrix_check.py binds them), and a numpy evaluation of SymPy matrix expressions.


class Unevaluable(Exception):
    """A form names a symbol, size or node with no value here."""


class ShapeMismatch(Unevaluable):
    """A size symbol would take two values, or a symbol's declared shape is not its data's."""


class Misread(Unevaluable):
    """A scalar symbol in a form where the data hold a vector or matrix of that name (b in aᵀXb)."""


def central_difference(loss: Callable[[Array, Mapping[str, object]], float], at: Array,
                       data: Mapping[str, object], h: float = 1e-6) -> Array:
    """(f(v + h eᵢ) − f(v − h eᵢ)) / 2h for every entry of v."""
    out = np.empty_like(at, dtype=float)
    with np.errstate(all="ignore"):
        for pos in np.ndindex(at.shape):
            up, down = at.copy(), at.copy()
            up[pos] += h
            down[pos] -= h
            out[pos] = (loss(up, data) - loss(down, data)) / (2 * h)
    return out


def relative_error(got: Array, want: Array) -> float:
    """max |got − want| / max(1, max |want|) (matrix_check.py's measure); inf for NaN or inf."""
    err = float(np.max(np.abs(got - want))) / max(1.0, float(np.max(np.abs(want))))
    return err if np.isfinite(err) else float("inf")


def resolve(name: str, rank: int, binding: Mapping[str, object]) -> str | None:
    """The data name for a symbol read with `rank` indices: its own, or the rows' matrix (x_i → X,
    y_{ik} → Y) when the symbol is lower case and only the upper-case name holds data of that rank."""
    for candidate in (name, name[:1].upper() + name[1:]):
        if candidate in binding and np.ndim(binding[candidate]) == rank:
            return candidate
    return None


def bind_sizes(shapes: Mapping[str, tuple[object, ...]], binding: Mapping[str, object],
               strict: bool = True) -> dict[str, int]:
    """Each size symbol of the derivation's `shapes` → the length of the array bound to that name
    (not strict: the first length met wins where two names disagree)."""
    sizes: dict[str, int] = {}
    for name, shape in shapes.items():
        data_name = resolve(name, len(shape), binding) or resolve(name, 1, binding)
        if data_name is None or np.ndim(binding[data_name]) == 0:
            continue                  # an intermediate (ŷ, h) or a name without data
        dims = np.shape(binding[data_name])
        dims = dims + (1,) * (len(shape) - len(dims))
        if len(dims) != len(shape):
            raise ShapeMismatch(f"{name} has shape {tuple(shape)} in the derivation but data of shape {dims}")
        for size, n in zip(shape, dims, strict=True):
            note_size(sizes, size, n, name, strict)
    return sizes


def note_size(sizes: dict[str, int], size: object, n: int, name: str, strict: bool = True) -> None:
    """Record size = n (a size symbol or an integer), refusing a second, different value."""
    if not strict:
        sizes.setdefault(str(size), n)
        return
    if isinstance(size, (int, np.integer)) or getattr(size, "is_Integer", False) or str(size).isdigit():
        if int(str(size)) != n:
            raise ShapeMismatch(f"{name}: a dimension fixed at {size} holds data of length {n}")
        return
    key = str(size)
    if sizes.setdefault(key, n) != n:
        raise ShapeMismatch(f"size {key} is {sizes[key]} by one name and {n} by {name}")


def _sigmoid(z: Array) -> Array:
    return np.exp(-np.logaddexp(0.0, -z))


ELEMENTWISE: dict[str, Callable[[Array], Array]] = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
    "sinh": np.sinh, "cosh": np.cosh, "abs": np.abs, "sign": np.sign, "log1p": np.log1p, "sqrt": np.sqrt,
    "sigmoid": _sigmoid, "sigma": _sigmoid, "logistic": _sigmoid, "softplus": lambda z: np.logaddexp(0.0, z),
    "relu": lambda z: np.maximum(z, 0.0), "heaviside": lambda z: np.where(z > 0, 1.0, 0.0),
}


class Evaluator:
    """The numpy value of a SymPy matrix (or scalar) expression over MatrixSymbols bound by name.

    Matrices are 2-D arrays (a 1-D vector binds as a column); a MatrixSymbol not in `values` is
    looked up in `definitions` (ŷ, P, S) and evaluated in turn. Sizes are read by name; a size met
    first on a bound MatrixSymbol is taken from its data. Node types are looked up in `HANDLERS`
    along the MRO; a matrix node without a rule goes through SymPy's own explicit evaluation. Not
    strict: a MatrixSymbol takes its data's shape whatever sizes it states (matrix_check.py's way),
    to tell a wrongly stated shape from a wrong value.
    """

    def __init__(self, values: Mapping[str, object], sizes: Mapping[str, int],
                 definitions: Mapping[str, object] | None = None, strict: bool = True) -> None:
        self.strict = strict
        self.values = dict(values)
        self.sizes = dict(sizes)
        self.definitions = dict(definitions or {})
        self._busy: set[str] = set()
        self._memo: dict[str, Array] = {}

    def __call__(self, expr: sp.Basic) -> Array | float:
        both = sorted(set(self.values) & set(self.definitions))
        if both:
            raise Unevaluable(f"{', '.join(both)}: both data and an intermediate the form defines")
        with np.errstate(all="ignore"):
            value = self.value(expr, {})
        return np.asarray(value, dtype=float) if isinstance(expr, sp.MatrixExpr) else value

    def value(self, e: sp.Basic, bound: Mapping[sp.Basic, Array]) -> Array | float:
        """`bound`: a Lambda's variable → the entries it runs over (ElementwiseApplyFunction)."""
        handler = next((HANDLERS[t] for t in type(e).__mro__ if t in HANDLERS), None)
        if handler is None:
            raise Unevaluable(f"no numeric rule for {type(e).__name__}: {e}")
        return handler(self, e, bound)

    def size(self, s: sp.Basic) -> int:
        s = sp.sympify(s)
        missing = {x.name for x in s.free_symbols} - set(self.sizes)
        if missing:
            raise Unevaluable(f"no size for {sorted(missing)}")
        return int(s.subs({x: self.sizes[x.name] for x in s.free_symbols}))

    def matrix_symbol(self, e: sp.MatrixSymbol) -> Array:
        name = e.name
        if name in self.values:
            arr = np.asarray(self.values[name], dtype=float)
            arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
            if arr.ndim != 2:
                raise Misread(f"{name} is a matrix in the form but a scalar in the data")
            for size, n in zip(e.shape, arr.shape, strict=True):
                note_size(self.sizes, size, n, name, self.strict)
            return arr
        if name not in self.definitions:
            raise Unevaluable(f"symbol {name} is neither data nor one of the form's definitions")
        if name not in self._memo:
            if name in self._busy:
                raise Unevaluable(f"the definition of {name} refers to itself")
            self._busy.add(name)
            self._memo[name] = np.asarray(self.value(self.definitions[name], {}), dtype=float)
            self._busy.discard(name)
        arr = self._memo[name]
        if self.strict and arr.shape != (self.size(e.rows), self.size(e.cols)):
            raise ShapeMismatch(f"{name} is stated {e.shape} but its definition is {arr.shape}")
        return arr

    def symbol(self, e: sp.Symbol, bound: Mapping[sp.Basic, Array]) -> Array | float:
        if e in bound:
            return bound[e]
        if e.name in self.sizes:
            return float(self.sizes[e.name])
        if e.name not in self.values:
            raise Unevaluable(f"no value for the symbol {e.name}")
        if np.ndim(self.values[e.name]) > 0:
            raise Misread(f"{e.name} is a scalar in the form; the data hold a {np.shape(self.values[e.name])} array")
        return float(self.values[e.name])

    def explicit(self, e: sp.MatrixExpr) -> Array:
        """SymPy's own explicit evaluation, for nodes without a rule here (array expressions)."""
        rep: dict[sp.Basic, sp.Basic] = {m: sp.ImmutableMatrix(self.matrix_symbol(m)) for m in e.atoms(sp.MatrixSymbol)}
        rep.update({s: sp.Integer(self.size(s)) for s in e.free_symbols if isinstance(s, sp.Symbol)})
        out = e.xreplace(rep).doit()
        if hasattr(out, "as_explicit"):
            out = out.as_explicit()
        try:
            return np.array(out.tolist(), dtype=float)
        except (TypeError, ValueError, AttributeError) as exc:
            raise Unevaluable(f"SymPy could not make {type(e).__name__} explicit: {exc}") from exc


Handler = Callable[[Evaluator, "sp.Basic", "Mapping[sp.Basic, Array]"], "Array | float"]


def _same_shape(parts: list[Array], what: str, e: sp.Basic) -> list[Array]:
    if len({p.shape for p in parts}) != 1:
        raise ShapeMismatch(f"{what} of shapes {[p.shape for p in parts]}: {e}")
    return parts


def _matadd(ev: Evaluator, e: sp.MatAdd, bound: Mapping[sp.Basic, Array]) -> Array:
    parts = _same_shape([np.asarray(ev.value(a, bound), dtype=float) for a in e.args], "a sum", e)
    return sum(parts[1:], parts[0])


def _matmul(ev: Evaluator, e: sp.MatMul, bound: Mapping[sp.Basic, Array]) -> Array:
    """Scalar factors multiply; matrix factors chain with @, their inner sizes checked."""
    scalar: Array | float = 1.0
    matrix: Array | None = None
    for a in e.args:
        v = ev.value(a, bound)
        if not isinstance(a, sp.MatrixExpr):
            scalar = scalar * v
        elif matrix is None:
            matrix = np.asarray(v, dtype=float)
        elif matrix.shape[1] != np.shape(v)[0]:
            raise ShapeMismatch(f"a product of {matrix.shape} by {np.shape(v)}: {e}")
        else:
            matrix = matrix @ v
    return scalar * matrix


def _hadamard(ev: Evaluator, e: sp.HadamardProduct, bound: Mapping[sp.Basic, Array]) -> Array:
    return np.prod(_same_shape([np.asarray(ev.value(a, bound), dtype=float) for a in e.args], "a ⊙", e), axis=0)


def _matpow(ev: Evaluator, e: sp.MatPow, bound: Mapping[sp.Basic, Array]) -> Array:
    if not sp.sympify(e.exp).is_Integer:
        raise Unevaluable(f"a non-integer matrix power: {e}")
    return np.linalg.matrix_power(ev.value(e.base, bound), int(e.exp))


def _apply(ev: Evaluator, e: ElementwiseApplyFunction, bound: Mapping[sp.Basic, Array]) -> Array:
    """f.(M): a Lambda's body with its variable bound to all entries of M at once, or a named f."""
    arg = np.asarray(ev.value(e.expr, bound), dtype=float)
    f = e.function
    if isinstance(f, sp.Lambda):
        (var,) = f.variables
        return np.broadcast_to(ev.value(f.expr, {**bound, var: arg}), arg.shape)
    return _named(getattr(f, "__name__", str(f)), arg)


def _named(name: str, arg: Array) -> Array:
    f = ELEMENTWISE.get(name.lower())
    if f is None:
        raise Unevaluable(f"no numeric rule for the function {name}")
    return f(arg)


def _function(ev: Evaluator, e: sp.Function, bound: Mapping[sp.Basic, Array]) -> Array:
    if len(e.args) != 1:
        raise Unevaluable(f"no numeric rule for {e}")
    return _named(type(e).__name__, np.asarray(ev.value(e.args[0], bound), dtype=float))


def _kron(ev: Evaluator, e: sp.KroneckerProduct, bound: Mapping[sp.Basic, Array]) -> Array:
    out = ev.value(e.args[0], bound)
    for a in e.args[1:]:
        out = np.kron(out, ev.value(a, bound))
    return out


def _unary(f: Callable[[Array], Array | float]) -> Handler:
    return lambda ev, e, bound: f(np.asarray(ev.value(e.args[0], bound), dtype=float))


def _reduce(f: Callable[[Array | float, Array | float], Array | float]) -> Handler:
    def handler(ev: Evaluator, e: sp.Basic, bound: Mapping[sp.Basic, Array]) -> Array | float:
        out = ev.value(e.args[0], bound)
        for a in e.args[1:]:
            out = f(out, ev.value(a, bound))
        return out
    return handler


def _sized(make: Callable[[int, int], Array]) -> Handler:
    return lambda ev, e, bound: make(ev.size(e.rows), ev.size(e.cols))


HANDLERS: dict[type, Handler] = {
    sp.MatrixSymbol: lambda ev, e, bound: ev.matrix_symbol(e),
    sp.Identity: _sized(lambda r, c: np.eye(r)),
    sp.ZeroMatrix: _sized(lambda r, c: np.zeros((r, c))),
    sp.OneMatrix: _sized(lambda r, c: np.ones((r, c))),
    sp.MatAdd: _matadd,
    sp.MatMul: _matmul,
    sp.Transpose: _unary(np.transpose),
    sp.Inverse: _unary(np.linalg.inv),
    sp.MatPow: _matpow,
    sp.Trace: _unary(lambda m: float(np.trace(m))),
    sp.Determinant: _unary(lambda m: float(np.linalg.det(m))),
    sp.HadamardProduct: _hadamard,
    sp.HadamardPower: lambda ev, e, bound: np.power(ev.value(e.base, bound), ev.value(e.exp, bound)),
    sp.KroneckerProduct: _kron,
    ElementwiseApplyFunction: _apply,
    DiagMatrix: _unary(lambda v: np.diag(np.ravel(v))),
    DiagonalMatrix: _unary(lambda m: np.diag(np.diag(m))),
    DiagonalOf: _unary(lambda m: np.diag(m).reshape(-1, 1)),
    MatrixElement: lambda ev, e, bound: float(np.asarray(ev.value(e.parent, bound))[ev.size(e.i), ev.size(e.j)]),
    sp.MatrixBase: lambda ev, e, bound: np.array([[ev.value(x, bound) for x in row] for row in e.tolist()],
                                                 dtype=float).reshape(e.shape),
    sp.MatrixExpr: lambda ev, e, bound: ev.explicit(e),
    # scalars, or the entries of a matrix while a Lambda's variable is bound to them
    sp.Symbol: lambda ev, e, bound: ev.symbol(e, bound),
    sp.Number: lambda ev, e, bound: float(e),
    sp.NumberSymbol: lambda ev, e, bound: float(e),
    sp.Add: _reduce(lambda a, b: a + b),
    sp.Mul: _reduce(lambda a, b: a * b),
    sp.Pow: lambda ev, e, bound: np.power(np.asarray(ev.value(e.base, bound), dtype=float), ev.value(e.exp, bound)),
    sp.Function: _function,
}

"""Shapes of vectors and matrices by unification (issue 12): every name gets its own sizes, products
and sums relate them, declarations fix them, and a mismatch is a ParseError with a caret.

Readings are checked numerically: the index form, its sizes bound to the shapes of numpy data at
non-square sizes (4×3, 2, 5 …), is evaluated and compared with the matrix formula computed by numpy.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symderiv.core.errors import ParseError
from symderiv.core.problem import Problem
from symderiv.parsing.parser import parse

RNG = np.random.default_rng(12)


# --------------------------------------------------------------------------- numeric evaluation
def bind_sizes(problem: Problem, data: dict[str, np.ndarray]) -> dict[sp.Basic, int]:
    """Each size symbol of `problem.shapes` -> the length numpy gives it (one size, one length)."""
    sizes: dict[sp.Basic, int] = {}
    for name, dims in problem.shapes:
        if name not in data:
            continue
        arr = np.asarray(data[name])
        lengths = arr.shape + ((1,) if arr.ndim == 1 else ())
        for size, length in zip(dims, lengths, strict=True):
            if isinstance(size, sp.Symbol):
                assert sizes.setdefault(size, length) == length, f"{size} is both {sizes[size]} and {length}"
            else:
                assert size == length, f"{name} has the fixed size {size}, not {length}"
    return sizes


def evaluate(expr: sp.Basic, problem: Problem, data: dict[str, np.ndarray],
             free: dict[str, int] | None = None) -> float:
    """The value of an index-form expression with the sizes of `data` (1-based entries)."""
    sizes = bind_sizes(problem, data)
    data = dict(data)
    whole: dict[sp.Basic, sp.Basic] = {}   # X held whole: det X, the entries of X⁻¹ (1-based, as X[i, j])
    for e in expr.atoms(MatrixElement):
        if isinstance(e.parent, sp.Inverse) and isinstance(e.parent.arg, sp.MatrixSymbol):
            name = e.parent.arg.name
            data[f"{name}^-1"] = np.linalg.inv(np.asarray(data[name], dtype=float))
            whole[e] = sp.IndexedBase(f"{name}^-1")[e.i, e.j]
    for e in expr.atoms(sp.Determinant):
        whole[e] = sp.Float(float(np.linalg.det(np.asarray(data[e.arg.name], dtype=float))))
    expr = expr.xreplace(whole)
    rep: dict[sp.Basic, sp.Basic] = {s: sp.Integer(v) for s, v in sizes.items()}
    for s in expr.free_symbols:
        if isinstance(s, sp.Symbol) and free and s.name in free and s.is_integer:
            rep[s] = sp.Integer(free[s.name])
        elif isinstance(s, sp.Symbol) and s.name in data and np.ndim(data[s.name]) == 0:
            rep[s] = sp.Float(float(data[s.name]))
    e = expr.xreplace(rep).doit()
    values = {}
    for a in e.atoms(sp.Indexed):
        arr = np.asarray(data[str(a.base.label)], dtype=float)
        idx = tuple(int(i) - 1 for i in a.indices)
        values[a] = sp.Float(float(arr[idx[:arr.ndim]] if arr.ndim < len(idx) else arr[idx]))
    e = e.xreplace(values).doit()
    return float(sp.N(e))


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def shapes(problem: Problem) -> dict[str, tuple[str, str]]:
    return {name: (str(r), str(c)) for name, (r, c) in problem.shapes}


def sig(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


# --------------------------------------------------------------------------- shapes by use
def test_least_squares_has_a_non_square_matrix() -> None:
    p = parse(r"\frac12\|Ax-b\|_2^2")
    s = shapes(p)
    assert s["x"] == ("d", "1") and s["A"][1] == "d" and s["b"] == (s["A"][0], "1")
    assert s["A"][0] != "d", "A is not square: its rows are a size of their own"
    A, x, b = RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=4)
    assert close(evaluate(p.expr, p, {"A": A, "x": x, "b": b}), 0.5 * np.sum((A @ x - b) ** 2))


def test_quadratic_form_is_square() -> None:
    p = parse("x^T A x")
    assert shapes(p) == {"x": ("d", "1"), "A": ("d", "d")}
    A, x = RNG.normal(size=(3, 3)), RNG.normal(size=3)
    assert close(evaluate(p.expr, p, {"A": A, "x": x}), x @ A @ x)


def test_bilinear_form_has_distinct_sides() -> None:
    p = parse("a^T X b")
    s = shapes(p)
    assert s["a"] == (s["X"][0], "1") and s["b"] == (s["X"][1], "1") and s["X"][0] != s["X"][1]
    a, X, b = RNG.normal(size=4), RNG.normal(size=(4, 3)), RNG.normal(size=3)
    assert close(evaluate(p.expr, p, {"a": a, "X": X, "b": b}), a @ X @ b)


def test_matrix_variable_is_written_in_entries() -> None:
    p = parse("a^T X b")
    X = sp.IndexedBase("X", real=True)
    assert {len(e.indices) for e in p.expr.atoms(sp.Indexed) if e.base == X} == {2}


def test_seed_loss_shapes() -> None:
    p = parse(r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]",
              where=[r"\hat{y}_i = \sigma(\theta^T x_i)"])
    assert shapes(p) == {"theta": ("d", "1"), "x": ("n", "d"), "y": ("n", "1"), "yhat": ("n", "1")}
    assert dict(p.sizes) == {"n": sp.Symbol("n", integer=True, positive=True),
                             "d": sp.Symbol("d", integer=True, positive=True)}


def test_softmax_regression_reads_the_rows_of_w() -> None:
    p = parse(r"L(W) = -\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik} \log \frac{e^{w_k^T x_i}}{\sum_{j=1}^{K} "
              r"e^{w_j^T x_i}}")
    assert shapes(p) == {"W": ("K", "d"), "x": ("n", "d"), "y": ("n", "K")}
    assert "read w_k as the k-th row of W" in p.readings
    X, W = RNG.normal(size=(4, 3)), RNG.normal(size=(2, 3))
    Y = np.eye(2)[RNG.integers(0, 2, 4)]
    Z = X @ W.T
    want = -np.sum(Y * (Z - np.log(np.exp(Z).sum(1, keepdims=True))))
    assert close(evaluate(p.expr, p, {"W": W, "x": X, "y": Y}), want)


def test_every_unrelated_size_is_distinct() -> None:
    p = parse(r"\|A x - b\|^2 + \|B z - c\|^2")
    s = shapes(p)
    sizes = [s["A"][0], s["A"][1], s["B"][0], s["B"][1]]
    assert len(set(sizes)) == 4, s


def test_sizes_never_take_a_name_the_formula_uses() -> None:
    p = parse(r"\frac12\|Ax-b\|^2 + m p")
    rows = dict(p.shapes)["A"][0]
    assert str(rows) not in {"m", "p", "j", "l", "k"}
    bound = {lim[0].name for s in p.expr.atoms(sp.Sum) for lim in s.limits}
    assert not bound & {str(d) for _, dims in p.shapes for d in dims}


def test_sums_fix_the_sizes_they_range_over() -> None:
    p = parse(r"\sum_{i=1}^{N}\sum_{j=1}^{p} W_{ij} x_j")
    assert shapes(p)["W"] == ("N", "p") and shapes(p)["x"] == ("p", "1")


# --------------------------------------------------------------------------- declarations
def test_declared_sizes_are_the_users() -> None:
    p = parse(r"\frac12\|Ax-b\|^2", where=[r"A \in \mathbb{R}^{p \times q}"])
    assert shapes(p) == {"A": ("p", "q"), "b": ("p", "1"), "x": ("q", "1")}
    assert p.definitions == ()


@pytest.mark.parametrize("where", [
    [r"W \in \mathbb{R}^{k \times d}"], [r"W \in \mathbb{R}^{k\times d}", r"x \in \mathbb{R}^{d}"],
    ["W ∈ ℝ^{k×d}"], [r"\mathbf{W} \in \mathbb{R}^{k \times d}"],
])
def test_declarations_as_where_items(where: list[str]) -> None:
    p = parse(r"\|W x\|^2", where=where)
    assert shapes(p) == {"W": ("k", "d"), "x": ("d", "1")}
    assert p.definitions == ()


@pytest.mark.parametrize("latex", [
    r"\|W x\|^2, W \in \mathbb{R}^{k \times d}", r"\|W x\|^2; W \in \mathbb{R}^{k \times d}",
    r"\|W x\|^2 \text{ where } W \in \mathbb{R}^{k \times d}",
])
def test_declarations_inside_the_input(latex: str) -> None:
    assert shapes(parse(latex)) == {"W": ("k", "d"), "x": ("d", "1")}


def test_declared_rows_scalars_and_lists() -> None:
    p = parse(r"\sum_{i=1}^{n} (\theta^T x_i - y_i)^2", where=[r"x_i \in \mathbb{R}^{p}"])
    assert shapes(p)["x"] == ("n", "p") and shapes(p)["theta"] == ("p", "1")
    assert shapes(parse("x^T y", where=[r"x, y \in \mathbb{R}^d"])) == {"x": ("d", "1"), "y": ("d", "1")}
    p = parse(r"c\, x^T x", where=[r"c \in \mathbb{R}"])
    assert "c" not in dict(p.shapes)


@pytest.mark.parametrize("latex, where", [
    ("x^T A x", [r"A \in \mathbb{S}^{d}"]), ("x^T A x", [r"A \in \mathbb{S}^{d}_{++}"]),
    ("x^T A x", [r"A \in \mathbb{S}_{+}^{d}"]), ("x^T A x", ["A = A^T"]), ("x^T A x", [r"A = A^\top"]),
    ("x^T A x; A = A^T", []), (r"x^T A x, A^{\top} = A", []), (r"x^T A x \text{ where } A = A^T", []),
])
def test_symmetric_declarations(latex: str, where: list[str]) -> None:
    p = parse(latex, where=where)
    assert p.symmetric == frozenset({"A"})
    assert shapes(p)["A"] == ("d", "d") and p.definitions == ()


def test_a_symmetric_declaration_of_a_non_square_matrix_is_refused() -> None:
    with pytest.raises(ParseError, match="square"):
        parse("x^T A x", where=[r"A \in \mathbb{R}^{m \times n}", "A = A^T"])


@pytest.mark.parametrize("latex, where, column, words", [
    ("W x", [r"W \in \mathbb{R}^{k \times d}", r"x \in \mathbb{R}^{p}"], 2, ("k×d", "p×1")),
    ("x^T y", [r"y \in \mathbb{R}^{n\times d}", r"x \in \mathbb{R}^d"], 4, ("1×d", "n×d")),
    (r"\frac12\|Ax - b\|^2", [r"A \in \mathbb{R}^{m \times d}", r"b \in \mathbb{R}^{n}"], 12, ("m×1", "n×1")),
    (r"\operatorname{tr}(A)", [r"A \in \mathbb{R}^{m \times n}"], 17, ("m×n",)),
    ("x^T A x", [r"A \in \mathbb{R}^{2 \times 3}"], 6, ("3", "2")),
])
def test_shape_mismatch_is_a_parse_error_with_a_caret(latex: str, where: list[str], column: int,
                                                       words: tuple[str, ...]) -> None:
    with pytest.raises(ParseError) as info:
        parse(latex, where=where)
    err = info.value
    assert err.column == column, err.message
    for w in words:
        assert w in err.message, err.message
    assert err.lines()[0].startswith("error: ") and err.lines()[-1].strip() == "^"


def test_a_declaration_alone_is_no_formula() -> None:
    with pytest.raises(ParseError, match="formula is missing"):
        parse(r"W \in \mathbb{R}^{k \times d}")


def test_a_bad_declared_size_points_at_it() -> None:
    with pytest.raises(ParseError, match="letter or a number") as info:
        parse("W x", where=[r"W \in \mathbb{R}^{k \times d + 1}"])
    assert info.value.column is not None


# --------------------------------------------------------------------------- networks
MLP_WHERE = [r"\hat{y} = V h + c", r"h = \sigma(a)", r"a = W x + b"]


def _mlp_data() -> dict[str, np.ndarray]:
    return {"V": RNG.normal(size=(2, 5)), "c": RNG.normal(size=2), "W": RNG.normal(size=(5, 3)),
            "x": RNG.normal(size=3), "b": RNG.normal(size=5), "y": RNG.normal(size=2)}


@pytest.mark.parametrize("latex, where", [
    (r"L = \frac{1}{2}\|\hat{y} - y\|^2", MLP_WHERE),
    (r"L = \frac{1}{2}\|\hat{y} - y\|^2", MLP_WHERE[::-1]),
    (r"L = \frac{1}{2}\|\hat{y} - y\|^2; \hat{y} = V h + c; h = \sigma(a); a = W x + b", []),
    (r"L = \frac{1}{2}\|\hat{y} - y\|^2 \text{ where } a = W x + b, h = \sigma(a), \hat{y} = V h + c", []),
])
def test_two_layer_network_as_definitions(latex: str, where: list[str]) -> None:
    p = parse(latex, where=where)
    s = shapes(p)
    hidden, out = s["h"][0], s["yhat"][0]
    assert s["x"] == ("d", "1") and s["W"] == (hidden, "d") and s["a"] == s["b"] == (hidden, "1")
    assert s["V"] == (out, hidden) and s["c"] == s["y"] == (out, "1") and len({hidden, out, "d"}) == 3
    targets = {d.name: d.target for d in p.definitions}
    assert set(targets) == {"yhat", "h", "a"}
    for t in targets.values():
        assert isinstance(t, sp.Indexed) and len(t.indices) == 1 and t.indices[0].is_integer
    data = _mlp_data()
    yhat = data["V"] @ sig(data["W"] @ data["x"] + data["b"]) + data["c"]
    assert close(evaluate(p.expanded(), p, data), 0.5 * np.sum((yhat - data["y"]) ** 2))


def test_a_vector_definition_has_a_free_index() -> None:
    p = parse(r"L = \frac{1}{2}\|\hat{y} - y\|^2", where=MLP_WHERE)
    d = {dfn.name: dfn for dfn in p.definitions}
    r = d["h"].target.indices[0]
    a = sp.IndexedBase("a", real=True)
    assert d["h"].expr == sp.Function("sigmoid")(a[r]) or str(d["h"].expr) == f"sigmoid(a[{r}])"
    assert r in d["a"].expr.free_symbols and not any(r == lim[0] for s in d["a"].expr.atoms(sp.Sum)
                                                       for lim in s.limits)


def test_two_layer_network_over_samples() -> None:
    p = parse(r"L = \sum_i \frac12\|\hat{y}_i - y_i\|^2",
              where=[r"\hat{y}_i = V h_i + c", r"h_i = \sigma(W x_i + b)"])
    s = shapes(p)
    assert s["h"] == ("n", s["W"][0]) and s["x"] == ("n", "d") and s["y"] == s["yhat"] == ("n", s["V"][0])
    assert {d.name: len(d.target.indices) for d in p.definitions} == {"yhat": 2, "h": 2}
    X, Y = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))
    data = {"V": RNG.normal(size=(2, 5)), "c": RNG.normal(size=2), "W": RNG.normal(size=(5, 3)),
            "b": RNG.normal(size=5), "x": X, "y": Y}
    yhat = sig(X @ data["W"].T + data["b"]) @ data["V"].T + data["c"]
    assert close(evaluate(p.expanded(), p, data), 0.5 * np.sum((yhat - Y) ** 2))


@pytest.mark.parametrize("latex", [r"\sum_{i=1}^{n} (y_i - \sum_h v_h \sigma(w_h^T x_i))^2",
                                   r"\sum_{i=1}^{n} (y_i - v^T\sigma(W x_i))^2"])
def test_hidden_units_read(latex: str) -> None:
    p = parse(latex)
    s = shapes(p)
    W = "w" if "w" in s else "W"
    assert s[W][1] == "d" and s["v"] == (s[W][0], "1") and s["x"] == ("n", "d")
    X, y, Wv, v = RNG.normal(size=(4, 3)), RNG.normal(size=4), RNG.normal(size=(5, 3)), RNG.normal(size=5)
    want = np.sum((y - sig(X @ Wv.T) @ v) ** 2)
    assert close(evaluate(p.expr, p, {"x": X, "y": y, W: Wv, "v": v}), want)

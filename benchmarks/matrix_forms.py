"""Matrix forms of issue 12's textbook table: symderiv against SymPy's own matrix calculus. Prints a
table; not a timed test.

For each entry of the table (the cases of tests/data/matrix_corpus.py marked `table`):
1. `symderiv.derive(latex, wrt, where=...)`, warm: one warm-up call, then the median of 5 runs with
   SymPy's cache cleared before each (as bench_derive.py times); target ≤ 0.5 s. Whether the gradient
   came with a matrix form, and whether that form agrees with central finite differences of the
   corpus's numpy loss (at the corpus's non-square data).
2. SymPy's matrix calculus on the same loss spelt with `MatrixSymbol`s (`(x.T*A*x).diff(x)`,
   `Trace(A*X).diff(X)`, `log(Determinant(X)).diff(X)`, elementwise functions by `applyfunc`), timed
   the same way, and its answer checked numerically the same way: right, WRONG (a zero matrix, say),
   or what it raised. Array-expression answers (`PermuteDims(ArrayTensorProduct(a, b), …)`) are
   evaluated through SymPy's own `.doit()`/`as_explicit()`.

Run: python3 benchmarks/matrix_forms.py [--quick]     (--quick: median of 3)
"""
from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.core.cache import clear_cache
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's symderiv, installed or not

import symderiv  # noqa: E402

TARGET = 0.5  # seconds, warm
TOL = 1e-5


def _load_corpus():
    spec = importlib.util.spec_from_file_location("matrix_corpus", ROOT / "tests" / "data" / "matrix_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["matrix_corpus"] = module
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()

# ---------------------------------------------------------------- the table in SymPy's matrix calculus

n, d, k, m, c = sp.symbols("n d k m c", integer=True, positive=True)
MS = sp.MatrixSymbol
_z = sp.Symbol("z")


def _f(body: sp.Expr) -> Callable[[sp.MatrixExpr], sp.MatrixExpr]:
    """An elementwise function, as SymPy writes one: M ↦ f.(M)."""
    return lambda M: ElementwiseApplyFunction(sp.Lambda(_z, body), M)


sigma, exp, log = _f(1 / (1 + sp.exp(-_z))), _f(sp.exp(_z)), _f(sp.log(_z))


def ones(r: sp.Expr, cols: sp.Expr = 1) -> sp.MatrixExpr:
    return sp.OneMatrix(r, cols)


def _softmax_regression() -> tuple[sp.Expr, sp.MatrixSymbol]:
    """Σ_i (log Σ_k e^{w_kᵀx_i} − Σ_k y_ik w_kᵀx_i), a 1×1 matrix (SymPy adds no scalar to it)."""
    X, W, Y = MS("X", n, d), MS("W", c, d), MS("Y", n, c)
    return ones(n).T * log(exp(X * W.T) * ones(c)) - ones(n).T * sp.HadamardProduct(Y, X * W.T) * ones(c), W


def _mlp(var: str) -> tuple[sp.Expr, sp.MatrixSymbol]:
    V, cc, W, b, x, y = MS("V", k, m), MS("c", k, 1), MS("W", m, d), MS("b", m, 1), MS("x", d, 1), MS("y", k, 1)
    r = V * sigma(W * x + b) + cc - y
    return (r.T * r) / 2, {"V": V, "c": cc, "W": W, "b": b}[var]


def _sympy_table() -> dict[str, Callable[[], tuple[sp.Expr, sp.MatrixSymbol]]]:
    """corpus case id → (the loss over MatrixSymbols, the variable)."""
    x, A, b, a = MS("x", d, 1), MS("A", d, d), MS("b", n, 1), MS("a", n, 1)
    X, theta, y = MS("X", n, d), MS("theta", d, 1), MS("y", n, 1)
    U, V, W = MS("U", n, k), MS("V", d, k), MS("W", k, d)
    Xs = MS("X", d, d)
    Ann, Adn, And = MS("A", n, n), MS("A", d, n), MS("A", n, d)
    mlp_batch = MS("W", m, d)
    R = sigma(MS("X", n, d) * mlp_batch.T + ones(n) * MS("b", m, 1).T) * MS("V", k, m).T \
        + ones(n) * MS("c", k, 1).T - MS("Y", n, k)
    return {
        "quadratic-form": lambda: (x.T * A * x, x),
        "quadratic-form-symmetric": lambda: (x.T * A * x, x),
        "least-squares-Ax-b": lambda: ((And * x - b).T * (And * x - b) / 2, x),
        "bilinear-aXb": lambda: (a.T * X * MS("b", d, 1), X),
        "trace-AX": lambda: (sp.Trace(Adn * X), X),
        "trace-XtAX": lambda: (sp.Trace(X.T * Ann * X), X),
        "logdet": lambda: (sp.log(sp.Determinant(Xs)), Xs),
        "frobenius-W": lambda: (sp.Trace(W.T * W), W),
        "matrix-factorisation-U": lambda: (sp.Trace((X - U * V.T).T * (X - U * V.T)), U),
        "logistic-pm1": lambda: (ones(n).T * log(exp(-sp.HadamardProduct(y, X * theta)) + ones(n)), theta),
        "poisson": lambda: (ones(n).T * exp(X * theta) - y.T * X * theta, theta),
        "softmax-index": _softmax_regression,
        "softmax-matrix": _softmax_regression,
        "seed-logistic": lambda: (-(y.T * log(sigma(X * theta)) + (ones(n) - y).T * log(ones(n) - sigma(X * theta))),
                                  theta),
        "mlp-W": lambda: _mlp("W"),
        "mlp-V": lambda: _mlp("V"),
        "mlp-c": lambda: _mlp("c"),
        "mlp-b": lambda: _mlp("b"),
        "mlp-batch-W": lambda: (sp.Trace(R.T * R) / 2, mlp_batch),
    }


# ---------------------------------------------------------------- timing and checking


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: imports, first-use code paths
    times = []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _explicit(value: sp.Basic, binding: dict) -> np.ndarray:
    """An array expression (PermuteDims, ArrayAdd …) at the data, by SymPy's own doit()."""
    rep: dict[sp.Basic, sp.Basic] = {}
    for s in value.atoms(sp.MatrixSymbol):
        arr = np.asarray(binding[s.name], dtype=float)
        arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
        rep[s] = sp.ImmutableMatrix(arr)
        rep.update({size: sp.Integer(k) for size, k in zip(s.shape, arr.shape, strict=True) if size.is_Symbol})
    out = value.xreplace(rep).doit()
    out = out.as_explicit() if hasattr(out, "as_explicit") else out
    return np.array(sp.Array(out).tolist(), dtype=float)


def _verdict(value: sp.Basic, shapes: dict, binding: dict, want: np.ndarray, definitions=()) -> str:
    """right / WRONG … / unevaluable …: a gradient expression at the corpus's data against f.d."""
    if value == 0 or isinstance(value, sp.ZeroMatrix):
        return "WRONG: 0"
    try:
        if isinstance(value, sp.MatrixExpr):
            sizes = corpus.bind_sizes(shapes, binding)
            evaluate = corpus.Evaluator(binding, sizes, {s.name: e for s, e in definitions})
            got = np.asarray(evaluate(value), dtype=float)
        else:
            got = _explicit(value, binding)
    except corpus.ShapeMismatch as exc:
        return f"ill-formed ({str(exc).split(':')[0]})"
    except Exception as exc:  # report what failed, whatever it was
        return f"cannot be evaluated ({type(exc).__name__}: {str(exc)[:40]})"
    if got.size != want.size:
        return f"WRONG: shape {got.shape}"
    err = corpus.relative_error(got.reshape(want.shape), want)
    return "right" if err <= TOL else f"WRONG by {err:.2g}"


def ours(case, repeat: int, data: dict, value: np.ndarray, want: np.ndarray) -> tuple[float | None, str]:
    call = lambda: symderiv.derive(case.latex, case.wrt, where=list(case.where))  # noqa: E731
    try:
        seconds = _median_time(call, repeat)
        entry = next(g for g in call().gradient if g.variable == case.wrt)
    except symderiv.SymderivError as exc:
        return None, f"not read ({type(exc).__name__})"
    if entry.matrix is None:
        return seconds, "index form only"
    shapes = dict(call().shapes)
    verdict = _verdict(entry.matrix.matrix, shapes, {**data, case.wrt: value}, want, entry.matrix.definitions)
    return seconds, f"matrix {verdict}"


def sympys(build: Callable[[], tuple[sp.Expr, sp.MatrixSymbol]], repeat: int, data: dict, wrt: str,
           value: np.ndarray, want: np.ndarray) -> tuple[float | None, str]:
    loss, var = build()
    try:
        seconds = _median_time(lambda: loss.diff(var), repeat)
        answer = loss.diff(var)
    except Exception as exc:  # SymPy gives up: say how
        return None, f"raises {type(exc).__name__}{': ' + str(exc)[:45] if str(exc) else ''}"
    shapes = {s.name: s.shape for s in loss.atoms(sp.MatrixSymbol)}
    verdict = _verdict(answer, shapes, {**data, wrt: value}, want)
    kind = "" if isinstance(answer, sp.MatrixExpr) or answer == 0 else f" (array expression {type(answer).__name__})"
    return seconds, verdict + kind


def main() -> None:
    repeat = 3 if "--quick" in sys.argv else 5
    table = _sympy_table()
    cases = [case for case in corpus.CASES if case.table]
    print(f"Issue 12's textbook table: symderiv derive vs SymPy MatrixSymbol .diff (median of {repeat} warm runs,"
          f" SymPy cache cleared before each; answers checked against finite differences at n=5, d=3, k=2, m=4)\n")
    head = (f"{'case':<26} {'wrt':<6} {'symderiv':>9} {'≤0.5 s':<7} {'symderiv answer':<22}"
            f" {'SymPy':>9}  SymPy answer")
    print(head)
    print("-" * len(head))
    total = time.perf_counter()
    for case in cases:
        data, value = case.sample()
        want = corpus.central_difference(case.loss, value, data)
        t_ours, what_ours = ours(case, repeat, data, value, want)
        t_sympy, what_sympy = sympys(table[case.id], repeat, data, case.wrt, value, want) \
            if case.id in table else (None, "(not written)")
        ms = lambda t: "-" if t is None else f"{t * 1e3:.1f} ms"  # noqa: E731
        within = "-" if t_ours is None else ("yes" if t_ours <= TARGET else "NO")
        print(f"{case.id:<26} {case.wrt:<6} {ms(t_ours):>9} {within:<7} {what_ours:<22} {ms(t_sympy):>9}  {what_sympy}")
    print(f"\n(the whole run: {time.perf_counter() - total:.0f} s)")


if __name__ == "__main__":
    main()

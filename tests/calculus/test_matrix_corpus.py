"""The matrix corpus (tests/data/matrix_corpus.py): every matrix form symderiv returns agrees with
central finite differences of the textbook loss in numpy, at non-square sizes that differ per size
symbol; so does every index form it can evaluate. A wrong form fails its case; a formula not read
yet (a SymderivError) and a gradient without a checked matrix form (index form only) are recorded.

Outcomes per case: "matrix ok", "index only", "not read" (allowed); "matrix WRONG" (a value, a shape,
or a vector/matrix read as a scalar), "matrix shapes wrong" (shapes stated that the data do not
have), "matrix unevaluable" (a symbol neither data nor defined) and a crash (not a SymderivError)
fail. The index form of every case that reads is checked too: "index WRONG" fails, "index unchecked"
(symderiv's evaluate_index cannot evaluate it) is recorded. `-s` prints the table; `MIN_MATRIX_OK`
is the ratchet (the number of "matrix ok" measured when it was last raised).

The matrix form is evaluated here, not by symderiv's numeric module: its MatrixSymbols are bound by
name to the case's data (sample rows x_i as X, y_i as y, y_{ik} as Y) with each size symbol bound to
the length of the array under that name in `Derivation.shapes`, intermediates (ŷ, P, S) are
evaluated from `definitions`, and the result must have the variable's shape (a column for a vector).
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

import symderiv

ROOT = Path(__file__).resolve().parents[2]
MATRIX_CHECK = ROOT.parent / "shared" / "checks" / "matrix_check.py"
TOL = 1e-5                 # relative, as matrix_check.py measures it
TIMEOUT = 10.0             # seconds per derivation
MIN_MATRIX_OK = 84   # measured 2026-12-04: 84 of 85 (1 index only: ‖x‖₁ by x)
MIN_CASES = 45


def _load_corpus():
    spec = importlib.util.spec_from_file_location("matrix_corpus", ROOT / "tests" / "data" / "matrix_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["matrix_corpus"] = module      # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()
CASES = {c.id: c for c in corpus.CASES}


@dataclass
class Outcome:
    status: str                  # "matrix ok" | "index only" | "not read" | "matrix WRONG" | …
    detail: str = ""
    index: str = "-"             # "index ok" | "index WRONG: …" | "index unchecked: …"
    seconds: float = 0.0
    failure: str | None = None   # why the case fails (a wrong or unevaluable matrix form, a crash)
    index_failure: str | None = None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:150]


@functools.cache
def outcome(case_id: str) -> Outcome:
    case = CASES[case_id]
    data, value = case.sample()
    start = time.perf_counter()
    try:
        d = symderiv.derive(case.latex, case.wrt, where=list(case.where), timeout=TIMEOUT)
    except symderiv.SymderivError as exc:
        return Outcome("not read", f"{type(exc).__name__}: {_first_line(exc)}", seconds=time.perf_counter() - start)
    except Exception as exc:  # a crash is not an allowed outcome
        why = f"derive raised {type(exc).__name__} (not a SymderivError): {_first_line(exc)}"
        return Outcome("crashed", why, seconds=time.perf_counter() - start, failure=why)
    seconds = time.perf_counter() - start
    entry = next((g for g in d.gradient if g.variable == case.wrt), None)
    if entry is None:
        why = f"no gradient entry for {case.wrt} (entries: {[g.variable for g in d.gradient]})"
        return Outcome("crashed", why, seconds=seconds, failure=why)
    want = corpus.central_difference(case.loss, value, data)
    shapes = dict(d.shapes)
    binding = {**data, case.wrt: value}
    index = _index_check(entry, shapes, binding, want)
    index_failure = index if index.startswith("index WRONG") else None
    if entry.matrix is None:
        return Outcome("index only", "no checked matrix form", index, seconds, index_failure=index_failure)
    status, why = check_matrix(entry.matrix.matrix, entry.matrix.definitions, shapes, binding, want)
    return Outcome(status, why, index, seconds, failure=None if status == "matrix ok" else why,
                   index_failure=index_failure)


def check_matrix(matrix: sp.Basic, definitions, shapes: dict, binding: dict, want: np.ndarray) -> tuple[str, str]:
    """("matrix ok", its LaTeX) or (what is wrong, why): the form evaluated at the data against `want`."""
    latex = _latex(matrix)
    defs = {s.name: e for s, e in definitions}
    expected = (want.shape[0], 1) if want.ndim == 1 else want.shape
    try:
        sizes = corpus.bind_sizes(shapes, binding)
        got = np.asarray(corpus.Evaluator(binding, sizes, defs)(matrix), dtype=float)
    except corpus.Misread as exc:
        return "matrix WRONG", f"matrix form {latex} misreads the input: {exc}"
    except corpus.ShapeMismatch as exc:  # the stated shapes are not the data's: do the values agree all the same?
        loose = _agreement(binding, defs, matrix, shapes, expected, want)
        return "matrix shapes wrong", f"matrix form {latex} states shapes the data do not have ({exc}); {loose}"
    except (corpus.Unevaluable, np.linalg.LinAlgError, ValueError, TypeError, AttributeError) as exc:
        return "matrix unevaluable", (f"matrix form {latex} cannot be evaluated at the data: "
                                      f"{type(exc).__name__}: {_first_line(exc)}")
    if got.shape != expected:
        return "matrix WRONG", f"matrix form {latex} has shape {got.shape}, the variable {expected}"
    err = corpus.relative_error(got.reshape(want.shape), want)
    if err > TOL:
        return "matrix WRONG", (f"matrix form {latex} disagrees with finite differences by {err:.3g}:\n"
                                f"  form: {np.array2string(got.reshape(want.shape), precision=5)}\n"
                                f"  f.d.: {np.array2string(want, precision=5)}")
    return "matrix ok", latex


def _agreement(binding: dict, definitions: dict, matrix: sp.Basic, shapes: dict,
               expected_shape: tuple[int, ...], want: np.ndarray) -> str:
    """With every symbol at its own data's shape (matrix_check.py's binding), do the values agree?"""
    try:
        sizes = corpus.bind_sizes(shapes, binding, strict=False)
        got = np.asarray(corpus.Evaluator(binding, sizes, definitions, strict=False)(matrix), dtype=float)
    except Exception as exc:  # a report, not a verdict
        return f"with each symbol at its data's shape it cannot be evaluated ({type(exc).__name__})"
    if got.shape != expected_shape:
        return f"with each symbol at its data's shape it has shape {got.shape}, not {expected_shape}"
    err = corpus.relative_error(got.reshape(want.shape), want)
    return f"with each symbol at its data's shape the values {'agree' if err <= TOL else f'DISAGREE by {err:.3g}'}"


def _latex(m: sp.Basic) -> str:
    try:
        from symderiv.output.printing import latex
        return latex(m)
    except Exception:  # the printer is not what is tested here
        return sp.sstr(m)


def _index_check(entry, shapes: dict, binding: dict, want: np.ndarray) -> str:
    """The index form (`expanded`, free indices `index`) evaluated by symderiv's evaluate_index with
    this case's data, against the finite differences."""
    from symderiv.calculus.matrices.numeric import evaluate_index
    expr, free = entry.expanded, tuple(entry.index)
    if len(free) != want.ndim:
        return f"index WRONG: {len(free)} free indices for a variable of shape {want.shape}: {sp.sstr(expr)[:80]}"
    data: dict[str, np.ndarray] = {}
    for atom in expr.atoms(sp.Indexed):
        label = str(atom.base.label)
        name = corpus.resolve(label, len(atom.indices), binding)
        if name is not None:
            data[label] = np.asarray(binding[name], dtype=float)
    for m in expr.atoms(sp.MatrixSymbol):
        if m.name in binding:
            data[m.name] = np.asarray(binding[m.name], dtype=float)
    scalars = {k: float(v) for k, v in binding.items() if np.ndim(v) == 0}
    atoms = expr.atoms(sp.Indexed)
    indexed = {i for a in atoms for i in a.indices} | {a.base.label for a in atoms} | set(free)
    for s in expr.free_symbols - indexed:
        if isinstance(s, sp.Symbol) and s.name in binding and np.ndim(binding[s.name]) > 0:
            return f"index WRONG: reads {s.name} as a scalar; the data hold a {np.shape(binding[s.name])} array"
    try:
        sizes = corpus.bind_sizes(shapes, binding)
        _sum_sizes(expr, data, sizes)
        got = evaluate_index(expr, free, {sp.Symbol(k): v for k, v in sizes.items()}, data, scalars,
                             ranges={k: n for k, n in zip(free, want.shape, strict=True)})
    except corpus.ShapeMismatch as exc:  # the derivation's shapes are not the input's: it misread it
        return f"index WRONG: shapes the data do not have ({exc})"
    except Exception as exc:  # the evaluator is another module's; what it cannot read is recorded
        return f"index unchecked: {type(exc).__name__}: {_first_line(exc)[:110]}"
    err = corpus.relative_error(np.asarray(got, dtype=float).reshape(want.shape), want) \
        if np.size(got) == want.size else float("inf")
    return "index ok" if err <= TOL else f"index WRONG by {err:.3g}: {sp.sstr(expr)[:80]}"


def _sum_sizes(expr: sp.Basic, data: dict[str, np.ndarray], sizes: dict[str, int]) -> None:
    """A Σ's upper limit not in `shapes`: the length of the data axis its variable indexes."""
    for s in expr.atoms(sp.Sum):
        for var, _, hi in s.limits:
            if not isinstance(hi, sp.Symbol) or hi.name in sizes:
                continue
            for atom in s.function.atoms(sp.Indexed):
                label = str(atom.base.label)
                if label in data and var in atom.indices:
                    sizes[hi.name] = data[label].shape[list(atom.indices).index(var)]
                    break


# ---------------------------------------------------------------- the tests

IDS = list(CASES)


@pytest.mark.parametrize("case_id", IDS)
def test_matrix_form_agrees_with_finite_differences(case_id: str) -> None:
    o = outcome(case_id)
    assert o.failure is None, f"{case_id}: {CASES[case_id].latex}\n{o.failure}"


@pytest.mark.parametrize("case_id", IDS)
def test_index_form_agrees_with_finite_differences(case_id: str) -> None:
    o = outcome(case_id)
    assert o.index_failure is None, f"{case_id}: {CASES[case_id].latex}\n{o.index_failure}"


def test_the_corpus_is_large_and_well_formed() -> None:
    assert len(CASES) == len(corpus.CASES) >= MIN_CASES        # ids are unique
    for case in corpus.CASES:
        data, value = case.sample()
        assert case.wrt not in data, case.id
        assert value.ndim in (1, 2) and all(n >= 2 for n in value.shape), case.id
        grad = corpus.central_difference(case.loss, value, data)
        assert np.all(np.isfinite(grad)) and np.max(np.abs(grad)) > 0, case.id


def _handmade_forms() -> list[tuple[str, dict, tuple, tuple]]:
    """(case, shapes, (the textbook form, its definitions), (a wrong one, its definitions)), by hand."""
    n, d, k, m, c = sp.symbols("n d k m c", integer=True, positive=True)
    ms = sp.MatrixSymbol
    z = sp.Symbol("z")
    sig = sp.Lambda(z, 1 / (1 + sp.exp(-z)))
    exp = sp.Lambda(z, sp.exp(z))
    X, Xs, A, theta, y = ms("X", n, d), ms("X", d, d), ms("A", d, n), ms("theta", d, 1), ms("y", n, 1)
    yhat, W, Y, P = ms("yhat", n, 1), ms("W", c, d), ms("Y", n, c), ms("P", n, c)
    E = ElementwiseApplyFunction(exp, X * W.T)
    V, cc, Wm, b, x, yk = ms("V", k, m), ms("c", k, 1), ms("W", m, d), ms("b", m, 1), ms("x", d, 1), ms("y", k, 1)
    a, h, delta, delta_h = ms("a", m, 1), ms("h", m, 1), ms("delta", k, 1), ms("delta_h", m, 1)
    mlp = ((a, Wm * x + b), (h, ElementwiseApplyFunction(sig, a)), (delta, V * h + cc - yk),
           (delta_h, sp.HadamardProduct(V.T * delta, h, sp.OneMatrix(m, 1) - h)))
    yhat_def = ((yhat, ElementwiseApplyFunction(sig, X * theta)),)
    by_rows = ((P, sp.Inverse(DiagMatrix(E * sp.OneMatrix(c, 1))) * E),)
    by_columns = ((P, E * sp.Inverse(DiagMatrix(E.T * sp.OneMatrix(n, 1)))),)
    return [
        ("logdet", {"X": (d, d)}, (sp.Inverse(Xs.T), ()), (sp.Inverse(Xs), ())),   # X⁻¹: right for symmetric X only
        ("trace-AX", {"A": (d, n), "X": (n, d)}, (A.T, ()), (A, ())),              # A has the shape of Xᵀ
        ("seed-logistic", {"X": (n, d), "theta": (d, 1), "y": (n, 1)}, (X.T * (yhat - y), yhat_def),
         (X.T * (y - yhat), yhat_def)),
        ("softmax-index", {"X": (n, d), "W": (c, d), "Y": (n, c)}, ((P - Y).T * X, by_rows),
         ((P - Y).T * X, by_columns)),
        ("mlp-W", {"V": (k, m), "c": (k, 1), "W": (m, d), "b": (m, 1), "x": (d, 1), "y": (k, 1)},
         (delta_h * x.T, mlp), ((V.T * delta) * x.T, mlp)),                         # σ′ left out
    ]


@pytest.mark.parametrize("row", _handmade_forms(), ids=lambda r: r[0])
def test_the_check_tells_a_wrong_form_from_a_right_one(row) -> None:
    """The harness is not vacuous: the textbook form passes, a slip (a transpose, a sign, a missing
    σ′, a softmax normalised the wrong way) fails, at this corpus's data."""
    case_id, shapes, right, wrong = row
    case = CASES[case_id]
    data, value = case.sample()
    want = corpus.central_difference(case.loss, value, data)
    binding = {**data, case.wrt: value}
    assert check_matrix(*right, shapes, binding, want)[0] == "matrix ok"
    assert check_matrix(*wrong, shapes, binding, want)[0] != "matrix ok"


def test_a_stated_shape_the_data_do_not_have_is_not_ok() -> None:
    """Aᵀ(Ax − b) with A stated d×d, at a 5×3 A: right values, wrong shapes; reported as such."""
    case = CASES["least-squares-Ax-b"]
    data, value = case.sample()
    d = sp.Symbol("d", integer=True, positive=True)
    A, x, b = sp.MatrixSymbol("A", d, d), sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("b", d, 1)
    want = corpus.central_difference(case.loss, value, data)
    status, why = check_matrix(A.T * (A * x - b), (), {"A": (d, d), "x": (d, 1), "b": (d, 1)},
                               {**data, "x": value}, want)
    assert status == "matrix shapes wrong" and "values agree" in why


def _matrix_check_cases() -> list[tuple[str, tuple[str, ...], str]]:
    """(latex, where, wrt) of each case in matrix_check.py's CASES, read from its source (running
    it would run the checker)."""
    tree = ast.parse(MATRIX_CHECK.read_text(encoding="utf-8"))
    table = next(n.value for n in tree.body if isinstance(n, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "CASES" for t in n.targets))
    out = []
    for row in table.elts:
        latex, where, wrt = (ast.literal_eval(e) for e in row.elts[:3])
        out.append((latex, tuple(where), wrt))
    return out


@pytest.mark.skipif(not MATRIX_CHECK.exists(), reason=f"{MATRIX_CHECK} is not here")
def test_the_twelve_cases_of_matrix_check_are_in_the_corpus() -> None:
    ours = {(c.latex, c.where, c.wrt) for c in corpus.CASES}
    theirs = _matrix_check_cases()
    assert len(theirs) == 12
    assert [t for t in theirs if t not in ours] == []


def test_score() -> None:
    """The table (with -s), and the ratchet: at least MIN_MATRIX_OK cases have a checked matrix form."""
    rows = [(cid, outcome(cid)) for cid in IDS]
    width = max(len(cid) for cid in IDS)
    print(f"\n{'case':<{width}}  {'outcome':<19} {'index form':<16} {'s':>5}  detail")
    for cid, o in rows:
        index = o.index.split(":")[0].split(" by ")[0]
        detail = o.detail.splitlines()[0]
        if o.status == "index only" and o.index != "index ok":
            detail += f"; {o.index}"
        print(f"{cid:<{width}}  {o.status:<19} {index:<16} {o.seconds:5.2f}  {detail[:140]}")
    counts = {s: sum(o.status == s for _, o in rows) for s in ("matrix ok", "index only", "not read")}
    failing = len(rows) - sum(counts.values())
    index = {s: sum(o.index.startswith(s) for _, o in rows) for s in ("index ok", "index WRONG", "index unchecked")}
    print(f"\nmatrix ok {counts['matrix ok']} / index only {counts['index only']} / not read {counts['not read']}"
          f" / matrix form failing {failing}, of {len(rows)} cases; index forms of those read: "
          + ", ".join(f"{k.split()[1]} {v}" for k, v in index.items()))
    assert counts["matrix ok"] >= MIN_MATRIX_OK

"""Convexity — proved, not guessed.

"convex" is only said with a proof (a constant PSD Hessian, the composition rules, principal minors
whose sign is proved, or the Gram form XᵀSX of a sum of per-sample losses), and "not convex" only with
a witness: a point and a direction of negative curvature. Otherwise: "undecided".
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symderiv.analysis.classify import exact_eigenvalues, sign
from symderiv.analysis.composition import composition_proof
from symderiv.analysis.numeric import NumericFunction, call, lambdify, sample_points
from symderiv.analysis.objective import SampleSum, generic_g
from symderiv.analysis.results import Convexity, Direction, Equals, Listing, Minors, Phrase, Point, SigmoidForm
from symderiv.analysis.signs import prove_nonnegative
from symderiv.calculus.differentiate import diff
from symderiv.core.errors import TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.ml.functions import sigmoid, to_elementary

Sample = tuple[float, np.ndarray, np.ndarray]  # (curvature vᵀHv, point, direction v)
ExactSample = tuple[sp.Basic, tuple[sp.Rational, ...], tuple[int, ...]]  # the same, exact and simple
SIMPLE_VALUES = tuple(sp.Rational(v) for v in ("0", "1", "-1", "2", "-2", "1/2", "-1/2", "3", "-3"))


def convexity(f: sp.Basic, xs: Sequence[sp.Symbol], timeout: float = 5.0) -> Convexity:
    """Convex / concave with a proof, neither with two witnesses, else undecided (honestly)."""
    xs = list(xs)
    names = [str(x) for x in xs]
    fe = to_elementary(f)
    h = sp.Matrix([[diff(fe, a, b) for b in xs] for a in xs])
    const = _constant_hessian(h)
    if const is not None:
        return const
    hess_fn = lambdify(xs, h)
    curv = _sample_curvature(hess_fn, len(xs))
    neg = _simple_witness(h, xs, hess_fn, -1) or curv.most_negative
    pos = _simple_witness(h, xs, hess_fn, 1) or curv.most_positive
    if neg and pos and len(xs) == 1:
        params: tuple[tuple[str, object], ...] = (("x1", _coordinate(neg[1][0])), ("c1", neg[0]),
                                                   ("x2", _coordinate(pos[1][0])), ("c2", pos[0]))
        return Convexity("neither", Phrase("neither_1d", params),
                         {"negative": _witness_entry(names, neg), "positive": _witness_entry(names, pos)})
    if neg and pos:
        params = _witness_params(names, neg, "1") + _witness_params(names, pos, "2")
        return Convexity("neither", Phrase("neither", params),
                         {"negative": _witness_entry(names, neg), "positive": _witness_entry(names, pos)})
    senses = [s for s, refuted in (("convex", neg), ("concave", pos)) if not refuted]
    comp = composition_proof(f, xs) if senses else None
    for sense in senses:
        if comp is not None and comp.verdict == sense:
            return comp
        proof = _minors_proof(h, xs, sense, timeout)
        if proof is not None:
            return proof
    k = ("k", curv.samples)
    if len(xs) == 1 and (neg or pos):
        sample, key, tag = (neg, "not_convex_1d", "1") if neg else (pos, "not_concave_1d", "2")
        assert sample is not None
        return Convexity("undecided", Phrase(key, ((f"x{tag}", _coordinate(sample[1][0])), (f"c{tag}", sample[0]), k)),
                         {"negative" if neg else "positive": _witness_entry(names, sample)})
    if neg:
        return Convexity("undecided", Phrase("not_convex", (*_witness_params(names, neg, "1"), k)),
                         {"negative": _witness_entry(names, neg)})
    if pos:
        return Convexity("undecided", Phrase("not_concave", (*_witness_params(names, pos, "2"), k)),
                         {"positive": _witness_entry(names, pos)})
    return Convexity("undecided", Phrase("no_evidence", (k,)), None)


def _constant_hessian(h: sp.Matrix) -> Convexity | None:
    if h.free_symbols:
        return None
    if h.is_zero_matrix:
        return Convexity("convex", Phrase("const_zero"), {"hessian": [[0] * h.cols] * h.rows})
    evs = exact_eigenvalues(h, 2.0)
    if evs is None:
        return None
    signs = [sign(e, 1.0) for e in evs]
    witness = {"hessian": [[str(v) for v in row] for row in h.tolist()], "eigenvalues": [str(e) for e in evs]}
    for verdict, ok, strict, rel in (("convex", all(s >= 0 for s in signs), all(s > 0 for s in signs), "≥"),
                                     ("concave", all(s <= 0 for s in signs), all(s < 0 for s in signs), "≤")):
        if ok:
            semi = Phrase(f"semi_{verdict}" + ("_strict" if strict else ""))
            rel = rel.replace("≥", ">").replace("≤", "<") if strict else rel
            return Convexity(verdict, Phrase("const", (("H", h), ("ev", Listing(evs)), ("rel", rel), ("semi", semi))),
                             witness)
    return None  # indefinite: the sampled witness says "neither" with a point and direction


def _principal_minors(h: sp.Matrix) -> list[tuple[tuple[int, ...], sp.Basic]]:
    n = h.rows
    return [(idx, h.extract(list(idx), list(idx)).det())
            for k in range(1, n + 1) for idx in itertools.combinations(range(n), k)]


def _minors_proof(h: sp.Matrix, xs: Sequence[sp.Symbol], sense: str, timeout: float) -> Convexity | None:
    """PSD everywhere ⇔ every principal minor ≥ 0 everywhere; each sign must be proved."""
    if h.rows > 3:
        return None
    m = h if sense == "convex" else -h
    proved = []
    try:
        with time_limit(timeout, "principal minors"):
            for idx, minor in _principal_minors(m):
                res = prove_nonnegative(minor, timeout=max(0.5, timeout / 4))
                if res is None:
                    return None
                proved.append((idx, res))
    except TimeLimitError:
        return None
    hows = list(dict.fromkeys(res[1].key for _, res in proved))
    how = Phrase(hows[0]) if len(hows) == 1 and hows[0] != "how_factored" else proved[-1][1][1]
    if h.rows == 1:
        rel = "≥" if sense == "convex" else "≤"
        form = proved[0][1][0] if sense == "convex" else -proved[0][1][0]
        return Convexity(sense, Phrase("second", (("x", xs[0]), ("f2", form), ("rel", rel), ("how", how))),
                         {"second_derivative": str(h[0, 0])})
    names = [str(x) for x in xs]
    minors = tuple((tuple(names[i] for i in idx), res[0]) for idx, res in proved)
    key = "minors" if sense == "convex" else "minors_neg"
    return Convexity(sense, Phrase(key, (("rel", "≥"), ("how", how), ("minors", Minors(minors)))),
                     {"principal_minors": {",".join(at): str(form) for at, form in minors}})


@dataclass(frozen=True)
class _Curvature:
    """Extreme curvatures seen at sampled points: (value, point, direction) or None."""

    most_negative: Sample | None
    most_positive: Sample | None
    samples: int


def _sample_curvature(hess_fn: NumericFunction, n: int) -> _Curvature:
    rng = np.random.default_rng(1)
    neg: Sample | None = None
    pos: Sample | None = None
    count = 0
    for p in sample_points(n, rng):
        h = call(hess_fn, p)
        if h is None:
            continue
        h = h.reshape(n, n)
        count += 1
        w, v = np.linalg.eigh((h + h.T) / 2)
        tol = 1e-8 * max(1.0, float(np.max(np.abs(w))))
        if w[0] < -tol and (neg is None or w[0] < neg[0]):
            neg = (float(w[0]), p, v[:, 0])
        if w[-1] > tol and (pos is None or w[-1] > pos[0]):
            pos = (float(w[-1]), p, v[:, -1])
    return _Curvature(neg, pos, count)


def _simple_witness(h: sp.Matrix, xs: Sequence[sp.Symbol], hess_fn: NumericFunction, want: int
                    ) -> ExactSample | None:
    """A witness a learner can check by hand: a point of small integers or halves and a direction
    e_j or e_j ± e_k where vᵀHv has the sign `want` (−1, +1) — confirmed exactly, not in floats."""
    n = len(xs)
    values = SIMPLE_VALUES if n <= 3 else SIMPLE_VALUES[:3]
    points = sorted(itertools.product(values, repeat=n), key=lambda p: sum(abs(v) + v.q - 1 for v in p))
    eye = np.eye(n, dtype=int)
    dirs = [eye[j] for j in range(n)] + [eye[j] + s * eye[k] for j in range(n) for k in range(j + 1, n)
                                          for s in (1, -1)]
    for p in points[:800]:
        hn = call(hess_fn, [float(v) for v in p])
        if hn is None:
            continue
        hn = hn.reshape(n, n)
        for d in dirs:
            if want * float(d @ hn @ d) <= 1e-9:
                continue
            v = sp.Matrix([int(c) for c in d])
            exact = (v.T * h.xreplace(dict(zip(xs, p, strict=True))) * v)[0]
            try:
                value = complex(exact.evalf())
            except TypeError:  # δ(0) at a kink, or a symbol left: no exact value to show there
                continue
            if exact.is_finite is not False and abs(value.imag) < 1e-12 and want * value.real > 1e-12:
                return (exact, tuple(p), tuple(int(c) for c in d))
    return None


def _coordinate(v: object) -> object:
    return v if isinstance(v, sp.Basic) else float(v)  # type: ignore[arg-type]


def _witness_entry(names: Sequence[str], sample: Sample | ExactSample) -> dict[str, object]:
    value, point, direction = sample
    value = float(value)
    return {"point": {n: float(v) for n, v in zip(names, point, strict=True)},
            "direction": {n: float(v) for n, v in zip(names, direction, strict=True)}, "curvature": value}


def _witness_params(names: Sequence[str], sample: Sample | ExactSample, tag: str
                    ) -> tuple[tuple[str, object], ...]:
    value, point, direction = sample
    return ((f"p{tag}", Point(tuple(names), tuple(v if isinstance(v, sp.Basic) else float(v) for v in point))),
            (f"d{tag}", Direction(tuple(float(v) for v in direction))),
            (f"c{tag}", value))


# ------------------------------------------------------------------ sums over samples: XᵀSX

def sample_sum_convexity(ss: SampleSum, timeout: float = 5.0) -> Convexity:
    """H = Σ_i g''(z_i) a_i a_iᵀ: convex for every data set when g'' ≥ 0 is proved (dually concave);
    g'' of both signs means the curvature depends on the data."""
    g = generic_g(ss)
    g2 = simplest(diff(g, ss.z, 2), timeout / 2)
    params = (("z", ss), ("g", g), ("g2", textbook_form(g2, ss.z)))
    logistic = isinstance(params[2][1], SigmoidForm) and params[2][1].label is None and not ss.biases \
        and ss.theta_coeff == 1 and ss.offset == 0
    for sense, e, rel in (("convex", g2, "≥"), ("concave", -g2, "≤")):
        res = prove_nonnegative(e, timeout / 2)
        if res is not None and logistic and sense == "convex":
            return Convexity(sense, Phrase("gram_sigmoid", params),
                             {"g''": str(g2), "form": "X^T S X", "S": "diag(ŷ_i(1 − ŷ_i))"})
        if res is not None:
            return Convexity(sense, Phrase("gram", (*params, ("rel", rel), ("how", res[1]))),
                             {"g''": str(g2), "form": "X^T S X", "S": "diag(g''(z_i))"})
    others = sorted(g2.free_symbols - {ss.z}, key=str)
    fn = lambdify([ss.z, *others], g2)
    vals: dict[float, tuple[float, float]] = {}
    for zz in np.linspace(-4, 4, 17):
        for yy in (0.0, 1.0, 0.5):
            v = call(fn, [zz] + [yy] * len(others))
            if v is not None:
                vals.setdefault(np.sign(round(float(v), 12)), (zz, float(v)))
    if 1.0 in vals and -1.0 in vals:
        (z1, v1), (z2, v2) = vals[-1.0], vals[1.0]
        return Convexity("neither", Phrase("gram_neither", (("g2", g2), ("z1", Equals("z", float(z1))), ("v1", v1),
                                                            ("z2", Equals("z", float(z2))), ("v2", v2))),
                         {"g''": str(g2), "negative_at": {"z": z1, "value": v1}, "positive_at": {"z": z2, "value": v2}})
    return Convexity("undecided", Phrase("no_evidence", (("k", len(vals)),)), None)


SAFETY_S = 10.0           # seconds: a guard against a pathological case, not a budget
SIMPLEST_MAX_OPS = 60     # larger expressions are shown as derived: the work depends on size, never on the clock


def simplest(e: sp.Basic, timeout: float = 2.0) -> sp.Basic:
    """The form of e with the fewest operations among e, factor(cancel(e)), factor(simplify(e)).

    Whether the search runs is decided by e's size, so the form printed never depends on how loaded
    the machine is (a page re-run must be byte-identical); the time limit, at least SAFETY_S, is only
    a guard, and the command's own limit bounds the whole."""
    if sp.count_ops(e) > SIMPLEST_MAX_OPS:
        return e
    try:
        with time_limit(max(timeout, SAFETY_S), "simplifying"):
            cands = [e, sp.factor(sp.cancel(e))]
            # a rational function factors to one canonical form whatever simplify made of it first:
            # factor(simplify(e)) would be factor(cancel(e)) again (and its first call costs an import)
            if not e.is_rational_function():
                with contextlib.suppress(NotImplementedError, TypeError):
                    cands.append(sp.factor(sp.simplify(e)))
    except TimeLimitError:
        return e
    return min(cands, key=sp.count_ops)


def textbook_form(e: sp.Basic, z: sp.Symbol) -> sp.Basic | SigmoidForm:
    """The familiar g'' = σ(z)(1 − σ(z)) and g' = σ(z) − y recognised (printed as a textbook does), else e."""
    sz = sigmoid(z)
    forms: list[tuple[sp.Basic, SigmoidForm]] = [(sz * (1 - sz), SigmoidForm(z))]
    forms += [(sz - y, SigmoidForm(z, y)) for y in sorted(e.free_symbols - {z}, key=str)]
    for form, shown in forms:
        try:
            if sp.cancel(to_elementary(e - form)) == 0:
                return shown
        except (TypeError, ValueError, sp.PolynomialError):
            continue
    return e

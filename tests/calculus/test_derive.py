"""symderiv.derive, checked against oracles over a corpus (tests/data/derive_corpus.json).

Each corpus row is `{latex, where, wrt, hessian, kind, ranges?}`. For every row:
- every gradient and Hessian entry equals `sympy.diff` of the expanded problem (definitions
  substituted, ML functions made elementary) and a central finite difference, at random points;
  index forms are checked after instantiating the sizes (n = 3, d = 2, K = 3) entry by entry;
- every step of every rule tree is an identity: `eval()` equals `sympy.diff(expr, var)`;
- the Hessian is symmetric and is built on the gradient's result.
Points are drawn in `ranges` (by name, `x` also covering `x_1`; default [0.2, 0.9]), never within
0.05 of zero (kinks of |x|, ReLU).
"""
from __future__ import annotations

import itertools
import json
import math
import random
from functools import cache
from pathlib import Path

import pytest
import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.engine import ChainThroughRule, derive
from symderiv.ml.functions import sigmoid, to_elementary

DATA = Path(__file__).parents[1] / "data"
CORPUS = json.loads((DATA / "derive_corpus.json").read_text(encoding="utf-8"))
KINDS = ("scalar", "multivariable", "indexed", "vector", "piecewise")

SIZES = {"n": 3, "d": 2, "K": 3}      # other size symbols: 2
INDEX_VALUES = (1, 2)                  # free indices (i, k, l, …) run over these
PREC = 40                              # digits for the numeric comparisons
TOL = sp.Float("1e-20", PREC)
FD_H = sp.Float("1e-12", PREC)         # central difference step (first derivatives)
FD_H2 = sp.Float("1e-9", PREC)         # (second derivatives)
FD_TOL = 1e-9
POINTS = 3


def _case_id(row):
    return f"{row['kind']}:{row['latex'][:40]}|{row['wrt']}"


@cache
def derivation(n: int):
    row = CORPUS[n]
    return derive(row["latex"], wrt=row["wrt"], hessian=row["hessian"], where=tuple(row["where"]))


CASES = [pytest.param(n, id=_case_id(row)) for n, row in enumerate(CORPUS)]


# --------------------------------------------------------------------------- instantiation
class Oracle:
    """Expands definitions, instantiates sizes and indices, draws points and evaluates."""

    def __init__(self, definitions, ranges=None, seed=0):
        self.definitions = tuple(definitions)
        self.ranges = ranges or {}
        self.rng = random.Random(seed)

    def expand(self, expr, held=False):
        if held:
            return expr
        for _ in range(len(self.definitions) + 1):
            before = expr
            for d in self.definitions:
                expr = d.substitute(expr)
            if expr == before:
                break
        return to_elementary(expr)

    @staticmethod
    def sizes_of(*exprs):
        out = {}
        for e in exprs:
            for s in e.free_symbols:
                if isinstance(s, sp.Symbol) and s.is_integer and s.is_positive:
                    out[s] = SIZES.get(s.name, 2)
        return out

    @staticmethod
    def free_indices(*exprs):
        out = set()
        for e in exprs:
            for s in e.free_symbols:
                if isinstance(s, sp.Symbol) and s.is_integer and not s.is_positive:
                    out.add(s)
        return sorted(out, key=lambda s: s.name)

    def instances(self, *exprs):
        """Every assignment of the sizes and of the free indices: a list of substitution dicts."""
        sizes = self.sizes_of(*exprs)
        idx = self.free_indices(*exprs)
        return [{**sizes, **dict(zip(idx, values, strict=True))}
                for values in itertools.product(INDEX_VALUES, repeat=len(idx))]

    @staticmethod
    def instantiate(expr, subs):
        e = expr.subs({k: sp.Integer(v) for k, v in subs.items()}, simultaneous=True)  # bound indices stay
        return e.doit() if e.has(sp.Sum, sp.Derivative, sp.KroneckerDelta) else e

    def point(self, *exprs):
        """Random values for every scalar symbol and Indexed entry of exprs."""
        atoms = set()
        for e in exprs:
            atoms |= e.atoms(sp.Indexed)
            labels = {a.base.label for a in e.atoms(sp.Indexed)}
            atoms |= {s for s in e.free_symbols if isinstance(s, sp.Symbol) and s not in labels}
        values = {}
        for a in sorted(atoms, key=sp.default_sort_key):
            name = str(a.base.label) if isinstance(a, sp.Indexed) else a.name
            if name == "pi":
                continue
            lo, hi = self.ranges.get(name, self.ranges.get(name.split("_")[0], (0.2, 0.9)))
            while True:
                v = self.rng.uniform(lo, hi)
                if abs(v) >= 0.05:
                    break
            values[a] = sp.Float(v, PREC)
        return values

    @staticmethod
    def value(expr, values):
        v = sp.N(expr.xreplace(values), PREC)
        assert not v.free_symbols, f"not a number after substitution: {v}"
        re, im = v.as_real_imag()
        assert abs(im) <= TOL * max(1, abs(re)), f"complex value {v}"
        return sp.Float(re, PREC)


def close(a, b, tol):
    return abs(a - b) <= tol * max(1, abs(a), abs(b))


def _row_oracle(n, seed=0):
    row = CORPUS[n]
    ranges = {k: tuple(v) for k, v in row.get("ranges", {}).items()}
    return Oracle(derivation(n).intermediates, ranges, seed=seed)


def _entries(entry_expr, wrt_atoms, oracle, f):
    """(instantiated claim, instantiated f, concrete variables) for each index assignment."""
    for subs in oracle.instances(entry_expr, f, *wrt_atoms):
        claim = oracle.instantiate(entry_expr, subs)
        concrete = tuple(oracle.instantiate(w, subs) for w in wrt_atoms)
        yield claim, oracle.instantiate(f, subs), concrete


# --------------------------------------------------------------------------- the corpus
def test_corpus_size_and_kinds():
    assert len(CORPUS) >= 60
    for kind in KINDS:
        assert sum(r["kind"] == kind for r in CORPUS) >= 8, kind
    for row in CORPUS:
        assert set(row) <= {"latex", "where", "wrt", "hessian", "kind", "ranges", "note"}
        assert row["kind"] in KINDS


# --------------------------------------------------------------------------- 1. oracles
@pytest.mark.parametrize("n", CASES)
def test_gradient_equals_sympy_diff_and_finite_difference(n):
    d = derivation(n)
    oracle = _row_oracle(n, seed=n)
    f = oracle.expand(d.problem.expanded())
    for g in d.gradient:
        # the textbook result, its expansion and the raw tree value are one and the same derivative
        for form in (g.expanded, oracle.expand(g.result), oracle.expand(g.raw)):
            for claim, f_i, (var,) in _entries(form, (g.wrt,), oracle, f):
                truth = sp.diff(f_i, var)
                for _ in range(POINTS):
                    pt = oracle.point(claim, f_i, var)
                    c = oracle.value(claim, pt)
                    assert close(c, oracle.value(truth, pt), TOL), (g.variable, claim, truth, pt)
                    x = pt[var]
                    fd = (oracle.value(f_i, {**pt, var: x + FD_H})
                          - oracle.value(f_i, {**pt, var: x - FD_H})) / (2 * FD_H)
                    assert close(c, fd, FD_TOL), (g.variable, c, fd, pt)


HESSIAN_CASES = [p for p in CASES if CORPUS[p.values[0]]["hessian"]]


@pytest.mark.parametrize("n", HESSIAN_CASES)
def test_hessian_equals_sympy_diff_and_finite_difference(n):
    d = derivation(n)
    oracle = _row_oracle(n, seed=1000 + n)
    f = oracle.expand(d.problem.expanded())
    for a, row in enumerate(d.hessian):
        for b, h in enumerate(row):
            if b < a:
                continue
            wrt = (d.gradient[a].wrt, h.wrt)
            for claim, f_i, (va, vb) in _entries(h.expanded, wrt, oracle, f):
                truth = sp.diff(f_i, va, vb)
                for _ in range(2):
                    pt = oracle.point(claim, f_i, va, vb)
                    c = oracle.value(claim, pt)
                    assert close(c, oracle.value(truth, pt), TOL), (a, b, claim, truth, pt)

                    fd = sum(sa * sb * _shifted(oracle, f_i, pt, (va, sa), (vb, sb))
                             for sa in (1, -1) for sb in (1, -1)) / (4 * FD_H2 ** 2)
                    assert close(c, fd, FD_TOL), (a, b, c, fd, pt)


def _shifted(oracle, f, pt, *moves):
    """f at pt with each (variable, sign) moved by sign·FD_H2 (a variable may move twice)."""
    p = dict(pt)
    for var, sign in moves:
        p[var] = p[var] + sign * FD_H2
    return oracle.value(f, p)


# --------------------------------------------------------------------------- 3. Hessian shape
@pytest.mark.parametrize("n", HESSIAN_CASES)
def test_hessian_is_symmetric_and_built_on_the_gradient(n):
    d = derivation(n)
    assert len(d.hessian) == len(d.gradient)
    for a, row in enumerate(d.hessian):
        assert len(row) == len(d.gradient)
        for b, h in enumerate(row):
            # ∂/∂v_b of the gradient's textbook result (the lower triangle reuses the upper one)
            source = d.gradient[min(a, b)]
            assert h.step.expr == source.result
            assert h.step is d.hessian[b][a].step or a == b   # one tree serves both (relabelled)
    oracle = _row_oracle(n, seed=2000 + n)
    for a, row in enumerate(d.hessian):
        for b, h in enumerate(row):
            if b <= a:
                continue
            # entry (a, b) at indices (k, l) equals entry (b, a) at indices (l, k)
            ga, gb = d.gradient[a], d.gradient[b]
            hab = h.expanded
            hba = d.hessian[b][a].expanded
            swap = {}
            if ga.index and gb.index:
                swap = {ga.wrt.indices[0]: h.wrt.indices[0], h.wrt.indices[0]: ga.wrt.indices[0]}
            hba = hba.xreplace(swap)
            for subs in oracle.instances(hab, hba):
                x, y = oracle.instantiate(hab, subs), oracle.instantiate(hba, subs)
                pt = oracle.point(x, y)
                assert close(oracle.value(x, pt), oracle.value(y, pt), TOL)
    if len(d.gradient) == 1 and d.gradient[0].index:
        # one vector variable: H_kl = H_lk entry by entry
        h = d.hessian[0][0]
        k, l_ = d.gradient[0].wrt.indices[0], h.wrt.indices[0]
        swapped = h.expanded.xreplace({k: l_, l_: k})
        for subs in oracle.instances(h.expanded):
            x, y = oracle.instantiate(h.expanded, subs), oracle.instantiate(swapped, subs)
            pt = oracle.point(x, y)
            assert close(oracle.value(x, pt), oracle.value(y, pt), TOL)


# --------------------------------------------------------------------------- 2. every step
def held_walk(rule, held=False, definitions=()):
    """(step, held) for every step; `held`: the intermediates are independent symbols there
    (inside ∂f/∂ŷ links, the direct part of a chain through names, and any step whose var is an
    intermediate)."""
    targets = held or any(d.matches(rule.var) for d in definitions)
    yield rule, targets
    if isinstance(rule, ChainThroughRule):
        for _, outer, inner in rule.links:
            yield from held_walk(outer, True, definitions)
            yield from held_walk(inner, targets, definitions)
        if rule.direct is not None:
            yield from held_walk(rule.direct, True, definitions)
        return
    for s in rule.substeps:
        if s is not None:
            yield from held_walk(s, targets, definitions)


def check_step(step, held, oracle):
    lhs_expr = oracle.expand(step.expr, held)
    rhs_expr = oracle.expand(step.eval(), held)
    var = step.var
    for subs in oracle.instances(lhs_expr, rhs_expr, var):
        v = oracle.instantiate(var, subs)
        lhs = sp.diff(oracle.instantiate(lhs_expr, subs), v)
        rhs = oracle.instantiate(rhs_expr, subs)
        pt = oracle.point(lhs, rhs, v)
        assert close(oracle.value(rhs, pt), oracle.value(lhs, pt), TOL), (type(step).__name__, step.expr, var)


def all_trees(d):
    trees = [g.step for g in d.gradient]
    if d.hessian:
        trees += [h.step for a, row in enumerate(d.hessian) for b, h in enumerate(row) if b >= a]
    return trees


@pytest.mark.parametrize("n", CASES)
def test_every_step_is_an_identity(n):
    d = derivation(n)
    oracle = _row_oracle(n, seed=3000 + n)
    count = 0
    for tree in all_trees(d):
        seen = set()
        for step, held in held_walk(tree, definitions=d.intermediates):
            if (step, held) in seen:
                continue
            seen.add((step, held))
            assert isinstance(step, R.Rule)
            check_step(step, held, oracle)
            count += 1
    assert count >= len(d.gradient)


def test_raw_and_result_agree_with_the_step_tree():
    d = derivation(0)
    for g in d.gradient:
        assert g.raw == g.step.eval()


# --------------------------------------------------------------------------- 5, 6. piecewise, fallback
PIECEWISE_UNDEFINED = [r"\max(0, x)", r"|x|", r"\operatorname{ReLU}(x)"]


@pytest.mark.parametrize("latex", PIECEWISE_UNDEFINED)
def test_piecewise_derivative_states_the_undefined_point(latex):
    d = derive(latex)
    x = sp.Symbol("x", real=True)
    g = d.gradient[0]
    assert isinstance(g.result, sp.Piecewise)
    pw = [s for s in g.step.walk() if isinstance(s, R.PiecewiseRule)]
    assert pw and pw[0].undefined == ((x, 0),)
    assert g.result.subs(x, 2) in (1,)
    assert g.result.subs(x, -2) in ((-1,) if latex == "|x|" else (0,))


def test_piecewise_through_a_chain_states_the_inner_point():
    d = derive(r"\max(0, w x + b)", wrt="w")
    pw = [s for s in d.gradient[0].step.walk() if isinstance(s, R.PiecewiseRule)]
    assert len(pw) == 1 and len(pw[0].undefined) == 1
    u, at = pw[0].undefined[0]
    assert at == 0 and u == pw[0].var


def test_fallback_is_visible_and_correct():
    d = derive("x!")
    x = sp.Symbol("x", real=True)
    keys = [s.key for s in d.gradient[0].step.walk()]
    assert "fallback" in keys
    from symderiv.output.contract import derivation_json
    steps = derivation_json(d)["steps"]
    assert steps[0]["rule"] == "fallback"
    truth = sp.diff(sp.factorial(x), x)
    for v in (0.3, 1.7, 2.5):
        assert close(sp.N(d.gradient[0].expanded.subs(x, v), 30), sp.N(truth.subs(x, v), 30), TOL)


def test_fallback_inside_a_chain_keeps_the_rest_of_the_tree():
    d = derive(r"\log(x!)")
    keys = [s.key for s in d.gradient[0].step.walk()]
    assert "fallback" in keys and ("chain" in keys or "log" in keys)


# --------------------------------------------------------------------------- regressions
def test_a_bound_index_named_like_the_free_index_is_renamed():
    """Σ_k θ_k³ by θ_k (and the Hessian's θ_l inside z_i = Σ_l θ_l x_il) once confused the bound
    summation index with the variable's free index: ∂/∂θ_k Σ_k θ_k³ came out as 3 Σ_k θ_k²."""
    d = derive(r"\sum_{k=1}^{d} \theta_k^3", wrt="theta", hessian=True)
    theta, k, l_ = sp.IndexedBase(sp.Symbol("theta", real=True)), sp.Symbol("k", integer=True), sp.Symbol(
        "l", integer=True)
    assert d.gradient[0].result == 3 * theta[k] ** 2
    assert d.hessian[0][0].result == 6 * theta[k] * sp.KroneckerDelta(k, l_)
    ridge = derive(r"-\sum_{i=1}^{n} \left[y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)\right]"
                   r" + \lambda\|\theta\|^2", wrt="theta", hessian=True,
                   where=[r"\hat{y}_i = \sigma(\theta^T x_i)"])
    h = ridge.hessian[0][0].result
    inner = [s for s in h.atoms(sp.Sum) if s.limits[0][0] == sp.Symbol("i", integer=True)]
    assert inner and not inner[0].function.has(sp.Sum)     # x_il, not x_ik Σ_j x_ij


def test_max_outer_step_differentiates_max_itself():
    """The outer step of max(0, u) once held Max(u) = u, so its rule did not match its expression."""
    d = derive(r"\max(0, x)")
    pw = next(s for s in d.gradient[0].step.walk() if isinstance(s, R.PiecewiseRule))
    assert pw.expr == sp.Max(0, sp.Symbol("x", real=True))


def test_log_sum_exp_is_not_taken_for_a_sigmoid():
    """(Σ_j e^{x_j})^{-1} is no written-out σ: the softmax stays a ratio of exponentials."""
    d = derive(r"\log(e^{x_1} + e^{x_2} + e^{x_3})", wrt="x_1,x_2,x_3")
    assert not any(g.result.has(sigmoid) for g in d.gradient)


def test_large_hessians_skip_the_expensive_canonical_forms():
    """12 variables (more than simplify.BIG_GENERATORS): the dense Hessian with every step tree is
    built in well under a second (the full cancel/factor path took minutes from n = 20 on)."""
    import time
    xs = [f"x_{{{i}}}" for i in range(1, 13)]
    latex = r"\log(" + " + ".join(f"e^{{{x}}}" for x in xs) + ") + " + " + ".join(f"{x}^2" for x in xs)
    start = time.perf_counter()
    d = derive(latex, wrt=",".join(f"x_{i}" for i in range(1, 13)), hessian=True)
    assert time.perf_counter() - start < 10
    x1, x2 = sp.Symbol("x_1", real=True), sp.Symbol("x_2", real=True)
    total = sum(sp.exp(sp.Symbol(f"x_{i}", real=True)) for i in range(1, 13))
    assert sp.simplify(d.hessian[0][1].result + sp.exp(x1) * sp.exp(x2) / total ** 2) == 0


def test_a_product_over_the_index_of_a_defined_intermediate_is_refused_not_wrong():
    """∏_i p_i^{y_i} with p_k = softmax(z)_k: SymPy's derivative of the product would take every p_i
    for the one differentiated by (a result with a free i); symderiv refuses with what works instead,
    and the sum of logs it points to is derived."""
    from symderiv.calculus.engine import derive as derive_problem
    from symderiv.core.errors import DeriveError
    from symderiv.parsing.parser import parse

    where = [r"p_k = \frac{\exp(z_k)}{\sum_{j} \exp(z_j)}"]
    with pytest.raises(DeriveError, match=r"product over i of the defined p_i.*Σ_i log a_i"):
        derive_problem(parse(r"\prod_{i=1}^{n} p_i^{y_i}", where), wrt=["z"])
    d = derive_problem(parse(r"\sum_{i=1}^{n} y_i \log p_i", where), wrt=["z"])
    free = d.gradient[0].result.free_symbols
    assert sp.Symbol("i", integer=True) not in free


def test_a_product_of_the_variable_itself_keeps_sympys_derivative():
    """Without definitions the product's derivative by y_k is SymPy's, and right at a point."""
    from symderiv.calculus.engine import derive as derive_problem
    from symderiv.parsing.parser import parse

    d = derive_problem(parse(r"\prod_{i=1}^{3} p_i^{y_i}"), wrt=["y"])
    g = d.gradient[0]
    values = {"p": [0.2, 0.5, 0.3], "y": [1.0, 2.0, 0.5]}
    point = {sp.Indexed(b, i): v[i - 1] for b, v in (("p", values["p"]), ("y", values["y"])) for i in (1, 2, 3)}
    want = math.prod(p ** y for p, y in zip(values["p"], values["y"], strict=True)) * math.log(0.5)
    got = g.result.subs(g.index[0], 2).doit()
    got = got.xreplace({a: point[sp.Indexed(str(a.base.label), int(a.indices[0]))] for a in got.atoms(sp.Indexed)})
    assert abs(float(got) - want) < 1e-12


@pytest.mark.parametrize(("latex", "where", "wrt"), [
    (r"\log \sum_{j=1}^{K} e^{z_j}", r"z_j = w_j^T x", "x"),
    (r"\|w\|", r"w = A y", "y"),
    (r"\sqrt{\sum_{j=1}^{d} w_j^2}", r"w = A y", "y"),
    (r"\log(1 + \sum_{j=1}^{d} w_j^2)", r"w = A y", "y"),
    (r"p_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}", r"z_j = w_j^T x", "x"),
    (r"\|w\|", r"w = (X^\top X + \lambda I)^{-1} X^\top y", "y"),
])
def test_a_function_of_a_sum_over_a_defined_intermediate_is_not_zero(latex, where, wrt):
    """log Σ_j e^{z_j} with z_j = w_jᵀx: the z_j under the sum's own index is a whole family. Chaining
    through it as one value held against the others gave 0; the derivative now moves into the sum.
    Checked by verify (sympy.diff of the substituted function at random points), not by the engine."""
    from symderiv.calculus.engine import derive as derive_problem
    from symderiv.check.verify import verify
    from symderiv.parsing.parser import parse

    d = derive_problem(parse(latex, [where]), wrt=[wrt])
    g = d.gradient[0]
    assert g.result != 0
    assert verify(d.problem, g.variable, g.expanded).verdict == "correct"

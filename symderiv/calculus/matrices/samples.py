"""Hessians that are sums over the samples: Σ_i c_i · A_i ⊗ B_i, each block read with i held fixed.

Softmax regression's ∂²L/∂W_kj∂W_lm = Σ_i (Σ_q y_iq)(p_ik δ_kl − p_ik p_il) x_ij x_im does not split
into a (k, l) part times a (j, m) part — the sample i ties them — but its summand does, for each i:
A_i = diag(p_i) − p_i p_iᵀ and B_i = x_i x_iᵀ, where x_i is the i-th row of X as a column
(`SampleRow(X, i)`). The translator reads an entry X_ip with i held fixed as entry p of x_i; the
whole sum is a `SampleSum` over i, which numeric.py evaluates sample by sample, so the form is
checked against the index form like every other.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from symderiv.calculus.matrices.tidy import is_exp, softmax_rows
from symderiv.calculus.matrices.translate import NotTranslatable, SampleRow


@dataclass(frozen=True)
class SampleTerm:
    """weight_i · left_i · right_i summed over i = 1..size: left on (k, l), right on (j, m)."""

    sample: sp.Symbol
    size: sp.Basic
    weight: sp.Expr
    left: sp.Expr
    right: sp.Expr


def sample_terms(s: sp.Sum, left: tuple[sp.Basic, ...], right: tuple[sp.Basic, ...], variable: str) -> list[SampleTerm]:
    """Σ_{i,q} c·a·b, whose summand splits into a (k, l) part and a (j, m) part for each i, as
    SampleTerms; a factor of the sample alone goes with the (k, l) part when it holds the variable
    (1/Σ_r e^{w_rᵀx_i}, the softmax's normaliser), else into the weight (Σ_q y_iq)."""
    bound = {lim[0]: lim for lim in s.limits}
    out = []
    sides = (frozenset(left), frozenset(right))
    for factors in _products(s.function, sides):
        weight, a, b, own = sp.Integer(1), sp.Integer(1), sp.Integer(1), sp.Integer(1)
        for f in factors:
            on = f.free_symbols & {*left, *right}
            if not on:
                if _holds(f, variable):
                    own *= f
                else:
                    weight *= f
            elif on <= set(left):
                a *= f
            elif on <= set(right):
                b *= f
            else:
                raise NotTranslatable("a factor of one sample that ties the rows and the columns of the variable")
        tying = (a.free_symbols & b.free_symbols) & set(bound)
        if len(tying) != 1:
            raise NotTranslatable("a sum whose terms are not tied by one sample index")
        (i,) = tying
        if bound[i][1] != 1 or any(v in (a * b * own).free_symbols for v in set(bound) - {i}):
            raise NotTranslatable("a sum over the samples with another index in its blocks")
        others = [lim for v, lim in bound.items() if v != i and v in weight.free_symbols]
        weight = sp.Sum(weight, *others) if others else weight
        out.append(SampleTerm(i, bound[i][2], weight, a * own, b))
    return out


def _products(e: sp.Basic, sides: tuple[frozenset[sp.Basic], frozenset[sp.Basic]]) -> list[list[sp.Basic]]:
    """e as a sum of products none of whose factors ties the two sides: a factor that does is
    factored (v_l σ x_ip − σ² v_l x_ip -> x_ip v_l (σ − σ²)) or, failing that, distributed."""
    out: list[list[sp.Basic]] = [[]]
    for f in sp.Mul.make_args(e):
        on = f.free_symbols
        if not (on & sides[0] and on & sides[1]):
            out = [[*o, f] for o in out]
            continue
        factored = sp.factor_terms(f)
        if isinstance(factored, sp.Mul) and factored != f:
            sub = _products(factored, sides)
        elif isinstance(f, sp.Add):
            sub = [p for a in f.args for p in _products(a, sides)]
        else:
            raise NotTranslatable("a factor of one sample that ties the rows and the columns of the variable")
        out = [o + p for o in out for p in sub]
        if len(out) > _MAX_PRODUCTS:
            raise NotTranslatable("too many terms once the blocks are separated")
    return out


_MAX_PRODUCTS = 64


def _holds(f: sp.Basic, variable: str) -> bool:
    return any(str(x.base.label) == variable for x in f.atoms(sp.Indexed))


def name_sample_softmax(m: sp.MatrixExpr, sample: sp.Symbol, taken: set[str]
                        ) -> tuple[sp.MatrixExpr, list[tuple[sp.MatrixSymbol, sp.MatrixExpr]]]:
    """exp(W x_i) / (𝟏ᵀ exp(W x_i)) -> p_i, the i-th row of P = softmax(XWᵀ) row by row: with Z the
    normaliser, e = Z p_i, so diag(e)/Z = diag(p_i) and e eᵀ/Z² = p_i p_iᵀ. (m, [(P, its value)])."""
    exps = {e for e in m.atoms(ElementwiseApplyFunction) if is_exp(e) and e.shape[1] == 1}
    rows = {r for e in exps for r in e.atoms(SampleRow) if r.index == sample}
    if len(exps) != 1 or len(rows) != 1 or "P" in taken:
        return m, []
    (e,), (row,) = exps, rows
    flipped = e.func(e.function, e.expr.T)                       # exp(x_iᵀWᵀ) = exp(W x_i)ᵀ
    norms = {t for t in m.atoms(sp.Trace) if (t.arg.has(e) or t.arg.has(flipped)) and t.arg.shape == (1, 1)}
    if len(norms) != 1:
        return m, []
    scores = e.expr.xreplace({row: row.parent.T}).T           # W x_i for every i: the rows of XWᵀ
    probabilities = sp.MatrixSymbol("P", *scores.shape)
    z = sp.Dummy("Z", positive=True)
    row_p = SampleRow(probabilities, sample)
    out = m.xreplace({norms.pop(): z}).xreplace({e: sp.MatMul(z, row_p), flipped: sp.MatMul(z, row_p.T)})
    out = _expand_products(_scalars_out_of_diagonals(out))
    if out.has(z):
        return m, []
    taken.add("P")
    return out, [(probabilities, softmax_rows(e.func(e.function, scores)))]


def tidy_block(m: sp.Basic) -> sp.Basic:
    """A per-sample block spelt as one would: σ(x_iᵀWᵀ) -> σ(W x_i)ᵀ (a row as the transpose of a
    column), diag(u) 𝟏 -> u (so diag(u) 𝟏 wᵀ = u wᵀ)."""
    if not isinstance(m, sp.Basic) or not m.args:
        return m
    m = m.func(*[tidy_block(a) for a in m.args])
    if isinstance(m, ElementwiseApplyFunction) and m.shape[0] == 1 and m.shape[1] != 1:
        return sp.Transpose(m.func(m.function, _transposed(m.expr)))
    if isinstance(m, sp.HadamardProduct) and all(isinstance(a, sp.Transpose) or a.shape[0] == 1 for a in m.args) \
            and m.shape[0] == 1:
        return sp.Transpose(sp.HadamardProduct(*[_transposed(a) for a in m.args]))
    if isinstance(m, sp.MatMul):
        coeff, factors = m.as_coeff_matrices()
        kept: list[sp.Basic] = []
        for f in factors:
            if isinstance(f, sp.OneMatrix) and kept and isinstance(kept[-1], DiagMatrix) and f.shape[1] == 1:
                kept[-1] = kept[-1].args[0]
                continue
            kept.append(f)
        if len(kept) != len(factors):
            return sp.MatMul(coeff, *kept) if coeff != 1 else (sp.MatMul(*kept) if len(kept) > 1 else kept[0])
    return m


def _transposed(m: sp.Basic) -> sp.Basic:
    """mᵀ written with the transpose pushed in: (x_iᵀWᵀ)ᵀ = W x_i."""
    return m.arg if isinstance(m, sp.Transpose) else sp.Transpose(m).doit(deep=False)


def _scalars_out_of_diagonals(m: sp.Basic) -> sp.Basic:
    """diag(c·v) -> c·diag(v)."""
    if not isinstance(m, sp.Basic) or not m.args:
        return m
    m = m.func(*[_scalars_out_of_diagonals(a) for a in m.args])
    if isinstance(m, DiagMatrix) and isinstance(m.args[0], sp.MatMul):
        coeff, mats = m.args[0].as_coeff_matrices()
        if coeff != 1:
            return sp.MatMul(coeff, DiagMatrix(sp.MatMul(*mats) if len(mats) > 1 else mats[0]))
    return m


def _expand_products(m: sp.Basic) -> sp.Basic:
    """Products flattened and their scalars gathered: (Z p)(Z p)ᵀ Z⁻² -> p pᵀ."""
    if not isinstance(m, sp.Basic) or not m.args:
        return m
    m = m.func(*[_expand_products(a) for a in m.args])
    if isinstance(m, (sp.MatMul, sp.Transpose, sp.MatAdd)):
        return m.doit(deep=False)
    return m

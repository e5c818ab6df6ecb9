"""The Hessian of one matrix variable W (K×d) as a Kd × Kd matrix built from Kronecker products.

Layout (`LAYOUT`): vec(W) stacks the rows of W, row-major — entry W_kj sits at position
(k − 1)d + j. ∂²f/∂W_kj∂W_lm is then entry ((k − 1)d + j, (l − 1)d + m) of the Hessian: block
(k, l) is d × d, one block per pair of rows of W. In this layout

    Σ_terms c · A_kl B_jm  ->  Σ_terms c · (A ⊗ B)

since (A ⊗ B)[(k − 1)d + j, (l − 1)d + m] = A_kl B_jm: ‖X − UVᵀ‖²_F by U gives 2 δ_kl (VᵀV)_jp,
that is 2 I ⊗ VᵀV, and tr(XᵀAX) by X gives (A_kl + A_lk) δ_jm, that is (A + Aᵀ) ⊗ I.

Each factor is translated by the rules of translate.py (A with free indices (k, l), B with (j, m))
and the whole form is checked, like every form, against the 4-index index form at random sizes
(reshaped row-major to Kd × Kd). A sum over the samples whose summand splits for each sample is
Σ_i w_i (A_i ⊗ B_i) (samples.py: softmax regression's Σ_i (diag(p_i) − p_i p_iᵀ) ⊗ x_i x_iᵀ); any
other factor that ties both pairs raises `NotTranslatable`, and the Hessian keeps its index form.
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from symderiv.calculus.forms import SampleSum
from symderiv.calculus.matrices.forms import MatrixContext, MatrixForm, _data, _named_definitions, check
from symderiv.calculus.matrices.samples import (
    SampleTerm,
    name_sample_softmax,
    sample_terms,
    tidy_block,
)
from symderiv.calculus.matrices.tidy import fold_named, textbook_matrix
from symderiv.calculus.matrices.translate import NotTranslatable, SampleRow, Symbols, Translator, _as_scalar
from symderiv.core.problem import substitute_definitions

LAYOUT = "row-major"     # vec(W) stacks W's rows: W_kj at position (k − 1)d + j


def kronecker_hessian(ctx: MatrixContext | None, result: sp.Basic, expanded: sp.Basic,
                      free: tuple[sp.Basic, sp.Basic, sp.Basic, sp.Basic], variable: str) -> MatrixForm | None:
    """The checked Kd × Kd form of ∂²f/∂W_kj∂W_lm (free = (k, j, l, m)) in the row-major layout, or None."""
    if ctx is None or len(free) != 4 or len(ctx.shapes.get(variable, ())) != 2:
        return None
    rows, cols = ctx.shapes[variable]
    k, j, l_, m = free
    sizes = {k: rows, l_: rows, j: cols, m: cols}
    introduced = [d for d in ctx.intermediates if d.name not in ctx.user_names]
    body = substitute_definitions(result, introduced)
    symbols = Symbols(ctx.rename, {})
    taken = set(ctx.shapes) | set(ctx.rename.values())
    try:
        named = _named_definitions(ctx, body, introduced, symbols)
        taken |= {s.name for s, _ in named}
        extra: list[tuple[sp.MatrixSymbol, sp.MatrixExpr]] = []
        pairs = []
        per_sample: dict[tuple[sp.Basic, ...], list[sp.MatrixExpr]] = {}
        for piece in kronecker_terms(body, (k, l_), (j, m), variable):
            if isinstance(piece, SampleTerm):
                key, a = _sample_blocks(piece, symbols, sizes, (k, l_), (j, m))
                per_sample.setdefault(key, []).append(a)
                continue
            coeff, left, right = piece
            a = Translator(symbols).term(left, (k, l_), sizes).matrix
            b = Translator(symbols).term(right, (j, m), sizes).matrix
            pairs.append((_scaled(coeff, a), b))
        terms = [_kron(_tidy(ctx, a, taken, extra), _tidy(ctx, b, taken, extra)) for a, b in _grouped(pairs)]
        terms += [_sample_sum(key, blocks, taken, extra) for key, blocks in per_sample.items()]
        if not terms:
            matrix: sp.MatrixExpr = sp.ZeroMatrix(rows * cols, rows * cols)
        else:
            matrix = fold_named(terms[0] if len(terms) == 1 else sp.MatAdd(*terms), named)
    except NotTranslatable:
        return None
    except (sp.ShapeError, ValueError, TypeError, NotImplementedError):   # SymPy refusing a rewrite: no form
        return None
    form = check(ctx, MatrixForm(matrix, (*named, *extra), _data(ctx, symbols)), expanded, free, sizes, square=True)
    return _with_one_hot_weights(ctx, form, expanded, free, sizes) if form is not None else None


def kronecker_terms(expr: sp.Basic, left: tuple[sp.Basic, sp.Basic], right: tuple[sp.Basic, sp.Basic],
                    variable: str = "") -> list[tuple[sp.Expr, sp.Basic, sp.Basic] | SampleTerm]:
    """expr = Σ c · A · B with A depending only on the indices `left` (k, l), B only on `right`
    (j, m): the (c, A, B) of each term. Factors of a Σ that do not depend on its variable come out
    of it first (Σ_p 2 δ_kl V_pj V_pm -> 2 δ_kl Σ_p V_pj V_pm); a sum over the samples whose summand
    splits for each sample is a list of `SampleTerm`s (samples.py); any other factor that ties both
    pairs raises."""
    out: list[tuple[sp.Expr, sp.Basic, sp.Basic] | SampleTerm] = []
    for term in sp.Add.make_args(sp.expand(expr, deep=False, mul=True, multinomial=False, power_exp=False,
                                           power_base=False, log=False)):
        coeff, a, b = sp.Integer(1), sp.Integer(1), sp.Integer(1)
        tied = []
        for f in sp.Mul.make_args(_pull_out(term)):
            on = f.free_symbols & {*left, *right}
            if not on:
                coeff *= f
            elif on <= set(left):
                a *= f
            elif on <= set(right):
                b *= f
            elif isinstance(f, sp.Sum):
                tied.append(f)
            else:
                raise NotTranslatable("a factor that ties the rows and the columns of the variable")
        if tied:
            if len(tied) > 1:
                raise NotTranslatable("a product of two sums over the samples")
            out += [replace(t, weight=coeff * t.weight, left=a * t.left, right=b * t.right)   # δ_kl Σ_i … = Σ_i δ_kl …
                    for t in sample_terms(tied[0], left, right, variable)]
        elif coeff != 0:
            out.append((coeff, a, b))
    return out


def _sample_blocks(piece: SampleTerm, symbols: Symbols, sizes: dict[sp.Basic, sp.Basic],
                   left: tuple[sp.Basic, sp.Basic], right: tuple[sp.Basic, sp.Basic]
                   ) -> tuple[tuple[sp.Basic, ...], sp.MatrixExpr]:
    """((i, n, weight_i, B_i), A_i) of one per-sample term, each read with the sample i held fixed."""
    def held() -> Translator:
        return Translator(symbols).holding(piece.sample, piece.size)
    a = held().term(piece.left, left, sizes).matrix
    b = held().term(piece.right, right, sizes).matrix
    number, weight = sp.sympify(_as_scalar(held().term(piece.weight, (), {}).matrix)).as_coeff_Mul()
    return (piece.sample, piece.size, weight, b), _scaled(number, a)      # the sign rides on the block


def _sample_sum(key: tuple[sp.Basic, ...], blocks: list[sp.MatrixExpr], taken: set[str],
                extra: list[tuple[sp.MatrixSymbol, sp.MatrixExpr]]) -> sp.MatrixExpr:
    """Σ_i w_i (A_i ⊗ B_i), the blocks A_i of one (w_i, B_i) added (diag(p_i) − p_i p_iᵀ)."""
    i, size, weight, b = key
    a, named = name_sample_softmax(blocks[0] if len(blocks) == 1 else sp.MatAdd(*blocks), i, taken)
    a, b = tidy_block(a), tidy_block(b)
    extra += named
    return SampleSum(_kron(_scaled(weight, a), b), (i, 1, size))


def _with_one_hot_weights(ctx: MatrixContext, form: MatrixForm, expanded: sp.Basic, free: tuple[sp.Basic, ...],
                          sizes: dict[sp.Basic, sp.Basic]) -> MatrixForm:
    """Σ_i (y_iᵀ𝟏) … is Σ_i … when the labels' rows are one-hot (y_iᵀ𝟏 = 1), itself checked so."""
    weights = {t for t in form.matrix.atoms(sp.Trace) if isinstance(t.arg, sp.MatMul) and len(t.arg.args) == 2
               and isinstance(t.arg.args[0], sp.Transpose) and isinstance(t.arg.args[0].arg, SampleRow)
               and isinstance(t.arg.args[1], sp.OneMatrix)}
    if len(weights) != 1:
        return form
    (weight,) = weights
    labels = weight.arg.args[0].arg.parent
    label = dict((m.name, name) for m, name in form.data).get(labels.name, labels.name)
    simple = MatrixForm(form.matrix.xreplace({weight: sp.Integer(1)}), form.definitions, form.data)
    alt = check(ctx, simple, expanded, free, sizes, frozenset({label}), square=True)
    return replace(form, one_hot=(labels, alt.matrix)) if alt is not None else form


def _kron(a: sp.MatrixExpr, b: sp.MatrixExpr) -> sp.MatrixExpr:
    """A ⊗ B with the scalars of both factors in front: 2I ⊗ VᵀV -> 2 (I ⊗ VᵀV)."""
    coeff = sp.Integer(1)
    factors = []
    for f in (a, b):
        if isinstance(f, sp.MatMul):
            f = f.doit(deep=False)      # nested products flattened: w·(c·A) -> (wc)·A
        if isinstance(f, sp.MatMul):
            c, mats = f.as_coeff_matrices()
            coeff *= c
            f = mats[0] if len(mats) == 1 else sp.MatMul(*mats)
        factors.append(f)
    return _scaled(coeff, sp.KroneckerProduct(*factors))


def _grouped(pairs: list[tuple[sp.MatrixExpr, sp.MatrixExpr]]) -> list[tuple[sp.MatrixExpr, sp.MatrixExpr]]:
    """A ⊗ B + A' ⊗ B -> (A + A') ⊗ B (a scalar rides on the left factor)."""
    by_right: dict[sp.MatrixExpr, list[sp.MatrixExpr]] = {}
    for a, b in pairs:
        by_right.setdefault(b, []).append(a)
    return [(lefts[0] if len(lefts) == 1 else sp.MatAdd(*lefts), b) for b, lefts in by_right.items()]


def _pull_out(e: sp.Basic) -> sp.Basic:
    """Σ_p c·g(p) -> c·Σ_p g(p) for every factor c free of the sum's variables (recursively)."""
    if isinstance(e, sp.Mul):
        return sp.Mul(*[_pull_out(f) for f in e.args])
    if not isinstance(e, sp.Sum):
        return e
    bound = {lim[0] for lim in e.limits}
    inside: list[sp.Basic] = []
    outside: list[sp.Basic] = []
    for f in sp.Mul.make_args(_pull_out(e.function)):
        (outside if not (f.free_symbols & bound) else inside).append(f)
    if not inside:
        return e
    return sp.Mul(*outside) * _split_limits(inside, e.limits)


def _split_limits(factors: list[sp.Basic], limits: tuple[sp.Tuple, ...]) -> sp.Basic:
    """Σ_{p,q} f(p) g(q) -> (Σ_p f(p))(Σ_q g(q)): the factors grouped by the bound variables
    that connect them, one Σ per group (a group without limits stays a plain factor)."""
    groups: list[tuple[set[sp.Basic], list[sp.Basic]]] = []
    bound = {lim[0] for lim in limits}
    for f in factors:
        uses = f.free_symbols & bound
        joined = [g for g in groups if g[0] & uses]
        merged: tuple[set[sp.Basic], list[sp.Basic]] = (set(uses), [f])
        for g in joined:
            merged[0].update(g[0])
            merged[1].extend(g[1])
            groups.remove(g)
        groups.append(merged)
    out = sp.Integer(1)
    for uses, fs in groups:
        lims = [lim for lim in limits if lim[0] in uses]
        out *= sp.Sum(sp.Mul(*fs), *lims) if lims else sp.Mul(*fs)
    return out


def _tidy(ctx: MatrixContext, m: sp.MatrixExpr, taken: set[str],
          extra: list[tuple[sp.MatrixSymbol, sp.MatrixExpr]]) -> sp.MatrixExpr:
    """One Kronecker factor spelt the textbook way ((A + Aᵀ), VᵀV), its named matrices kept."""
    tidy, named = textbook_matrix(m, taken, ctx.problem.symmetric, ctx.written_sums)
    taken |= {s.name for s, _ in named}
    extra += named
    return tidy


def _scaled(coeff: sp.Expr, m: sp.MatrixExpr) -> sp.MatrixExpr:
    return m if coeff == 1 else sp.MatMul(coeff, m)

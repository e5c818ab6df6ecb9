"""A matrix form spelt as a textbook prints it: Ax + Aᵀx -> (A + Aᵀ)x, Xᵀ diag(c) X -> XᵀSX,
σ(u) − 1 -> −σ(−u), exp(Xθ) named μ (the mean of a Poisson model).

Each rewrite is an identity (distributivity, 1 − σ(u) = σ(−u), naming a matrix), and the
result is checked numerically with everything else (forms.check), so a tidy step cannot make a
form wrong unnoticed.
"""
from __future__ import annotations

from collections.abc import Sequence, Set

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from symderiv.ml.functions import sigmoid

Named = tuple[sp.MatrixSymbol, sp.MatrixExpr]
DIAGONAL_NAMES = ("S", "D", "W_s", "Lambda")
MEAN_NAMES = ("mu", "m_u", "nu")


def textbook_matrix(m: sp.MatrixExpr, taken: Set[str], symmetric: Set[str] = frozenset(),
                    written: Set[sp.MatrixExpr] = frozenset()) -> tuple[sp.MatrixExpr, list[Named]]:
    """(the tidied form, the matrices it names) — `taken` are names already in use, `written` the
    sums the user wrote in the loss (X − UVᵀ), whose order and sign a form keeps."""
    if symmetric:
        m = _combine_sums(m.xreplace({sp.Transpose(s): s for s in m.atoms(sp.MatrixSymbol) if s.name in symmetric}))
    m = _signs_out(_common_coefficients(_sigma_complements(_collect(m)), written))
    m = _equal_terms_merged(_inverse_transposes(m))
    taken = set(taken)
    m, softmax = _name_softmax(m, taken)
    m, means = _name_means(m, taken)
    m, diagonals = _name_diagonals(m, taken)
    return m, softmax + means + diagonals


def _inverse_transposes(m: sp.Basic) -> sp.Basic:
    """(BᵀXᵀAᵀ)⁻¹ -> (AXB)⁻ᵀ: SymPy distributes a transpose over a product; a textbook keeps it out."""
    def undistributed(inv: sp.Inverse) -> sp.MatrixExpr:
        factors = inv.arg.args if isinstance(inv.arg, sp.MatMul) else ()
        if len(factors) < 2 or not all(isinstance(f, sp.Transpose) for f in factors):
            return inv
        return sp.Transpose(sp.Inverse(sp.MatMul(*[f.arg for f in reversed(factors)])))
    return m.replace(lambda e: isinstance(e, sp.Inverse), undistributed)


def _equal_terms_merged(m: sp.Basic) -> sp.Basic:
    """−M + (−M) -> −2M: equal terms of a sum added, the order of the others kept."""
    if not isinstance(m, sp.MatrixExpr) or not m.args or isinstance(m, ElementwiseApplyFunction):
        return m
    m = m.func(*[_equal_terms_merged(a) for a in m.args])
    if not isinstance(m, sp.MatAdd):
        return m
    totals: dict[sp.Basic, sp.Expr] = {}
    for t in m.args:
        coeff, matrices = _matrix_factors(t)
        body = matrices[0] if len(matrices) == 1 else sp.MatMul(*matrices)
        totals[body] = totals.get(body, sp.Integer(0)) + coeff
    if len(totals) == len(m.args):
        return m
    terms = [_scale(body, c) for body, c in totals.items() if c != 0]
    return sp.MatAdd(*terms) if len(terms) > 1 else terms[0]


def _collect(m: sp.MatrixExpr) -> sp.MatrixExpr:
    """Common right or left factors of a sum's terms taken out (A x + Aᵀ x -> (A + Aᵀ) x)."""
    if isinstance(m, sp.MatAdd):
        terms = [_collect(t) for t in m.args]
        for side in (-1, 0):
            common = _common_factor(terms, side)
            if common is not None:
                rest = [_drop(t, side) for t in terms]
                inner = _collect(sp.MatAdd(*rest).doit())
                return sp.MatMul(inner, common) if side == -1 else sp.MatMul(common, inner)
        return sp.MatAdd(*terms)
    if isinstance(m, sp.MatMul):
        return sp.MatMul(*[_collect(a) if isinstance(a, sp.MatrixExpr) else a for a in m.args])
    return m


def _matrix_factors(t: sp.MatrixExpr) -> tuple[sp.Expr, list[sp.MatrixExpr]]:
    if isinstance(t, sp.MatMul):
        coeff = sp.Mul(*[a for a in t.args if not isinstance(a, sp.MatrixExpr)])
        return coeff, [a for a in t.args if isinstance(a, sp.MatrixExpr)]
    return sp.Integer(1), [t]


def _common_factor(terms: list[sp.MatrixExpr], side: int) -> sp.MatrixExpr | None:
    firsts = []
    for t in terms:
        _, factors = _matrix_factors(t)
        if len(factors) < 2:
            return None
        firsts.append(factors[side])
    return firsts[0] if all(f == firsts[0] for f in firsts) else None


def _drop(t: sp.MatrixExpr, side: int) -> sp.MatrixExpr:
    coeff, factors = _matrix_factors(t)
    rest = factors[:-1] if side == -1 else factors[1:]
    body = rest[0] if len(rest) == 1 else sp.MatMul(*rest)
    return body if coeff == 1 else sp.MatMul(coeff, body)


def _name_diagonals(m: sp.MatrixExpr, taken: set[str]) -> tuple[sp.MatrixExpr, list[Named]]:
    """diag(c) between two matrices gets a name (XᵀSX, S = diag(c)), as textbooks write it."""
    found = [diag for diag in sorted(m.atoms(DiagMatrix), key=sp.default_sort_key)
             if not _reads_as_it_is(diag.args[0])]
    return _name_each(m, found, DIAGONAL_NAMES, taken)


def _reads_as_it_is(arg: sp.Basic) -> bool:
    """diag(μ), diag(Y𝟏) read as they are: no name needed."""
    return isinstance(arg, sp.MatrixSymbol) or (isinstance(arg, sp.MatMul) and len(arg.args) == 2
                                                 and isinstance(arg.args[1], sp.OneMatrix))


def _name_each(m: sp.MatrixExpr, found: list[sp.MatrixExpr], names: Sequence[str],
               taken: set[str]) -> tuple[sp.MatrixExpr, list[Named]]:
    """Each expression of `found` replaced by the next free name of `names`, in order."""
    named: list[Named] = []
    for e in found:
        name = next((n for n in names if n not in taken), None)
        if name is None:
            break
        taken.add(name)
        symbol = sp.MatrixSymbol(name, *e.shape)
        named.append((symbol, e))
        m = m.xreplace({e: symbol})
    return m, named


def _is_sigma(m: sp.Basic) -> bool:
    return (isinstance(m, ElementwiseApplyFunction) and isinstance(m.function, sp.Lambda)
            and m.function.expr == sigmoid(m.function.variables[0]))


def _ones(m: sp.Basic) -> int:
    """+1 for 𝟏, −1 for −𝟏, 0 otherwise."""
    if isinstance(m, sp.OneMatrix):
        return 1
    if isinstance(m, sp.MatMul) and len(m.args) == 2 and isinstance(m.args[1], sp.OneMatrix) \
            and m.args[0] in (1, -1):
        return int(m.args[0])
    return 0


def _sigma_complements(m: sp.Basic) -> sp.Basic:
    """σ(u) − 𝟏 -> −σ(−u) and 𝟏 − σ(u) -> σ(−u) (1 − σ(u) = σ(−u)), inside out."""
    if not isinstance(m, sp.MatrixExpr) or not m.args:
        return m
    m = m.func(*[_sigma_complements(a) for a in m.args]) if not isinstance(m, ElementwiseApplyFunction) else m
    if not isinstance(m, sp.MatAdd) or len(m.args) != 2:
        return m
    a, b = m.args
    if _ones(a):
        a, b = b, a
    sign_one = _ones(b)
    if sign_one == -1 and _is_sigma(a):
        return sp.MatMul(-1, a.func(a.function, _negate(a.expr)))
    coeff, matrices = a.as_coeff_matrices() if isinstance(a, sp.MatMul) else (1, [a])
    if sign_one == 1 and coeff == -1 and len(matrices) == 1 and _is_sigma(matrices[0]):
        f = matrices[0]
        return f.func(f.function, _negate(f.expr))
    return m


def _negate(m: sp.MatrixExpr) -> sp.MatrixExpr:
    return sp.MatMul(-1, m).doit(deep=False)


def _signs_out(m: sp.Basic) -> sp.Basic:
    """A factor −1 inside ⊙ or a product taken to the front: y ⊙ (−v) -> −(y ⊙ v), Xᵀ(−v) -> −Xᵀv."""
    if not isinstance(m, sp.MatrixExpr) or not m.args or isinstance(m, ElementwiseApplyFunction):
        if isinstance(m, ElementwiseApplyFunction):
            return m.func(m.function, _signs_out(m.expr))
        return m
    args = [_signs_out(a) for a in m.args]
    if isinstance(m, sp.HadamardProduct):
        sign = 1
        plain = []
        for a in args:
            coeff, matrices = a.as_coeff_matrices() if isinstance(a, sp.MatMul) else (1, [a])
            if coeff == -1:
                sign, a = -sign, (matrices[0] if len(matrices) == 1 else sp.MatMul(*matrices))
            plain.append(a)
        flat = [f for a in plain for f in (a.args if isinstance(a, sp.HadamardProduct) else (a,))]
        out = sp.HadamardProduct(*sorted(flat, key=sp.default_sort_key))   # one flat chain: equal ones compare equal
        return out if sign == 1 else sp.MatMul(-1, out)
    if isinstance(m, sp.MatMul):
        return _flat_product(args)
    return m.func(*args)


def _flat_product(args: list[sp.Basic]) -> sp.MatrixExpr:
    """A product with nested products' numbers gathered in front (SymPy's doit would also push a
    number back into a sum: −2(X − UVᵀ) -> −2X + 2UVᵀ)."""
    coeff: sp.Expr = sp.Integer(1)
    matrices: list[sp.MatrixExpr] = []
    for a in args:
        if isinstance(a, sp.MatMul):
            c, ms = a.as_coeff_matrices()
            coeff *= c
            matrices += ms
        elif isinstance(a, sp.MatrixExpr):
            matrices.append(a)
        else:
            coeff *= a
    return sp.MatMul(*matrices) if coeff == 1 else sp.MatMul(coeff, *matrices)


def _name_means(m: sp.MatrixExpr, taken: set[str]) -> tuple[sp.MatrixExpr, list[Named]]:
    """exp(Xθ) -> μ: the mean of a Poisson (log-link) model, named as textbooks do."""
    found = [f for f in sorted(m.atoms(ElementwiseApplyFunction), key=sp.default_sort_key)
             if f.function.expr == sp.exp(f.function.variables[0]) and isinstance(f.expr, sp.MatMul)
             and f.shape[1] == 1]
    return _name_each(m, found, MEAN_NAMES, taken)


def _is_lone(t: sp.Basic) -> bool:
    """A term that is one symbol or 𝟏, times a number (X, −2X, 𝟏)."""
    matrices = t.as_coeff_matrices()[1] if isinstance(t, sp.MatMul) else [t]
    return len(matrices) == 1 and isinstance(matrices[0], (sp.MatrixSymbol, sp.OneMatrix))


def _common_coefficients(m: sp.Basic, written: Set[sp.MatrixExpr]) -> sp.Basic:
    """2UVᵀ − 2X -> −2(X − UVᵀ): a number common to a sum's terms taken out, and the sign chosen
    so that the sum reads as the user wrote it in the loss (the residual X − UVᵀ, or Ax − b)."""
    if not isinstance(m, sp.MatrixExpr) or not m.args or isinstance(m, ElementwiseApplyFunction):
        return m
    m = m.func(*[_common_coefficients(a, written) for a in m.args])
    if not isinstance(m, sp.MatAdd):
        return m
    coeffs = [t.as_coeff_matrices()[0] if isinstance(t, sp.MatMul) else sp.Integer(1) for t in m.args]
    if not all(c.is_Rational for c in coeffs):
        return m
    common = sp.gcd_list(coeffs) if len(coeffs) > 1 else abs(coeffs[0])
    inner = sp.MatAdd(*[_scale(t, 1 / common) for t in m.args])
    flipped = sp.MatAdd(*[_scale(t, -1) for t in inner.args])
    if _same_sum(flipped, written):
        common, inner = -common, flipped
    if common == 1:
        return m
    return sp.MatMul(common, inner)


def _scale(t: sp.MatrixExpr, c: sp.Expr) -> sp.MatrixExpr:
    coeff, matrices = t.as_coeff_matrices() if isinstance(t, sp.MatMul) else (sp.Integer(1), [t])
    coeff = coeff * c
    return matrices[0] if coeff == 1 and len(matrices) == 1 else (
        sp.MatMul(*matrices) if coeff == 1 else sp.MatMul(coeff, *matrices))


def _same_sum(m: sp.MatAdd, written: Set[sp.MatrixExpr]) -> bool:
    """Whether the user wrote this sum, or its transpose (the loss may index X − UVᵀ either way)."""
    terms = set(m.args)
    return any(set(w.args) == terms or {t.T for t in w.args} == terms for w in written)


def is_exp(m: sp.Basic) -> bool:
    return (isinstance(m, ElementwiseApplyFunction) and isinstance(m.function, sp.Lambda)
            and m.function.expr == sp.exp(m.function.variables[0]))


def softmax_rows(e: sp.MatrixExpr) -> sp.MatrixExpr:
    """softmax of each row of Z, for E = exp(Z): diag(E𝟏)⁻¹E, each row divided by its sum."""
    ones = sp.OneMatrix(e.shape[1], 1)
    return sp.MatMul(DiagMatrix(sp.HadamardPower(sp.MatMul(e, ones), -1)), e)


def _name_softmax(m: sp.MatrixExpr, taken: set[str]) -> tuple[sp.MatrixExpr, list[Named]]:
    """exp(WXᵀ) diag(v ⊙ (exp(XWᵀ)𝟏)^∘−1) -> Pᵀ diag(v), P = softmax(XWᵀ) row by row."""
    for mm in m.atoms(sp.MatMul):
        _, factors = mm.as_coeff_matrices()
        for pos in range(len(factors) - 1):
            left, diag = factors[pos], factors[pos + 1]
            if not (isinstance(diag, DiagMatrix) and is_exp(left)):
                continue
            parts = diag.args[0].args if isinstance(diag.args[0], sp.HadamardProduct) else (diag.args[0],)
            norm = next((q for q in parts if isinstance(q, sp.HadamardPower) and q.exp == -1
                         and isinstance(q.base, sp.MatMul) and is_exp(q.base.args[0])
                         and q.base.args[0].expr == left.expr.T), None)
            name = "P" if "P" not in taken else None
            if norm is None or name is None:
                continue
            e = norm.base.args[0]
            taken.add(name)
            p = sp.MatrixSymbol(name, *e.shape)
            rest = [q for q in parts if q is not norm]
            tail = [DiagMatrix(rest[0] if len(rest) == 1 else sp.HadamardProduct(*rest))] if rest else []
            new = [*factors[:pos], p.T, *tail, *factors[pos + 2:]]
            replaced = m.xreplace({mm: sp.MatMul(mm.as_coeff_matrices()[0], *new)})
            return replaced, [(p, softmax_rows(e))]
    return m, []


def fold_named(m: sp.MatrixExpr, named: Sequence[Named]) -> sp.MatrixExpr:
    """The user's named intermediates written by their names: σ(XWᵀ + 𝟏bᵀ) -> H, and
    σ(−XWᵀ − 𝟏bᵀ) -> 𝟏 − H (1 − σ(u) = σ(−u)), so a form reads in the user's own terms."""
    for symbol, value in named:
        table = {value: symbol}
        if _is_sigma(value):
            flipped = value.func(value.function, _negate(value.expr))
            table[flipped] = sp.MatAdd(sp.OneMatrix(*symbol.shape), sp.MatMul(-1, symbol))
        m = m.xreplace(table)
    return m


def drop_identities(m: sp.Basic) -> sp.Basic:
    """I left out of products (Pᵀ I − Yᵀ -> Pᵀ − Yᵀ)."""
    if not isinstance(m, sp.MatrixExpr) or not m.args or isinstance(m, ElementwiseApplyFunction):
        return m
    args = [drop_identities(a) for a in m.args]
    if isinstance(m, sp.MatMul):
        kept = [a for a in args if not isinstance(a, sp.Identity)]
        return _flat_product(kept) if kept else m
    return m.func(*args)


def transpose_out(m: sp.Basic) -> sp.Basic:
    """A sum of transposes as the transpose of the sum: Pᵀ − Yᵀ -> (P − Y)ᵀ."""
    if not isinstance(m, sp.MatrixExpr) or not m.args or isinstance(m, ElementwiseApplyFunction):
        return m
    m = m.func(*[transpose_out(a) for a in m.args])
    if isinstance(m, sp.MatAdd):
        inner = []
        for t in m.args:
            coeff, matrices = t.as_coeff_matrices() if isinstance(t, sp.MatMul) else (sp.Integer(1), [t])
            if len(matrices) != 1 or not isinstance(matrices[0], sp.Transpose):
                return m
            inner.append(_scale(matrices[0].arg, coeff))
        return sp.Transpose(sp.MatAdd(*inner))
    return m


def _combine_sums(m: sp.Basic) -> sp.Basic:
    """Like terms of a sum combined (A + A -> 2A once Aᵀ = A is used)."""
    if not isinstance(m, sp.MatrixExpr) or not m.args or isinstance(m, ElementwiseApplyFunction):
        return m
    m = m.func(*[_combine_sums(a) for a in m.args])
    return m.doit(deep=False) if isinstance(m, sp.MatAdd) else m

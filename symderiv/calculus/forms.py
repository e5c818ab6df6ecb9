"""Index form -> vector form, for display: Σ_i (ŷ_i − y_i) x_{ik}  ->  Σ_i (ŷ_i − y_i) x_i  ->  Xᵀ(ŷ − y).

Derivation happens in exact index form (checkable entry by entry); a reader wants vectors.
Each pattern below is a rewriting of the printed form only; when a term matches no pattern
the vector form is not given rather than guessed.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symderiv.output.printing import latex


@dataclass(frozen=True)
class VectorForm:
    """`per_sample`: Σ_i c_i x_i (x_i x_iᵀ); `matrix`: Xᵀ c (XᵀSX); `where`: e.g. S = diag(…)."""

    per_sample: str | None
    matrix: str | None
    where: str = ""


def gradient_vector_form(expr: sp.Basic, var: sp.Indexed) -> VectorForm | None:
    """Vector form of ∂f/∂θ_k (k = var's index), or None when a term is not recognised."""
    k = var.indices[0]
    return _vector_form(expr, var, (k,))


def hessian_vector_form(expr: sp.Basic, var_k: sp.Indexed, var_l: sp.Indexed) -> VectorForm | None:
    """Vector form of ∂²f/∂θ_k∂θ_l."""
    return _vector_form(expr, var_k, (var_k.indices[0], var_l.indices[0]))


def _vector_form(expr, var, free) -> VectorForm | None:
    per_sample, matrix, notes = [], [], []
    for term in sp.Add.make_args(expr):
        parts = _term(term, var, free)
        if parts is None:
            return None
        s, m, note = parts
        per_sample.append(s)
        matrix.append(m)
        if note:
            notes.append(note)
    return VectorForm(_join(per_sample), _join(matrix), "; ".join(notes))


def _join(parts):
    out = ""
    for n, p in enumerate(parts):
        if n and not p.startswith("- "):
            out += " + "
        elif n:
            out += " "
        out += p
    return out


def _term(term, var, free):
    """(per-sample LaTeX, matrix LaTeX, note) for one term, or None."""
    coeff, rest = term.as_independent(sp.Sum, *[a for a in term.atoms(sp.Indexed)], as_Add=False)
    sums = [f for f in sp.Mul.make_args(rest) if isinstance(f, sp.Sum)]
    if len(sums) == 1 and len(sums[0].limits) == 1:
        s = sums[0]
        other = rest / s
        if other.has(sp.Indexed):
            return None
        coeff = coeff * other
        return _sample_sum(coeff, s, var, free)
    if sums:
        return None
    # no sum: θ_k -> θ, δ_kl -> I
    if len(free) == 1:
        k = free[0]
        atoms = [a for a in term.atoms(sp.Indexed) if k in a.indices]
        if atoms and all(a == var for a in atoms) and not term.has(sp.KroneckerDelta):
            c = term / var
            if c.has(var.base):
                return None
            tex = _prefix(c, bare=True) + _vec_tex(str(var.base.label))
            return tex, tex, ""
        return None
    deltas = [d for d in term.atoms(sp.KroneckerDelta) if set(d.args) == set(free)]
    if deltas and not term.xreplace({deltas[0]: 1}).has(sp.Indexed):
        c = term.xreplace({deltas[0]: 1})
        tex = _prefix(c, bare=True) + "I"
        return tex, tex, ""
    return None


def _sample_sum(coeff, s, var, free):
    i, lo, hi = s.limits[0]
    body = s.function
    data = [a for a in body.atoms(sp.Indexed) if len(a.indices) == 2 and a.indices[0] == i
            and a.indices[1] in free]
    by_index = {a.indices[1]: a for a in data}
    if set(by_index) != set(free) or len({a.base for a in data}) != 1:
        return None
    factors = list(sp.Mul.make_args(body))
    for a in by_index.values():
        if a not in factors:
            return None
        factors.remove(a)
    c = sp.Mul(*factors)
    base = str(data[0].base.label)
    X = base.upper() if base.islower() else base
    xi = rf"{_vec_tex(base)}_{{{latex(i)}}}"
    c_vec = _as_vector(c, i, var, X)
    if c_vec is None:
        return None
    c_tex, c_is_one, c_is_sum = c_vec
    sum_head = rf"\sum_{{{latex(i)}={latex(lo)}}}^{{{latex(hi)}}}"
    c_sample = latex(c.xreplace(_dot_symbols(c, i, var, base)))
    if isinstance(c, sp.Add):
        c_sample = rf"\left({c_sample}\right)"
    pre = _prefix(coeff, bare=True)
    if len(free) == 1:
        per_sample = f"{pre}{sum_head} {'' if c == 1 else c_sample + ' '}{xi}".replace("  ", " ")
        inner = c_tex if not c_is_sum else rf"\left({c_tex}\right)"
        ones = r"\mathbf{1}"
        matrix = f"{pre}{X}^{{T}} {ones if c_is_one else inner}".strip()
        return per_sample, matrix, ""
    per_sample = f"{pre}{sum_head} {'' if c == 1 else c_sample + ' '}{xi} {xi}^{{T}}".replace("  ", " ")
    if c_is_one:
        return per_sample, f"{pre}{X}^{{T}} {X}", ""
    note = rf"S = \operatorname{{diag}}\left({c_sample}\right)"
    return per_sample, f"{pre}{X}^{{T}} S {X}", note


def _as_vector(c, i, var, X):
    """c_i as a vector over samples: ŷ_i − y_i -> ŷ − y, Σ_j θ_j x_ij − y_i -> Xθ − y."""
    rep = {}
    for s in c.atoms(sp.Sum):
        (j, _, _), body = s.limits[0], s.function
        f = sp.Mul.make_args(body)
        params = [a for a in f if isinstance(a, sp.Indexed) and a.base == var.base and a.indices == (j,)]
        data = [a for a in f if isinstance(a, sp.Indexed) and a.indices == (i, j)]
        if len(f) == 2 and params and data:
            rep[s] = sp.Symbol(rf"{X} {_vec_tex(str(var.base.label))}")
        else:
            return None
    outside = c.xreplace(rep)
    for a in outside.atoms(sp.Indexed):
        if a.indices == (i,):
            rep[a] = sp.Symbol(_vec_name(a.base.label))
        elif i in a.indices:
            return None
    v = outside.xreplace({a: r for a, r in rep.items() if isinstance(a, sp.Indexed)})
    if i in v.free_symbols:
        return None
    return latex(v), v == 1, isinstance(v, sp.Add)


def _dot_symbols(c, i, var, base):
    """Σ_j θ_j x_ij -> θᵀx_i, for the per-sample form."""
    rep = {}
    for s in c.atoms(sp.Sum):
        f = sp.Mul.make_args(s.function)
        if len(f) == 2 and any(isinstance(a, sp.Indexed) and a.base == var.base for a in f):
            rep[s] = sp.Symbol(rf"{_vec_tex(str(var.base.label))}^{{T}} {_vec_tex(base)}_{{{latex(i)}}}")
    return rep


def _vec_name(label) -> str:
    return str(label)


def _vec_tex(name: str) -> str:
    return latex(sp.Symbol(name))


def _prefix(coeff, bare=False) -> str:
    if coeff == 1:
        return ""
    if coeff == -1:
        return "- "
    tex = latex(coeff)
    return tex + " " if bare else tex

"""Textbook form: re-introduce named intermediates, cancel in terms of them, tidy the sums.

`sympy.simplify` on an expanded logistic-loss gradient takes over a second and still prints
exponentials; cancelling *in terms of the intermediates* gives ŷ_i − y_i at once. Every
rewrite here is an exact identity (tests check the results numerically).

The expensive ones (`textbook`, `_simplest`) run under SymPy's own bounded cache (`cacheit`, keyed
by the expression and the definitions, emptied by `sympy.core.cache.clear_cache`): a Hessian asks
for the same forms row after row, and a note for the same formulas run after run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sympy as sp
from sympy.core.cache import cacheit
from sympy.core.mul import _keep_coeff

from symderiv.calculus.rules import collapse_kronecker
from symderiv.core.problem import Definition
from symderiv.ml.functions import sigmoid


def textbook(expr: sp.Basic, definitions: Sequence[Definition] = (), var: sp.Basic | None = None) -> sp.Basic:
    """The form a textbook prints: names folded back in, sums tidied, signs inside sums."""
    return _textbook(expr, tuple(definitions))


@cacheit
def _textbook(expr: sp.Basic, definitions: tuple[Definition, ...]) -> sp.Basic:
    e = unify_dummies(collapse_kronecker(expr))
    e = fold(e, definitions)
    if e.has(sp.exp):
        e = _powers_back(e)
    plain = _common_factor(fold(tidy(e), definitions))
    if e.has(sp.exp) and _has_written_out_sigmoid(e):
        # e^z/(1 + e^z) -> σ(z), kept only when it reads shorter (Σ_j e^{z_j} is no sigmoid)
        candidate = _common_factor(fold(tidy(fold(sigmoid_form(e), definitions)), definitions))
        if sp.count_ops(candidate) <= sp.count_ops(plain):
            return exp_of_sums(candidate)
    return exp_of_sums(plain)


def exp_of_sums(e: sp.Basic) -> sp.Basic:
    """Π_p e^{a_p} -> e^{Σ_p a_p}: SymPy's expand turns e^{w_kᵀx_i} into a product of exponentials,
    which reads worse and differentiates by the product rule into split products."""
    if not e.has(sp.Product):
        return e
    return e.replace(lambda x: isinstance(x, sp.Product) and isinstance(x.function, sp.exp),
                     lambda x: sp.exp(sp.Sum(x.function.args[0], *x.limits)))


def _common_factor(e: sp.Basic) -> sp.Basic:
    """2b + 2Σ_j w_j x_j − 2y -> 2(b + Σ_j w_j x_j − y): a number common to every term, out."""
    if not isinstance(e, sp.Add) or not e.has(sp.Sum) or len(e.args) < 3:
        return e    # a residual b + wᵀx − y, not a data term plus a penalty (2λθ_k + …)
    if len({abs(t.as_coeff_Mul()[0]) for t in e.args}) != 1 or all(t.has(sp.Sum) for t in e.args):
        return e
    return _with_sums_as_symbols(e, lambda x: _shortest(x, sp.factor_terms(x)), keep_coeff=True)


def _powers_back(e: sp.Basic) -> sp.Basic:
    """e^{g·ln f} -> f^g (what the f^g rule rewrote, by the definition of f^g)."""
    def is_power(x: sp.Basic) -> bool:
        if not isinstance(x, sp.exp):
            return False
        logs = [f for f in sp.Mul.make_args(x.args[0]) if isinstance(f, sp.log)]
        return len(logs) == 1
    def back(x: sp.exp) -> sp.Expr:
        logs = [f for f in sp.Mul.make_args(x.args[0]) if isinstance(f, sp.log)]
        return sp.Pow(logs[0].args[0], x.args[0] / logs[0])
    return e.replace(is_power, back)


# --------------------------------------------------------------------------- folding names
def fold(expr: sp.Basic, definitions: Iterable[Definition]) -> sp.Basic:
    """Replace each definition's right-hand side by its name (σ(z_i) -> ŷ_i), innermost first."""
    for d in reversed(list(definitions)):
        expr = _fold_one(expr, d)
    return expr


def _fold_one(expr: sp.Basic, d: Definition) -> sp.Basic:
    pattern = d.expr
    if pattern.is_Atom or isinstance(pattern, sp.Indexed):
        return expr
    key_cache: dict[sp.Basic, sp.Basic] = {}
    indices = d.indices

    def key(e: sp.Basic) -> sp.Basic:
        if e not in key_cache:
            key_cache[e] = canon(e)
        return key_cache[e]

    target_key = key(pattern) if not indices else None

    def matches(node: sp.Basic) -> bool:
        if node.func != pattern.func:
            return False
        if not indices:
            return key(node) == target_key
        for s in node.free_symbols:
            if isinstance(s, sp.Symbol) and s.is_integer and key(node) == key(pattern.xreplace({indices[0]: s})):
                return True
        return False

    def replacement(node: sp.Basic) -> sp.Basic:
        if not indices:
            return d.target
        for s in node.free_symbols:
            if isinstance(s, sp.Symbol) and s.is_integer and key(node) == key(pattern.xreplace({indices[0]: s})):
                return d.target.xreplace({indices[0]: s})
        return node

    return expr.replace(matches, replacement)


def canon(e: sp.Basic, depth: int = 0) -> sp.Basic:
    """Rename every summation index by its nesting depth, so alpha-equivalent sums compare equal."""
    if isinstance(e, sp.Sum):
        body, limits = e.function, []
        for lim in e.limits:
            j = lim[0]
            c = sp.Symbol(f"_idx{depth}", integer=True)
            depth += 1
            body = body.xreplace({j: c})
            limits.append((c, *tuple(canon(x, depth) for x in lim[1:])))
        return sp.Sum(canon(body, depth), *limits)
    if not e.args or e.is_Atom:
        return e
    try:
        return e.func(*[canon(a, depth) for a in e.args])
    except Exception:
        return e


GENERATED_INDICES = ("j", "l", "m", "p", "q", "r", "s")


def unify_dummies(expr: sp.Basic) -> sp.Basic:
    """Name every generated summation index the first free pool name (j, then l, …), so that two
    copies of θᵀx_i — one summed over j, one over l — become the same expression and combine."""
    def visit(e: sp.Basic, bound: frozenset[str]) -> sp.Basic:
        if isinstance(e, sp.Sum) and len(e.limits) == 1 and e.limits[0][0].name in GENERATED_INDICES:
            j, lo, hi = e.limits[0]
            # every name in the body, bound ones too: renaming into an inner sum's index would capture it
            taken = {s.name for s in e.function.atoms(sp.Symbol)} - {j.name}
            taken |= bound | outer
            name = next(c for c in GENERATED_INDICES + tuple(f"j{n}" for n in range(99)) if c not in taken)
            new = sp.Symbol(name, integer=True)
            body = visit(e.function.xreplace({j: new}), bound | {name})
            return sp.Sum(body, (new, lo, hi))
        if isinstance(e, sp.Sum):
            names = {lim[0].name for lim in e.limits}
            return sp.Sum(visit(e.function, bound | names), *e.limits)
        if not e.args or e.is_Atom or isinstance(e, sp.Indexed):
            return e
        return e.func(*[visit(a, bound) for a in e.args])

    if not expr.has(sp.Sum):
        return expr
    # a name free anywhere (the column index j of ∂f/∂W_kj) is never reused for a bound index:
    # a later substitution of the free one would capture it
    outer = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return visit(expr, frozenset())


# --------------------------------------------------------------------------- sigmoid form
def _has_written_out_sigmoid(e: sp.Basic) -> bool:
    """A power (c + e^{±z})^{-m}: the denominator of a written-out σ (not a Σ_j e^{z_j})."""
    for p in e.atoms(sp.Pow):
        if p.exp.is_negative and isinstance(p.base, sp.Add) and len(p.base.args) == 2:
            const, rest = p.base.as_coeff_Add()
            if const != 0 and any(isinstance(f, sp.exp) for f in sp.Mul.make_args(rest)):
                return True
    return False


def sigmoid_form(expr: sp.Basic) -> sp.Basic:
    """1/(1 + e^{-z}) -> σ(z): write every e^{±z} through σ(z) and cancel (exact: e^{-z} = (1−σ)/σ)."""
    def through_sigmoid(e: sp.exp) -> sp.Expr:
        a = e.args[0]
        if a.could_extract_minus_sign():
            s = sigmoid(-a)
            return (1 - s) / s
        s = sigmoid(a)
        return s / (1 - s)

    rewritten = expr.replace(lambda e: isinstance(e, sp.exp), through_sigmoid)
    return _map_sums(rewritten, lambda b: _shortest(b, sp.cancel(b), _factor(sp.cancel(b))))


# --------------------------------------------------------------------------- tidying
def tidy(expr: sp.Basic) -> sp.Basic:
    """Cancel and factor inside sums, constants out of sums, a leading minus into the sum."""
    e = _map_sums(expr, _tidy_body)
    e = _constants_out(e)
    e = _count_constant_sums(e)
    if not e.has(sp.Sum):
        return _nice_sign(_simplest(e))
    if _sums_only_inside_functions(e):
        # σ(y Σ_j w_j x_j): no sum over samples to tidy, the whole expression cancels as usual
        return _nice_sign(_with_sums_as_symbols(e, _simplest))
    e = _with_sums_as_symbols(e, lambda x: _shortest(x, sp.factor_terms(x)))
    terms = []
    for t in sp.Add.make_args(e):
        coeff, rest = t.as_coeff_Mul()
        if coeff.is_negative and isinstance(rest, sp.Sum):
            body = _nice_sign(_tidy_body(-rest.function))
            t = (-coeff) * sp.Sum(body, *rest.limits) if coeff != -1 else sp.Sum(body, *rest.limits)
        elif coeff.is_negative and isinstance(rest, sp.Mul) and any(isinstance(f, sp.Sum) for f in rest.args):
            sums = [f for f in rest.args if isinstance(f, sp.Sum)]
            if len(sums) == 1:
                s = sums[0]
                other = rest / s
                t = (-coeff) * other * sp.Sum(_nice_sign(_tidy_body(-s.function)), *s.limits)
        terms.append(t)
    return sp.Add(*terms)


def _sums_only_inside_functions(e: sp.Basic) -> bool:
    """Every Σ sits inside a function argument (σ(Σ_j w_j x_j), e^{Σ_j …}), none is a term."""
    funcs = [f for f in e.atoms(sp.Function) if f.has(sp.Sum)]
    pows = [p for p in e.atoms(sp.Pow) if p.exp.has(sp.Sum)]
    held = e.xreplace({f: sp.Dummy() for f in funcs + pows})
    return not held.has(sp.Sum)


def _map_sums(expr: sp.Basic, fn: Callable[[sp.Basic], sp.Basic]) -> sp.Basic:
    """Apply fn to the body of every Sum, innermost first."""
    def visit(s: sp.Sum) -> sp.Sum:
        return sp.Sum(fn(s.function), *s.limits)
    return expr.replace(lambda e: isinstance(e, sp.Sum), visit)


def _tidy_body(b: sp.Basic) -> sp.Basic:
    return _nice_sign(_with_sums_as_symbols(b, _simplest))


BIG_OPS = 60        # above this size, or
BIG_GENERATORS = 8  # with more distinct symbols and functions, cancel/factor take seconds:
                    # (Σ_j e^{x_j})² in 40 variables is a polynomial in 40 generators


def _is_big(e: sp.Basic) -> bool:
    if sp.count_ops(e) > BIG_OPS:
        return True
    labels = {a.base.label for a in e.atoms(sp.Indexed)}
    gens = {a for a in e.atoms(sp.Function, sp.Indexed, sp.Symbol)
            if not a.is_number and not (a.is_Symbol and (a.is_integer or a in labels))}
    return len(gens) > BIG_GENERATORS


@cacheit
def _simplest(e: sp.Basic) -> sp.Basic:
    if _is_big(e):
        return e
    c = sp.cancel(e)
    f = _factor(c)
    return _shortest(e, c, f, _nice_sign(f), sp.factor_terms(e), sp.factor_terms(c), sp.powsimp(f),
                     sp.powsimp(c))


HELD_INDEX = 7_340_000     # dummy indices of the sums' placeholders (one already in the expression: fresh ones)


def _with_sums_as_symbols(e: sp.Basic, fn: Callable[[sp.Basic], sp.Basic], keep_coeff: bool = False) -> sp.Basic:
    """Apply fn with every Sum held as an opaque symbol (cancel/factor then see a polynomial)."""
    sums = sorted(e.atoms(sp.Sum), key=sp.default_sort_key)
    if not sums:
        return fn(e)
    # the same placeholders every time (fixed dummy indices), so that `_simplest`'s cache sees equal
    # keys for equal inputs; fresh ones only if the expression already holds these
    held = {s: sp.Dummy(f"S{n}", dummy_index=HELD_INDEX + n) for n, s in enumerate(sums)}
    if e.has(*held.values()):
        held = {s: sp.Dummy(f"S{n}") for n, s in enumerate(sums)}
    out = fn(e.xreplace(held))
    back = {v: k for k, v in held.items()}
    if not keep_coeff:
        return out.xreplace(back)
    coeff, rest = out.as_coeff_Mul()
    # 2·(b + S − y): rebuilding the product would distribute the number over the sum again
    return _keep_coeff(coeff, rest.xreplace(back))


def _factor(e: sp.Basic) -> sp.Basic:
    try:
        return sp.factor(e, deep=False)
    except (sp.PolynomialError, sp.CoercionFailed, NotImplementedError, ValueError):
        return e


def _shortest(*forms: sp.Basic) -> sp.Basic:
    """Fewest operations; on a tie a product without a denominator (σ(1 − σ) over σ − σ²)."""
    def key(f: sp.Basic) -> tuple[int, bool, int]:
        product = isinstance(f, sp.Mul) and sp.fraction(f)[1] == 1
        return (sp.count_ops(f), not product, len(str(f)))
    return min(forms, key=key)


def _constants_out(e: sp.Basic) -> sp.Basic:
    """Σ_i c·f_i -> c·Σ_i f_i for every c that does not depend on the summation index."""
    def pull(s: sp.Sum) -> sp.Basic:
        body = s.function
        idx = [lim[0] for lim in s.limits]
        if isinstance(body, sp.Mul):
            const, rest = body.as_independent(*idx, as_Add=False)
            if const != 1:
                return const * sp.Sum(rest, *s.limits)
        return s
    return e.replace(lambda x: isinstance(x, sp.Sum), pull)


def _count_constant_sums(e: sp.Basic) -> sp.Basic:
    """Σ_{i=1}^{n} c -> n·c when the body does not involve the summation index."""
    def count(s: sp.Sum) -> sp.Basic:
        if len(s.limits) != 1:
            return s
        i, lo, hi = s.limits[0]
        if i in s.function.free_symbols:
            return s
        return (hi - lo + 1) * s.function
    if not e.has(sp.Sum):
        return e
    return e.replace(lambda x: isinstance(x, sp.Sum), count)


def _nice_sign(e: sp.Basic) -> sp.Basic:
    """Prefer ŷ − y over −(y − ŷ) and (1 − σ)(1 − 2σ) over (σ − 1)(2σ − 1): flip the signs of
    two-term differences so that the fewest minus signs are left in front."""
    if not isinstance(e, sp.Mul):
        return e
    coeff, rest = e.as_coeff_Mul()
    factors = list(sp.Mul.make_args(rest))
    diffs = [n for n, f in enumerate(factors) if isinstance(f, sp.Add) and len(f.args) == 2]
    if not diffs:
        return e
    # differences that read better negated: a negative constant term (σ − 1 -> 1 − σ)
    better = [n for n in diffs if factors[n].as_coeff_Add()[0].is_negative]
    flips = set(better)
    if not coeff.is_negative and len(flips) % 2 == 1:
        # (σ − 1)(y − σ) -> (1 − σ)(σ − y): flip a difference without a constant term along
        plain = [n for n in diffs if n not in flips and factors[n].as_coeff_Add()[0] == 0]
        if plain:
            flips.add(plain[0])
    if coeff.is_negative:
        if len(flips) % 2 == 0:
            rest_diffs = [n for n in diffs if n not in flips]
            if rest_diffs:
                flips.add(rest_diffs[0])
            elif flips:
                flips.discard(next(iter(flips)))
                coeff = -coeff
                coeff = -coeff
    elif len(flips) % 2 == 1 and not all(_complement_of_activation(factors[n]) for n in flips):
        flips.discard(max(flips))   # but σ(σ − 1) -> −σ(1 − σ): 1 − σ and 1 − tanh² are the names
    if not flips:
        return e
    sign = (-1) ** len(flips)
    for n in flips:
        factors[n] = -factors[n]
    return (coeff * sign) * sp.Mul(*factors)


def _complement_of_activation(f: sp.Expr) -> bool:
    """σ(u) − 1 or tanh²(u) − 1: a difference a textbook writes as 1 − σ(u), 1 − tanh²(u)."""
    const, g = f.as_coeff_Add()
    base = g.base if isinstance(g, sp.Pow) and g.exp.is_Integer else g
    return const == -1 and isinstance(base, (sigmoid, sp.tanh))

"""Slip diagnosis: which common mistake reproduces a wrong claim.

Each slip model builds the derivative a learner gets *with* one slip (chain factor dropped, σ'
taken as σ, exponent not lowered, …) and compares it with the claim at the sampled points; the
first model that reproduces the claim at every point names the slip. All of it is numeric, never
string matching. A model returns a typed Slip (results.py) holding the expressions it talks about.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import mpmath
import sympy as sp

from symderiv.calculus.differentiate import diff
from symderiv.calculus.kronecker import collapse_kronecker
from symderiv.calculus.oracle import Undefined, close, int_value, real_value
from symderiv.check import results as slip_kinds
from symderiv.check.results import Slip
from symderiv.check.sampling import NumericCheck, SampledTruth
from symderiv.check.transposes import slip_transpose
from symderiv.check.truth import fold_definitions
from symderiv.check.variables import free_indices
from symderiv.ml.functions import sigmoid

SlipModel = Callable[[SampledTruth, sp.Basic, NumericCheck], "Slip | None"]


def diagnose(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip:
    """The first slip model that reproduces the claim at every sample (else slip_kinds.UnknownSlip)."""
    for model in SLIP_MODELS:
        try:
            slip = model(sampled, claim, num)
        except ValueError:
            # SymPy refuses the model's own construction (a derivative by x − 3 when |x − 3| is held
            # as u): this model does not describe the claim; the others still may.
            continue
        if slip is not None:
            return slip
    return slip_kinds.UnknownSlip()


def _ratios(sampled: SampledTruth, num: NumericCheck) -> list | None:
    out = []
    for sample, c in zip(sampled.samples, num.values, strict=False):
        if c is None:
            return None
        if abs(sample.truth) < mpmath.mpf(10) ** -20:
            if abs(c) > 1e-20:
                return None
            continue
        out.append((sample, c / sample.truth))
    return out or None


def _constant_ratio(sampled: SampledTruth, num: NumericCheck) -> mpmath.mpf | None:
    ratios = _ratios(sampled, num)
    if not ratios:
        return None
    first = ratios[0][1]
    return first if all(close(r, first, 1e-9) for _, r in ratios) else None


def slip_quotient(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """(u/v)' = (u'v − uv')/v²; with the numerator's terms swapped the quotient's part flips sign."""
    f, var = sampled.function, sampled.var
    for q in _quotients(f, var):
        Q = sp.Dummy("Q")
        fq = f.xreplace({q: Q})
        dq = diff(q, var)
        candidate = collapse_kronecker((diff(fq, var) - diff(fq, Q) * dq).xreplace({Q: q}))
        if sampled.matches(candidate, num):
            numerator, denominator = sp.fraction(q)
            return slip_kinds.QuotientSlip(q, numerator, denominator)
    return None


def slip_sign(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """Claim = −truth."""
    r = _constant_ratio(sampled, num)
    if r is not None and close(r, -1, 1e-9):
        return slip_kinds.SignSlip()
    return None


def slip_log(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """log taken as base 10 (a stray 1/ln 10), or log u differentiated without u'."""
    f, var = sampled.function, sampled.var
    log10 = sp.log(10)
    as_base10 = f.replace(lambda e: isinstance(e, sp.log), lambda e: sp.log(e.args[0]) / log10)
    if as_base10 != f and sampled.matches(collapse_kronecker(diff(as_base10, var)), num):
        return slip_kinds.NaturalLogSlip()
    if f.has(log10) and sampled.matches(collapse_kronecker(diff(f.xreplace({log10: 1}), var)), num):
        return slip_kinds.Base10LogSlip()
    for u in _inner_arguments(f, var, (sp.log,)):
        if sampled.matches(_drop_inner_derivative(f, var, u), num):
            return _inner_slip(slip_kinds.LogInnerSlip, sampled, u)
    r = _constant_ratio(sampled, num)
    if r is not None:
        if close(r, 1 / mpmath.log(10), 1e-9):
            return slip_kinds.StrayLn10Slip()
        if close(r, mpmath.log(10), 1e-9):
            return slip_kinds.MissingLn10Slip()
    return None


def slip_sigmoid(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """σ'(z) written as σ(z) instead of σ(z)(1 − σ(z))."""
    f, var = sampled.function, sampled.var
    for s in sorted(f.atoms(sigmoid), key=sp.default_sort_key):
        if not _depends(s, var):
            continue
        S = sp.Dummy("S")
        fs = f.xreplace({s: S})
        z = s.args[0]
        candidate = (diff(fs, var) + diff(fs, S) * s * diff(z, var)).xreplace({S: s})
        if sampled.matches(collapse_kronecker(candidate), num):
            return slip_kinds.SigmoidSlip()
    return None


def slip_chain(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """Claim × inner derivative = truth: one link of the chain rule left out."""
    f, var = sampled.function, sampled.var
    for u in _inner_arguments(f, var, None):
        if sampled.matches(_drop_inner_derivative(f, var, u), num):
            return _inner_slip(slip_kinds.ChainSlip, sampled, u)
    return None


def _inner_slip(cls: type[slip_kinds.ChainSlip] | type[slip_kinds.LogInnerSlip], sampled: SampledTruth,
                u: sp.Basic) -> Slip:
    """The slip about inner function u: its name, u as written and ∂u/∂var (intermediates folded)."""
    name, named = _inner_name(sampled, u)
    du = collapse_kronecker(diff(u, sampled.var))
    return cls(var=sampled.var, inner=fold_definitions(sampled.problem, u), name=name, named=named,
               factor=fold_definitions(sampled.problem, du))


def _inner_name(sampled: SampledTruth, u: sp.Basic) -> tuple[sp.Basic, bool]:
    """(name, named): the user's intermediate for u (ŷ_i, z_i), else z_{i} (inside σ) or u_{i}."""
    folded = fold_definitions(sampled.problem, u)
    if folded != u and (folded.is_Symbol or isinstance(folded, sp.Indexed)):
        return folded, True
    sizes = set(sampled.sizes())
    idx = sorted((s for s in u.free_symbols if s.is_integer and s not in sampled.free
                  and s not in sizes), key=str)
    base = sp.Symbol("z" if any(isinstance(a, sigmoid) and a.args[0] == u
                                for a in sampled.function.atoms(sigmoid)) else "u")
    return (sp.IndexedBase(base)[tuple(idx)] if idx else base), False


def slip_sum(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """The claim is one summand: the sum over samples was dropped."""
    truth = sampled.truth
    free_claim = [s for s in free_indices(claim) if s not in truth.free_symbols]
    for term in sp.Add.make_args(truth):
        coeff, s = term.as_independent(sp.Sum, as_Add=False)
        if not isinstance(s, sp.Sum) or len(s.limits) != 1:
            continue
        var, lo, hi = s.limits[0]
        for target in free_claim or [var]:
            summand = coeff * s.function.xreplace({var: target})
            rest = truth - term
            for candidate in (summand + rest, summand):
                if _matches_with_index(sampled, claim, candidate, target, hi):
                    return slip_kinds.SumSlip(var, lo, hi)
    return None


def _matches_with_index(sampled: SampledTruth, claim: sp.Basic, candidate: sp.Basic, index: sp.Symbol,
                        upper: sp.Basic) -> bool:
    """Compare claim and candidate with `index` (free in both) drawn in its range."""
    with mpmath.workdps(sampled.settings.dps):
        seen = 0
        for sample in sampled.samples:
            point = sample.point
            if index not in point.ints:
                hi = int_value(upper, point)
                point.ints[index] = point.rng.randint(1, max(1, hi))
            try:
                if not close(real_value(claim, point), real_value(candidate, point), 1e-9):
                    return False
            except Undefined:
                return False
            seen += 1
    return seen > 0


def slip_power(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """d/du u^p = p·u^(p−1); the exponent left at p, lowered twice, or raised."""
    f, var = sampled.function, sampled.var
    for p_node in _powers(f, var):
        u, p = p_node.base, p_node.exp
        P = sp.Dummy("P")
        fp = f.xreplace({p_node: P})
        du = diff(u, var)
        for wrong in (p, p - 2, p + 1):
            candidate = (diff(fp, var) + diff(fp, P) * p * u ** wrong * du).xreplace({P: p_node})
            if sampled.matches(collapse_kronecker(candidate), num):
                return slip_kinds.PowerSlip(p, wrong, fold_definitions(sampled.problem, u))
    return None


def slip_product(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """(uv)' = u'v + uv'; one of the terms left out."""
    f, var = sampled.function, sampled.var
    for m in _products(f, var):
        for held in [a for a in m.args if _depends(a, var)]:
            H = sp.Dummy("H")
            fh = f.xreplace({m: m.func(*[H if a == held else a for a in m.args])})
            candidate = collapse_kronecker(diff(fh, var).xreplace({H: held}))
            if sampled.matches(candidate, num):
                dheld = collapse_kronecker(diff(held, var))
                return slip_kinds.ProductSlip(m, fold_definitions(sampled.problem, held),
                                   fold_definitions(sampled.problem, dheld))
    return None


def slip_factor(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """Claim = c · truth, c constant (a forgotten 2, 1/n, …), or c a size such as n."""
    r = _constant_ratio(sampled, num)
    if r is not None:
        return slip_kinds.ConstantFactorSlip(_as_fraction(r))
    ratios = _ratios(sampled, num)
    if not ratios:
        return None
    for size in sampled.sizes():
        for power in (1, -1):
            if all(close(r, mpmath.mpf(s.point.ints.get(size, 0)) ** power, 1e-9)
                   for s, r in ratios if size in s.point.ints):
                return slip_kinds.SizeFactorSlip(size, power)
    return None


def _as_fraction(r: mpmath.mpf) -> sp.Basic:
    """The ratio as a Rational when it reads as a fraction (denominator ≤ 1000), else a Float."""
    frac = Fraction(float(r)).limit_denominator(1000)
    if abs(float(r) - frac.numerator / frac.denominator) > 1e-9 * max(1.0, abs(float(r))):
        return sp.Float(r, precision=max(53, r._mpf_[3]))
    return sp.Rational(frac.numerator, frac.denominator)


SLIP_MODELS: tuple[SlipModel, ...] = (
    slip_quotient, slip_sign, slip_log, slip_sigmoid, slip_chain, slip_sum, slip_transpose, slip_power,
    slip_product, slip_factor)


# -- tree helpers for the slip models ------------------------------------------------------------

def _depends(expr: sp.Basic, var: sp.Basic) -> bool:
    """Whether expr varies with var; θ_k counts as inside Σ_j θ_j x_ij (any entry of θ)."""
    if isinstance(var, sp.Indexed):
        return any(a.base == var.base for a in expr.atoms(sp.Indexed))
    return bool(expr.has(var))


def _inner_arguments(f: sp.Basic, var: sp.Basic, kinds: tuple[type, ...] | None) -> list[sp.Basic]:
    """Inner functions u of f(u) or u^p whose derivative is not 1, outermost first."""
    out: list[sp.Basic] = []
    for node in sp.preorder_traversal(f):
        if kinds is None:
            is_app = (isinstance(node, sp.Function) and len(node.args) == 1) or (
                isinstance(node, sp.Pow) and node.exp.is_number)
        else:
            is_app = isinstance(node, kinds)
        if not is_app:
            continue
        u = node.args[0] if not isinstance(node, sp.Pow) else node.base
        if _depends(u, var) and u != var and u not in out and not isinstance(u, sp.Indexed):
            out.append(u)
    return out


def _drop_inner_derivative(f: sp.Basic, var: sp.Basic, u: sp.Basic) -> sp.Basic:
    """∂f/∂var with ∂u/∂var replaced by 1 (every occurrence of u)."""
    U = sp.Dummy("U")
    fu = f.xreplace({u: U})
    return collapse_kronecker((diff(fu, var) + diff(fu, U)).xreplace({U: u}))


def _quotients(f: sp.Basic, var: sp.Basic) -> list[sp.Basic]:
    """Products u·v^(−k) whose numerator and denominator both depend on var."""
    out: list[sp.Basic] = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.Mul):
            num, den = sp.fraction(node)
            if den != 1 and _depends(num, var) and _depends(den, var) and node not in out:
                out.append(node)
    return out


def _powers(f: sp.Basic, var: sp.Basic) -> list[sp.Basic]:
    out: list[sp.Basic] = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.Pow) and node.exp.is_number and _depends(node.base, var) and node not in out:
            out.append(node)
    return out


def _products(f: sp.Basic, var: sp.Basic) -> list[sp.Basic]:
    out: list[sp.Basic] = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.Mul) and sum(1 for a in node.args if _depends(a, var)) >= 2 \
                and node not in out:
            out.append(node)
    return out

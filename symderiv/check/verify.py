"""Check a claimed derivative, or a whole hand derivation, and say where and why it is wrong.

Cheapest check first (as Math-Verify does): structural equality, then numbers at random points
(mpmath, 30 digits, so rounding never looks like a mistake), then a symbolic proof under a time
limit. A learner needs more than a quiet `False`, so a wrong claim comes with a counterexample and
a diagnosis: the claim is compared, at the same points, with the derivative computed *with* each
common slip (chain factor dropped, σ' taken as σ, exponent not lowered, …); the first slip that
reproduces the claim at every point is named. All of it is numeric, never string matching.

Index claims (`\\sum_i (\\hat{y}_i - y_i) x_{ik}`) are evaluated with their sums unrolled on random
small sizes (n, d in 2..4) and random, non-symmetric data, so `(A + A^T)θ` is never taken for `2Aθ`.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import mpmath
import sympy as sp

from symderiv.core.errors import SymderivError, TimeLimitError, VerifyError
from symderiv.ml.functions import relu, sigmoid, softplus, to_elementary
from symderiv.core.limits import DEFAULT_TIMEOUT, time_limit
from symderiv.core.problem import Problem

VERDICTS = ("correct", "wrong", "undecided")
SLIP_KINDS = ("chain", "sign", "factor", "log", "sigmoid", "sum", "power", "product", "quotient",
              "transpose", "unknown")


@dataclass(frozen=True)
class Settings:
    """Knobs of the numeric check; the defaults keep one claim well under 100 ms."""

    points: int = 5               # accepted random points per size instance
    instances: int = 3            # size draws (n, d, …) for index claims
    dps: int = 30                 # working precision of the numeric check
    confirm_dps: int = 60         # a counterexample is re-evaluated at this precision
    rel_tol: float = 1e-12        # equal when |claim − truth| ≤ rel_tol · max(1, |truth|)
    simplify_seconds: float = 3.0  # budget of the final `simplify(a − b)`
    seed: int = 20240605


DEFAULT_SETTINGS = Settings()


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counterexample:
    """A point where the claim and the true derivative differ, with both values."""

    point: tuple[tuple[str, str], ...]   # (name, value) in a stable order, values as written
    claimed: str | None                  # None: the claim is undefined there
    true: str

    def point_dict(self) -> dict:
        return {name: _json_number(v) for name, v in self.point}


@dataclass(frozen=True)
class Slip:
    """The likely mistake: `kind` from SLIP_KINDS and the sentence saying it ($…$ marks math)."""

    kind: str
    words: str

    @property
    def text(self) -> str:
        """The sentence for a terminal: math as readable plain text (∂z_i/∂θ_k = x_{i,k})."""
        return re.sub(r"\$([^$]*)\$", lambda m: plain_math(m.group(1)), self.words)


_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
          "theta": "θ", "lambda": "λ", "mu": "μ", "nu": "ν", "pi": "π", "rho": "ρ", "sigma": "σ",
          "tau": "τ", "phi": "φ", "psi": "ψ", "omega": "ω", "xi": "ξ", "zeta": "ζ", "kappa": "κ",
          "Sigma": "Σ", "sum": "Σ", "partial": "∂", "cdot": "·", "times": "×", "infty": "∞",
          "ln": "ln", "log": "log", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan"}
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}


def plain_math(latex: str) -> str:
    """LaTeX math -> plain text for the terminal: fractions as a/b, Greek letters as Unicode.

    Only the notation our own messages and SymPy's `latex` produce needs to read well here.
    """
    t = latex.replace("\\left", "").replace("\\right", "").replace("\\,", " ")
    t = re.sub(r"\\(?:operatorname|mathrm|text)\{([^{}]*)\}", r"\1", t)
    t = re.sub(r"\\(hat|bar|tilde)\{(\\?[A-Za-z]+)\}",
               lambda m: _plain_symbol(m.group(2)) + _ACCENTS[m.group(1)], t)
    t = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), t)
    t = re.sub(r"(?<![_^])\{([^{}_^]+)\}(?=[_^])", r"\1", t)       # {x}_{i} -> x_{i}
    for _ in range(4):
        t = re.sub(r"frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", lambda m: _ratio(m.group(1), m.group(2)), t)
        t = re.sub(r"sqrt\s*\{([^{}]*)\}", r"√(\1)", t)
        t = re.sub(r"([_^])\{([^{}])\}", r"\1\2", t)
        t = re.sub(r"(?<![_^])\{([^{}]*)\}(?![_^])", r"(\1)", t) if "frac" not in t else t
    t = t.replace("^(T)", "ᵀ").replace("^T", "ᵀ")
    return re.sub(r"\s+", " ", t).strip()


def _plain_symbol(name: str) -> str:
    return _GREEK.get(name.lstrip("\\"), name.lstrip("\\"))


def _ratio(num: str, den: str) -> str:
    def wrap(x):
        x = x.strip()
        return f"({x})" if re.search(r"[\s+\-]", x) and not x.startswith("∂") else x
    if num.startswith("∂") and den.startswith("∂"):
        return f"{num.strip().replace(' ', '')}/{den.strip().replace(' ', '')}"
    if num.strip() == "d" and den.strip().startswith("d"):
        return f"d/{den.strip().replace(' ', '')}"
    return f"{wrap(num)}/{wrap(den)}"


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking one claim against the true derivative.

    `method` says what decided a `correct` verdict (structural / cancel / simplify); `points` and
    `max_difference` what the numeric check saw (an `undecided` verdict rests on them alone).
    """

    verdict: str
    variable: str
    claim: sp.Basic
    truth: sp.Basic            # true derivative, definitions substituted (what was compared)
    truth_display: sp.Basic    # the same in terms of the user's intermediates, for printing
    method: str = ""
    points: int = 0
    max_difference: float = 0.0
    counterexample: Counterexample | None = None
    slip: Slip | None = None

    @property
    def ok(self) -> bool:
        return self.verdict != "wrong"

    def explanation(self) -> str:
        """One sentence a learner reads first."""
        if self.verdict == "wrong":
            return self.slip.text if self.slip else "the claim differs from the true derivative"
        if self.verdict == "correct":
            how = {"structural": "it is the true derivative written the same way",
                   "cancel": "claim − truth cancels to 0",
                   "simplify": "simplify(claim − truth) = 0"}.get(self.method, self.method)
            return f"proved: {how}; also equal at {self.points} random points"
        return (f"equal at all {self.points} tested points (max difference "
                f"{self.max_difference:.1e}), but no symbolic proof within the time limit")


@dataclass(frozen=True)
class StepLine:
    """One line of a hand derivation and whether it equals the true derivative."""

    n: int
    latex: str
    ok: bool
    result: VerifyResult | None = None


@dataclass(frozen=True)
class StepsResult:
    """A whole derivation: per-line marks, the first wrong line and its likely slip."""

    lines: tuple[StepLine, ...]
    variable: str
    truth_display: sp.Basic
    truth: sp.Basic

    @property
    def first_wrong(self) -> StepLine | None:
        return next((line for line in self.lines if not line.ok), None)

    @property
    def final_correct(self) -> bool:
        return bool(self.lines) and self.lines[-1].ok

    @property
    def ok(self) -> bool:
        return self.first_wrong is None and self.final_correct


# ----------------------------------------------------------------------------------------------
# the true derivative and its printable form
# ----------------------------------------------------------------------------------------------

def true_derivative(problem: Problem, var: sp.Basic) -> sp.Basic:
    """∂f/∂var with every definition substituted.

    The single place the truth comes from: it will switch to `symderiv.derive` once that lands
    (its `.gradient[...].expanded`); `sympy.diff` is the oracle the deriver is tested against.
    """
    return reduce_kronecker(sp.diff(nest_sums(problem.expanded()), var))


def nest_sums(expr: sp.Basic) -> sp.Basic:
    """Σ_{j,l} f -> Σ_l Σ_j f: SymPy differentiates a multi-limit Sum by an Indexed to 0."""
    if not expr.has(sp.Sum):
        return expr

    def nest(e):
        inner = e.function
        for lim in e.limits:
            inner = sp.Sum(inner, lim)
        return inner

    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) > 1, nest)


def reduce_kronecker(expr: sp.Basic) -> sp.Basic:
    """Σ_j δ_{jk} g(j) -> g(k): what ∂(θ^T x_i)/∂θ_k leaves behind, read as x_{ik}.

    Only a δ that multiplies a whole term of the summand is collapsed; the other terms keep
    their sum (Σ_j (δ_jk a_j + b_j) -> a_k + Σ_j b_j).
    """

    def delta_factor(term, j):
        for f in sp.Mul.make_args(term):
            if isinstance(f, sp.KroneckerDelta) and _delta_partner(f, j) is not None:
                return f
        return None

    def is_delta_sum(e):
        return isinstance(e, sp.Sum) and any(
            delta_factor(t, lim[0]) is not None
            for t in sp.Add.make_args(e.function) for lim in e.limits)

    def collapse_term(term, limits):
        limits = list(limits)
        progress = True
        while progress:
            progress = False
            for lim in limits:
                dl = delta_factor(term, lim[0])
                if dl is not None:
                    term = term.xreplace({dl: sp.S.One}).xreplace({lim[0]: _delta_partner(dl, lim[0])})
                    limits.remove(lim)
                    progress = True
                    break
        return sp.Sum(term, *limits) if limits else term

    def collapse(e):
        return sp.Add(*[collapse_term(t, e.limits) for t in sp.Add.make_args(e.function)])

    if not expr.has(sp.KroneckerDelta):
        return expr
    return expr.replace(is_delta_sum, collapse)


def _delta_partner(delta: sp.KroneckerDelta, j: sp.Symbol):
    a, b = delta.args
    if a == j and not b.has(j):
        return b
    if b == j and not a.has(j):
        return a
    return None


def fold_definitions(problem: Problem, expr: sp.Basic) -> sp.Basic:
    """Write `expr` back in the user's intermediates (σ(θ^T x_i) -> ŷ_i): the deriver's fold."""
    from symderiv.calculus.simplify import fold
    return fold(expr, problem.definitions)


def display_form(problem: Problem, truth: sp.Basic, seconds: float = 1.0) -> sp.Basic:
    """The truth as a textbook prints it, by the deriver's own simplifier (intermediates folded,
    cancelled in terms of them: Σ_i (ŷ_i − y_i) x_{ik}); bounded by a time limit."""
    from symderiv.calculus.simplify import fold, textbook
    try:
        with time_limit(seconds, "tidying the true derivative"):
            return textbook(truth, problem.definitions)
    except TimeLimitError:
        return fold(truth, problem.definitions)


# ----------------------------------------------------------------------------------------------
# numeric evaluation: a small mpmath interpreter of SymPy trees (sums unrolled, data drawn lazily)
# ----------------------------------------------------------------------------------------------

class _Undefined(Exception):
    """The expression has no finite real value at this point (log of a negative, 1/0, …)."""


class Point:
    """The values of one random point, drawn lazily so any expression can be evaluated at it.

    Scalars and array entries (`x[2, 1]`) get short decimals (two digits, so a counterexample is
    readable) from a seeded generator; sizes and free indices are integers fixed per instance.
    `mode` picks the sampling box: mixed signs, positive, or inside (0, 1) for log(1 − x) etc.
    """

    def __init__(self, rng: random.Random, ints: dict, ranges: dict, mode: str):
        self.rng = rng
        self.ints = dict(ints)          # size and free-index symbols -> int
        self.ranges = ranges            # integer symbol -> its upper bound (expression)
        self.mode = mode
        self.values: dict = {}          # Symbol or (name, indices) -> hundredths (int)
        self.order: list = []

    def _draw(self) -> int:
        if self.mode == "unit":
            return self.rng.randint(5, 95)
        magnitude = self.rng.randint(15, 190)
        if self.mode == "positive":
            return magnitude
        return magnitude if self.rng.random() < 0.5 else -magnitude

    def scalar(self, key) -> int:
        if key not in self.values:
            self.values[key] = self._draw()
            self.order.append(key)
        return self.values[key]

    def integer(self, sym: sp.Symbol) -> int:
        if sym not in self.ints:
            upper = self.ranges.get(sym)
            hi = _int_value(upper, self) if upper is not None else 2
            self.ints[sym] = self.rng.randint(1, max(1, hi))
        return self.ints[sym]

    def items(self) -> tuple[tuple[str, str], ...]:
        """(name, value) pairs for a counterexample: integers first, then the drawn values."""
        out = [(str(s), str(v)) for s, v in sorted(self.ints.items(), key=lambda kv: str(kv[0]))]
        for key in self.order:
            name = str(key) if not isinstance(key, tuple) else f"{key[0]}[{','.join(map(str, key[1]))}]"
            out.append((name, _hundredths(self.values[key])))
        return tuple(out)


def _hundredths(v: int) -> str:
    return f"{Fraction(v, 100).numerator / Fraction(v, 100).denominator:g}"


def _int_value(expr, point: Point) -> int:
    value = evaluate(expr, point) if isinstance(expr, sp.Basic) else expr
    if isinstance(value, int):
        return value
    if isinstance(value, mpmath.mpf) and value == int(value):
        return int(value)
    raise VerifyError(f"a size or index is not an integer: {expr}")


def evaluate(expr: sp.Basic, point: Point, bound: dict | None = None):
    """Value of `expr` at `point` (mpf, mpc or int); raises _Undefined off the domain."""
    handler = _handler(type(expr))
    try:
        return handler(expr, point, bound or {})
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise _Undefined(str(exc)) from None


_HANDLERS: dict = {}
_HANDLER_CACHE: dict = {}


def _handler(cls):
    h = _HANDLER_CACHE.get(cls)
    if h is None:
        h = next((_HANDLERS[c] for c in cls.__mro__ if c in _HANDLERS), _ev_fallback)
        _HANDLER_CACHE[cls] = h
    return h


def _on(*classes):
    def register(fn):
        for c in classes:
            _HANDLERS[c] = fn
        return fn
    return register


def _ev(expr, point, bound):
    return _handler(type(expr))(expr, point, bound)


@_on(sp.Integer)
def _ev_integer(e, point, bound):
    return int(e.p)


@_on(sp.Rational)
def _ev_rational(e, point, bound):
    return mpmath.mpf(e.p) / e.q


@_on(sp.Float)
def _ev_float(e, point, bound):
    return mpmath.mpf(e._mpf_)


@_on(sp.NumberSymbol, type(sp.I))
def _ev_constant(e, point, bound):
    z = complex(e.evalf(mpmath.mp.dps + 5)) if e.is_real is False else None
    if z is not None:
        return mpmath.mpc(z)
    return mpmath.mpf(sp.Float(e.evalf(mpmath.mp.dps + 5))._mpf_)


@_on(sp.Symbol)
def _ev_symbol(e, point, bound):
    if e in bound:
        return bound[e]
    if e.is_integer or e in point.ints:
        return point.integer(e)
    return mpmath.mpf(point.scalar(e)) / 100


@_on(sp.Indexed)
def _ev_indexed(e, point, bound):
    idx = tuple(_as_int(_ev(i, point, bound)) for i in e.indices)
    return mpmath.mpf(point.scalar((str(e.base.label), idx))) / 100


def _as_int(v) -> int:
    if isinstance(v, int):
        return v
    if isinstance(v, mpmath.mpf) and v == int(v):
        return int(v)
    raise _Undefined("non-integer index")


@_on(sp.Add)
def _ev_add(e, point, bound):
    total = 0
    for a in e.args:
        total = total + _ev(a, point, bound)
    return total


@_on(sp.Mul)
def _ev_mul(e, point, bound):
    prod = 1
    for a in e.args:
        prod = prod * _ev(a, point, bound)
    return prod


@_on(sp.Pow)
def _ev_pow(e, point, bound):
    base = _ev(e.base, point, bound)
    exp = _ev(e.exp, point, bound)
    if isinstance(exp, int):
        if exp < 0:
            base = mpmath.mpf(base) if isinstance(base, int) else base
            if base == 0:
                raise _Undefined("division by zero")
            return 1 / base ** (-exp)
        return base ** exp
    if isinstance(base, int):
        base = mpmath.mpf(base)
    if base == 0 and mpmath.re(exp) <= 0:
        raise _Undefined("0 to a non-positive power")
    return mpmath.power(base, exp)


def _unary(fn: Callable):
    def handler(e, point, bound):
        return fn(_to_mp(_ev(e.args[0], point, bound)))
    return handler


def _to_mp(v):
    return mpmath.mpf(v) if isinstance(v, int) else v


def _log(v):
    if v == 0:
        raise _Undefined("log 0")
    return mpmath.log(v)


def _heaviside(v):
    if v == 0:
        raise _Undefined("Heaviside at 0")
    return mpmath.mpf(1) if v > 0 else mpmath.mpf(0)


def _sign(v):
    return mpmath.mpf(0) if v == 0 else mpmath.mpf(1) if v > 0 else mpmath.mpf(-1)


for _cls, _fn in {
    sp.exp: mpmath.exp, sp.log: _log, sp.sin: mpmath.sin, sp.cos: mpmath.cos,
    sp.tan: mpmath.tan, sp.cot: mpmath.cot, sp.sec: mpmath.sec, sp.csc: mpmath.csc,
    sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh, sp.tanh: mpmath.tanh, sp.asin: mpmath.asin,
    sp.acos: mpmath.acos, sp.atan: mpmath.atan, sp.Abs: lambda v: abs(v),
    sp.sign: _sign, sp.Heaviside: _heaviside,
    sigmoid: lambda v: 1 / (1 + mpmath.exp(-v)),
    softplus: lambda v: mpmath.log(1 + mpmath.exp(v)),
    relu: lambda v: v if v > 0 else mpmath.mpf(0),
}.items():
    _HANDLERS[_cls] = _unary(_fn)


@_on(sp.Max)
def _ev_max(e, point, bound):
    return max(_ev(a, point, bound) for a in e.args)


@_on(sp.Min)
def _ev_min(e, point, bound):
    return min(_ev(a, point, bound) for a in e.args)


@_on(sp.KroneckerDelta)
def _ev_delta(e, point, bound):
    a, b = (_ev(x, point, bound) for x in e.args[:2])
    return 1 if a == b else 0


@_on(sp.Sum, sp.Product)
def _ev_sum(e, point, bound):
    """Unroll the sum over its (concrete) range, binding the index for the summand."""
    is_sum = isinstance(e, sp.Sum)

    def unroll(body, limits, env):
        if not limits:
            return _ev(body, point, env)
        (var, lo, hi), rest = limits[0], limits[1:]
        lo_v, hi_v = _as_int(_ev(lo, point, env)), _as_int(_ev(hi, point, env))
        if hi_v - lo_v > 1000:
            raise VerifyError("a sum is too long to evaluate numerically")
        acc = 0 if is_sum else 1
        for value in range(lo_v, hi_v + 1):
            term = unroll(body, rest, {**env, var: value})
            acc = acc + term if is_sum else acc * term
        return acc

    return unroll(e.function, list(e.limits), dict(bound))


@_on(sp.Piecewise)
def _ev_piecewise(e, point, bound):
    for value, cond in e.args:
        if _ev(cond, point, bound):
            return _ev(value, point, bound)
    raise _Undefined("no branch of a piecewise applies")


_RELATIONS = {sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
              sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
              sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b}


@_on(*_RELATIONS)
def _ev_relation(e, point, bound):
    a, b = (_ev(x, point, bound) for x in e.args)
    if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
        raise _Undefined("comparison of complex values")
    return _RELATIONS[type(e)](a, b)


@_on(sp.And)
def _ev_and(e, point, bound):
    return all(_ev(a, point, bound) for a in e.args)


@_on(sp.Or)
def _ev_or(e, point, bound):
    return any(_ev(a, point, bound) for a in e.args)


@_on(sp.Not)
def _ev_not(e, point, bound):
    return not _ev(e.args[0], point, bound)


@_on(type(sp.true))
def _ev_true(e, point, bound):
    return True


@_on(type(sp.false))
def _ev_false(e, point, bound):
    return False


@_on(type(sp.nan), type(sp.zoo), type(sp.oo), type(sp.S.NegativeInfinity))
def _ev_nonfinite(e, point, bound):
    raise _Undefined("not finite")


def _ev_fallback(e, point, bound):
    """Anything else: substitute the point's numbers and let SymPy's evalf do it."""
    rep = {}
    for s in e.atoms(sp.Symbol):
        rep[s] = sp.Float(_mp_str(_ev_symbol(s, point, bound)), mpmath.mp.dps)
    for a in e.atoms(sp.Indexed):
        rep[a] = sp.Float(_mp_str(_ev_indexed(a, point, bound)), mpmath.mp.dps)
    value = e.xreplace(rep).evalf(mpmath.mp.dps)
    if value.is_Number and value.is_finite:
        return mpmath.mpf(sp.Float(value)._mpf_)
    if value.is_number and value.is_finite:
        return mpmath.mpc(complex(value))
    raise VerifyError(f"cannot evaluate {type(e).__name__} numerically: {sp.sstr(e)[:80]}")


def _mp_str(v) -> str:
    return mpmath.nstr(v, mpmath.mp.dps) if not isinstance(v, int) else str(v)


def real_value(expr: sp.Basic, point: Point):
    """A finite real mpf, or raise _Undefined."""
    v = evaluate(expr, point)
    if isinstance(v, bool):
        raise _Undefined("a truth value")
    if isinstance(v, int):
        return mpmath.mpf(v)
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * max(1, abs(v.real)):
            raise _Undefined("not real")
        v = v.real
    if not mpmath.isfinite(v):
        raise _Undefined("not finite")
    return v


def _close(a, b, tol: float) -> bool:
    return abs(a - b) <= tol * max(1, abs(b))


# ----------------------------------------------------------------------------------------------
# the checker: truth values at sampled points, reused for the claim, every line and every slip
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    """One accepted point with the truth's value there."""

    point: Point
    truth: mpmath.mpf


@dataclass(frozen=True)
class NumericCheck:
    """The claim at every sample: values (None where undefined), the first differing sample."""

    values: tuple
    first_bad: int | None
    max_difference: float


class Checker:
    """The truth of one problem, sampled once; any number of claims are checked against it."""

    def __init__(self, problem: Problem, wrt: str | None, settings: Settings = DEFAULT_SETTINGS):
        self.problem = problem
        self.settings = settings
        self.function = nest_sums(problem.expanded())
        self.var_name = wrt or (problem.variables[0] if problem.variables else _only_symbol(self.function))
        self.var, self.component = _resolve_variable(problem, self.function, self.var_name)
        self.truth = true_derivative(problem, self.var)
        self.ranges = _index_ranges(problem, self.function, self.var, self.component)
        self.samples = self._sample()
        self._display = None

    # -- sampling ---------------------------------------------------------------------------
    def _sample(self) -> tuple[Sample, ...]:
        """Random points where the truth is finite and real, over a few size instances."""
        s = self.settings
        rng = random.Random(s.seed)
        sizes = _size_symbols(self.problem, self.function, self.truth)
        n_inst = s.instances if sizes or self.component is not None else 1
        samples = []
        with mpmath.workdps(s.dps):
            for t in range(n_inst):
                ints = {sym: 2 + ((t * (p + 1)) % 3) for p, sym in enumerate(sizes)}
                got, attempts = 0, 0
                while got < s.points and attempts < 8 * s.points:
                    mode = ("mixed", "positive", "unit")[attempts % 3]
                    attempts += 1
                    point = Point(rng, ints, self.ranges, mode)
                    if self.component is not None:
                        point.integer(self.component)
                    try:
                        value = real_value(self.truth, point)
                    except _Undefined:
                        continue
                    samples.append(Sample(point, value))
                    got += 1
        return tuple(samples)

    # -- claims ---------------------------------------------------------------------------
    def prepare(self, claim: sp.Basic) -> sp.Basic:
        """The claim with definitions substituted and its component index named like ours."""
        claim = self.problem.expanded(self._subscripts_as_indices(claim))
        if claim.has(sp.Derivative):  # a line may still say d/dx(inner): evaluate it
            claim = claim.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
        claim = reduce_kronecker(nest_sums(claim))
        if self.component is not None:
            claim = self._as_component(claim)
        if self.component is not None and not claim.has(self.component):
            extra = [s for s in _free_indices(claim) if s not in self.truth.free_symbols
                     and s not in _outer_sum_vars(self.truth)]
            if len(extra) == 1:
                claim = claim.xreplace({extra[0]: self.component})
        return claim

    def _subscripts_as_indices(self, claim: sp.Basic) -> sp.Basic:
        """`x_i`, `y_i` written outside any sum (plain symbols to the parser) -> x[i], y[i].

        A learner who drops the sum over samples writes the summand with a free i; it must be
        compared with the truth's summand, so it has to be indexed like the truth.
        """
        bases = {str(a.base.label): a.base for a in self.function.atoms(sp.Indexed)}
        bases.update({d.name: d.target.base for d in self.problem.definitions
                      if isinstance(d.target, sp.Indexed)})
        rep = {}
        for s in claim.free_symbols:
            m = re.fullmatch(r"(\w+?)_\{?([a-z])\}?", str(s))
            if m and m.group(1) in bases and not s.is_integer:
                rep[s] = bases[m.group(1)][sp.Symbol(m.group(2), integer=True)]
        return claim.xreplace(rep) if rep else claim

    def _as_component(self, claim: sp.Basic) -> sp.Basic:
        """Read a vector claim as its k-th component: x_i -> x_{ik}, θ -> θ_k.

        A gradient w.r.t. a vector is a vector; `Σ_i (ŷ_i − y_i) x_i` means, per component,
        `Σ_i (ŷ_i − y_i) x_{ik}`. Only quantities the function itself indexes once more qualify.
        """
        arity = {}
        for a in self.function.atoms(sp.Indexed):
            arity[a.base] = max(arity.get(a.base, 0), len(a.indices))
        k = self.component
        rep = {a: a.base[(*a.indices, k)] for a in claim.atoms(sp.Indexed)
               if arity.get(a.base, 0) == len(a.indices) + 1}
        by_name = {str(b.label): b for b, r in arity.items() if r == 1}
        labels = {a.base.label for a in claim.atoms(sp.Indexed)}
        rep.update({s: by_name[str(s)][k] for s in claim.free_symbols - labels
                    if isinstance(s, sp.Symbol) and str(s) in by_name and not s.is_integer})
        return claim.xreplace(rep) if rep else claim

    def numeric(self, claim: sp.Basic, samples=None) -> NumericCheck:
        samples = self.samples if samples is None else samples
        values, first_bad, worst = [], None, 0.0
        with mpmath.workdps(self.settings.dps):
            for n, sample in enumerate(samples):
                try:
                    c = real_value(claim, sample.point)
                except _Undefined:
                    c = None
                values.append(c)
                if c is None or not _close(c, sample.truth, self.settings.rel_tol):
                    if first_bad is None:
                        first_bad = n
                else:
                    worst = max(worst, float(abs(c - sample.truth)))
        return NumericCheck(tuple(values), first_bad, worst)

    def check(self, claim: sp.Basic, prove: bool = True) -> VerifyResult:
        """Verdict for one claim: structural, numeric, then (if asked) symbolic."""
        prepared = self.prepare(claim)
        base = dict(variable=self.var_name, claim=prepared, truth=self.truth,
                    truth_display=self.display, points=len(self.samples))
        if prepared == self.truth or sp.expand(prepared - self.truth) == 0:
            return VerifyResult("correct", method="structural", **base)
        num = self.numeric(prepared)
        if num.first_bad is not None and self._confirm(prepared, num.first_bad):
            sample = self.samples[num.first_bad]
            claimed = num.values[num.first_bad]
            cx = Counterexample(sample.point.items(),
                                None if claimed is None else mpmath.nstr(claimed, 8),
                                mpmath.nstr(sample.truth, 8))
            return VerifyResult("wrong", counterexample=cx, slip=self.diagnose(prepared, num),
                                max_difference=num.max_difference, **base)
        base["max_difference"] = num.max_difference
        if not prove:
            return VerifyResult("undecided", **base)
        method = self._prove(prepared)
        return VerifyResult("correct" if method else "undecided", method=method or "", **base)

    def _confirm(self, claim: sp.Basic, n: int) -> bool:
        """Re-evaluate a disagreement at higher precision so rounding never convicts a claim."""
        point = self.samples[n].point
        with mpmath.workdps(self.settings.confirm_dps):
            try:
                t = real_value(self.truth, point)
            except _Undefined:
                return False
            try:
                c = real_value(claim, point)
            except _Undefined:
                return True
            return not _close(c, t, self.settings.rel_tol)

    def _prove(self, claim: sp.Basic) -> str | None:
        """A symbolic proof that claim − truth = 0: cheap cancellation first, then simplify."""
        difference = claim - self.truth
        try:
            if all(_cancels(part) for part in _sum_parts(difference)):
                return "cancel"
        except TimeLimitError:
            pass
        try:
            with time_limit(self.settings.simplify_seconds, "simplify(claim - truth)"):
                if all(sp.simplify(to_elementary(part)) == 0 for part in _sum_parts(difference)):
                    return "simplify"
        except TimeLimitError:
            return None
        return None

    @property
    def display(self) -> sp.Basic:
        if self._display is None:
            self._display = display_form(self.problem, self.truth)
        return self._display

    # -- diagnosis ------------------------------------------------------------------------
    def diagnose(self, claim: sp.Basic, num: NumericCheck) -> Slip:
        """The first slip model that reproduces the claim at every sample."""
        for model in SLIP_MODELS:
            slip = model(self, claim, num)
            if slip is not None:
                return slip
        return Slip("unknown", "the claim matches none of the common slips; compare it with "
                               "the true derivative below")

    def matches(self, candidate: sp.Basic, num: NumericCheck) -> bool:
        """Whether `candidate` equals the claim (whose values are `num`) at every sample."""
        if candidate == self.truth:
            return False
        with mpmath.workdps(self.settings.dps):
            hits = 0
            for sample, c in zip(self.samples, num.values):
                if c is None:
                    return False
                try:
                    v = real_value(candidate, sample.point)
                except _Undefined:
                    return False
                if not _close(c, v, 1e-9):
                    return False
                hits += 1
        return hits > 0

    def name(self, expr: sp.Basic) -> str:
        return _latex(fold_definitions(self.problem, expr))


# ----------------------------------------------------------------------------------------------
# symbolic proof helpers
# ----------------------------------------------------------------------------------------------

def _sum_parts(expr: sp.Basic) -> list[sp.Basic]:
    """Split a difference into parts that must each vanish: sums with equal limits merged.

    c·Σ_i f_i − Σ_i g_i becomes the single summand c·f_i − g_i (bound index renamed to one
    dummy), which `cancel` handles where `simplify` on the whole would take seconds.
    """
    groups: dict = {}
    rest = []
    for term in sp.Add.make_args(sp.expand(expr, deep=False, mul=True, multinomial=False,
                                           power_exp=False, power_base=False, log=False)):
        factors = sp.Mul.make_args(term)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        coeff = sp.Mul(*[f for f in factors if not isinstance(f, sp.Sum)])
        if len(sums) != 1 or len(sums[0].limits) != 1:
            rest.append(term)
            continue
        s = sums[0]
        var, lo, hi = s.limits[0]
        if coeff.has(var):
            rest.append(term)
            continue
        key = (lo, hi)
        dummy = groups.setdefault(key, [sp.Dummy("i", integer=True), []])[0]
        groups[key][1].append(coeff * s.function.xreplace({var: dummy}))
    parts = [sp.Add(*terms) for _, terms in groups.values()]
    parts.append(sp.Add(*rest))
    return [p for p in parts if p != 0]


def _cancels(expr: sp.Basic) -> bool:
    """claim − truth is 0 by `cancel`, with σ(z) kept as a symbol (σ' = σ(1 − σ) is algebraic)."""
    with time_limit(0.5, "cancel"):
        if sp.cancel(expr) == 0:
            return True
        elementary = to_elementary(expr)
        return sp.cancel(sp.expand(elementary)) == 0 if elementary != expr else False


# ----------------------------------------------------------------------------------------------
# slip models: each returns a Slip when the claim equals the derivative made with that slip
# ----------------------------------------------------------------------------------------------

def _ratios(checker: Checker, num: NumericCheck) -> list | None:
    out = []
    for sample, c in zip(checker.samples, num.values):
        if c is None:
            return None
        if abs(sample.truth) < mpmath.mpf(10) ** -20:
            if abs(c) > 1e-20:
                return None
            continue
        out.append((sample, c / sample.truth))
    return out or None


def _constant_ratio(checker: Checker, num: NumericCheck):
    ratios = _ratios(checker, num)
    if not ratios:
        return None
    first = ratios[0][1]
    return first if all(_close(r, first, 1e-9) for _, r in ratios) else None


def slip_quotient(checker: Checker, claim, num) -> Slip | None:
    """(u/v)' = (u'v − uv')/v²; with the numerator's terms swapped the quotient's part flips sign."""
    f, var = checker.function, checker.var
    for q in _quotients(f, var):
        Q = sp.Dummy("Q")
        fq = f.xreplace({q: Q})
        dq = sp.diff(q, var)
        candidate = reduce_kronecker((sp.diff(fq, var) - sp.diff(fq, Q) * dq).xreplace({Q: q}))
        if checker.matches(candidate, num):
            num_, den = sp.fraction(q)
            return Slip("quotient", f"the numerator of the quotient rule is swapped: for "
                                    f"${_latex(q)}$ it is $u'v - uv'$ with $u = {_latex(num_)}$, "
                                    f"$v = {_latex(den)}$, not $uv' - u'v$")
    return None


def slip_sign(checker: Checker, claim, num) -> Slip | None:
    r = _constant_ratio(checker, num)
    if r is not None and _close(r, -1, 1e-9):
        return Slip("sign", "the sign is flipped: your result is minus the true derivative "
                            "(check the minus signs of the loss and of each chain factor)")
    return None


def slip_log(checker: Checker, claim, num) -> Slip | None:
    """log taken as base 10 (a stray 1/ln 10), or log u differentiated without u'."""
    f, var = checker.function, checker.var
    log10 = sp.log(10)
    as_base10 = f.replace(lambda e: isinstance(e, sp.log), lambda e: sp.log(e.args[0]) / log10)
    if as_base10 != f and checker.matches(reduce_kronecker(sp.diff(as_base10, var)), num):
        return Slip("log", "log is the natural logarithm here (ML convention): "
                           "$\\frac{d}{du}\\log u = \\frac{1}{u}$, without the factor "
                           "$\\frac{1}{\\ln 10}$ of a base-10 logarithm")
    if f.has(log10) and checker.matches(reduce_kronecker(sp.diff(f.xreplace({log10: 1}), var)), num):
        return Slip("log", "this logarithm has base 10: $\\frac{d}{du}\\log_{10} u = "
                           "\\frac{1}{u \\ln 10}$; the factor $\\frac{1}{\\ln 10}$ is missing")
    for u in _inner_arguments(f, var, (sp.log,)):
        candidate = _drop_inner_derivative(f, var, u)
        if checker.matches(candidate, num):
            du = reduce_kronecker(sp.diff(u, var))
            return Slip("log", f"$\\frac{{d}}{{dx}}\\log u = \\frac{{u'}}{{u}}$: with "
                               f"$u = {checker.name(u)}$ you are missing the inner derivative "
                               f"{_partial(checker, u)} $= {checker.name(du)}$")
    r = _constant_ratio(checker, num)
    if r is not None:
        for c, words in ((1 / mpmath.log(10), "a stray factor $\\frac{1}{\\ln 10}$: log here is "
                                               "natural, not base 10"),
                         (mpmath.log(10), "a missing factor $\\frac{1}{\\ln 10}$ of a base-10 log")):
            if _close(r, c, 1e-9):
                return Slip("log", words)
    return None


def slip_sigmoid(checker: Checker, claim, num) -> Slip | None:
    """σ'(z) written as σ(z) instead of σ(z)(1 − σ(z))."""
    f, var = checker.function, checker.var
    for s in sorted(f.atoms(sigmoid), key=sp.default_sort_key):
        if not _depends(s, var):
            continue
        S = sp.Dummy("S")
        fs = f.xreplace({s: S})
        z = s.args[0]
        candidate = (sp.diff(fs, var) + sp.diff(fs, S) * s * sp.diff(z, var)).xreplace({S: s})
        if checker.matches(reduce_kronecker(candidate), num):
            return Slip("sigmoid", "the derivative of the sigmoid is $\\sigma'(z) = "
                                   "\\sigma(z)(1 - \\sigma(z))$, not $\\sigma(z)$")
    return None


def slip_chain(checker: Checker, claim, num) -> Slip | None:
    """Claim × inner derivative = truth: one link of the chain rule left out."""
    f, var = checker.function, checker.var
    for u in _inner_arguments(f, var, None):
        candidate = _drop_inner_derivative(f, var, u)
        if checker.matches(candidate, num):
            du = reduce_kronecker(sp.diff(u, var))
            return Slip("chain", f"you are missing the factor {_partial(checker, u)} "
                                 f"$= {checker.name(du)}$ from the chain rule"
                                 + _where(checker, u))
    return None


def slip_transpose(checker: Checker, claim, num) -> Slip | None:
    """A matrix used transposed, or taken as symmetric ((A + A^T)θ written as 2Aθ)."""
    truth = checker.truth
    bases = sorted({a.base for a in truth.atoms(sp.Indexed) if len(a.indices) == 2}, key=str)
    for base in bases:
        swapped = truth.replace(lambda e: isinstance(e, sp.Indexed) and e.base == base,
                                lambda e: base[e.indices[1], e.indices[0]])
        if checker.matches(swapped, num):
            return Slip("transpose", f"${_latex(base.label)}$ appears transposed: swap its "
                                     f"indices (use ${_latex(base.label)}^T$ where you wrote "
                                     f"${_latex(base.label)}$)")
    for base in bases:
        if _equal_when_symmetric(checker, claim, base):
            name = _latex(base.label)
            return Slip("transpose", f"you treated ${name}$ as symmetric: "
                                     f"$\\frac{{\\partial}}{{\\partial \\theta}} \\theta^T {name} "
                                     f"\\theta = ({name} + {name}^T)\\theta$, which is $2{name}\\theta$ "
                                     f"only when ${name}^T = {name}$")
    return None


def _equal_when_symmetric(checker: Checker, claim, base) -> bool:
    """Claim and truth agree once `base` is replaced by its symmetric part."""

    def symmetrise(expr):
        return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == base,
                            lambda e: (base[e.indices] + base[e.indices[1], e.indices[0]]) / 2)

    truth = symmetrise(checker.truth)
    claim_s = symmetrise(claim)
    with mpmath.workdps(checker.settings.dps):
        for sample in checker.samples:
            try:
                if not _close(real_value(claim_s, sample.point),
                              real_value(truth, sample.point), 1e-9):
                    return False
            except _Undefined:
                return False
    return True


def slip_sum(checker: Checker, claim, num) -> Slip | None:
    """The claim is one summand: the sum over samples was dropped."""
    truth = checker.truth
    outer = [t for t in sp.Add.make_args(truth)]
    free_claim = [s for s in _free_indices(claim) if s not in truth.free_symbols]
    for term in outer:
        coeff, s = term.as_independent(sp.Sum, as_Add=False)
        if not isinstance(s, sp.Sum) or len(s.limits) != 1:
            continue
        var, lo, hi = s.limits[0]
        targets = free_claim or [var]
        for target in targets:
            summand = coeff * s.function.xreplace({var: target})
            rest = truth - term
            for candidate in (summand + rest, summand):
                if _matches_with_index(checker, claim, candidate, target, hi):
                    limits = _latex(sp.Sum(sp.Symbol("S"), s.limits[0])).replace(" S", "")
                    return Slip("sum", f"the sum ${limits}$ was dropped: your result is one "
                                       f"summand; the derivative of a sum over samples is the "
                                       f"sum of the summands' derivatives")
    return None


def _matches_with_index(checker: Checker, claim, candidate, index, upper) -> bool:
    """Compare claim and candidate with `index` (free in both) drawn in its range."""
    with mpmath.workdps(checker.settings.dps):
        seen = 0
        for sample in checker.samples:
            point = sample.point
            if index not in point.ints:
                hi = _int_value(upper, point)
                point.ints[index] = point.rng.randint(1, max(1, hi))
            try:
                if not _close(real_value(claim, point), real_value(candidate, point), 1e-9):
                    return False
            except _Undefined:
                return False
            seen += 1
    return seen > 0


def slip_power(checker: Checker, claim, num) -> Slip | None:
    """d/du u^p = p·u^(p−1); the exponent left at p, lowered twice, or raised."""
    f, var = checker.function, checker.var
    for p_node in _powers(f, var):
        u, p = p_node.base, p_node.exp
        P = sp.Dummy("P")
        fp = f.xreplace({p_node: P})
        du = sp.diff(u, var)
        for wrong in (p, p - 2, p + 1):
            candidate = (sp.diff(fp, var) + sp.diff(fp, P) * p * u ** wrong * du).xreplace({P: p_node})
            if checker.matches(reduce_kronecker(candidate), num):
                return Slip("power", f"power rule: $\\frac{{d}}{{du}} u^{{{_latex(p)}}} = "
                                     f"{_latex(p)} u^{{{_latex(p - 1)}}}$ (exponent lowered by one), "
                                     f"you used the exponent ${_latex(wrong)}$ "
                                     f"(with $u = {checker.name(u)}$)")
    return None


def slip_product(checker: Checker, claim, num) -> Slip | None:
    """(uv)' = u'v + uv'; one of the terms left out."""
    f, var = checker.function, checker.var
    for m in _products(f, var):
        factors = [a for a in m.args if _depends(a, var)]
        for held in factors:
            H = sp.Dummy("H")
            fh = f.xreplace({m: m.func(*[H if a == held else a for a in m.args])})
            candidate = reduce_kronecker(sp.diff(fh, var).xreplace({H: held}))
            if checker.matches(candidate, num):
                dheld = reduce_kronecker(sp.diff(held, var))
                return Slip("product", f"product rule: in ${_latex(m)}$ the term with the "
                                       f"derivative of ${checker.name(held)}$ "
                                       f"($= {checker.name(dheld)}$) is missing; "
                                       f"$(uv)' = u'v + uv'$")
    return None


def slip_factor(checker: Checker, claim, num) -> Slip | None:
    """Claim = c · truth, c constant (a forgotten 2, 1/n, …), or c a size such as n."""
    r = _constant_ratio(checker, num)
    if r is not None:
        return Slip("factor", _factor_words(r))
    ratios = _ratios(checker, num)
    if not ratios:
        return None
    sizes = _size_symbols(checker.problem, checker.function, checker.truth)
    for size in sizes:
        for power, words in ((1, f"your result is ${_latex(size)}$ times the true derivative: "
                                 f"the factor $\\frac{{1}}{{{_latex(size)}}}$ of the mean was "
                                 f"dropped"),
                             (-1, f"your result is the true derivative divided by "
                                  f"${_latex(size)}$: a factor $\\frac{{1}}{{{_latex(size)}}}$ "
                                  f"too many")):
            if all(_close(r, mpmath.mpf(s.point.ints.get(size, 0)) ** power, 1e-9)
                   for s, r in ratios if size in s.point.ints):
                return Slip("factor", words)
    return None


def _factor_words(r) -> str:
    frac = Fraction(float(r)).limit_denominator(1000)
    if abs(float(r) - frac.numerator / frac.denominator) > 1e-9 * max(1.0, abs(float(r))):
        return f"your result is {mpmath.nstr(r, 6)} times the true derivative: a constant factor is off"
    c = _latex(sp.Rational(frac.numerator, frac.denominator))
    if frac.numerator == 1:
        return (f"your result is ${c}$ of the true derivative: you are missing a factor "
                f"${frac.denominator}$ (e.g. the ${frac.denominator}$ that comes down from a power)")
    if frac.denominator == 1:
        return (f"your result is ${c}$ times the true derivative: a factor ${c}$ too many "
                f"(e.g. a $\\frac{{1}}{{{c}}}$ in front of the loss was dropped)")
    return f"your result is ${c}$ times the true derivative: a constant factor is off"


SLIP_MODELS = (slip_quotient, slip_sign, slip_log, slip_sigmoid, slip_chain, slip_sum,
               slip_transpose, slip_power, slip_product, slip_factor)


# -- tree helpers for the slip models ------------------------------------------------------------

def _depends(expr: sp.Basic, var: sp.Basic) -> bool:
    """Whether expr varies with var; θ_k counts as inside Σ_j θ_j x_ij (any entry of θ)."""
    if isinstance(var, sp.Indexed):
        return any(a.base == var.base for a in expr.atoms(sp.Indexed))
    return expr.has(var)


def _inner_arguments(f: sp.Basic, var, kinds) -> list:
    """Inner functions u of f(u) or u^p whose derivative is not 1, outermost first."""
    out = []
    for node in sp.preorder_traversal(f):
        if kinds is None:
            is_app = isinstance(node, sp.Function) and len(node.args) == 1 or (
                isinstance(node, sp.Pow) and node.exp.is_number)
        else:
            is_app = isinstance(node, kinds)
        if not is_app:
            continue
        u = node.args[0] if not isinstance(node, sp.Pow) else node.base
        if _depends(u, var) and u != var and u not in out and not isinstance(u, sp.Indexed):
            out.append(u)
    return out


def _drop_inner_derivative(f, var, u):
    """∂f/∂var with ∂u/∂var replaced by 1 (every occurrence of u)."""
    U = sp.Dummy("U")
    fu = f.xreplace({u: U})
    return reduce_kronecker((sp.diff(fu, var) + sp.diff(fu, U)).xreplace({U: u}))


def _quotients(f, var) -> list:
    """Products u·v^(−k) whose numerator and denominator both depend on var."""
    out = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.Mul):
            num, den = sp.fraction(node)
            if den != 1 and _depends(num, var) and _depends(den, var) and node not in out:
                out.append(node)
    return out


def _powers(f, var) -> list:
    out = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.Pow) and node.exp.is_number and _depends(node.base, var) and node not in out:
            out.append(node)
    return out


def _products(f, var) -> list:
    out = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, sp.Mul) and sum(1 for a in node.args if _depends(a, var)) >= 2 \
                and node not in out:
            out.append(node)
    return out


def _partial(checker: Checker, u) -> str:
    """$\\frac{\\partial z_i}{\\partial \\theta_k}$ with the user's name for u where known."""
    return f"$\\frac{{\\partial {_inner_name(checker, u)}}}{{\\partial {_latex(checker.var)}}}$"


def _inner_name(checker: Checker, u) -> str:
    folded = fold_definitions(checker.problem, u)
    if folded != u and (folded.is_Symbol or isinstance(folded, sp.Indexed)):
        return _latex(folded)
    sizes = set(_size_symbols(checker.problem, checker.function, checker.truth))
    idx = sorted((s for s in u.free_symbols if s.is_integer and s != checker.component
                  and s not in sizes), key=str)
    base = "z" if any(isinstance(a, sigmoid) and a.args[0] == u
                      for a in checker.function.atoms(sigmoid)) else "u"
    return f"{base}_{{{','.join(_latex(s) for s in idx)}}}" if idx else base


def _where(checker: Checker, u) -> str:
    name = _inner_name(checker, u)
    if name.startswith(("z", "u")) and not name.startswith("\\"):
        return f" (${name} = {checker.name(u)}$)"
    return ""


# ----------------------------------------------------------------------------------------------
# variables, sizes and indices
# ----------------------------------------------------------------------------------------------

# the free index of a vector gradient's component: k, unless the function already uses k
# (−log softmax(z)_k fixes a class k; its gradient's entries are then named l)
COMPONENT_NAMES = ("k", "l", "m", "p", "q", "r", "s", "t")


def _only_symbol(expr: sp.Basic) -> str:
    syms = sorted((s for s in expr.free_symbols if not s.is_integer), key=str)
    if len(syms) != 1:
        raise VerifyError("say which variable to differentiate by (--wrt)")
    return str(syms[0])


def _normalise_name(name: str) -> str:
    name = name.strip().strip("$").strip()
    name = re.sub(r"\\(hat|bar|tilde|mathbf|boldsymbol|vec)\{(.*?)\}",
                  lambda m: m.group(2) + ("" if m.group(1) in ("mathbf", "boldsymbol", "vec")
                                          else m.group(1)), name)
    return name.lstrip("\\").replace("{", "").replace("}", "")


def _resolve_variable(problem: Problem, function: sp.Basic, name: str):
    """(var, component index or None): θ_k for a vector θ, else the scalar symbol."""
    name = _normalise_name(name)
    bases = {str(a.base.label): a.base for a in function.atoms(sp.Indexed)}
    labels = {a.base.label for a in function.atoms(sp.Indexed)}
    scalars = {str(s) for s in function.free_symbols - labels}
    if name in problem.vectors or name in bases and name not in scalars:
        base = bases.get(name, sp.IndexedBase(name))
        ranks = {len(a.indices) for a in function.atoms(sp.Indexed) if a.base == base}
        if ranks - {1}:
            raise VerifyError(f"{name} carries two indices here (a matrix or data set); verify "
                              "differentiates by a scalar or by the entries of a vector")
        taken = {str(x) for x in function.free_symbols}
        component = next(sp.Symbol(c, integer=True) for c in COMPONENT_NAMES if c not in taken)
        return base[component], component
    for s in function.free_symbols:
        if str(s) == name:
            return s, None
    return sp.Symbol(name, real=True), None


def _size_symbols(problem: Problem, function: sp.Basic, truth: sp.Basic) -> list:
    """Symbols used as sum bounds (n, d, …), in a stable order."""
    found = set()
    for expr in (function, truth):
        for s in expr.atoms(sp.Sum):
            for _, lo, hi in s.limits:
                found |= (lo.free_symbols | hi.free_symbols)
    for _, upper in problem.sizes:
        found |= upper.free_symbols if isinstance(upper, sp.Basic) else set()
    bound = set()
    for expr in (function, truth):
        for s in expr.atoms(sp.Sum):
            bound |= {lim[0] for lim in s.limits}
    return sorted(found - bound, key=str)


def _index_ranges(problem: Problem, function: sp.Basic, var, component) -> dict:
    """Integer symbol -> upper bound: the problem's sizes, and the component's from θ's sums."""
    ranges = {sym: upper for sym, upper in problem.sizes if isinstance(sym, sp.Symbol)}
    for s in function.atoms(sp.Sum):
        for idx, _, hi in s.limits:
            ranges.setdefault(idx, hi)
    if component is not None:
        base = var.base
        for s in function.atoms(sp.Sum):
            for idx, _, hi in s.limits:
                if s.function.has(base[idx]):
                    ranges[component] = hi
        if component not in ranges:
            guess = [hi for sym, hi in problem.sizes if str(hi) == "d"]
            ranges[component] = guess[0] if guess else sp.Integer(3)
    return ranges


def _free_indices(expr: sp.Basic) -> list:
    return sorted((s for s in expr.free_symbols if s.is_integer), key=str)


def _outer_sum_vars(expr: sp.Basic) -> set:
    return {lim[0] for s in expr.atoms(sp.Sum) for lim in s.limits}


# ----------------------------------------------------------------------------------------------
# the public verbs
# ----------------------------------------------------------------------------------------------

def verify(latex_or_problem, wrt: str | None, claim, where=(), timeout: float | None = DEFAULT_TIMEOUT,
           settings: Settings = DEFAULT_SETTINGS) -> VerifyResult:
    """Is `claim` the derivative of the function w.r.t. `wrt`? If not, where and why.

    `latex_or_problem`: LaTeX (parsed with `where` definitions) or a Problem; `claim`: LaTeX or a
    SymPy expression (may use the problem's intermediates such as ŷ_i).
    """
    with time_limit(timeout, "verify"):
        problem = _problem(latex_or_problem, where)
        checker = Checker(problem, wrt, settings)
        claim_expr = claim if isinstance(claim, sp.Basic) else _parse_claim(claim, problem)
        return checker.check(claim_expr)


def verify_steps(text: str, latex=None, wrt: str | None = None, where=(),
                 timeout: float | None = DEFAULT_TIMEOUT,
                 settings: Settings = DEFAULT_SETTINGS) -> StepsResult:
    """Check every line of a hand derivation against the true derivative.

    Lines are numbered from 1; line 1 may carry the derivative head (`\\frac{d}{dx}(…) &= …` gives
    the function, `\\frac{\\partial L}{\\partial \\theta} &= …` takes L from `latex`/`where`).
    """
    with time_limit(timeout, "verify --steps"):
        lines = split_derivation(text)
        if not lines:
            raise VerifyError("no derivation lines found (expected an align environment or $$ lines)")
        head = parse_head(lines[0][0]) if lines[0][0] else None
        function_latex = head.function if head and head.function else latex
        wrt = wrt or (head.wrt if head else None)
        if function_latex is None:
            raise VerifyError("which function is being differentiated? give LATEX (and --where) "
                              "or start line 1 with \\frac{d}{dx}(...)")
        problem = _problem(function_latex, where)
        checker = Checker(problem, wrt, settings)
        out = []
        for n, (_, rhs) in enumerate(lines, start=1):
            if not rhs.strip():
                continue
            try:
                expr = _parse_claim(rhs, problem)
            except SymderivError as exc:
                raise VerifyError(f"line {n}: {exc}") from None
            result = checker.check(expr, prove=False)
            out.append(StepLine(n, rhs.strip(), result.verdict != "wrong", result))
        return StepsResult(tuple(out), checker.var_name, checker.display, checker.truth)


def _problem(latex_or_problem, where) -> Problem:
    if isinstance(latex_or_problem, Problem):
        return latex_or_problem
    from symderiv.parsing.parser import parse
    return parse(latex_or_problem, where=list(where))


def _parse_claim(latex: str, problem: Problem) -> sp.Basic:
    from symderiv.parsing.parser import parse_expression
    return parse_expression(latex, problem=problem)


# ----------------------------------------------------------------------------------------------
# reading a hand derivation
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Head:
    """What line 1's left side says: the function (LaTeX) if written inline, and the variable."""

    function: str | None
    wrt: str | None
    name: str | None = None


_ANNOTATION = re.compile(r"(\\q?quad\s*)?(\\text|\\mathrm|\\textrm)\{[^{}]*\}\s*$|\\tag\*?\{[^{}]*\}|"
                         r"\\label\{[^{}]*\}|\\nonumber|\\notag")
_VAR = r"(\\[A-Za-z]+|[A-Za-z])(?:_\{?[A-Za-z0-9]+\}?)?"


def split_derivation(text: str) -> list[tuple[str, str]]:
    """(lhs, rhs) per line of an align/aligned environment or of consecutive $$…$$ lines."""
    env = re.search(r"\\begin\{(align\*?|aligned|eqnarray\*?|gather\*?)\}(.*?)\\end\{\1\}", text, re.S)
    if env:
        raw = re.split(r"\\\\", env.group(2))
    else:
        raw = re.findall(r"\$\$(.*?)\$\$", text, re.S) or text.splitlines()
        if len(raw) == 1:
            raw = re.split(r"\\\\", raw[0])
    out = []
    for line in raw:
        line = _ANNOTATION.sub("", line.replace("\n", " ")).strip()
        line = re.sub(r"(&\s*)+(\\text\{[^{}]*\}|\\quad.*)$", "", line).strip().rstrip(".,;").strip()
        if not line:
            continue
        lhs, rhs = _split_equals(line)
        out.append((lhs.replace("&", "").strip(), rhs.replace("&", "").strip()))
    return out


def _split_equals(line: str) -> tuple[str, str]:
    """Split at the first `=` outside braces/parentheses; `= rhs` has an empty lhs."""
    depth = 0
    for pos, ch in enumerate(line):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0:
            return line[:pos], line[pos + 1:]
    return "", line


_HEAD_OPERATOR = re.compile(
    r"^\\(?:d?frac|tfrac)\s*\{\s*(?:d|\\partial|\\mathrm\{d\})\s*\}\s*"
    r"\{\s*(?:d|\\partial|\\mathrm\{d\})\s*(?P<var>" + _VAR + r")\s*\}\s*(?P<rest>.*)$", re.S)
_HEAD_RATIO = re.compile(
    r"^\\(?:d?frac|tfrac)\s*\{\s*(?:d|\\partial|\\mathrm\{d\})\s*(?P<name>[^{}]*?|\{[^{}]*\})\s*\}\s*"
    r"\{\s*(?:d|\\partial|\\mathrm\{d\})\s*(?P<var>" + _VAR + r")\s*\}\s*$", re.S)
_HEAD_NABLA = re.compile(r"^\\nabla_\{?\s*(?P<var>" + _VAR + r")\s*\}?\s*(?P<name>.*)$", re.S)


def parse_head(lhs: str) -> Head:
    """Recognise `\\frac{d}{dx}(…)`, `\\frac{\\partial L}{\\partial \\theta}`, `\\nabla_\\theta L`."""
    lhs = lhs.strip()
    m = _HEAD_OPERATOR.match(lhs)
    if m and m.group("rest").strip():
        return Head(_strip_brackets(m.group("rest")), _normalise_name(m.group("var")))
    m = _HEAD_RATIO.match(lhs)
    if m:
        return Head(None, _normalise_name(m.group("var")), m.group("name").strip() or None)
    m = _HEAD_NABLA.match(lhs)
    if m:
        return Head(None, _normalise_name(m.group("var")), m.group("name").strip() or None)
    raise VerifyError(f"line 1: cannot read the derivative on the left of '=': {lhs[:60]}")


def _strip_brackets(text: str) -> str:
    t = text.strip()
    for left, right in ((r"\left(", r"\right)"), (r"\left[", r"\right]"), ("(", ")"), ("[", "]")):
        if t.startswith(left) and t.endswith(right) and _balanced(t[len(left):-len(right)]):
            return t[len(left):-len(right)].strip()
    return t


def _balanced(t: str) -> bool:
    depth = 0
    for ch in t:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return depth == 0


# ----------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------

def _latex(expr) -> str:
    from symderiv.output.printing import latex
    return latex(expr)


def _json_number(v: str):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def _point_text(cx: Counterexample) -> str:
    return ", ".join(f"{k} = {v}" for k, v in cx.point)


def _point_md(cx: Counterexample) -> str:
    def name(k):
        m = re.match(r"^(\w+)\[(.*)\]$", k)
        sym = _latex(sp.Symbol(m.group(1) if m else k))
        return f"{sym}_{{{m.group(2)}}}" if m else sym
    return ", ".join(f"${name(k)} = {v}$" for k, v in cx.point)


def render_text(result: VerifyResult) -> str:
    lines = [f"verdict: {result.verdict}"]
    if result.verdict == "wrong":
        slip = result.slip or Slip("unknown", "")
        lines.append(f"likely slip: {slip.kind} — {slip.text}")
        cx = result.counterexample
        lines.append(f"counterexample: {_point_text(cx)}")
        lines.append(f"  claimed: {cx.claimed if cx.claimed is not None else 'undefined'}")
        lines.append(f"  true:    {cx.true}")
    else:
        lines.append(result.explanation())
    lines.append(f"true derivative: {_latex(result.truth_display)}")
    return "\n".join(lines) + "\n"


def render_md(result: VerifyResult) -> str:
    lines = [f"**verdict: {result.verdict}**", ""]
    if result.verdict == "wrong":
        slip = result.slip or Slip("unknown", "")
        cx = result.counterexample
        claimed = cx.claimed if cx.claimed is not None else "\\text{undefined}"
        lines += [f"**likely slip: {slip.kind}** — {slip.words}", "",
                  f"Counterexample: at {_point_md(cx)} the claim gives ${claimed}$, "
                  f"the true derivative ${cx.true}$.", ""]
    else:
        lines += [result.explanation().replace("claim − truth", "$\\text{claim} - \\text{truth}$"), ""]
    lines += ["True derivative:", "", "$$", _latex(result.truth_display), "$$"]
    return "\n".join(lines) + "\n"


def result_json(result: VerifyResult) -> dict:
    cx = result.counterexample
    return {
        "verdict": result.verdict,
        "slip": result.slip.kind if result.slip else None,
        "explanation": result.explanation(),
        "counterexample": None if cx is None else {
            "point": cx.point_dict(),
            "claimed": None if cx.claimed is None else float(cx.claimed),
            "true": float(cx.true)},
        "truth": {"latex": _latex(result.truth_display), "sympy": sp.srepr(result.truth_display)},
    }


def render_steps_text(res: StepsResult) -> str:
    out = [f"line {line.n} {'✓' if line.ok else '✗'}  {line.latex}" for line in res.lines]
    bad = res.first_wrong
    out.append(f"first wrong line: {bad.n if bad else 'none'}")
    if bad is not None:
        r = bad.result
        slip = r.slip or Slip("unknown", "")
        cx = r.counterexample
        out.append(f"likely slip: {slip.kind} — {slip.text}")
        out.append(f"counterexample: {_point_text(cx)}")
        out.append(f"  line {bad.n}: {cx.claimed if cx.claimed is not None else 'undefined'}")
        out.append(f"  true:    {cx.true}")
    out.append(f"final line is the derivative: {'yes' if res.final_correct else 'no'}")
    out.append(f"true derivative: {_latex(res.truth_display)}")
    return "\n".join(out) + "\n"


def render_steps_md(res: StepsResult) -> str:
    out = ["| line | | expression |", "| --- | --- | --- |"]
    out += [f"| {line.n} | {'✓' if line.ok else '✗'} | ${line.latex}$ |" for line in res.lines]
    bad = res.first_wrong
    out += ["", f"**first wrong line: {bad.n if bad else 'none'}**", ""]
    if bad is not None:
        slip = bad.result.slip or Slip("unknown", "")
        cx = bad.result.counterexample
        claimed = cx.claimed if cx.claimed is not None else "\\text{undefined}"
        out += [f"**likely slip: {slip.kind}** — {slip.words}", "",
                f"Counterexample: at {_point_md(cx)} line {bad.n} gives ${claimed}$, the true "
                f"derivative ${cx.true}$.", ""]
    out += [f"Final line is the derivative: **{'yes' if res.final_correct else 'no'}**", "",
            "True derivative:", "", "$$", _latex(res.truth_display), "$$"]
    return "\n".join(out) + "\n"


def steps_json(res: StepsResult) -> dict:
    bad = res.first_wrong
    slip = bad.result.slip if bad is not None and bad.result else None
    data = {"lines": [{"n": line.n, "latex": line.latex, "ok": line.ok} for line in res.lines],
            "first_wrong_line": bad.n if bad else None,
            "slip": slip.kind if slip else None,
            "final_correct": res.final_correct}
    if bad is not None:
        cx = bad.result.counterexample
        data["explanation"] = slip.text if slip else ""
        data["counterexample"] = {"point": cx.point_dict(),
                                  "claimed": None if cx.claimed is None else float(cx.claimed),
                                  "true": float(cx.true)}
    return data


# ----------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------

def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("latex", nargs="?", metavar="LATEX",
                        help="the function (`-` reads it from stdin)")
    parser.add_argument("--wrt", help="the variable of the derivative")
    parser.add_argument("--claim", help="the claimed derivative (LaTeX)")
    parser.add_argument("--steps", metavar="FILE",
                        help="a hand derivation (align environment or $$ lines); `-` for stdin")
    parser.add_argument("--where", action="append", default=[], metavar="DEF",
                        help="a definition such as '\\hat{y}_i = \\sigma(\\theta^T x_i)' (repeatable)")
    parser.add_argument("--format", choices=("text", "md", "json"), default="text")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds before giving up (exit 3)")


def run_cli(args) -> int:
    if (args.claim is None) == (args.steps is None):
        raise VerifyError("give exactly one of --claim LATEX or --steps FILE")
    latex = args.latex
    if latex == "-":
        if args.steps == "-":
            raise VerifyError("stdin cannot hold both LATEX and --steps")
        latex = sys.stdin.read().strip()
    wrt = ",".join([args.wrt]) if args.wrt else None
    if wrt and "," in wrt:
        raise VerifyError("verify checks one variable at a time; give a single --wrt")
    if args.claim is not None:
        if not latex:
            raise VerifyError("give the function LATEX to verify a --claim against")
        result = verify(latex, wrt, args.claim, where=args.where, timeout=args.timeout)
        _emit(args.format, result, render_text, render_md, result_json)
        if result.verdict == "wrong" and args.format != "json":
            sys.stdout.write(truth_steps(latex, args.where, result.variable, args.format))
        return 1 if result.verdict == "wrong" else 0
    text = _read_steps(args.steps)
    res = verify_steps(text, latex=latex, wrt=wrt, where=args.where, timeout=args.timeout)
    _emit(args.format, res, render_steps_text, render_steps_md, steps_json)
    return 0 if res.ok else 1


def truth_steps(latex: str, where, variable: str, fmt: str) -> str:
    """The true derivative worked step by step by the deriver (the same page `derive` prints)."""
    from symderiv.calculus.engine import derive
    try:
        derivation = derive(latex, wrt=[variable], where=list(where))
        if fmt == "md":
            from symderiv.output.render import render
            return "\n## How the true derivative is derived\n\n" + render(derivation, "md")
        from symderiv.output.contract import derivation_text
        return "\nhow the true derivative is derived:\n" + derivation_text(derivation)
    except (SymderivError, ImportError):
        return ""


def _read_steps(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise VerifyError(f"cannot read {path}: {exc.strerror}") from None


def _emit(fmt: str, obj, text_fn, md_fn, json_fn) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(json_fn(obj), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "md":
        sys.stdout.write(md_fn(obj))
    else:
        sys.stdout.write(text_fn(obj))


__all__ = ["verify", "verify_steps", "VerifyResult", "StepsResult", "Slip", "Counterexample",
           "Settings", "Checker", "true_derivative", "split_derivation", "parse_head",
           "configure_cli", "run_cli"]

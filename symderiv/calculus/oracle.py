"""The numeric oracle: the value of a SymPy expression at a point, with mpmath at any precision.

A small interpreter of SymPy trees, dispatched by class along the MRO (as SymPy's printers are):
sums and products are unrolled over their concrete ranges, relations and piecewise branches are
decided on the values, and every function of the ML registry (`symderiv.ml.registry`) is evaluated
by its entry's `numeric`. Anything else falls back to SymPy's `evalf` at the point's numbers.

A point (`Point`) draws its values lazily, so any expression can be evaluated at it: scalars and
array entries (`x[2, 1]`) get short decimals (two digits, so a counterexample is readable) from a
seeded generator; sizes and free indices are integers. Values off the real domain raise `Undefined`.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, NoReturn

import mpmath
import sympy as sp

from symderiv.core.errors import VerifyError
from symderiv.ml.registry import ENTRIES, Numeric

Value = Any   # int, bool, mpmath.mpf or mpmath.mpc
Handler = Callable[[Any, "Point", dict], Value]


class Undefined(Exception):
    """The expression has no finite real value at this point (log of a negative, 1/0, …)."""


class Point:
    """The values of one random point, drawn lazily so any expression can be evaluated at it.

    `ints` fixes size and free-index symbols; `ranges` gives an integer symbol's upper bound (an
    expression, drawn 1..bound when first met). `mode` picks the sampling box of the decimals:
    mixed signs, positive, or inside (0, 1) for log(1 − x) etc.
    """

    def __init__(self, rng: random.Random, ints: dict, ranges: dict, mode: str) -> None:
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

    def scalar(self, key: Any) -> int:
        """The value of a scalar or an array entry, in hundredths."""
        if key not in self.values:
            self.values[key] = self._draw()
            self.order.append(key)
        return self.values[key]

    def integer(self, sym: sp.Symbol) -> int:
        """The value of a size or index symbol (drawn in 1..its bound when first met)."""
        if sym not in self.ints:
            upper = self.ranges.get(sym)
            hi = int_value(upper, self) if upper is not None else 2
            self.ints[sym] = self.rng.randint(1, max(1, hi))
        return self.ints[sym]

    def items(self) -> tuple[tuple[sp.Basic, sp.Rational], ...]:
        """(name, value) pairs: integers first (by name), then the drawn values as they were drawn.

        A name is a Symbol or an Indexed entry `x[2, 1]`; a drawn value is a Rational (hundredths).
        """
        out: list[tuple[sp.Basic, sp.Rational]] = [
            (s, sp.Integer(v)) for s, v in sorted(self.ints.items(), key=lambda kv: str(kv[0]))]
        for key in self.order:
            name = key if not isinstance(key, tuple) else sp.IndexedBase(key[0])[key[1]]
            out.append((name, sp.Rational(self.values[key], 100)))
        return tuple(out)


def int_value(expr: Any, point: Point) -> int:
    """An integer-valued expression (a size, an index bound) at `point`."""
    value = evaluate(expr, point) if isinstance(expr, sp.Basic) else expr
    if isinstance(value, int):
        return value
    if isinstance(value, mpmath.mpf) and value == int(value):
        return int(value)
    raise VerifyError(f"a size or index is not an integer: {expr}")


def evaluate(expr: sp.Basic, point: Point, bound: dict | None = None) -> Value:
    """Value of `expr` at `point` (mpf, mpc, int or bool); raises Undefined off the domain.

    `bound` holds the values of bound variables (a sum's index while it is unrolled).
    """
    try:
        return _ev(expr, point, bound or {})
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise Undefined(str(exc)) from None


def real_value(expr: sp.Basic, point: Point, dps: int | None = None) -> mpmath.mpf:
    """A finite real mpf (at `dps` digits, else the current mpmath precision), or raise Undefined."""
    if dps is not None:
        with mpmath.workdps(dps):
            return real_value(expr, point)
    v = evaluate(expr, point)
    if isinstance(v, bool):
        raise Undefined("a truth value")
    if isinstance(v, int):
        return mpmath.mpf(v)
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * max(1, abs(v.real)):
            raise Undefined("not real")
        v = v.real
    if not mpmath.isfinite(v):
        raise Undefined("not finite")
    return v


def close(a: Value, b: Value, tol: float) -> bool:
    """|a − b| ≤ tol · max(1, |b|)."""
    return bool(abs(a - b) <= tol * max(1, abs(b)))


# ----------------------------------------------------------------------------------------------
# the handlers, one per class (looked up along the MRO, cached per class)
# ----------------------------------------------------------------------------------------------

_HANDLERS: dict[type, Handler] = {}
_HANDLER_CACHE: dict[type, Handler] = {}


def _handler(cls: type) -> Handler:
    h = _HANDLER_CACHE.get(cls)
    if h is None:
        h = next((_HANDLERS[c] for c in cls.__mro__ if c in _HANDLERS), _ev_fallback)
        _HANDLER_CACHE[cls] = h
    return h


def _on(*classes: type) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for c in classes:
            _HANDLERS[c] = fn
        return fn
    return register


def _ev(expr: Any, point: Point, bound: dict) -> Value:
    return _handler(type(expr))(expr, point, bound)


@_on(sp.Integer)
def _ev_integer(e: sp.Integer, point: Point, bound: dict) -> int:
    return int(e.p)


@_on(sp.Rational)
def _ev_rational(e: sp.Rational, point: Point, bound: dict) -> mpmath.mpf:
    return mpmath.mpf(e.p) / e.q


@_on(sp.Float)
def _ev_float(e: sp.Float, point: Point, bound: dict) -> mpmath.mpf:
    return mpmath.mpf(e._mpf_)


@_on(sp.NumberSymbol, type(sp.I))
def _ev_constant(e: sp.Basic, point: Point, bound: dict) -> Value:
    z = complex(e.evalf(mpmath.mp.dps + 5)) if e.is_real is False else None
    if z is not None:
        return mpmath.mpc(z)
    return mpmath.mpf(sp.Float(e.evalf(mpmath.mp.dps + 5))._mpf_)


@_on(sp.Symbol)
def _ev_symbol(e: sp.Symbol, point: Point, bound: dict) -> Value:
    if e in bound:
        return bound[e]
    if e.is_integer or e in point.ints:
        return point.integer(e)
    return mpmath.mpf(point.scalar(e)) / 100


@_on(sp.Indexed)
def _ev_indexed(e: sp.Indexed, point: Point, bound: dict) -> mpmath.mpf:
    idx = tuple(_as_int(_ev(i, point, bound)) for i in e.indices)
    return mpmath.mpf(point.scalar((str(e.base.label), idx))) / 100


def _as_int(v: Value) -> int:
    if isinstance(v, int):
        return v
    if isinstance(v, mpmath.mpf) and v == int(v):
        return int(v)
    raise Undefined("non-integer index")


def _to_mp(v: Value) -> Value:
    return mpmath.mpf(v) if isinstance(v, int) else v


@_on(sp.Add)
def _ev_add(e: sp.Add, point: Point, bound: dict) -> Value:
    total = 0
    for a in e.args:
        total = total + _ev(a, point, bound)
    return total


@_on(sp.Mul)
def _ev_mul(e: sp.Mul, point: Point, bound: dict) -> Value:
    prod = 1
    for a in e.args:
        prod = prod * _ev(a, point, bound)
    return prod


@_on(sp.Pow)
def _ev_pow(e: sp.Pow, point: Point, bound: dict) -> Value:
    base = _ev(e.base, point, bound)
    exp = _ev(e.exp, point, bound)
    if isinstance(exp, int):
        if exp < 0:
            base = mpmath.mpf(base) if isinstance(base, int) else base
            if base == 0:
                raise Undefined("division by zero")
            return 1 / base ** (-exp)
        return base ** exp
    if isinstance(base, int):
        base = mpmath.mpf(base)
    if base == 0 and mpmath.re(exp) <= 0:
        raise Undefined("0 to a non-positive power")
    return mpmath.power(base, exp)


# -- functions of one argument: the registry's evaluators, and the few functions outside it ------

def _continued(func: type, v: Value) -> Value:
    """f(v) through SymPy's evalf, for a value off the registry evaluator's real domain
    (log of a negative, a complex argument): the complex value, as mpmath's own functions give."""
    prec = mpmath.mp.prec
    arg = sp.Float(v.real, precision=prec) + sp.I * sp.Float(v.imag, precision=prec) \
        if isinstance(v, mpmath.mpc) else sp.Float(v, precision=prec)
    try:
        value = func(arg).evalf(mpmath.mp.dps)
        if not (value.is_number and value.is_finite):
            raise Undefined(f"{func.__name__} is not finite here")
        return value._to_mpmath(prec)
    except (TypeError, AttributeError) as exc:
        raise Undefined(f"{func.__name__} has no value here") from exc


def _registry_handler(func: type, numeric: Numeric) -> Handler:
    def handler(e: sp.Basic, point: Point, bound: dict) -> Value:
        v = _to_mp(_ev(e.args[0], point, bound))
        try:
            return numeric(v)
        except (ValueError, TypeError):   # off its real domain, or a complex argument
            return _continued(func, v)
    return handler


for _entry in ENTRIES:
    if _entry.numeric is not None:
        _HANDLERS[_entry.function] = _registry_handler(_entry.function, _entry.numeric)


def _unary(fn: Callable[[Value], Value]) -> Handler:
    def handler(e: sp.Basic, point: Point, bound: dict) -> Value:
        return fn(_to_mp(_ev(e.args[0], point, bound)))
    return handler


def _ordered(v: Value) -> Value:
    """A value that can be compared: a real one (a complex one with no imaginary part becomes real)."""
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise Undefined("compared a complex value (sign, a step, max or min of it)")
        return v.real
    return v


def _heaviside(v: Value) -> Value:
    v = _ordered(v)
    if v == 0:
        raise Undefined("Heaviside at 0")
    return mpmath.mpf(1) if v > 0 else mpmath.mpf(0)


def _sign(v: Value) -> Value:
    v = _ordered(v)
    return mpmath.mpf(0) if v == 0 else mpmath.mpf(1) if v > 0 else mpmath.mpf(-1)


_HANDLERS.update({sp.Abs: _unary(abs), sp.sign: _unary(_sign), sp.Heaviside: _unary(_heaviside)})


@_on(sp.Max)
def _ev_max(e: sp.Max, point: Point, bound: dict) -> Value:
    return max(_ordered(_ev(a, point, bound)) for a in e.args)


@_on(sp.Min)
def _ev_min(e: sp.Min, point: Point, bound: dict) -> Value:
    return min(_ordered(_ev(a, point, bound)) for a in e.args)


@_on(sp.KroneckerDelta)
def _ev_delta(e: sp.KroneckerDelta, point: Point, bound: dict) -> int:
    a, b = (_ev(x, point, bound) for x in e.args[:2])
    return 1 if a == b else 0


@_on(sp.Sum, sp.Product)
def _ev_sum(e: sp.Sum | sp.Product, point: Point, bound: dict) -> Value:
    """Unroll the sum over its (concrete) range, binding the index for the summand."""
    is_sum = isinstance(e, sp.Sum)

    def unroll(body: sp.Basic, limits: list[sp.Tuple], env: dict) -> Value:
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


# -- conditions ----------------------------------------------------------------------------------

@_on(sp.Piecewise)
def _ev_piecewise(e: sp.Piecewise, point: Point, bound: dict) -> Value:
    for value, cond in e.args:
        if _ev(cond, point, bound):
            return _ev(value, point, bound)
    raise Undefined("no branch of a piecewise applies")


_RELATIONS: dict[type, Callable[[Value, Value], bool]] = {
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b}


@_on(*_RELATIONS)
def _ev_relation(e: sp.core.relational.Relational, point: Point, bound: dict) -> bool:
    a, b = (_ev(x, point, bound) for x in e.args)
    if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
        raise Undefined("comparison of complex values")
    return _RELATIONS[type(e)](a, b)


@_on(sp.And)
def _ev_and(e: sp.And, point: Point, bound: dict) -> bool:
    return all(_ev(a, point, bound) for a in e.args)


@_on(sp.Or)
def _ev_or(e: sp.Or, point: Point, bound: dict) -> bool:
    return any(_ev(a, point, bound) for a in e.args)


@_on(sp.Not)
def _ev_not(e: sp.Not, point: Point, bound: dict) -> bool:
    return not _ev(e.args[0], point, bound)


@_on(type(sp.true))
def _ev_true(e: sp.Basic, point: Point, bound: dict) -> bool:
    return True


@_on(type(sp.false))
def _ev_false(e: sp.Basic, point: Point, bound: dict) -> bool:
    return False


@_on(type(sp.nan), type(sp.zoo), type(sp.oo), type(sp.S.NegativeInfinity))
def _ev_nonfinite(e: sp.Basic, point: Point, bound: dict) -> NoReturn:
    raise Undefined("not finite")


def _ev_fallback(e: Any, point: Point, bound: dict) -> Value:
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


def _mp_str(v: Value) -> str:
    return mpmath.nstr(v, mpmath.mp.dps) if not isinstance(v, int) else str(v)


__all__ = ["Point", "Undefined", "close", "evaluate", "int_value", "real_value"]

"""Numbers for index forms and matrix forms: no matrix form is printed before it is checked.

A matrix form is printed only when it agrees with its index form at random sizes that differ per
size symbol (n=4, d=3, k=2 …), so a missing transpose changes a shape or a value. `evaluate_index`
turns each `Sum` into an axis of a numpy array (nested sums: one vectorised pass each; an index
outside 1..size reads NaN, so an off-by-one never agrees); `evaluate_matrix` does one numpy
operation per matrix node (SymPy's `as_explicit` only for node types it does not know).

Conventions: data are keyed by name; a vector (one column) is a 1-D array of its length ((r, 1)
is accepted too; a (1, c) row stays 2-D); sizes are matched by symbol name. `Trace` of a 1×1
product (`exp(Trace(θᵀx))`) is its single entry, a float. `agree` reads a 1-D array of length r as
the column (r, 1) and a 0-d value as 1×1, nothing else, so (d,) never matches a (1, d) row.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any, NamedTuple, TypeAlias

import mpmath
import numpy as np
import numpy.typing as npt
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalMatrix, DiagonalOf
from sympy.matrices.expressions.matexpr import MatrixElement

from symderiv.calculus.forms import SampleSum
from symderiv.calculus.matrices.sampling import (
    MissingValue,
    Size,
    _by_name,
    _concrete_size,
    random_data,
    random_scalars,
    random_sizes,
)
from symderiv.calculus.matrices.translate import SampleRow
from symderiv.ml.functions import gelu, relu, sigmoid, softplus
from symderiv.ml.registry import entry_for

__all__ = ["MissingValue", "agree", "central_difference", "evaluate_index", "evaluate_matrix", "random_data",
           "random_scalars", "random_sizes"]

Array: TypeAlias = npt.NDArray[np.float64]

# ---------------------------------------------------------------- the evaluator


class _Binding(NamedTuple):
    """A symbol's value in a scope; equal tokens mean equal values (the key of the memo)."""
    token: Hashable
    value: Any


@dataclass(frozen=True)
class _Scope:
    """Bound symbols (free indices, summation variables, Lambda variables) and index axes in use."""
    bindings: Mapping[sp.Basic, _Binding]
    axes: int

    def bind(self, symbol: sp.Basic, binding: _Binding, new_axis: bool = False) -> _Scope:
        return _Scope({**self.bindings, symbol: binding}, self.axes + int(new_axis))


Handler: TypeAlias = "Callable[[_Evaluator, Any, _Scope], Any]"


class _Evaluator:
    """Numpy values of SymPy nodes, dispatched by node type (`_HANDLERS`), memoised per binding.

    Index axes: free index p lives on axis p, the variable of a Sum at nesting depth t on axis
    len(free) + t; a Sum reduces its axis keeping it (size 1), so siblings reuse the position.
    """

    def __init__(self, sizes: Mapping[Any, int], data: Mapping[str, Any], scalars: Mapping[Any, float],
                 ndim: int) -> None:
        self.sizes = _by_name(sizes)
        self.data = {str(k): np.asarray(v, dtype=float) for k, v in data.items()}
        self.scalars = {str(k): float(v) for k, v in scalars.items()}
        self.ndim = ndim
        self._memo: dict[tuple[sp.Basic, tuple[Hashable, ...]], Any] = {}
        self._free: dict[sp.Basic, tuple[sp.Basic, ...]] = {}
        self._axis_values: dict[tuple[int, int, int], Any] = {}
        self._lambdas = itertools.count()

    def value(self, expr: Any, scope: _Scope) -> Any:
        """The value of `expr`, a number or an array broadcasting over the index axes."""
        if isinstance(expr, (int, float)):
            return expr
        free = self._free.get(expr)
        if free is None:
            free = self._free[expr] = tuple(sorted(expr.free_symbols, key=sp.default_sort_key))
        key = (expr, tuple(scope.bindings[s].token for s in free if s in scope.bindings))
        if key not in self._memo:
            handler = next((_HANDLERS[c] for c in type(expr).__mro__ if c in _HANDLERS), None)
            if handler is None:
                raise NotImplementedError(f"no numeric evaluation for {type(expr).__name__}: {expr}")
            self._memo[key] = handler(self, expr, scope)
        return self._memo[key]

    def size(self, expr: Any) -> int:
        return _concrete_size(expr, self.sizes)

    def array(self, name: str) -> Any:
        if name not in self.data:
            raise MissingValue(f"no data for {name!r}")
        return self.data[name]

    def indexed_array(self, name: str, rank: int) -> Any:
        """The data of a base read with `rank` indices; a vector may come as (r, 1) or (1, c)."""
        arr = self.array(name)
        if arr.ndim == 2 and rank == 1 and 1 in arr.shape:
            return arr.ravel()
        if arr.ndim != rank:
            raise ValueError(f"{name} is read with {rank} indices but its data has shape {arr.shape}")
        return arr

    def axis_values(self, axis: int, first: int, last: int) -> Any:
        """The integers first..last laid along `axis` (one shared array per range: memo tokens)."""
        key = (axis, first, last)
        if key not in self._axis_values:
            shape = [1] * self.ndim
            shape[axis] = max(last - first + 1, 0)
            self._axis_values[key] = np.arange(first, last + 1).reshape(shape)
        return self._axis_values[key]


def _integers(value: Any, what: object) -> Any:
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{what} is not an integer index (got {arr.dtype})")
    return arr


# ---- scalar and index nodes
def _symbol(ev: _Evaluator, e: sp.Symbol, scope: _Scope) -> Any:
    """A bound index or Lambda variable, else a size, else a scalar, else a 1-element data entry."""
    if e in scope.bindings:
        return scope.bindings[e].value
    for table in (ev.sizes, ev.scalars):
        if e.name in table:
            return table[e.name]
    if e.name in ev.data and ev.data[e.name].size == 1:
        return float(ev.data[e.name].reshape(-1)[0])
    raise MissingValue(f"no value for the symbol {e.name!r} (not a bound index, size, scalar or data)")


def _indexed(ev: _Evaluator, e: sp.Indexed, scope: _Scope) -> Any:
    """base[i, j] with 1-based indices; an index outside 1..size reads NaN (never a neighbour)."""
    return _pick(ev, ev.indexed_array(e.base.name, len(e.indices)), e.indices, scope, e)


def _element(ev: _Evaluator, e: Any, scope: _Scope) -> Any:
    """(X⁻¹)_ab: an entry of a matrix held whole, evaluated as a matrix first."""
    return _pick(ev, np.asarray(ev.value(e.parent, scope), dtype=float), e.args[1:], scope, e)


def _pick(ev: _Evaluator, arr: Any, indices: Any, scope: _Scope, what: object) -> Any:
    valid: Any = True
    clipped = []
    for position, (index, n) in enumerate(zip(indices, arr.shape, strict=True)):
        i = _integers(ev.value(index, scope), f"index {position + 1} of {what}")
        valid = valid & (i >= 1) & (i <= n)
        clipped.append(np.clip(i - 1, 0, max(n - 1, 0)))
    return np.where(valid, arr[tuple(clipped)], np.nan)


def _reduce(ev: _Evaluator, body: sp.Expr, limits: tuple[Any, ...], scope: _Scope,
            reducer: Callable[..., Any], neutral: float) -> Any:
    """Σ/Π over the limits, outermost (last) first: each variable is a new index axis."""
    if not limits:
        return ev.value(body, scope)
    var, lo_expr, hi_expr = limits[-1]
    lo = _integers(ev.value(lo_expr, scope), f"the lower limit of {var}")
    hi = _integers(ev.value(hi_expr, scope), f"the upper limit of {var}")
    first, last, axis = int(lo.min()), int(hi.max()), scope.axes
    values = ev.axis_values(axis, first, last)
    inner = scope.bind(var, _Binding(("axis", axis, first, last), values), new_axis=True)
    terms = _reduce(ev, body, limits[:-1], inner, reducer, neutral)
    inside = (values >= lo) & (values <= hi)  # limits may depend on an outer index
    total = reducer(np.where(inside, terms, neutral), axis=axis, keepdims=True)
    return total.reshape(()) if scope.axes == 0 and total.size == 1 else total


def _piecewise(ev: _Evaluator, e: sp.Piecewise, scope: _Scope) -> Any:
    result: Any = np.nan
    for value, condition in reversed(e.args):
        result = np.where(ev.value(condition, scope), ev.value(value, scope), result)
    return result


_erf = np.vectorize(math.erf, otypes=[float])


_ELEMENTWISE: dict[type, Callable[[Any], Any]] = {
    sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan,
    sp.sinh: np.sinh, sp.cosh: np.cosh, sp.tanh: np.tanh, sp.asin: np.arcsin, sp.acos: np.arccos,
    sp.atan: np.arctan, sp.asinh: np.arcsinh, sp.acosh: np.arccosh, sp.atanh: np.arctanh,
    sp.Abs: np.abs, sp.sign: np.sign, sp.floor: np.floor, sp.ceiling: np.ceil, sp.erf: _erf,
    sigmoid: lambda z: np.exp(-np.logaddexp(0.0, -z)),  # 1/(1 + e^{-z}) without overflow
    softplus: lambda z: np.logaddexp(0.0, z),
    relu: lambda z: np.maximum(z, 0.0),
    gelu: lambda z: z * (1.0 + _erf(z / math.sqrt(2.0))) / 2.0,
}


def _registry_numeric(function: type) -> Callable[[Any], Any] | None:
    """A registry function numpy lacks (sec, arccot, …), by its entry's mpmath evaluator."""
    entry = entry_for(function)
    numeric = entry.numeric if entry is not None else None
    return None if numeric is None else np.vectorize(lambda v: _or_nan(numeric, v), otypes=[float])


def _or_nan(numeric: Callable[[Any], Any], v: float) -> float:
    try:
        return float(numeric(mpmath.mpf(v)))
    except (ValueError, ZeroDivisionError, TypeError):  # off the real domain
        return math.nan


def _function(ev: _Evaluator, e: sp.Function, scope: _Scope) -> Any:
    """f(u) for a one-argument function of the table or the registry; others are refused."""
    f = _ELEMENTWISE.get(type(e)) or _registry_numeric(type(e))
    if f is None or len(e.args) != 1:
        raise NotImplementedError(f"no numeric evaluation for the function {e.func}: {e}")
    return f(np.asarray(ev.value(e.args[0], scope), dtype=float))


# ---- matrix nodes (values are 2-D arrays; Trace and Determinant give floats)
def _matrix_symbol(ev: _Evaluator, e: sp.MatrixSymbol, scope: _Scope) -> Any:
    """The data of a MatrixSymbol at its declared shape; a 1-D vector becomes a column (or row)."""
    rows, cols = ev.size(e.rows), ev.size(e.cols)
    arr = ev.array(e.name)
    if arr.shape == (rows, cols):
        return arr
    if arr.ndim <= 1 and arr.size == rows * cols and 1 in (rows, cols):
        return arr.reshape(rows, cols)
    raise ValueError(f"{e.name} is declared {rows}×{cols} but its data has shape {arr.shape}")


def _matmul(ev: _Evaluator, e: sp.MatMul, scope: _Scope) -> Any:
    """Scalar coefficients multiply, matrix factors chain with @ in order."""
    scalar: Any = 1.0
    matrix: Any = None
    for a in e.args:
        v = ev.value(a, scope)
        if isinstance(a, sp.MatrixExpr):
            matrix = v if matrix is None else matrix @ v
        else:
            scalar = scalar * np.asarray(v, dtype=float)
    return scalar if matrix is None else scalar * matrix


def _apply(ev: _Evaluator, e: ElementwiseApplyFunction, scope: _Scope) -> Any:
    """f.(M): the function's body evaluated with its variable bound to all entries of M at once."""
    function = e.function
    if not isinstance(function, sp.Lambda):
        z = sp.Dummy("z")
        function = sp.Lambda(z, function(z))
    (var,) = function.variables
    arg = np.asarray(ev.value(e.expr, scope), dtype=float)
    inner = scope.bind(var, _Binding(("lambda", next(ev._lambdas)), arg))
    return np.broadcast_to(ev.value(function.expr, inner), arg.shape)


def _sample_sum(ev: _Evaluator, e: SampleSum, scope: _Scope) -> Any:
    """Σ_i body, one sample at a time (the body holds rows x_i = SampleRow(X, i))."""
    i, lo, hi = e.limits
    first = int(_integers(ev.value(lo, scope), f"the lower limit of {i}"))
    last = int(_integers(ev.value(hi, scope), f"the upper limit of {i}"))
    total: Any = np.zeros((ev.size(e.rows), ev.size(e.cols)))
    for v in range(first, last + 1):
        total = total + ev.value(e.body, scope.bind(i, _Binding(("sample", v), np.int64(v))))
    return total


def _sample_row(ev: _Evaluator, e: SampleRow, scope: _Scope) -> Any:
    """x_i: row i (1-based) of the parent, as a column."""
    arr = np.asarray(ev.value(e.parent, scope), dtype=float)
    v = int(_integers(ev.value(e.index, scope), f"the sample index of {e}"))
    if not 1 <= v <= arr.shape[0]:
        raise ValueError(f"row {v} of a matrix with {arr.shape[0]} rows")
    return arr[v - 1, :].reshape(-1, 1)


def _function_matrix(ev: _Evaluator, e: sp.FunctionMatrix, scope: _Scope) -> Any:
    """A matrix written entry by entry (det(XᵀX)): each entry evaluated with (a, b) bound, 1-based."""
    rows, cols = ev.size(e.rows), ev.size(e.cols)
    (a, b), body = e.lamda.variables, e.lamda.expr
    out = np.empty((rows, cols))
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            inner = scope.bind(a, _Binding(("entry", r), np.int64(r))).bind(b, _Binding(("entry", c), np.int64(c)))
            value = np.asarray(ev.value(body, inner), dtype=float)
            if value.size != 1:
                raise NotImplementedError(f"an entry of {e} that varies with an outer index")
            out[r - 1, c - 1] = value.reshape(-1)[0]
    return out


def _sympy_fallback(ev: _Evaluator, e: sp.MatrixExpr, scope: _Scope) -> Any:
    """A node type without a numpy rule: SymPy's explicit matrix at the data (slow, but complete)."""
    if scope.bindings:
        raise NotImplementedError(f"no numeric evaluation for {type(e).__name__} inside an index form: {e}")
    values: dict[Any, Any] = {s: sp.ImmutableMatrix(_matrix_symbol(ev, s, scope)) for s in e.atoms(sp.MatrixSymbol)}
    for s in e.free_symbols - set(values):
        values[s] = sp.Integer(ev.sizes[s.name]) if s.name in ev.sizes else sp.Float(_symbol(ev, s, scope))
    explicit = e.xreplace(values).doit()
    if hasattr(explicit, "as_explicit"):
        explicit = explicit.as_explicit()
    return np.array(explicit.tolist(), dtype=float)


def _nary(op: Callable[[Any, Any], Any]) -> Handler:
    return lambda ev, e, scope: reduce(op, (ev.value(a, scope) for a in e.args))


def _unary(f: Callable[[Any], Any]) -> Handler:
    return lambda ev, e, scope: f(ev.value(e.args[0], scope))


def _binary(f: Callable[[Any, Any], Any]) -> Handler:
    return lambda ev, e, scope: f(ev.value(e.args[0], scope), ev.value(e.args[1], scope))


_RELATIONS = {sp.Eq: np.equal, sp.Ne: np.not_equal, sp.Lt: np.less, sp.Le: np.less_equal,
              sp.Gt: np.greater, sp.Ge: np.greater_equal}

_HANDLERS: dict[type, Handler] = {
    sp.Number: lambda ev, e, scope: int(e) if e.is_Integer else float(e),
    sp.NumberSymbol: lambda ev, e, scope: float(e),
    sp.Symbol: _symbol,
    sp.Indexed: _indexed,
    sp.Add: _nary(operator.add), sp.Mul: _nary(operator.mul),
    sp.Pow: _binary(lambda base, p: np.power(np.asarray(base, dtype=float), p)),
    sp.Sum: lambda ev, e, scope: _reduce(ev, e.function, tuple(e.limits), scope, np.sum, 0.0),
    sp.Product: lambda ev, e, scope: _reduce(ev, e.function, tuple(e.limits), scope, np.prod, 1.0),
    sp.KroneckerDelta: _binary(lambda a, b: np.where(np.equal(a, b), 1.0, 0.0)),
    sp.Piecewise: _piecewise,
    sp.Heaviside: lambda ev, e, scope: np.heaviside(*(ev.value(a, scope) for a in (*e.args, sp.S.Half)[:2])),
    sp.Max: _nary(np.maximum), sp.Min: _nary(np.minimum),
    sp.Function: _function,
    sp.And: _nary(np.logical_and), sp.Or: _nary(np.logical_or), sp.Not: _unary(np.logical_not),
    type(sp.true): lambda ev, e, scope: True, type(sp.false): lambda ev, e, scope: False,
    **{cls: _binary(op) for cls, op in _RELATIONS.items()},
    sp.MatrixSymbol: _matrix_symbol,
    MatrixElement: _element,
    sp.Identity: lambda ev, e, scope: np.eye(ev.size(e.rows)),
    sp.ZeroMatrix: lambda ev, e, scope: np.zeros((ev.size(e.rows), ev.size(e.cols))),
    sp.OneMatrix: lambda ev, e, scope: np.ones((ev.size(e.rows), ev.size(e.cols))),
    sp.MatMul: _matmul,
    sp.MatAdd: _nary(operator.add),
    sp.Transpose: _unary(np.transpose), sp.Adjoint: _unary(np.transpose),  # real data
    sp.Inverse: _unary(np.linalg.inv),
    sp.MatPow: _binary(np.linalg.matrix_power),  # an integer power; others raise TypeError
    sp.Trace: _unary(lambda m: float(np.trace(m))),
    sp.Determinant: _unary(lambda m: float(np.linalg.det(m))),
    sp.HadamardProduct: _nary(operator.mul),
    sp.HadamardPower: _binary(lambda m, p: np.power(m, np.asarray(p, dtype=float))),
    sp.KroneckerProduct: _nary(np.kron),
    ElementwiseApplyFunction: _apply,
    SampleSum: _sample_sum,
    sp.FunctionMatrix: _function_matrix,
    SampleRow: _sample_row,
    DiagMatrix: _unary(lambda v: np.diag(np.ravel(v))),
    DiagonalMatrix: _unary(lambda m: np.diag(np.diag(m))),
    DiagonalOf: _unary(lambda m: np.diag(m).reshape(-1, 1)),
    sp.ImmutableDenseMatrix: lambda ev, e, scope: np.array(
        [[ev.value(x, scope) for x in row] for row in e.tolist()], dtype=float).reshape(e.shape),
    sp.MatrixExpr: _sympy_fallback,
}


def _sum_depth(expr: Any) -> int:
    """The deepest nesting of Σ/Π variables: how many index axes the bound variables need."""
    if isinstance(expr, (sp.Sum, sp.Product)):
        return len(expr.limits) + _sum_depth(expr.function)
    args = expr.args if isinstance(expr, sp.Basic) else ()
    return max((_sum_depth(a) for a in args), default=0)


# ---------------------------------------------------------------- public evaluators


def evaluate_index(expr: sp.Expr, free: tuple[sp.Symbol, ...], sizes: Mapping[sp.Symbol, int],
                   data: Mapping[str, Any], scalars: Mapping[str, float],
                   ranges: Mapping[sp.Symbol, Size] | None = None) -> Array:
    """The index form's value for every value of its free indices: shape = their lengths, in order.

    A free index runs over 1..r where r is what `ranges` gives for it, else the length of the axis
    it indexes in the data (`A[k, j]` → rows of A); a 0-d array when `free` is empty. Raises
    `MissingValue` for a base or symbol without data, `ValueError` for an index whose range is
    unknown or ambiguous.
    """
    ev = _Evaluator(sizes, data, scalars, ndim=len(free) + _sum_depth(expr))
    lengths = _free_lengths(expr, free, ev, ranges or {})
    bindings = {k: _Binding(("axis", p, 1, n), ev.axis_values(p, 1, n))
                for p, (k, n) in enumerate(zip(free, lengths, strict=True))}
    with np.errstate(all="ignore"):
        value = np.asarray(ev.value(expr, _Scope(bindings, len(free))), dtype=float)
    full = np.broadcast_to(value, (*lengths, *(1,) * (ev.ndim - len(free))))
    return np.array(full.reshape(tuple(lengths)))


def _free_lengths(expr: sp.Expr, free: tuple[sp.Symbol, ...], ev: _Evaluator,
                  ranges: Mapping[sp.Symbol, Size]) -> list[int]:
    """Each free index's length: from `ranges`, else from the data axes it indexes directly."""
    if len(set(free)) != len(free):
        raise ValueError(f"free indices repeat: {free}")
    found: dict[sp.Basic, set[int]] = {k: set() for k in free if k not in ranges}
    for e in expr.atoms(sp.Indexed) if found else ():
        shape = ev.indexed_array(e.base.name, len(e.indices)).shape
        for index, n in zip(e.indices, shape, strict=True):
            found.get(index, set()).add(n)
    lengths = []
    for k in free:
        if k not in ranges and len(found[k]) != 1:
            why = f"indexes axes of lengths {sorted(found[k])}" if found[k] else "indexes no data directly"
            raise ValueError(f"the range of the free index {k} is unknown: it {why}; pass ranges={{{k}: size}}")
        lengths.append(ev.size(ranges[k]) if k in ranges else found[k].pop())
    return lengths


def evaluate_matrix(mexpr: sp.Expr, sizes: Mapping[sp.Symbol, int], data: Mapping[str, Any],
                    scalars: Mapping[str, float]) -> Array | float:
    """A matrix expression's value as a 2-D (rows, cols) array; a scalar expression's as a float.

    Each MatrixSymbol is bound to `data[name]` (a 1-D vector as a column when it has one column).
    Scalar expressions may hold matrix pieces: `log(Determinant(X))`, `exp(Trace(θᵀx))`.
    """
    ev = _Evaluator(sizes, data, scalars, ndim=_sum_depth(mexpr))
    with np.errstate(all="ignore"):
        value = np.asarray(ev.value(mexpr, _Scope({}, 0)), dtype=float)
    if isinstance(mexpr, sp.MatrixExpr):
        shape = (ev.size(mexpr.rows), ev.size(mexpr.cols))
        if value.shape != shape and not (value.ndim < 2 and value.size == shape[0] * shape[1]):
            raise ValueError(f"{mexpr} evaluated to shape {value.shape}, not {shape}")
        return np.array(value.reshape(shape))
    if value.size != 1:
        raise ValueError(f"the scalar expression {mexpr} evaluated to shape {value.shape}")
    return float(value.reshape(-1)[0])


# ---------------------------------------------------------------- comparisons


def central_difference(loss: Callable[[Array], float], at: Array, h: float = 1e-6) -> Array:
    """(f(x + h eᵢ) − f(x − h eᵢ)) / 2h for every entry of `at` (the oracle of a gradient, any shape).
    `loss` gets a fresh copy each call, so it may keep or change what it is given."""
    x = np.array(at, dtype=float)
    grad = np.empty_like(x)
    for pos in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[pos] += h
        down[pos] -= h
        grad[pos] = (float(loss(up)) - float(loss(down))) / (2 * h)
    return grad


def agree(a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """|a − b| ≤ atol + rtol·max(1, max|b|) everywhere, with equal shapes and finite values.

    Shapes: a 1-D array of length r is the column (r, 1) and a 0-d value the 1×1 matrix (the
    vector convention); nothing else is reshaped. NaN or inf anywhere → False.
    """
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    x, y = _as_column(x, y.shape), _as_column(y, x.shape)
    if x.shape != y.shape or not (np.isfinite(x).all() and np.isfinite(y).all()):
        return False
    scale = max(1.0, float(np.max(np.abs(y)))) if y.size else 1.0
    return bool(np.all(np.abs(x - y) <= atol + rtol * scale))


def _as_column(x: Any, other: tuple[int, ...]) -> Any:
    column = (x.ndim == 1 and other == (x.shape[0], 1)) or (x.ndim == 0 and other == (1, 1))
    return x.reshape(-1, 1) if column else x

"""The variable of a check and the integers around it: θ_k for a vector θ, sizes, free indices."""
from __future__ import annotations

import re

import sympy as sp

from symderiv.calculus.engine import not_occurring_message
from symderiv.core.errors import VerifyError
from symderiv.core.problem import Problem

# the free index of a vector gradient's component: k, unless the function already uses k
# (−log softmax(z)_k fixes a class k; its gradient's entries are then named l)
COMPONENT_NAMES = ("k", "l", "m", "p", "q", "r", "s", "t")
# the column index of a matrix variable's entry W_kj (as the deriver names it)
COLUMN_NAMES = ("j", "l", "m", "p", "q", "r", "s", "t")


def only_symbol(expr: sp.Basic) -> str:
    """The name of the one non-integer symbol of `expr` (the variable when none is given)."""
    syms = sorted((s for s in expr.free_symbols if not s.is_integer), key=str)
    if len(syms) != 1:
        raise VerifyError("say which variable to differentiate by (--wrt)")
    return str(syms[0])


def normalise_name(name: str) -> str:
    r"""A variable as written (`\theta`, `\hat{y}`, `$\mathbf{w}$`) -> its symbol name (theta, yhat, w)."""
    name = name.strip().strip("$").strip()
    name = re.sub(r"\\(hat|bar|tilde|mathbf|boldsymbol|vec)\{(.*?)\}",
                  lambda m: m.group(2) + ("" if m.group(1) in ("mathbf", "boldsymbol", "vec")
                                          else m.group(1)), name)
    return name.lstrip("\\").replace("{", "").replace("}", "")


def resolve_variable(problem: Problem, function: sp.Basic, name: str) -> tuple[sp.Basic, tuple[sp.Symbol, ...]]:
    """(var, its free indices): θ_k and (k,) for a vector θ, W_kj and (k, j) for a matrix W (or a
    matrix held whole, det X: X_kj), the scalar symbol and () otherwise."""
    name = normalise_name(name)
    bases = {str(a.base.label): a.base for a in function.atoms(sp.Indexed)}
    labels = {a.base.label for a in function.atoms(sp.Indexed)}
    scalars = {str(s) for s in function.free_symbols - labels}
    whole = {m.name for m in function.atoms(sp.MatrixSymbol)}
    if name in problem.vectors or name in whole or (name in bases and name not in scalars):
        base = bases.get(name, sp.IndexedBase(sp.Symbol(name, real=True)))
        ranks = {len(a.indices) for a in function.atoms(sp.Indexed) if a.base == base}
        ranks |= {2} if name in whole else set()
        if len(ranks) > 1 or not ranks <= {1, 2}:
            raise VerifyError(f"{name} is used both as a vector and as a matrix here")
        # no entry index may be a name of the function, a summation index included: ∂/∂z_k of
        # Σ_k e^{z_k} would capture it (−log softmax(z)_k fixes a class k: its entries are then l)
        taken = {s.name for s in function.atoms(sp.Symbol)}
        pool = [sp.Symbol(c, integer=True) for c in COMPONENT_NAMES if c not in taken]
        loose = free_indices(function)
        if ranks == {2} and loose:
            raise VerifyError(f"{name} carries two indices here, but the function has the free index "
                              f"{loose[0]} (one function per {loose[0]}): verify differentiates one scalar "
                              "function, by a scalar or by the entries of a vector or matrix")
        if ranks == {2}:
            column = next(sp.Symbol(c, integer=True) for c in COLUMN_NAMES if c not in taken)
            row = next(c for c in pool if c != column)
            return base[row, column], (row, column)
        return base[pool[0]], (pool[0],)
    for s in function.free_symbols:
        if str(s) == name:
            return s, ()
    raise VerifyError(not_occurring_message(name, {n for n in scalars if not _is_integer_symbol(function, n)}
                                            | set(bases) | whole))


def _is_integer_symbol(function: sp.Basic, name: str) -> bool:
    """An index or a size (i, n): not something a derivative is taken by."""
    return any(str(s) == name and s.is_integer for s in function.free_symbols)


def size_symbols(problem: Problem, function: sp.Basic, truth: sp.Basic) -> list[sp.Symbol]:
    """Symbols used as sum bounds (n, d, …), in a stable order."""
    found: set = set()
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


def index_ranges(problem: Problem, function: sp.Basic, var: sp.Basic, free: tuple[sp.Symbol, ...]) -> dict:
    """Integer symbol -> upper bound: the problem's sizes, and the free indices' from the variable's
    shape (else from the sums θ is used in)."""
    ranges = {sym: upper for sym, upper in problem.sizes if isinstance(sym, sp.Symbol)}
    for s in function.atoms(sp.Sum):
        for idx, _, hi in s.limits:
            ranges.setdefault(idx, hi)
    if not free:
        return ranges
    base = var.base
    shape = problem.shape_of(str(base.label))
    for position, index in enumerate(free):
        if shape is not None and len(free) == 2:
            ranges[index] = shape[position]
            continue
        for s in function.atoms(sp.Sum):
            for idx, _, hi in s.limits:
                if any(a.base == base and a.indices[position:position + 1] == (idx,)
                       for a in s.function.atoms(sp.Indexed)):
                    ranges[index] = hi
        if index not in ranges and shape is not None:
            ranges[index] = shape[position]
        if index not in ranges:
            guess = [hi for sym, hi in problem.sizes if str(hi) == "d"]
            ranges[index] = guess[0] if guess else sp.Integer(3)
    return ranges


def free_indices(expr: sp.Basic) -> list[sp.Symbol]:
    """The integer symbols free in `expr` that are indices (not sizes, which are positive), by name."""
    return sorted((s for s in expr.free_symbols if s.is_integer and not s.is_positive), key=str)


def outer_sum_vars(expr: sp.Basic) -> set:
    """The bound variables of every sum in `expr`."""
    return {lim[0] for s in expr.atoms(sp.Sum) for lim in s.limits}

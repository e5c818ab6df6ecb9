"""How an ML reader completes a parsed formula: which names to differentiate by when none are
given, which left sides define a function and which state an update rule, and which entries a
definition's target stands for."""
from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.core.problem import Definition, substitute_definitions
from symderiv.ml import notation as N
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.symbols import INDEX_LETTERS, Value, display_name, index_symbol, indexed_base


def entry_of(name: Value) -> Value:
    """`theta` on the left of a vector-valued right side: its k-th entry theta[k]."""
    if isinstance(name, sp.Symbol):
        return indexed_base(name.name)[index_symbol("k")]
    return name


def gradient_entry(lhs: Value, vector_labels: set[str]) -> Value:
    """`\\nabla_\\theta L(\\theta)` equal to a vector: the k-th entry dL/dtheta_k, when theta
    is indexed on the right side."""
    if not isinstance(lhs, sp.Derivative):
        return lhs
    rep = {v: indexed_base(v.name)[index_symbol("k")] for v in lhs.variables
           if isinstance(v, sp.Symbol) and v.name in vector_labels}
    return lhs.xreplace(rep) if rep else lhs


def is_update(left: Value, body: Value) -> bool:
    """θ^{(t+1)} = …, θ := θ − η∇L: an update rule (an equation), not a function definition."""
    name = display_name(left)
    if "^{(" in name:
        return True
    if isinstance(body, Tensor):
        return False
    return any(display_name(a) == name for a in body.atoms(sp.Symbol, sp.Indexed)
               if not isinstance(a, sp.Dummy))


def uses_base(expr: Value, definitions: Sequence[Definition], name: str) -> bool:
    """Whether `name` is indexed (`name[...]`) in the expression or a definition."""
    exprs = [expr, *(d.expr for d in definitions)]
    return any(str(a.base.label) == name for e in exprs for a in e.atoms(sp.Indexed))


def index_definitions(definitions: list[Definition], expr: Value) -> list[Definition]:
    """`\\hat{y} = …` used as `yhat[i]` under a sum defines yhat[i] (and vice versa)."""
    out = []
    for d in definitions:
        t = d.target
        if isinstance(t, sp.Symbol):
            bases = [a for a in expr.atoms(sp.Indexed) if str(a.base.label) == t.name]
            if bases:
                idx = bases[0].indices
                t = indexed_base(t.name)[idx]
        out.append(Definition(t, d.expr, d.latex))
    return out


def default_variables(args: tuple[Value, ...], expr: Value,
                      definitions: Sequence[Definition]) -> tuple[tuple[str, ...], str]:
    """The function's arguments, else the single free symbol, else ML parameters by convention;
    with a note saying which convention chose them."""
    full = substitute_definitions(expr, definitions)
    if args:
        out: list[str] = []
        for a in args:
            for s in sorted(a.free_symbols, key=str) if not isinstance(a, sp.Symbol) else [a]:
                if s.name not in out:
                    out.append(s.name)
        return tuple(out), ""
    free = free_names(full)
    if len(free) == 1:
        return (free[0],), ""
    params = [p for p in N.PARAMETER_NAMES if p in free] or [
        p for p in N.DISTRIBUTION_PARAMETERS if p in free]
    if params:
        return tuple(params), ("no variables given: differentiating by the parameters "
                               + ", ".join(params) + " (ML convention)")
    return tuple(free), ("no variables given: differentiating by every free symbol" if free else "")


def free_names(expr: Value) -> list[str]:
    """Names that could be variables: free symbols other than sizes and index letters, and the
    labels of indexed quantities."""
    names = []
    for s in sorted(expr.free_symbols, key=str):
        if isinstance(s, sp.Symbol) and not (s.is_integer and s.name in N.DEFAULT_SIZE.values()):
            if s.is_integer and (s.is_positive or (len(s.name) == 1 and s.name in INDEX_LETTERS)):
                continue
            names.append(s.name)
    for a in expr.atoms(sp.Indexed):
        label = str(a.base.label)
        if label not in names:
            names.append(label)
    for m in expr.atoms(sp.MatrixSymbol):   # X of det X, of X⁻¹
        if m.name not in names:
            names.append(m.name)
    return sorted(set(names), key=names.index)


def check_acyclic(definitions: Sequence[Definition], places: Sequence[tuple[str, int]]) -> None:
    """Definitions form a DAG: `y = y + 1`, or `y = z + 1` with `z = y^2`, is a ParseError that
    names the cycle (y → z → y), at the definition where it starts.

    A definition uses another when its right side holds that target itself (`z`, or `h[t]` for
    the target `h[t]`); a recurrence over another index (`h_t = \\tanh(W h_{t-1})`) is no cycle.
    `places` holds each definition's (source text, column) for the caret.
    """
    uses = {n: [m for m, e in enumerate(definitions) if _mentions(d.expr, e.target)]
            for n, d in enumerate(definitions)}
    state: dict[int, int] = {}   # 1 on the current path, 2 done
    for start in range(len(definitions)):
        path = _cycle_from(start, uses, state, [])
        if path:
            names = " → ".join(definitions[n].name for n in path)
            source, column = places[path[0]]
            raise ParseError(f"the definitions are circular: {names}; a name cannot be defined "
                             "through itself", source, column)


def _mentions(expr: sp.Basic, target: sp.Basic) -> bool:
    return bool(isinstance(expr, sp.Basic) and expr.has(target))


def _cycle_from(n: int, uses: dict[int, list[int]], state: dict[int, int], path: list[int]) -> list[int]:
    """The cycle reached from definition n (a list of indices, first repeated last), else []."""
    if state.get(n) == 2:
        return []
    if state.get(n) == 1:
        return [*path[path.index(n):], n]
    state[n] = 1
    path.append(n)
    for m in uses[n]:
        found = _cycle_from(m, uses, state, path)
        if found:
            return found
    path.pop()
    state[n] = 2
    return []

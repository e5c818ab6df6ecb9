"""The parsed problem: what a user asked to differentiate, with their named intermediates.

`Problem.expr` keeps intermediates as symbols (`yhat[i]`); `Problem.expanded()` substitutes every
definition, giving the plain SymPy expression that oracles (`sympy.diff`) work on.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from symderiv.core.order import Orders


@dataclass(frozen=True)
class Definition:
    """A named intermediate `target = expr`, e.g. `yhat[i] = sigmoid(Sum(theta[j]*x[i, j], ...))`.

    `target` is a Symbol or an Indexed whose indices are the free indices (`yhat[i]` defines
    `yhat` for every i).
    """

    target: sp.Basic
    expr: sp.Basic
    latex: str = ""

    @property
    def name(self) -> str:
        t = self.target
        return str(t.base.label) if isinstance(t, sp.Indexed) else str(t)

    @property
    def indices(self) -> tuple[sp.Basic, ...]:
        return tuple(self.target.indices) if isinstance(self.target, sp.Indexed) else ()

    def matches(self, atom: sp.Basic) -> bool:
        """Whether `atom` (a Symbol or an Indexed) is an instance of this definition's target."""
        if isinstance(self.target, sp.Indexed):
            return bool(isinstance(atom, sp.Indexed) and atom.base == self.target.base
                        and len(atom.indices) == len(self.target.indices))
        return bool(atom == self.target)

    def instance(self, atom: sp.Basic) -> sp.Basic:
        """The defining expression for `atom` (the indices of the target replaced by atom's).

        A summation index of the definition that is one of atom's indices is renamed first
        (ŷ_r = Σ_l V_rl h_l at ŷ_l is Σ_s V_ls h_s, never Σ_l V_ll h_l)."""
        if isinstance(self.target, sp.Indexed):
            incoming = {i for i in atom.indices if isinstance(i, sp.Symbol)}
            expr = _rename_bound(self.expr, incoming - set(self.target.indices), atom)
            return expr.xreplace(dict(zip(self.target.indices, atom.indices, strict=True)))
        return self.expr

    def substitute(self, expr: sp.Basic) -> sp.Basic:
        """Replace every instance of the target in `expr` by its definition."""
        if isinstance(self.target, sp.Indexed):
            hits = {a: self.instance(a) for a in expr.atoms(sp.Indexed) if self.matches(a)}
        else:
            hits = {self.target: self.expr} if expr.has(self.target) else {}
        return expr.xreplace(hits) if hits else expr


def _rename_bound(expr: sp.Basic, clashing: set[sp.Symbol], atom: sp.Basic) -> sp.Basic:
    """Every sum over an index in `clashing` summed over a fresh index instead."""
    if not clashing or not expr.has(sp.Sum):
        return expr
    taken = {s.name for s in expr.atoms(sp.Symbol) | atom.atoms(sp.Symbol)}

    def fresh() -> sp.Symbol:
        name = next(c for c in (*"sqtuvpwabc", *(f"s{n}" for n in range(99))) if c not in taken)
        taken.add(name)
        return sp.Symbol(name, integer=True)

    def visit(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Sum):
            body, limits = e.function, []
            for i, lo, hi in e.limits:
                if i in clashing:
                    new = fresh()
                    body = body.xreplace({i: new})
                    i = new
                limits.append((i, lo, hi))
            return sp.Sum(visit(body), *limits)
        if not e.args or e.is_Atom:
            return e
        return e.func(*[visit(a) for a in e.args])

    return visit(expr)


INEQUALITIES = ("<", "≤", ">", "≥", "≠", "≈")


class Reading(str):
    """A judgment call on notation: its English sentence (the string itself, as JSON and tests
    read it) and the phrase key and values it was said with, so that a page can say it in its
    own language with its math typeset. `values`: (name, LaTeX spelling, plain spelling)."""

    key: str
    values: tuple[tuple[str, str, str], ...]

    def __new__(cls, text: str, key: str = "", values: tuple[tuple[str, str, str], ...] = ()) -> Reading:
        self = super().__new__(cls, text)
        self.key = key
        self.values = values
        return self

    def spelled(self, spelling: str) -> dict[str, str]:
        """The values in one spelling: "latex" or "text"."""
        return {name: (latex if spelling == "latex" else text) for name, latex, text in self.values}


@dataclass(frozen=True)
class Problem:
    """What was parsed.

    kind: "function" (`L(θ) = …`, `name`/`args` set), "expression" (a bare expression), or
    "equation" (any other `lhs = rhs`; `lhs` set, `expr` is the right side).
    variables: names to differentiate by (the function's arguments, else the free symbol, else
    the ML parameters by convention); `vectors`: names of vector quantities (indexed by a feature
    index) and `sizes`: index symbol -> its upper bound (n for samples, d for features).
    relation: the sign between the two sides of the statement (`=`, `<`, `≤`, `>`, `≥`, `≠`, `≈`,
    `:=`; `""` for a bare expression); `readings`: one short English sentence per judgment call
    the parser made where the notation is ambiguous ("read \\sin 2x \\cos x as sin(2x)·cos(x)").
    claims: statements about derivatives beside the function (`f'(x) = 2x`: (lhs, rhs)), for verify;
    conditions: side conditions (`w > 0`: (lhs, sign, rhs)); also: the further sides of `a = b = c`.
    shapes: the shape of every vector and matrix name, `(name, (rows, cols))` with symbolic sizes
    (a column vector has cols 1; sample rows `x_i` give `("x", (n, d))`; scalars are absent);
    symmetric: names declared symmetric (`A \\in \\mathbb{S}^d`, `A = A^T`).
    orders: the sums as the user wrote their terms, for the printers (core/order.py `writing`): the
    problem carries them, so that what is printed for it never depends on what else was parsed.
    """

    source: str
    expr: sp.Basic
    kind: str = "expression"
    name: str | None = None
    args: tuple[sp.Basic, ...] = ()
    lhs: sp.Basic | None = None
    definitions: tuple[Definition, ...] = ()
    variables: tuple[str, ...] = ()
    variables_note: str = ""
    vectors: frozenset[str] = frozenset()
    sizes: tuple[tuple[sp.Symbol, sp.Basic], ...] = ()          # ((index_symbol, upper_bound), ...)
    latex: str = ""            # the function body as the user wrote it
    relation: str = ""
    readings: tuple[str, ...] = ()             # Reading instances where the parser said them
    claims: tuple[tuple[sp.Basic, sp.Basic], ...] = ()
    conditions: tuple[tuple[sp.Basic, str, sp.Basic], ...] = ()
    also: tuple[sp.Basic, ...] = ()
    shapes: tuple[tuple[str, tuple[sp.Basic, sp.Basic]], ...] = ()
    symmetric: frozenset[str] = frozenset()
    orders: Orders = ()

    def shape_of(self, name: str) -> tuple[sp.Basic, sp.Basic] | None:
        """(rows, cols) of a vector or matrix name, None for a scalar or an unknown name."""
        return dict(self.shapes).get(name)

    @property
    def is_inequality(self) -> bool:
        """`x < y`, `x \\le y`, `x \\neq y`: a statement about values, not a function to work on."""
        return self.relation in INEQUALITIES

    def expanded(self, expr: sp.Basic | None = None) -> sp.Basic:
        """`expr` (default: the body) with every definition substituted, innermost last."""
        return substitute_definitions(self.expr if expr is None else expr, self.definitions)

    def definition_for(self, atom: sp.Basic) -> Definition | None:
        for d in self.definitions:
            if d.matches(atom):
                return d
        return None


def substitute_definitions(expr: sp.Basic, definitions: Sequence[Definition]) -> sp.Basic:
    """Substitute definitions until none is left (ŷ_i -> σ(z_i) -> σ(θᵀx_i))."""
    out = expr
    for _ in range(len(definitions) + 1):
        before = out
        for d in definitions:
            out = d.substitute(out)
        if out == before:
            break
    return out


def scalar_symbols(expr: sp.Basic) -> set[sp.Symbol]:
    """Free Symbols of `expr` that are not the labels of its Indexed atoms (θ in θ[j])."""
    labels = {a.base.label for a in expr.atoms(sp.Indexed)}
    return {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in labels}

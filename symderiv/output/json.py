"""The JSON contract (DESIGN.md): `problem_json` for `symderiv parse`, `derivation_json` for
`symderiv derive --format json`.

Outside checks read it, so its fields never change: `sympy` fields are `srepr` strings, `expanded`
has every definition substituted, a vector variable's entry names its free index (1-based) in
`index`, and each step's `rule` is its rule's key.
"""
from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.repr import ReprPrinter

from symderiv.calculus.matrices.forms import matrix_names
from symderiv.calculus.matrices.kron import LAYOUT
from symderiv.calculus.results import Derivation, Partial
from symderiv.core.order import writing
from symderiv.core.problem import Problem
from symderiv.output.printing import MLLatexPrinter, latex
from symderiv.output.steps import Step, StepPrinter


class JsonPrinter:
    """Problem / Derivation -> plain data for `json.dumps` (math as LaTeX and as `srepr`).

    Every step gets an `"id"` unique in the object; a sub-derivation met again (the same rule
    object: ∂L/∂ŷ_i for w and for b) is printed in full once and then as a step with `"ref"`, the
    id of the full one, and no `"substeps"` (DESIGN.md, "Shared work"): the output grows with the
    derivation, not with the number of places that use a piece of it."""

    def __init__(self) -> None:
        self._ids: dict[int, tuple[Any, str]] = {}    # id(rule) -> (rule, the id of its full step)
        self._count = 0
        self._srepr = _SharedRepr()
        self._latex = _SharedLatex()

    def srepr(self, e: sp.Basic) -> str:
        return str(self._srepr.doprint(e))

    def latex(self, e: sp.Basic) -> str:
        return str(self._latex.doprint(e))

    def problem(self, problem: Problem) -> dict[str, Any]:
        function: dict[str, Any] = {"name": problem.name, "latex": problem.latex,
                                    "sympy": sp.srepr(problem.expr), "expanded": sp.srepr(problem.expanded())}
        if problem.lhs is not None and problem.kind == "equation":
            function["lhs"] = {"latex": latex(problem.lhs), "sympy": sp.srepr(problem.lhs)}
        return {
            "input": problem.source,
            "function": function,
            "definitions": [{"symbol": d.name, "latex": d.latex or f"{latex(d.target)} = {latex(d.expr)}",
                             "sympy": sp.srepr(d.expr)} for d in problem.definitions],
            "variables": list(problem.variables),
            "relation": problem.relation or None,
            "readings": list(problem.readings),
        }

    def derivation(self, d: Derivation) -> dict[str, Any]:
        out = self.problem(d.problem)
        out["variables"] = list(d.variables)
        out["gradient"] = [self.gradient_entry(g) for g in d.gradient]
        if d.shapes:
            out["shapes"] = {name: [_size(s) for s in shape] for name, shape in d.shapes}
            self._named_matrices(out, d)
        if d.problem.symmetric:
            out["symmetric"] = sorted(d.problem.symmetric)
        if d.notes:
            out["notes"] = list(d.notes)
        out["hessian"] = None if d.hessian is None else self.hessian(d)
        steps = StepPrinter(d.intermediates, name=d.problem.name, shown=d.shown)
        out["steps"] = [self.step(steps.doprint(g.step), g.wrt, [_size(s) for s in d.shape_of(g.variable)])
                        for g in d.gradient]
        return out

    def gradient_entry(self, g: Partial) -> dict[str, Any]:
        entry: dict[str, Any] = {"variable": g.variable, "index": _indices(g.index), "latex": self.latex(g.result),
                                 "sympy": self.srepr(g.result), "expanded": self.srepr(g.expanded)}
        if g.matrix is not None:
            entry["matrix"] = matrix_json(g.matrix.matrix)
            if g.matrix.one_hot is not None:     # the same gradient when the labels' rows are one-hot
                labels, simple = g.matrix.one_hot
                entry["matrix_one_hot"] = {**matrix_json(simple), "labels": labels.name}
        return entry

    def _named_matrices(self, out: dict[str, Any], d: Derivation) -> None:
        """Each intermediate a matrix form names (ŷ, S) gets its own "matrix" in `definitions`."""
        forms = [g.matrix for g in d.gradient] + ([d.hessian[0][0].matrix] if d.hessian else [])
        by_symbol = {entry["symbol"]: entry for entry in out["definitions"]}
        for form in forms:
            for target, value in form.definitions if form is not None else ():
                entry = by_symbol.get(target.name)
                if entry is None:
                    entry = {"symbol": target.name, "latex": f"{latex(target)} = {latex(value)}",
                             "sympy": _portable_srepr(value)}
                    by_symbol[target.name] = entry
                    out["definitions"].append(entry)
                entry["matrix"] = matrix_json(value)

    def hessian(self, d: Derivation) -> dict[str, Any]:
        assert d.hessian is not None
        body = r" \\ ".join(" & ".join(self.latex(e.result) for e in row) for row in d.hessian)
        h: dict[str, Any] = {"latex": rf"\begin{{pmatrix}} {body} \end{{pmatrix}}",
                             "sympy": [[self.srepr(e.result) for e in row] for row in d.hessian],
                             "expanded": [[self.srepr(e.expanded) for e in row] for row in d.hessian]}
        if any(g.index for g in d.gradient):
            # a vector variable's block: [row index, column index] of its entries (k, l)
            blocks = [[_block_index(d, a, b) for b in range(len(row))] for a, row in enumerate(d.hessian)]
            h["index"] = blocks[0][0] if len(blocks) == 1 else blocks
        if len(d.hessian) == 1 and d.hessian[0][0].matrix is not None:
            h["matrix"] = matrix_json(d.hessian[0][0].matrix.matrix)
            if len(d.gradient[0].index) == 2:   # a matrix variable: Kd × Kd, vec(W) stacking W's rows
                h["layout"] = LAYOUT
        return h

    def step(self, step: Step, wrt: sp.Basic, shape: list[int | str]) -> dict[str, Any]:
        """One step with the shape of what it produces: a derivative by the variable has the
        variable's shape (`shape`); one by a scalar intermediate (d/du, d/dŷ_i) is a scalar ([])."""
        by_variable = step.rule.var == wrt
        self._count += 1
        out: dict[str, Any] = {"id": f"s{self._count}", "rule": step.key, "expr": self.latex(step.rule.expr),
                               "wrt": self.latex(step.rule.var), "result": self.latex(step.result), "note": step.note,
                               "shape": shape if by_variable else []}
        full = self._ids.get(id(step.rule))
        if full is not None and full[0] is step.rule and step.substeps:
            out["ref"] = full[1]
            return out
        self._ids.setdefault(id(step.rule), (step.rule, out["id"]))
        out["substeps"] = [self.step(s, wrt, shape) for s in step.substeps]
        return out


def problem_json(problem: Problem) -> dict[str, Any]:
    """`symderiv parse`'s object: the input, the function, its definitions and variables; with
    `"shapes"` when the formula has vectors or matrices and `"symmetric"` when it declares any, under
    the names `derive --format json` gives them (rows of data written x_i are the matrix X)."""
    with writing(problem.orders):
        out = JsonPrinter().problem(problem)
    # the names as the matrix forms see them (a vector has one index): x_i -> X, as in derive's "shapes"
    rename = matrix_names({name: shape if shape[1] != 1 else shape[:1] for name, shape in problem.shapes})
    if problem.shapes:
        shapes = sorted(((rename.get(name, name), shape) for name, shape in problem.shapes), key=lambda s: s[0])
        out["shapes"] = {name: [_size(s) for s in shape] for name, shape in shapes}
    if problem.symmetric:
        out["symmetric"] = sorted(rename.get(name, name) for name in problem.symmetric)
    return out


def derivation_json(d: Derivation) -> dict[str, Any]:
    """`symderiv derive --format json`'s object: the problem, gradient, Hessian and steps."""
    with writing(d.orders):
        return JsonPrinter().derivation(d)


def matrix_json(m: sp.Basic) -> dict[str, str]:
    """{"latex", "sympy"} of a matrix form; the srepr names ML functions as undefined functions
    (`Function('sigmoid')`), so any SymPy can read it back."""
    return {"latex": latex(m), "sympy": _portable_srepr(m)}


def _portable_srepr(m: sp.Basic) -> str:
    ml = {f for f in m.atoms(sp.Function) if getattr(type(f), "text_name", "")}
    return sp.srepr(m.xreplace({f: sp.Function(type(f).__name__)(*f.args) for f in ml}))


def _indices(index: tuple[sp.Basic, ...]) -> str | list[str] | None:
    """A vector variable's free index ("k"), a matrix variable's pair (["k", "j"]), None for a scalar."""
    if not index:
        return None
    return str(index[0]) if len(index) == 1 else [str(i) for i in index]


def _size(s: sp.Basic) -> int | str:
    return int(s) if s.is_Integer else str(s)


def _block_index(d: Derivation, a: int, b: int) -> list[Any] | None:
    """[row, col]: the free indices of H[a][b] in its `sympy`/`expanded` (None for a scalar
    variable). The lower triangle reuses the upper entry H[b][a], so its indices swap."""
    assert d.hessian is not None
    lo, hi = min(a, b), max(a, b)
    first, second = d.gradient[lo].index, d.hessian[lo][hi].index
    pair: list[Any] = [_indices(first), _indices(second)]
    if a > b:
        pair.reverse()
    return pair if any(pair) else None


class _Shared:
    """A printer that prints each compound subexpression once (its text does not depend on where
    it stands): the entries of a Hessian repeat the same sums (Σ_j e^{x_j} in every entry of a
    log-sum-exp's), its lower triangle is its upper one, and ordering the terms is the cost."""

    _memo: dict[tuple[type, sp.Basic], str]

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if kwargs or not isinstance(expr, sp.Basic) or not expr.args:
            return super()._print(expr, **kwargs)  # type: ignore[misc]
        key = (type(expr), expr)
        out = self._memo.get(key)
        if out is None:
            out = self._memo[key] = super()._print(expr)  # type: ignore[misc]
        return out


class _SharedRepr(_Shared, ReprPrinter):
    def __init__(self) -> None:
        super().__init__()
        self._memo = {}


class _SharedLatex(_Shared, MLLatexPrinter):
    def __init__(self) -> None:
        super().__init__()
        self._memo = {}

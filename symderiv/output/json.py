"""The JSON contract (DESIGN.md): `problem_json` for `symderiv parse`, `derivation_json` for
`symderiv derive --format json`.

Outside checks read it, so its fields never change: `sympy` fields are `srepr` strings, `expanded`
has every definition substituted, a vector variable's entry names its free index (1-based) in
`index`, and each step's `rule` is its rule's key.
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from symderiv.calculus.results import Derivation, Partial
from symderiv.core.problem import Problem
from symderiv.output.printing import latex
from symderiv.output.steps import Step, StepPrinter


class JsonPrinter:
    """Problem / Derivation -> plain data for `json.dumps` (math as LaTeX and as `srepr`)."""

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
        out["gradient"] = [{"variable": g.variable, "index": str(g.index[0]) if g.index else None,
                            "latex": latex(g.result), "sympy": sp.srepr(g.result),
                            "expanded": sp.srepr(g.expanded)} for g in d.gradient]
        if d.notes:
            out["notes"] = list(d.notes)
        out["hessian"] = None if d.hessian is None else self.hessian(d)
        steps = StepPrinter(d.intermediates, name=d.problem.name)
        out["steps"] = [self.step(steps.doprint(g.step)) for g in d.gradient]
        return out

    def hessian(self, d: Derivation) -> dict[str, Any]:
        assert d.hessian is not None
        h: dict[str, Any] = {"latex": _matrix_latex(d.hessian),
                             "sympy": [[sp.srepr(e.result) for e in row] for row in d.hessian],
                             "expanded": [[sp.srepr(e.expanded) for e in row] for row in d.hessian]}
        if any(g.index for g in d.gradient):
            # a vector variable's block: [row index, column index] of its entries (k, l)
            blocks = [[_block_index(d, a, b) for b in range(len(row))] for a, row in enumerate(d.hessian)]
            h["index"] = blocks[0][0] if len(blocks) == 1 else blocks
        return h

    def step(self, step: Step) -> dict[str, Any]:
        return {"rule": step.key, "expr": latex(step.rule.expr), "wrt": latex(step.rule.var),
                "result": latex(step.result), "note": step.note,
                "substeps": [self.step(s) for s in step.substeps]}


def problem_json(problem: Problem) -> dict[str, Any]:
    """`symderiv parse`'s object: the input, the function, its definitions and variables."""
    return JsonPrinter().problem(problem)


def derivation_json(d: Derivation) -> dict[str, Any]:
    """`symderiv derive --format json`'s object: the problem, gradient, Hessian and steps."""
    return JsonPrinter().derivation(d)


def _block_index(d: Derivation, a: int, b: int) -> list[str | None] | None:
    """[row, col]: the free indices of H[a][b] in its `sympy`/`expanded` (None for a scalar
    variable). The lower triangle reuses the upper entry H[b][a], so its indices swap."""
    assert d.hessian is not None
    lo, hi = min(a, b), max(a, b)
    first, second = d.gradient[lo].index, d.hessian[lo][hi].index
    pair = [str(first[0]) if first else None, str(second[0]) if second else None]
    if a > b:
        pair.reverse()
    return pair if any(pair) else None


def _matrix_latex(rows: tuple[tuple[Partial, ...], ...]) -> str:
    body = r" \\ ".join(" & ".join(latex(e.result) for e in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"

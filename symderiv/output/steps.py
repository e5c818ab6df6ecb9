"""Rule tree -> step views: what each step says (rule, expression, result, a note), for JSON
and for the templates. Deriving stays in rules.py/derive.py; printing stays here and in render.

Names for the chain rule's inner functions: the user's intermediate (ŷ_i), an introduced one
(z_i), or u, u_1, … — every name is a symbol chosen by the deriver, so a step view only prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.output.phrases import phrase
from symderiv.output.printing import latex, text
from symderiv.calculus.simplify import fold, textbook
from symderiv.calculus.rules import collapse_kronecker

TRIVIAL = {"constant", "variable", "kronecker"}
SIMPLIFIED = {"chain", "index_sum", "constant_multiple", "kronecker_collapse"}


@dataclass
class StepView:
    """One step as printed: rule key, LaTeX of d(expr)/d(wrt) and its result, and a note."""

    rule: str
    expr: str
    wrt: str
    result: str
    note: str
    substeps: list = field(default_factory=list)
    trivial: bool = False
    expr_text: str = ""
    result_text: str = ""
    wrt_text: str = ""

    def to_json(self) -> dict:
        return {"rule": self.rule, "expr": self.expr, "wrt": self.wrt, "result": self.result,
                "note": self.note, "substeps": [s.to_json() for s in self.substeps]}


class StepViewer:
    """Builds StepViews for one derivation (folds definitions back into each step's result)."""

    def __init__(self, definitions=(), lang: str = "en", name: str | None = None):
        self.definitions = tuple(definitions)
        self.lang = lang
        self.name = name or "f"

    def view(self, rule: R.Rule) -> StepView:
        result = self._result(rule)
        note = self.note(rule)
        subs = [self.view(s) for s in rule.substeps if s is not None]
        return StepView(rule=rule.key, expr=latex(rule.expr), wrt=latex(rule.var),
                        result=latex(result), note=note, substeps=subs,
                        trivial=rule.key in TRIVIAL, expr_text=text(rule.expr),
                        result_text=text(result), wrt_text=text(rule.var))

    def _result(self, rule):
        """The step's result with names folded back; where links are multiplied (chain) or a
        sum is taken, also simplified as a textbook would (small expressions only: it is cheap)."""
        value = fold(collapse_kronecker(rule.eval()), self.definitions)
        multiplies_links = type(rule).__name__ == "ChainThroughRule"
        if (multiplies_links or value.has(sp.Sum)) and rule.key in SIMPLIFIED and sp.count_ops(value) <= 80:
            return textbook(value, self.definitions)
        return value

    def note(self, rule: R.Rule) -> str:
        p = lambda key, **kw: phrase(key, self.lang, **kw)  # noqa: E731
        d = lambda num, den: _partial(num, den)  # noqa: E731
        key = rule.key
        v = latex(rule.var)
        if key == "chain" and isinstance(rule, R.ChainRule):
            return p("chain", path=rf"{d(rule.outer_step.expr, rule.u)} \cdot {d(rule.u, rule.var)}",
                     u=latex(rule.u), inner=latex(rule.inner))
        if key == "chain":
            path = _chain_path(rule)
            top = self._label(path[0][0])
            note = p("chain_through", path=r" \cdot ".join(
                d(top if n == 0 else a, b) for n, (a, b) in enumerate(path)))
            if isinstance(top, sp.Indexed) and str(top.base.label) == "ell":
                note += p("term_of_sum", term=latex(top), i=latex(top.indices[0]))
            return note
        if key == "constant_multiple":
            return p(key, c=latex(rule.constant))
        if key == "power" or key == "sqrt":
            return p(key, n=latex(rule.exponent))
        if key == "piecewise":
            points = ", ".join(f"{latex(a)} = {latex(b)}" for a, b in rule.undefined)
            return p("piecewise", points=points) if points else p("piecewise_none")
        if key == "kronecker_collapse":
            return p(key, j=latex(rule.index), k=latex(rule.var.indices[0]))
        if key == "definition":
            return p(key, name=latex(rule.expr), value=latex(rule.definition))
        if key == "rewrite":
            return p(key, form=latex(rule.rewritten))
        return p(key, v=v)


    def _label(self, expr):
        """The function's name for the head of a chain (ℓ_i for one sample's term of a sum)."""
        if isinstance(expr, (sp.Symbol, sp.Indexed)):
            return expr
        named = fold(expr, self.definitions)
        if isinstance(named, (sp.Symbol, sp.Indexed)):
            return named
        free = sorted((s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.is_integer
                       and not s.is_positive), key=str)
        if free:
            return sp.Indexed(sp.IndexedBase(sp.Symbol("ell")), *free[:1])
        return sp.Symbol(self.name)


def _partial(num, den) -> str:
    return rf"\frac{{\partial {_wrap(latex(num))}}}{{\partial {_wrap(latex(den))}}}"


def _wrap(s: str) -> str:
    return s if len(s) <= 12 and " " not in s else rf"\left({s}\right)"


def _chain_path(rule) -> list[tuple]:
    """∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂θ: follow single-link chains through the intermediates."""
    from symderiv.calculus.engine import ChainThroughRule

    path = []
    node = rule
    top = rule.expr
    while isinstance(node, ChainThroughRule) and len(node.links) == 1 and node.direct is None:
        a, _, inner = node.links[0]
        path.append((top, a))
        top = a
        node = inner
        while isinstance(node, R.DefinitionRule):
            node = node.step
    if not path:
        return [(rule.expr, a) for a, _, _ in getattr(rule, "links", ())] or [(rule.expr, rule.var)]
    path.append((top, rule.var))
    return path

"""Rule tree -> printed steps: each step's result (names folded back) and the sentence naming its rule.

Printers dispatch on the rule's class along its MRO, as SymPy's printers do: `_print_ChainRule`,
`_print_PowerRule` (which SqrtRule, a subclass, also takes), … and `_print_Rule` for every other
rule, whose sentence is the catalogue's for its key. An ML function's rule (`MLFunctionRule`) is
named by its registry entry, so a new ML function needs no sentence of its own.

Names for the chain rule's inner functions: the user's intermediate (ŷ_i), an introduced one
(z_i), or u, u_1, … — every name is a symbol chosen by the deriver, so a step printer only prints.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.moves import Move, moves
from symderiv.calculus.rules import ChainThroughRule
from symderiv.calculus.shown import ByIdentity, Shown, shown_result
from symderiv.calculus.simplify import fold
from symderiv.core.order import written_order
from symderiv.core.problem import Definition
from symderiv.output.facts import fact_cited
from symderiv.output.phrases import phrase, text_phrase
from symderiv.output.printing import function_name, latex, text

TRIVIAL = (R.ConstantRule, R.VariableRule, R.KroneckerRule)
TERM = sp.IndexedBase(sp.Symbol("ell"))   # ℓ_i: one sample's term of a sum, as a chain's head


@dataclass(frozen=True)
class Step:
    """One rule applied, as printed: the rule, its result and the sentence naming it."""

    rule: R.Rule
    result: sp.Basic
    note: str
    substeps: tuple[Step, ...] = ()

    @property
    def key(self) -> str:
        """The rule's key (`chain`, `sum`, `sigmoid`, …): the JSON `rule` field and the template name."""
        return self.rule.key

    @property
    def trivial(self) -> bool:
        """d c/dx = 0, dx/dx = 1, dθ_j/dθ_k = δ_jk: printed inside their parent, not as steps."""
        return isinstance(self.rule, TRIVIAL)


def foldable(step: Step) -> bool:
    """A step with nothing to teach (d c/dx = 0, dθ/dθ = 1, δ_jk, a constant factor in front of one
    of those): printed inside its parent as an identity it uses, not numbered."""
    if step.trivial:
        return True
    return isinstance(step.rule, R.ConstantMultipleRule) and len(step.substeps) == 1 and step.substeps[0].trivial


def passes_through(step: Step) -> Step | None:
    """The one piece a definition step only passes on (d/dθ z_i is d/dθ θᵀx_i): that piece's step,
    which the page prints with the definition said, instead of a step of its own; else None."""
    if not isinstance(step.rule, R.DefinitionRule):
        return None
    inner = [s for s in step.substeps if not foldable(s)]
    return inner[0] if len(inner) == 1 and len(step.substeps) == 1 else None


def list_numbers(numbers: Iterable[int], lang: str) -> str:
    """Step numbers as a list: "4, 11" (en), "4、11" (zh)."""
    return ("、" if lang == "zh" else ", ").join(str(n) for n in numbers)


class RulePrinter:
    """Dispatch by the rule's class along its MRO (`_print_ChainRule`, …, `_print_Rule`)."""

    def _print(self, rule: R.Rule) -> Any:
        for cls in type(rule).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return method(rule)
        raise TypeError(f"{type(rule).__name__} is not a rule")


class StepPrinter(RulePrinter):
    """Steps with LaTeX sentences (the md/tex pages and the JSON notes).

    `definitions` are folded back into each result (σ(z_i) -> ŷ_i); `name` names the head of a chain
    that has no name of its own (f). `shown` is the derivation's table of results (the deriver worked
    them out): a printer only prints. A rule met again (a shared sub-derivation) is printed once."""

    def __init__(self, definitions: Iterable[Definition] = (), lang: str = "en", name: str | None = None,
                 shown: Shown | None = None):
        self.definitions = tuple(definitions)
        self.lang = lang
        self.name = name or "f"
        self.shown = shown or Shown()
        self._results: ByIdentity[R.Rule, sp.Basic] = ByIdentity()
        self._printed: ByIdentity[R.Rule, Step] = ByIdentity()
        self.facts: dict[str, int] = {}       # registry entry -> its number in the page's facts used
        self.section: tuple[sp.Basic, str] = (sp.S.Zero, "")    # the variable of the steps being numbered
        self.shared: dict[tuple, tuple[str, int]] = {}   # (expr, by) -> (section, step) that derived it

    def doprint(self, rule: R.Rule) -> Step:
        """The step tree of `rule` (every sub-step, trivial ones included); a rule met again is the
        same Step (what the JSON prints as a reference)."""
        printed = self._printed.get(rule)
        if printed is not None:
            return printed
        step = self._doprint(rule)
        self._printed[rule] = step
        return step

    def _doprint(self, rule: R.Rule) -> Step:
        subs = tuple(self.doprint(s) for s in rule.substeps if s is not None)
        written = written_order(rule.expr) if isinstance(rule, R.SumRule) else None
        if written:                 # the terms' steps in the order the user wrote the terms
            subs = tuple(sorted(subs, key=lambda s: written.index(s.rule.expr)
                                if s.rule.expr in written else len(written)))
        if isinstance(rule, R.ChainRule) and not rule.named and subs:
            # pieces come first, so the outer piece is where u is named ("with u = 1 − ŷ_i")
            outer = subs[0]
            named = self.phrase("name_u", u=self.math(rule.u), inner=self.math(rule.inner))
            subs = (dataclasses.replace(outer, note=f"{named}{outer.note}"), *subs[1:])
        return Step(rule, self.result(rule), self.note(rule), subs)

    def note(self, rule: R.Rule) -> str:
        """The sentence naming the rule, with its values (and the fact it uses, by number)."""
        note = str(self._print(rule))
        cited = fact_cited(rule)          # σ's rule, the chain rule through log Σ_j e^{…}, …
        if cited is not None and cited.name in self.facts:
            note += self.phrase("see_fact", n=self.facts[cited.name])
        return note

    def result(self, rule: R.Rule) -> sp.Basic:
        """The step's result as the deriver worked it out (calculus/shown.py); a rule the
        derivation does not hold (a tree built apart from one) is worked out here, once."""
        value = self.shown.get(rule, self.definitions)
        if value is not None:
            return value
        cached = self._results.get(rule)
        if cached is None:
            cached = self._results[rule] = shown_result(rule, self.definitions)
        return cached

    def moves(self, rule: R.Rule) -> tuple[Move, ...]:
        """Where the chain rule multiplies one link's pieces, the simplification as named moves
        (multiply out and cancel, expand, collect), one checked line each; else ()."""
        if not isinstance(rule, ChainThroughRule) or len(rule.links) != 1 or rule.direct is not None:
            return ()
        return moves(self.links_multiplied(rule), self.result(rule))

    def links_multiplied(self, rule: ChainThroughRule) -> sp.Basic:
        """∂L/∂ŷ · ∂ŷ/∂θ as the chain rule gives it, before simplifying (one link)."""
        _, outer, inner = rule.links[0]
        return sp.Mul(self.result(outer), self.result(inner))

    # -- the format: LaTeX here, plain text in TextStepPrinter
    def math(self, expr: sp.Basic) -> str:
        return latex(expr)

    def phrase(self, key: str, **values: object) -> str:
        return phrase(key, self.lang, **values)

    def partial(self, num: sp.Basic, den: sp.Basic) -> str:
        """∂num/∂den."""
        return rf"\frac{{\partial {_wrap(latex(num))}}}{{\partial {_wrap(latex(den))}}}"

    def product(self, factors: list[str]) -> str:
        return r" \cdot ".join(factors)

    # -- one method per rule class
    def _print_Rule(self, rule: R.Rule) -> str:
        return self.phrase(rule.key)

    def _print_ChainRule(self, rule: R.ChainRule) -> str:
        path = self.product([self.partial(rule.outer_step.expr, rule.u), self.partial(rule.u, rule.var)])
        return self.phrase("chain", path=path, u=self.math(rule.u), inner=self.math(rule.inner))

    def _print_ChainThroughRule(self, rule: ChainThroughRule) -> str:
        path = _chain_path(rule)
        top = self._label(path[0][0])
        note = self.phrase("chain_through", path=self.product(
            [self.partial(top if n == 0 else a, b) for n, (a, b) in enumerate(path)]))
        if isinstance(top, sp.Indexed) and str(top.base.label) == str(TERM.label):   # ours or the user's ℓ_i
            note += self.phrase("term_of_sum", term=self.math(top), i=self.math(top.indices[0]))
        return note

    def _print_ConstantMultipleRule(self, rule: R.ConstantMultipleRule) -> str:
        return self.phrase(rule.key, c=self.math(rule.constant))

    def _print_PowerRule(self, rule: R.PowerRule) -> str:
        return self.phrase(rule.key, n=self.math(rule.exponent))

    def _print_PiecewiseRule(self, rule: R.PiecewiseRule) -> str:
        points = ", ".join(f"{self.math(a)} = {self.math(b)}" for a, b in rule.undefined)
        return self.phrase("piecewise", points=points) if points else self.phrase("piecewise_none")

    def _print_KroneckerCollapseRule(self, rule: R.KroneckerCollapseRule) -> str:
        return self.phrase(rule.key, j=self.math(rule.index), k=self.math(rule.var.indices[0]))

    def _print_DefinitionRule(self, rule: R.DefinitionRule) -> str:
        return self.phrase(rule.key, name=self.math(rule.expr), value=self.math(rule.definition))

    def _print_RewriteRule(self, rule: R.RewriteRule) -> str:
        return self.phrase(rule.key, form=self.math(rule.rewritten))

    def _print_MLFunctionRule(self, rule: R.MLFunctionRule) -> str:
        return rule.entry.rule_name(self.lang)

    def _label(self, expr: sp.Basic) -> sp.Basic:
        """The function's name for the head of a chain (ℓ_i for one sample's term of a sum)."""
        if isinstance(expr, (sp.Symbol, sp.Indexed)):
            return expr
        named = fold(expr, self.definitions)
        if isinstance(named, (sp.Symbol, sp.Indexed)):
            return named
        free = sorted((s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.is_integer
                       and not s.is_positive), key=str)
        if free:
            return TERM[free[0]]
        return sp.Symbol(self.name)


class TextStepPrinter(StepPrinter):
    """Steps with plain-text sentences (the text page): values by the Unicode printer."""

    def math(self, expr: sp.Basic) -> str:
        return text(expr)

    def phrase(self, key: str, **values: object) -> str:
        return text_phrase(key, self.lang, **values)

    def partial(self, num: sp.Basic, den: sp.Basic) -> str:
        return f"∂{_group_text(num)}/∂{_group_text(den)}"

    def product(self, factors: list[str]) -> str:
        return " · ".join(factors)

    def _print_MLFunctionRule(self, rule: R.MLFunctionRule) -> str:
        entry = rule.entry
        u = sp.Symbol("u")
        identity = f"{function_name(entry.function)}'(u) = {text(entry.derivative(entry.function(u)))}"
        name = dataclasses.replace(entry, identity="").rule_name(self.lang)
        return self.phrase("ml_function", name=name, identity=identity)


def _wrap(s: str) -> str:
    return s if len(s) <= 12 and " " not in s else rf"\left({s}\right)"


def _group_text(expr: sp.Basic) -> str:
    """The text of `expr`, in parentheses unless it reads as one term (u, ŷ_i, log(u), u², √u)."""
    s = text(expr)
    one_term = expr.is_Atom or expr.is_Function or isinstance(expr, sp.Indexed) or (
        isinstance(expr, sp.Pow) and not expr.exp.is_negative)
    return s if one_term else f"({s})"


def _chain_path(rule: ChainThroughRule) -> list[tuple]:
    """∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂θ: follow single-link chains through the intermediates."""
    path = []
    node: R.Rule | None = rule
    top = rule.expr
    while isinstance(node, ChainThroughRule) and len(node.links) == 1 and node.direct is None:
        a, _, inner = node.links[0]
        path.append((top, a))
        top = a
        node = inner
        while isinstance(node, R.DefinitionRule):
            node = node.step
    if not path:
        return [(rule.expr, a) for a, _, _ in rule.links] or [(rule.expr, rule.var)]
    path.append((top, rule.var))
    return path

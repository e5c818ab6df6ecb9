"""Derivation -> the page model the md and tex templates print: the problem, per variable the
numbered steps, the result in textbook and vector form, the Hessian (all math as LaTeX).

Trivial steps (the derivative of a constant, of the variable itself, a Kronecker delta, and a
constant factor in front of one of those) fold into their parent as "using …" identities, so the
page reads like a textbook rather than a trace. What a step shows besides its sentence and result —
the rule applied before simplifying (`expansion`), the chain rule's u — comes from
`ExpansionPrinter`, one method per rule class.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.forms import gradient_vector_form, hessian_vector_form
from symderiv.calculus.results import Derivation, Partial
from symderiv.calculus.rules import ChainThroughRule
from symderiv.calculus.simplify import fold
from symderiv.core.order import remember, writing, written_order
from symderiv.core.problem import Definition, Problem
from symderiv.output.facts import entries_used, facts
from symderiv.output.matrix_view import matrix_view, missing_matrix_form
from symderiv.output.phrases import phrase, reading_sentence
from symderiv.output.printing import latex
from symderiv.output.steps import RulePrinter, Step, StepPrinter, foldable, list_numbers, passes_through
from symderiv.output.templating import join_terms, paren


@dataclass
class StepItem:
    """One numbered step as the templates see it (all math is LaTeX without delimiters)."""

    number: int
    rule: str                  # the rule's key: the template rules/<rule>.<fmt>.j2 prints it
    note: str                  # the sentence naming the rule, with $…$ math
    lhs: str                   # \frac{\partial}{\partial x} \left( … \right)
    result: str
    depth: int = 0
    uses: list = field(default_factory=list)      # numbers of the (earlier) sub-steps it combines
    uses_text: str = ""                           # those numbers as the page's language lists them
    using: list = field(default_factory=list)     # folded trivial identities (LaTeX)
    extra: dict = field(default_factory=dict)     # rule-specific pieces (chain: u, inner, …)


@dataclass
class Section:
    """∂f/∂v: heading, steps, result (textbook, expanded) and vector form."""

    variable: str              # LaTeX of the variable (θ)
    entry: str                 # LaTeX of what is differentiated by (θ_k)
    head: str                  # \frac{\partial L}{\partial \theta_k}
    steps: list
    result: str
    expanded: str = ""
    vector_head: str = ""
    vector_per_sample: str = ""
    vector_matrix: str = ""
    vector_where: str = ""
    vector_symbols: tuple[str, ...] = ()    # one sentence per symbol of the matrix form (X, ŷ, S)
    vector_checked: str = ""                # where the matrix form was checked numerically
    vector_missing: str = ""                # said when no matrix form passed the check
    vector_label: str = ""                  # "Matrix form" for a matrix variable (else the page's "Vector form")
    vector_note: str = ""
    named: str = ""            # the result in terms of the function's own name (ŷ_i(1 − ŷ_i) x_ik)
    shape: str = ""            # " ($K \times d$)": the shape a matrix variable's steps derive, for the heading


@dataclass
class VectorView:
    """A vector form as printed: ∇²_θ L = Σ_i … = XᵀSX, where S = …"""

    head: str
    per_sample: str
    matrix: str
    where: str
    symbols: tuple[str, ...] = ()
    checked: str = ""


@dataclass
class Page:
    """Everything the page templates print, as plain data (LaTeX strings and StepItems)."""

    name: str
    title: str
    function: str
    definitions: list
    definitions_tex: str
    introduced: str
    variables_text: str
    variables: list
    notes: list
    sections: list
    hessian: bool
    hessian_title: str
    hessian_entries: list
    hessian_matrix: str = ""
    hessian_vector: VectorView | None = None
    steps_text: dict = field(default_factory=dict)   # id(section) -> its steps, printed
    facts: list = field(default_factory=list)        # the identities the steps use, derived (facts.py)


# --------------------------------------------------------------------------- the model
def page_model(d: Derivation, lang: str = "en") -> Page:
    """The page model of a derivation in `lang`, its sums printed as its problem wrote them."""
    with writing(d.orders):
        return _page_model(d, lang)


def _page_model(d: Derivation, lang: str) -> Page:
    p = d.problem
    steps = StepPrinter(d.intermediates, lang, name=p.name, shown=d.shown)
    used = entries_used([g.step for g in d.gradient] + [e.step for row in d.hessian or () for e in row])
    steps.facts = {e.name: n for n, e in enumerate(used, 1)}
    name = function_name(p)
    leibniz = _leibniz(d)
    sections = [_section(d, g, steps, name, leibniz, lang) for g in d.gradient]
    hessian_entries, hessian_matrix, hessian_vector = [], "", None
    if d.hessian is not None:
        for a, row in enumerate(d.hessian):
            for b, e in enumerate(row):
                if b < a:
                    continue
                head = _second_head(name, d.gradient[a].wrt, e.wrt, leibniz)
                sec = Section(variable=latex(_base(e.wrt)), entry=latex(e.wrt), head=head,
                              steps=_steps(steps, e.step, leibniz), result=latex(e.result))
                sec.named = _named(p, e.result)
                hessian_entries.append(sec)
        if not any(g.index for g in d.gradient) and len(d.gradient) > 1:
            body = r" \\ ".join(" & ".join(latex(e.result) for e in row) for row in d.hessian)
            hessian_matrix = rf"H = \begin{{pmatrix}} {body} \end{{pmatrix}}"
        if len(d.gradient) == 1 and d.gradient[0].index:
            hessian_vector = _hessian_view(d, name, lang)
    definitions: list[dict[str, Any]] = [{"tex": f"{latex(df.target)} = {latex(df.expr)}", "introduced": not df.latex}
                   for df in d.intermediates]
    introduced = ", ".join(f"${x['tex']}$" for x in definitions if x["introduced"])
    return Page(
        name=name,
        title=function_tex(p).split(" = ")[0] if p.kind == "function" else name,
        function=function_tex(p),
        definitions=definitions,
        definitions_tex=r", \qquad ".join(x["tex"] for x in definitions),
        introduced=phrase("introduced", lang, names=introduced) if introduced else "",
        variables_text=", ".join(f"${latex(_base(g.wrt))}$" for g in d.gradient),
        variables=[latex(_base(g.wrt)) for g in d.gradient],
        notes=[_note(d, n, lang) for n in d.notes],
        sections=sections,
        hessian=d.hessian is not None,
        hessian_title=phrase("second_derivative" if leibniz == "d" else "hessian", lang),
        hessian_entries=hessian_entries,
        hessian_matrix=hessian_matrix,
        hessian_vector=hessian_vector,
        facts=facts(used, lang),
    )


def _section(d: Derivation, g: Partial, steps: StepPrinter, name: str, leibniz: str, lang: str) -> Section:
    result, expanded = latex(g.result), latex(g.expanded)
    sec = Section(variable=latex(_base(g.wrt)), entry=latex(g.wrt), head=_derivative_head(name, g.wrt, leibniz),
                  steps=_steps(steps, g.step, leibniz), result=result,
                  expanded=expanded if expanded != result and len(expanded) < 400 else "")
    sec.named = _named(d.problem, g.result)
    if g.index:
        shape = d.shape_of(g.variable)
        if len(g.index) == 2:
            size = rf"${latex(shape[0])} \times {latex(shape[1])}$"
            sec.shape = f"（{size}）" if lang == "zh" else f" ({size})"
            sec.vector_note = phrase("matrix_variable", lang, v=sec.variable, vk=sec.entry, k=latex(g.index[0]),
                                     j=latex(g.index[1]), rows=latex(shape[0]), cols=latex(shape[1]))
        else:
            sec.vector_note = phrase("vector_variable", lang, v=sec.variable, vk=sec.entry,
                                     k=latex(g.index[0]), size=latex(shape[0]))
        if g.matrix is not None:
            view = matrix_view(g.matrix, lang)
            per_sample = gradient_vector_form(g.result, g.wrt) if len(g.index) == 1 else None
            sec.vector_head = rf"\nabla_{{{sec.variable}}} {name}"
            sec.vector_per_sample = _unless_same(per_sample.per_sample if per_sample else None, view.matrix)
            sec.vector_matrix = view.matrix
            sec.vector_symbols, sec.vector_checked = view.symbols, view.checked
            if len(g.index) == 2:
                sec.vector_label = phrase("matrix_form", lang)
        elif not g.per_entry:
            sec.vector_missing = missing_matrix_form(lang)
    return sec


def _hessian_view(d: Derivation, name: str, lang: str) -> VectorView | None:
    """∇²_θ L = Σ_i … = XᵀSX for one vector variable, ∇²_W L = (A + Aᵀ) ⊗ I for one matrix variable
    (with the sentence stating the layout), when its matrix form passed the check."""
    e = d.hessian[0][0] if d.hessian else None
    if e is None or e.matrix is None:
        return None
    view = matrix_view(e.matrix, lang)
    g = d.gradient[0]
    if len(g.index) == 2:        # a matrix variable: its Kd × Kd Kronecker form, with the layout said
        rows, cols = d.shape_of(g.variable)
        k, j, l_, m = (latex(i) for i in (*g.index, *e.index))
        layout = phrase("kron_layout", lang, v=latex(_base(g.wrt)), rows=latex(rows), cols=latex(cols),
                        k=k, j=j, l=l_, m=m)
        return VectorView(rf"\nabla^{{2}}_{{{latex(_base(e.wrt))}}} {name}", "", view.matrix, "",
                          (layout, *view.symbols), view.checked)
    per_sample = hessian_vector_form(e.result, g.wrt, e.wrt)
    return VectorView(rf"\nabla^{{2}}_{{{latex(_base(e.wrt))}}} {name}",
                      _unless_same(per_sample.per_sample if per_sample else None, view.matrix), view.matrix, "",
                      view.symbols, view.checked)


def _unless_same(per_sample: sp.Basic | None, matrix: str) -> str:
    """The per-sample form's LaTeX, or "" when there is none or it prints as the matrix form (no `I = I`)."""
    shown = latex(per_sample) if per_sample is not None else ""
    return "" if shown == matrix else shown


def _note(d: Derivation, note: str, lang: str) -> str:
    if note.startswith("no variables given"):
        return phrase("by_convention", lang, vars=", ".join(f"${latex(sp.Symbol(v))}$" for v in d.variables))
    return reading_sentence(note, lang)


def _named(problem: Problem, result: sp.Basic) -> str:
    """For a definition `ŷ_i = σ(θᵀx_i)`: its derivative written with ŷ_i itself, or ""."""
    if problem.kind != "function" or problem.args or not isinstance(problem.lhs, (sp.Symbol, sp.Indexed)):
        return ""
    lhs = problem.lhs
    try:
        folded = sp.factor_terms(fold(result, [Definition(lhs, problem.expr)]))
    except Exception:  # a nicer form is optional
        return ""
    if folded == result or not folded.has(lhs):
        return ""
    return latex(folded)


def function_name(problem: Problem) -> str:
    """LaTeX of the function's name: L, f, \\sigma, \\hat{y}_{i} (f for a bare expression)."""
    if problem.lhs is not None and isinstance(problem.lhs, (sp.Indexed, sp.Symbol)):
        return latex(problem.lhs)
    if problem.name:
        return latex(sp.Symbol(problem.name))
    return "f"


def function_tex(problem: Problem) -> str:
    """`L(\\theta) = …` as the page states it (printed from SymPy, so it is portable TeX), its sums
    in the problem's written order wherever it is printed (a note's heading too)."""
    with writing(problem.orders):
        body = latex(problem.expr)
    if problem.kind == "function" and problem.name:
        head = function_name(problem)
        if problem.args and not isinstance(problem.lhs, (sp.Indexed, sp.Symbol)):
            head += r"\left(" + ", ".join(latex(a) for a in problem.args) + r"\right)"
        return f"{head} = {body}"
    if problem.lhs is not None:
        return f"{latex(problem.lhs)} = {body}"
    return f"f = {body}"


def _base(v: sp.Basic) -> sp.Basic:
    return v.base.label if isinstance(v, sp.Indexed) else v


def _leibniz(d: Derivation) -> str:
    """`d` for a function of one scalar variable, else `\\partial`."""
    scalar = len(d.gradient) == 1 and not d.gradient[0].index
    return "d" if scalar else r"\partial"


def _derivative_head(name: str, wrt: sp.Basic, dd: str) -> str:
    return rf"\frac{{{dd} {name}}}{{{dd} {latex(wrt)}}}"


def _second_head(name: str, a: sp.Basic, b: sp.Basic, dd: str) -> str:
    if a == b:
        return rf"\frac{{{dd}^{{2}} {name}}}{{{dd} {latex(a)}^{{2}}}}"
    return rf"\frac{{{dd}^{{2}} {name}}}{{{dd} {latex(a)} \, {dd} {latex(b)}}}"


def operator(expr: sp.Basic, var: sp.Basic, dd: str = r"\partial") -> str:
    """\\frac{\\partial}{\\partial x} x^{2}, \\frac{\\partial}{\\partial x} \\left( … \\right)."""
    inner = latex(expr)
    if not _atomic(expr):
        inner = rf"\left({inner}\right)"
    return rf"\frac{{{dd}}}{{{dd} {latex(var)}}} {inner}"


def _atomic(expr: sp.Basic) -> bool:
    if expr.is_Atom or isinstance(expr, (sp.Indexed, sp.Function)):
        return True
    return bool(isinstance(expr, sp.Pow) and (expr.base.is_Atom or isinstance(expr.base, sp.Indexed))
                and expr.exp.is_Integer and expr.exp > 0)


# --------------------------------------------------------------------------- numbered steps
def _steps(printer: StepPrinter, rule: R.Rule, dd: str) -> list[StepItem]:
    """Numbered steps, pieces first (post-order: a step comes after the steps it combines, as one
    works by hand, so a step only ever refers back); trivial sub-steps fold into their parent; a
    piece an earlier section derived (∂L/∂ŷ for b after w) is referred to, not derived again."""
    out: list[StepItem] = []
    printer.section = (rule.var, latex(rule.var))
    _walk(printer.doprint(rule), ExpansionPrinter(printer), dd, out, 0)
    return out


def _shared(step: Step, printer: StepPrinter, out: list[StepItem], lhs: str) -> int | None:
    """A piece by an intermediate (d/dŷ, d/dz) already derived in an earlier section: one step
    saying where, numbered here. Records this section's pieces for the sections after it."""
    var, label = printer.section
    rule = step.rule
    if rule.var == var or var in rule.var.free_symbols or not step.substeps:
        return None
    key = (rule.expr, rule.var)
    earlier = printer.shared.get(key)
    if earlier is None or earlier[0] == label:
        return None
    item = StepItem(number=len(out) + 1, rule="shared", lhs=lhs, result=latex(step.result),
                    note=phrase("shared", printer.lang, v=earlier[0], n=earlier[1]))
    out.append(item)
    return item.number


def _dd_for(rule: R.Rule, dd: str) -> str:
    return dd if dd == r"\partial" else ("d" if rule.var.is_Symbol else r"\partial")


def _walk(step: Step, expansions: ExpansionPrinter, dd: str, out: list[StepItem], depth: int) -> int:
    rule = step.rule
    lhs = operator(rule.expr, rule.var, _dd_for(rule, dd))
    number = _shared(step, expansions.steps, out, lhs)
    if number is not None:
        return number
    inner = passes_through(step)
    if inner is not None:     # d/dθ z_i = d/dθ (θᵀx_i) = …: the definition is said in its piece's step
        number = _walk(inner, expansions, dd, out, depth)
        item = out[number - 1]
        item.note = f"{step.note}{phrase('clause_sep', expansions.steps.lang)}{item.note}"
        item.lhs = f"{operator(rule.expr, rule.var, _dd_for(rule, dd))} = {item.lhs}"
        return number
    item = StepItem(number=0, rule=step.key, note=step.note,
                    lhs=operator(rule.expr, rule.var, _dd_for(rule, dd)), result=latex(step.result), depth=depth)
    for sub in step.substeps:
        if foldable(sub):
            item.using.append(f"{operator(sub.rule.expr, sub.rule.var, _dd_for(sub.rule, dd))} = {latex(sub.result)}")
            continue
        item.uses.append(_walk(sub, expansions, dd, out, depth + 1))
    item.number = len(out) + 1
    out.append(item)
    item.extra = expansions.extra(rule)
    item.result = latex(step.result)      # after extra: a sum's parts may fix the order its result prints in
    item.uses_text = list_numbers(item.uses, expansions.steps.lang)
    section = expansions.steps.section
    if rule.var != section[0]:
        expansions.steps.shared.setdefault((rule.expr, rule.var), (section[1], item.number))
    return item.number


class ExpansionPrinter(RulePrinter):
    """Rule-specific pieces for the rule templates; `expansion` is the middle of
    `lhs = expansion = result` (the rule applied, before simplifying)."""

    def __init__(self, steps: StepPrinter):
        self.steps = steps

    def extra(self, rule: R.Rule) -> dict[str, Any]:
        return dict(self._print(rule))

    def r(self, rule: R.Rule) -> str:
        """LaTeX of a step's result."""
        return latex(self.steps.result(rule))

    def _print_Rule(self, rule: R.Rule) -> dict[str, Any]:
        return {}

    def _print_ChainRule(self, rule: R.ChainRule) -> dict[str, Any]:
        outer = paren(self.r(rule.outer_step))
        if not rule.named:
            outer = rf"\left. {outer} \right|_{{{latex(rule.u)} = {latex(rule.inner)}}}"
        return {"u": latex(rule.u), "inner": latex(rule.inner), "named": rule.named,
                "expansion": rf"{outer} \cdot {paren(self.r(rule.inner_step))}"}

    def _print_ChainThroughRule(self, rule: ChainThroughRule) -> dict[str, Any]:
        """Through the named intermediates: Σ_a ∂f/∂a · ∂a/∂θ."""
        parts = [rf"{paren(self.r(outer))} \cdot {paren(self.r(inner))}" for _, outer, inner in rule.links]
        if rule.direct is not None:
            parts.append(self.r(rule.direct))
        moves = [{"name": phrase(m.key, self.steps.lang), "expr": latex(m.expr)} for m in self.steps.moves(rule)]
        return {"expansion": join_terms(parts), "named": True, "moves": moves}

    def _print_SumRule(self, rule: R.SumRule) -> dict[str, Any]:
        """Term by term in the order the user wrote the terms; no middle line when adding the
        parts would only reorder them (the result is then printed in the written order)."""
        written = written_order(rule.expr) or ()
        steps = sorted(rule.substeps, key=lambda s: written.index(s.expr) if s.expr in written else len(written))
        parts = [self.steps.result(s) for s in steps]
        result = self.steps.result(rule)
        if isinstance(result, sp.Add) and sp.Add(*parts) == result:
            remember(result, [a for p in parts for a in sp.Add.make_args(p) if a != 0])
            return {}
        return {"expansion": join_terms([latex(p) for p in parts])}

    def _print_ProductRule(self, rule: R.ProductRule) -> dict[str, Any]:
        parts = []
        for n, step in enumerate(rule.steps):
            factors = [paren(self.r(step))] + [paren(latex(f)) for m, f in enumerate(rule.factors) if m != n]
            parts.append(r" \cdot ".join(factors))
        return {"expansion": join_terms(parts)}

    def _print_QuotientRule(self, rule: R.QuotientRule) -> dict[str, Any]:
        f, g = latex(rule.numerator), latex(rule.denominator)
        df, dg = self.r(rule.num_step), self.r(rule.den_step)
        return {"expansion": rf"\frac{{{paren(df)} \cdot {paren(g)} - {paren(f)} \cdot {paren(dg)}}}"
                             rf"{{\left({g}\right)^{{2}}}}"}

    def _print_PiecewiseRule(self, rule: R.PiecewiseRule) -> dict[str, Any]:
        otherwise = r"\text{" + phrase("otherwise", self.steps.lang) + "}"
        rows = [f"{latex(e)} & {otherwise if c in (True, sp.true) else latex(c)}" for e, c in rule.pieces]
        return {"expansion": r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"}

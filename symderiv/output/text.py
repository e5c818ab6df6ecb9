"""The plain-text page (`--format text`): the problem, numbered steps, results, vector forms.

Every formula is printed from its SymPy expression by the Unicode printer (symderiv.output.printing
`text`), every sentence from the phrase catalogue without its `$` (`text_phrase`).
"""
from __future__ import annotations

import sympy as sp

from symderiv.calculus.forms import gradient_vector_form, hessian_vector_form
from symderiv.calculus.matrices.forms import MatrixForm
from symderiv.calculus.results import Derivation, Partial
from symderiv.core.order import writing
from symderiv.core.problem import Problem
from symderiv.output.facts import entries_used, facts
from symderiv.output.matrix_view import matrix_view, missing_matrix_form
from symderiv.output.phrases import phrase, reading_sentence, text_phrase
from symderiv.output.printing import text, unicode_name
from symderiv.output.speech import speaking
from symderiv.output.steps import Step, TextStepPrinter, foldable, list_numbers, passes_through


class TextPrinter:
    """Problem / Derivation -> a readable plain-text page in `lang` (en, zh)."""

    def __init__(self, lang: str = "en"):
        self.lang = lang
        self.colon = "：" if lang == "zh" else ": "  # full width after Chinese, as a Chinese page writes it
        self.unnamed = "（表达式）" if lang == "zh" else "(expression)"
        self.printer: TextStepPrinter | None = None      # the derivation's step printer, while printing
        self.section: tuple[sp.Basic, str] = (sp.S.Zero, "")     # the variable of the steps being printed
        self.shared: dict[tuple, tuple[str, int]] = {}   # a piece by an intermediate -> (section, step)

    def label(self, key: str) -> str:
        """A page label, lower case in English (`result:`)."""
        word = phrase(key, self.lang)
        return word.lower() if self.lang == "en" else word

    def problem(self, problem: Problem) -> str:
        name = problem.name or self.unnamed
        lines = [f"{phrase('function_label', self.lang)}{self.colon}{name} = {text(problem.expr)}"]
        for d in problem.definitions:
            lines.append(f"{phrase('where', self.lang)}{self.colon}{text(d.target)} = {text(d.expr)}")
        names = ", ".join(unicode_name(v) for v in problem.variables)
        lines.append(f"{phrase('variables', self.lang).lower()}{self.colon}{names}")
        return "\n".join(lines)

    def derivation(self, d: Derivation) -> str:
        steps = TextStepPrinter(d.intermediates, lang=self.lang, name=d.problem.name, shown=d.shown)
        self.printer = steps
        lines = [self.problem(d.problem)]
        lines += [f"{self.label('note')}{self.colon}{reading_sentence(n, self.lang, plain=True)}" for n in d.notes]
        used = entries_used([g.step for g in d.gradient] + [e.step for row in d.hessian or () for e in row])
        steps.facts = {e.name: n for n, e in enumerate(used, 1)}
        for fact in facts(used, self.lang, plain=True):       # derived once, before the steps use them
            lines += ["", fact.head]
            lines += [f"  {fact.lhs if n == 0 else ' ' * len(fact.lhs)} = {line}   {self.aside(said)}"
                      for n, (said, line) in enumerate(fact.lines)]
        for g in d.gradient:
            lines += self.partial(d, g, steps)
        if d.hessian:
            lines += self.hessian(d)
        return "\n".join(lines) + "\n"

    def partial(self, d: Derivation, g: Partial, steps: TextStepPrinter) -> list[str]:
        """∂f/∂v, its numbered steps, the result and (for a vector variable) its vector form."""
        name = d.problem.name or "f"
        ranges = ", ".join(f"{i} = 1..{text(n)}" for i, n in zip(g.index, d.shape_of(g.variable), strict=False))
        lines = ["", f"∂{name}/∂{text(g.wrt)}" + (f"   ({ranges})" if g.index else "")]
        if len(g.index) == 2:       # the shape of what the steps derive, once per piece heading
            rows, cols = d.shape_of(g.variable)
            lines[-1] += f"   ∂{name}/∂{text(g.wrt.base.label)}: {text(rows)} × {text(cols)}"
        self.section = (g.step.var, text(g.step.var))
        self.steps(steps.doprint(g.step), lines, [0], 1)
        lines.append(f"  {self.label('result')}{self.colon}{text(g.result)}")
        if g.index and (g.matrix is not None or not g.per_entry):
            per_sample = gradient_vector_form(g.result, g.wrt) if len(g.index) == 1 else None
            lines += self.matrix_form(g.matrix, per_sample.per_sample if per_sample else None)
        return lines

    def matrix_form(self, form: MatrixForm | None, per_sample: sp.Basic | None) -> list[str]:
        """The checked matrix form with a line per symbol it uses, or the line saying there is none."""
        if form is None:
            return [f"  {missing_matrix_form(self.lang, plain=True)}"]
        view = matrix_view(form, self.lang, plain=True)
        shown = text(per_sample) if per_sample is not None else ""
        head = f"{shown} = " if shown and shown != view.matrix else ""
        label = self.label("matrix_form" if form.matrix.shape[1] != 1 else "vector_form")
        lines = [f"  {label}{self.colon}{head}{view.matrix}"]
        lines += [f"    {line}" for line in view.symbols]
        return [*lines, f"    {view.checked}"]

    def steps(self, step: Step, lines: list[str], counter: list[int], depth: int) -> int:
        """Numbered pieces first (a step after the steps it combines); trivial sub-steps
        (d c/dx = 0, …) left out. Returns the step's number (0 when left out)."""
        if foldable(step) and depth > 1:
            return 0
        rule, (var, label) = step.rule, self.section
        by_intermediate = rule.var != var and var not in rule.var.free_symbols
        earlier = self.shared.get((rule.expr, rule.var)) if by_intermediate and step.substeps else None
        if earlier is not None and earlier[0] != label:     # derived in an earlier section: said so
            counter[0] += 1
            lines.append(f"  {counter[0]}. " + text_phrase("shared", self.lang, v=earlier[0], n=earlier[1]))
            lines.append(f"     d/d{text(rule.var)} [{text(rule.expr)}] = {text(step.result)}")
            return counter[0]
        inner = passes_through(step)
        if inner is not None:     # the definition said in its piece's step (d/dθ z_i = d/dθ θᵀx_i = …)
            number = self.steps(inner, lines, counter, depth)
            head, rest = lines[-2].split(". ", 1)
            lines[-2] = f"{head}. {step.note}{text_phrase('clause_sep', self.lang)}{rest}"
            lines[-1] = lines[-1].replace(" d/d", f" d/d{text(step.rule.var)} [{text(step.rule.expr)}] = d/d", 1)
            return number
        uses = [n for s in step.substeps if (n := self.steps(s, lines, counter, depth + 1))]
        counter[0] += 1
        refs = text_phrase("uses" if len(uses) > 1 else "uses_one", self.lang,
                           steps=list_numbers(uses, self.lang)) if uses else ""
        lines.append(f"  {counter[0]}. {step.note}" + (f" {refs}" if refs else ""))
        shown = self.printer.moves(step.rule) if self.printer else ()
        first = self._links(step.rule) if shown else text(step.result)
        lines.append(f"     d/d{text(step.rule.var)} [{text(step.rule.expr)}] = {first}")
        for m in shown:      # the simplification as named moves, one line each
            lines.append(f"       = {text(m.expr)}   {self.aside(text_phrase(m.key, self.lang))}")
        if by_intermediate:
            self.shared.setdefault((rule.expr, rule.var), (label, counter[0]))
        return counter[0]

    def aside(self, said: str) -> str:
        """(said), in full-width parentheses on a Chinese page."""
        return f"（{said}）" if self.lang == "zh" else f"({said})"

    def _links(self, rule) -> str:
        """(∂L/∂ŷ)·(∂ŷ/∂θ) as the chain rule multiplies them, the outer link first."""
        assert self.printer is not None
        _, outer, inner = rule.links[0]
        return "·".join(_grouped(self.printer.result(r)) for r in (outer, inner))

    def hessian(self, d: Derivation) -> list[str]:
        assert d.hessian is not None
        lines = ["", f"{phrase('hessian', self.lang)}{self.colon.strip()}"]
        for a, row in enumerate(d.hessian):
            for e in row:
                lines.append(f"  ∂²/∂{text(d.gradient[a].wrt)}∂{text(e.wrt)}: {text(e.result)}")
        g, e = d.gradient[0], d.hessian[0][0]
        if len(d.gradient) == 1 and len(g.index) == 1 and e.matrix is not None:
            vf = hessian_vector_form(e.result, g.wrt, e.wrt)
            lines += self.matrix_form(e.matrix, vf.per_sample if vf is not None else None)
        elif len(d.gradient) == 1 and len(g.index) == 2 and e.matrix is not None:
            rows, cols = d.shape_of(g.variable)
            lines += self.matrix_form(e.matrix, None)
            k, j, l_, m = (text(i) for i in (*g.index, *e.index))
            lines.append("    " + text_phrase("kron_layout_plain", self.lang, v=text(g.wrt.base.label),
                                              rows=text(rows), cols=text(cols), k=k, j=j, l=l_, m=m))
        return lines


def _grouped(expr: sp.Basic) -> str:
    return f"({text(expr)})" if isinstance(expr, sp.Add) else text(expr)


def problem_text(problem: Problem, lang: str = "en") -> str:
    """The problem as plain text: the function, its definitions and variables."""
    with speaking(lang), writing(problem.orders):
        return TextPrinter(lang).problem(problem)


def derivation_text(d: Derivation, lang: str = "en") -> str:
    """A readable plain-text derivation: the problem, numbered steps, results, vector forms."""
    with speaking(lang), writing(d.orders):
        return TextPrinter(lang).derivation(d)


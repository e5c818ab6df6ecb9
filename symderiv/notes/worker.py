"""`symderiv notes`: a Markdown note in, the same note with worked derivations out.

The note is read by `reading.py` (its formulas, where each derivation goes, what is not to be
differentiated); here each formula is worked, and `writing.py` puts the note back together. A
derivation goes after the block that holds its formula, so the definitions written under a loss
(`\\hat{y}_i = \\sigma(\\theta^T x_i)`) come before it and are used as its `where`, with the definitions
those use in turn (a network's layers) and the declarations of the shapes its names have
(`$W \\in \\mathbb{R}^{k \\times d}$`, declarations.py), which are not worked on their own.

Formulas that are not to be differentiated (updates, the gradient's definition, Hessian entries,
claims such as `f'(x) = 2x`, bare symbols) stay as they are and are listed at the end of the note
with the reason; a claim about a function worked in the note is checked against it (verify.py).

Each formula has `timeout` seconds in all (reading it, deriving, checking claims, the analysis); one
that runs out is listed with the reason "time limit" and the next formula is worked. The Hessian
gets at most half of a formula's time: past that the formula is worked without it. The analysis is
a bonus: it gets what is left but a tenth, and is left out when it does not finish. The whole note
is bounded by the caller (the CLI runs `notes` under `--timeout`): that deadline passes through
every formula's own limit and ends the command.
"""
from __future__ import annotations

import dataclasses
import os
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp

from symderiv.core.errors import SymderivError, TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.core.problem import Problem, scalar_symbols
from symderiv.ml.notation import PARAMETER_NAMES
from symderiv.notes.declarations import NEARBY_LINES, Declarations, Declared, Where, nearest
from symderiv.notes.phrases import note_phrase
from symderiv.notes.reading import (
    Formula,
    classify,
    definition_names,
    deindex,
    is_definition,
    used_names,
)
from symderiv.notes.writing import line_ref
from symderiv.output.phrases import phrase
from symderiv.output.plots import function_png, sigma_png

if TYPE_CHECKING:
    from symderiv.calculus.engine import Derivation

NOTE_TIMEOUT = 10.0        # seconds per formula
HESSIAN_SHARE = 0.5        # of a formula's time, the most the derivation with its Hessian may take
BONUS_RESERVE = 0.1        # of a formula's time, kept back from the analysis (a bonus) to finish the formula
PICTURE = "\x01"           # around a deferred picture's number: `![…](\x011\x01)`
SIGMA = "\x02"             # around the σ picture of a formula worked on its own: kept the first time only


@dataclass
class Outcome:
    """What happened to one formula: worked (markdown) or skipped (reason)."""

    formula: Formula
    markdown: str = ""
    reason: str = ""
    problem: Problem | None = None
    derivation: Derivation | None = None
    extra_files: list = field(default_factory=list)



# --------------------------------------------------------------------------- working a note
# (the note as a whole, on every core and through the cache: jobs.py; one formula: _Worker)
def canonical(problem: Problem) -> tuple:
    """What makes two formulas the same function (a repeat is worked once)."""
    return (problem.name, sp.srepr(problem.expr), tuple(d.name for d in problem.definitions))


def late_reason(lang: str, timeout: float) -> str:
    """The reason a formula past its time limit is listed with."""
    return phrase("skip_time_limit", lang, seconds=f"{timeout:g}")


class _Worker:
    def __init__(self, text: str, lang: str, out_path: str, plots: bool, timeout: float,
                 definitions: list[tuple[Formula, Problem]], declarations: list[tuple[Formula, Declared]]):
        self.text = text
        self.lang = lang
        self.out_path = out_path
        self.plots = plots
        self.timeout = timeout
        self.definitions = definitions      # [(Formula, Problem)]
        self.declarations = Declarations(declarations, lang)
        self.files: list[tuple[str, bytes]] = []
        self.worked: dict[tuple, Outcome] = {}  # canonical formula -> first outcome
        self.functions: list[Outcome] = []     # worked functions, in note order (for claims)
        self.deadline = time.monotonic() + timeout   # of the formula being worked
        self.sigma_drawn = False
        # working one formula on its own (jobs.py): pictures named and σ's drawn once when the pieces
        # are put together in note order, the definitions placed recorded, a result a time limit shaped
        self.deferred = False
        self.placed: list[int] = []            # offsets of the definitions and declarations placed
        self.partial = False

    def p(self, key: str, **kw: object) -> str:
        return phrase(key, self.lang, **kw)

    def remaining(self, keep: float = 0.0) -> float:
        """Seconds left for the formula being worked, less `keep` (never below a millisecond)."""
        return max(self.deadline - time.monotonic() - keep, 1e-3)

    def work_within(self, f: Formula, problem: Problem | Declared | SymderivError, budget: float) -> Outcome:
        """The formula worked in at most `budget` seconds, or listed with the reason "time limit"."""
        if isinstance(problem, TimeLimitError) or budget <= 0:
            return self.out_of_time(f)
        self.deadline = time.monotonic() + budget
        try:
            with time_limit(budget, "working the formula"):
                return self.work(f, problem)
        except TimeLimitError:
            return self.out_of_time(f)

    def out_of_time(self, f: Formula) -> Outcome:
        return Outcome(f, reason=late_reason(self.lang, self.timeout))

    def _note_if_late(self, exc: BaseException) -> None:
        """A part left out because its time ran out: the result is not one to cache (jobs.py)."""
        self.partial = self.partial or isinstance(exc, TimeLimitError)

    def work(self, f: Formula, problem: Problem | Declared | SymderivError) -> Outcome:
        if isinstance(problem, Declared):
            return Outcome(f)       # its reason in the closing list, once every formula is worked
        if isinstance(problem, Exception):
            return Outcome(f, reason=self.p("skip_unreadable", error=_short(problem)))
        key = classify(f, problem)
        if key == "skip_claim":
            worked = self.work_claim(f, problem)
            return worked or Outcome(f, reason=self.claim_reason(problem))
        if key is not None:
            return self.work_method(f, key) or Outcome(f, reason=self.p(key))
        canon = canonical(problem)
        if canon in self.worked:
            return self.repeat(f, self.worked[canon])
        out = self.derive(f, problem)
        if out.derivation is not None:
            self.worked.setdefault(canon, out)
            self.functions.append(out)
        return out

    # -- deriving
    def derive(self, f: Formula, problem: Problem) -> Outcome:
        where, note = self.where_for(f, problem)
        try:
            if where:
                problem, where, misfits = self.declarations.parse_with(f.tex, where)
                note = " ".join([note, *misfits]).strip()
            d = self._derive(problem)
        except TimeLimitError:
            raise
        except SymderivError as exc:
            return Outcome(f, reason=self.p("skip_failed", error=_short(exc)))
        if all(g.result == 0 for g in d.gradient) and not problem.expanded().is_number:
            return Outcome(f, reason=self.p("skip_constant", vars=", ".join(f"${_tex_name(v)}$" for v in d.variables)))
        self.place(f, where)
        return Outcome(f, markdown=self.worked_markdown(f, d, where, note), problem=problem, derivation=d)

    def place(self, f: Formula, where: Where) -> None:
        """The definitions and declarations under a formula are read before its derivation."""
        for _, df in where:
            if df.start > f.start and df.line - f.line <= NEARBY_LINES:
                f.insert_at = max(f.insert_at, df.insert_at)
        self.declarations.used(f.line, where)
        self.placed += [df.start for _, df in where]

    def _derive(self, problem: Problem) -> Derivation:
        """With the Hessian if it comes in its share of the time, else without it."""
        from symderiv.calculus.engine import derive

        try:
            return derive(problem, hessian=True, timeout=self.remaining() * HESSIAN_SHARE)
        except SymderivError as exc:
            self._note_if_late(exc)
            return derive(problem, timeout=self.remaining())

    def where_for(self, f: Formula, problem: Problem) -> tuple[Where, str]:
        """Definitions from the note for the names `problem` uses: the nearest one after the
        formula (the lines under a loss), else the nearest before it; an indexed definition is
        used for one sample (`ŷ_i` -> `ŷ`) when the formula uses the name without the index.
        Then the declarations of the names the formula and those definitions use (declarations.py).

        Never taken: a definition of the formula's own argument (L(θ) is a function of θ), nor of a
        model parameter (θ = (XᵀX)⁻¹Xᵀy states the fitted value; a loss over θ does not turn into a
        function of X and y)."""
        from symderiv.parsing.parser import parse

        chosen: Where = []
        note, names = "", used_names(problem)
        never = {str(a.base.label) if isinstance(a, sp.Indexed) else str(a) for a in problem.args}
        never |= set(PARAMETER_NAMES)
        pending = sorted(definition_names(problem) - never) if not is_definition(problem) else []
        seen: set[str] = set()
        while pending:       # the definitions the chosen ones use too (ŷ = Vh + c, h = σ(a), a = Wx + b)
            name = pending.pop(0)
            if name in seen:
                continue
            seen.add(name)
            by_formula = {id(df): dp for df, dp in self.definitions if dp.name == name and df is not f}
            df = nearest(f, [df for df, _ in self.definitions if id(df) in by_formula])
            if df is None:
                continue
            dp, tex = by_formula[id(df)], df.tex
            used_plain = any(s.name == name for s in scalar_symbols(problem.expanded()))
            if isinstance(dp.lhs, sp.Indexed) and used_plain:
                idx = str(dp.lhs.indices[0])
                tex = deindex(tex, idx)
                try:
                    parse(tex)
                except SymderivError:
                    continue
                note = self.p("single_sample", name=_tex_of(dp.lhs))
            chosen.append((tex, df))
            names |= used_names(dp)
            pending += sorted(definition_names(dp) - seen - never)
        return chosen + self.declarations.for_names(f, names), note

    # -- text
    def worked_markdown(self, f: Formula, d: Derivation, where: Where, note: str) -> str:
        from symderiv.output.render import render

        parts = [f"**symderiv · {self.p('worked_for', formula=_function_tex(d.problem))}**"]
        sources = " ".join(s for s in (self.declarations.sources(where), note) if s)
        if sources:
            parts.append(f"*{sources}*")
        parts.append(render(d, "md", lang=self.lang, embedded=True))
        for claim in self.claim_lines(d):
            parts.append(claim)
        if self.plots:
            img = self.plot(d)
            if img:
                parts.append(img)
        analysis = self.analysis(d)
        if analysis:
            parts.append(analysis)
        return "\n\n".join(p.strip("\n") for p in parts if p)

    def repeat(self, f: Formula, first: Outcome) -> Outcome:
        d = first.derivation
        assert d is not None
        from symderiv.output.page import page_model

        model = page_model(d, self.lang)
        results = [f"${s.head} = {s.result}$" for s in model.sections]
        results += [f"${s.head} = {s.result}$" for s in model.hessian_entries]
        line = self.p("see_line", n=line_ref(first.formula.line))
        md = (f"**symderiv · {self.p('worked_for', formula=_function_tex(d.problem))}**\n\n"
              f"{self.p('same_as_above', results=', '.join(results))} {line}{self.p('period')}")
        return Outcome(f, markdown=md, problem=first.problem, derivation=d)

    def analysis(self, d: Derivation) -> str:
        from symderiv.output.analysis_report import analysis_markdown

        if len(d.variables) > 2 or any(len(g.index) > 1 for g in d.gradient):
            return ""     # the analysis reads a matrix variable as one scalar: better nothing than that
        budget = self.remaining(keep=BONUS_RESERVE * self.timeout)
        try:
            text = analysis_markdown(d.problem, self.lang, timeout=budget).strip()
        except Exception as exc:  # an analysis is a bonus; the worked derivation stands alone
            self._note_if_late(exc)
            return ""
        # its headings would enter the user's outline: bold labels instead
        return re.sub(r"(?m)^#{1,6}\s+(.*)$", r"**\1**", text)

    def work_method(self, f: Formula, key: str) -> Outcome | None:
        """An update rule, Newton step or Hessian definition worked for the loss the note worked last
        before it (methods.py), or None."""
        from symderiv.notes.methods import method_markdown, method_of

        kind = method_of(f.tex, key)
        if kind is None:
            return None
        for loss in reversed(self.functions):
            d = loss.derivation
            if d is None or loss.formula.start > f.start or not any(g.index for g in d.gradient):
                continue
            md = method_markdown(kind, d, self.p("line", n=line_ref(loss.formula.line)), self.lang,
                                 self.picture if self.plots else None)
            if md:
                return Outcome(f, markdown=md)
        return None

    # -- claims
    def work_claim(self, f: Formula, problem: Problem) -> Outcome | None:
        """`\\frac{d}{d\\theta} \\sigma(\\theta^T x) = …`: work the expression under the derivative
        and check the claimed result against it (a named function's claim is checked elsewhere)."""
        from symderiv.output.printing import latex

        where, note = self.declarations.for_names(f, used_names(problem)), ""
        if where:            # `where $A \in \mathbb{S}^d$` under the claim: A is symmetric in it
            try:
                problem, where, misfits = self.declarations.parse_with(f.tex, where)
                note = " ".join(misfits)
            except TimeLimitError:
                raise
            except SymderivError:
                where = []
        lhs = problem.lhs
        if not isinstance(lhs, sp.Derivative) or lhs.expr.atoms(sp.core.function.AppliedUndef) \
                or len(lhs.variable_count) != 1 or lhs.variable_count[0][1] != 1:
            return None
        name = str(_base_name(lhs.variables[0]))
        # the claim's own problem, the expression under the derivative (shapes, sizes and vectors kept)
        sub = dataclasses.replace(problem, source=f.tex, expr=lhs.expr, kind="expression", name=None, args=(),
                                  lhs=None, definitions=(), variables=(name,), variables_note="",
                                  latex=latex(lhs.expr), relation="", claims=((lhs, problem.expr),),
                                  conditions=(), also=())
        try:
            d = self._derive(sub)
        except TimeLimitError:
            raise
        except SymderivError:
            return None
        self.place(f, where)
        return Outcome(f, markdown=self.worked_markdown(f, d, where, note), problem=sub, derivation=d)

    def claim_lines(self, d: Derivation) -> list[str]:
        out = []
        for lhs, rhs in d.problem.claims:
            verdict = self.check_claim(d, lhs, rhs)
            if verdict is None:
                continue
            ok, truth, why = verdict
            claim = f"{_tex_of(lhs)} = {_tex_of(rhs)}"
            out.append("✓ " + self.p("claim_ok", claim=claim) if ok
                       else "✗ " + self.p("claim_wrong", claim=claim, truth=truth) + why)
        return out

    def check_claim(self, d: Derivation, lhs: sp.Basic, rhs: sp.Basic) -> tuple[bool, str, str] | None:
        """(agrees, LaTeX of the truth, the likely slip and a counterexample when it does not) for a
        claim `f'(x) = …` about d's function, or None."""
        from symderiv.check.verify import verify
        from symderiv.output.printing import latex
        from symderiv.output.verify_report import counterexample_md, explanation

        if not isinstance(lhs, sp.Derivative):
            return None
        order = sum(n for _, n in lhs.variable_count)
        variables = [v for v, _ in lhs.variable_count]
        if len(variables) != 1 or str(_base_name(variables[0])) not in d.variables or len(d.variables) != 1:
            return None
        g = d.gradient[0]
        if g.index and order != 1:
            return None
        truth = d.problem.expanded()
        truth = sp.diff(truth, g.wrt, order)
        try:
            if order == 1:
                res = verify(d.problem, g.variable, rhs, timeout=self.remaining())
                why = ""
                if res.verdict == "wrong":
                    space = "" if self.lang == "zh" else " "
                    why = self.p("colon") + space + explanation(res, "md", self.lang)
                    if res.counterexample is not None:
                        why += self.p("period") + space + counterexample_md(res.counterexample, self.lang)
                return res.ok, latex(res.truth_display), why
            diff = sp.simplify(truth - rhs.xreplace({variables[0]: g.wrt}))
            return diff == 0, latex(truth), ""
        except Exception as exc:
            self._note_if_late(exc)
            return None

    def claim_reason(self, problem: Problem) -> str:
        """A claim standing alone (`f'(x) = 2x`): checked against the function worked last."""
        from symderiv.check.verify import verify

        lhs = problem.lhs
        funcs = list(lhs.atoms(sp.core.function.AppliedUndef)) if lhs is not None else []
        name = str(funcs[0].func) if funcs else None
        target = next((o for o in reversed(self.functions)
                       if name and o.derivation is not None and o.derivation.problem.name == name), None)
        if target is None and lhs is not None and isinstance(lhs, sp.Derivative) and not name:
            # d/dθ σ(θᵀx) = …: verify the expression under the derivative directly
            try:
                res = verify(_as_problem(lhs.expr), str(_base_name(lhs.variables[0])), problem.expr,
                             timeout=self.remaining())
                said = self.p("verdict_ok") if res.ok else self.p("verdict_wrong", truth=_tex_of(res.truth_display))
                return self.p("skip_claim_checked", f=_tex_of(lhs.expr), verdict=said)
            except Exception:
                return self.p("skip_claim")
        if target is None or target.derivation is None:
            return self.p("skip_claim")
        verdict = self.check_claim(target.derivation, lhs, problem.expr)
        if verdict is None:
            return self.p("skip_claim")
        ok, truth, why = verdict
        word = self.p("verdict_ok") if ok else self.p("verdict_wrong", truth=truth) + why
        return self.p("skip_claim_checked", f=_function_tex(target.derivation.problem), verdict=word) \
            + " " + self.p("see_line", n=line_ref(target.formula.line))

    # -- plots
    def plot(self, d: Derivation) -> str:
        """Pictures next to the note, as Markdown links: f with its tangent (one scalar variable) or
        contours with the gradient-descent and Newton paths (two), and σ with σ′ the first time a
        worked formula uses σ."""
        links = []
        if not any(g.index for g in d.gradient) and len(d.gradient) in (1, 2):
            try:
                data = function_png(d, self.lang)
            except Exception:  # a plot is a bonus
                data = None
            if data:
                kind = "picture_tangent" if len(d.gradient) == 1 else "picture_paths"
                links.append(self.picture(data, note_phrase(kind, self.lang)))
        if not self.sigma_drawn and "\\sigma" in d.problem.source:
            self.sigma_drawn = True
            link = self.picture(sigma_png(self.lang), note_phrase("picture_sigma", self.lang))
            links.append(f"{SIGMA}{link}{SIGMA}" if self.deferred else link)
        return "\n\n".join(links)

    def picture(self, data: bytes, alt: str) -> str:
        if self.deferred:       # named when the pieces are put together (jobs.py)
            self.files.append(("", data))
            return f"![{self.p('plot')}: {alt}]({PICTURE}{len(self.files)}{PICTURE})"
        stem = os.path.splitext(os.path.basename(self.out_path))[0]
        name = f"{stem}.fig{len(self.files) + 1}.png"
        self.files.append((os.path.join(os.path.dirname(os.path.abspath(self.out_path)), name), data))
        return f"![{self.p('plot')}: {alt}]({name})"


# --------------------------------------------------------------------------- plots
def _plain(name: str) -> str:
    from symderiv.output.printing import unicode_name
    return unicode_name(name)


# --------------------------------------------------------------------------- small helpers
def _short(exc) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    msg = msg.replace("$", r"\$")
    return msg[:160]


def _tex_of(expr) -> str:
    from symderiv.output.printing import latex
    return latex(expr)


def _tex_name(name: str) -> str:
    return _tex_of(sp.Symbol(name))


def _function_tex(problem) -> str:
    from symderiv.output.page import function_tex
    return function_tex(problem)


def _base_name(v):
    return v.base.label if isinstance(v, sp.Indexed) else v


def _as_problem(expr):
    """The expression under a claimed derivative, as a Problem (parsed back from its LaTeX)."""
    from symderiv.parsing.parser import parse
    return parse(_tex_of(expr))

"""Derivation -> a worked solution a learner keeps: Markdown (notes) or LaTeX (print), en / zh.

The renderer walks the rule tree (rules never print themselves, as in SymPy's manualintegrate and
SymPy Gamma's step printer) and builds a small page model: the problem, per variable the numbered
steps, the result in textbook and vector form, the Hessian. Jinja2 templates turn the model into
text: one template per rule key (`rules/chain.md.j2`, falling back to `rules/default.md.j2`) and
one per page (`page.md.j2`, `page.tex.j2`). A user's `--template DIR` is searched first, then the
installed package's `symderiv/templates`, then the repository's `templates/`.

Trivial steps (the derivative of a constant, of the variable itself, a Kronecker delta, and a
constant factor in front of one of those) fold into their parent as "using …" identities, so the
page reads like a textbook rather than a trace.

Markdown math uses only commands that both MathJax and KaTeX know (tests render every formula with
KaTeX); LaTeX output is a standalone article (amsmath, amssymb; CJKutf8 for Chinese) that compiles
with pdflatex, or its body alone with `fragment=True`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from symderiv.core.errors import SymderivError
from symderiv.output.phrases import phrase
from symderiv.output.printing import latex
from symderiv.output.templating import environment, join_terms, paren, tex_text

FORMATS = ("md", "tex")
FOLDABLE = {"constant", "variable", "kronecker"}
# commands that only one of MathJax / KaTeX knows (or neither, in math mode): never emitted
UNPORTABLE = (r"\operatorname*", r"\DeclareMathOperator", r"\bm{", r"\intertext", r"\textup",
              r"\mathlarger", r"\dfrac*", r"\mbox")


# --------------------------------------------------------------------------- page model
@dataclass
class StepItem:
    """One numbered step as the templates see it (all math is LaTeX without delimiters)."""

    number: int
    rule: str
    note: str                  # the sentence naming the rule, with $…$ math
    lhs: str                   # \frac{\partial}{\partial x} \left( … \right)
    result: str
    depth: int = 0
    uses: list = field(default_factory=list)      # numbers of the sub-steps it combines
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
    vector_note: str = ""
    named: str = ""            # the result in terms of the function's own name (ŷ_i(1 − ŷ_i) x_ik)


# --------------------------------------------------------------------------- public verb
def render(derivation, fmt: str, lang: str = "en", template_dir=None, fragment: bool = False,
           math_only: bool = False, embedded: bool = False, heading_level: int = 1) -> str:
    """The worked solution of `derivation` as Markdown (`md`) or LaTeX (`tex`).

    `fragment`: LaTeX body only (no preamble). `math_only`: only the results as one LaTeX
    `aligned` block (for Jupyter's `_repr_latex_`). `embedded`: no headings (for notes).
    """
    if fmt not in FORMATS:
        raise SymderivError(f"unknown format {fmt!r} (use md or tex)")
    lang = lang if lang in ("en", "zh") else "en"
    env = environment(fmt, str(template_dir) if template_dir else None)
    model = page_model(derivation, lang)
    if math_only:
        return env.get_template(f"math.{fmt}.j2").render(page=model, t=_phrases(lang)).strip()
    model["steps_text"] = {
        id(sec): [_render_step(env, fmt, s, lang, model) for s in sec.steps]
        for sec in model["sections"] + [e for e in model["hessian_entries"]]
    }
    out = env.get_template(f"page.{fmt}.j2").render(
        page=model, t=_phrases(lang), fragment=fragment, embedded=embedded,
        h=_heading(fmt, heading_level, embedded), lang=lang)
    return _tidy(out)


def _render_step(env, fmt: str, step: StepItem, lang: str, model) -> str:
    import jinja2

    try:
        tpl = env.get_template(f"rules/{step.rule}.{fmt}.j2")
    except jinja2.TemplateNotFound:
        tpl = env.get_template(f"rules/default.{fmt}.j2")
    return tpl.render(step=step, t=_phrases(lang), page=model).strip("\n")


class _phrases:
    """`t('key', n=3)` in templates; `t.key` for phrases without values."""

    def __init__(self, lang):
        self.lang = lang

    def __call__(self, key, **values):
        return phrase(key, self.lang, **values)

    def __getattr__(self, key):
        return phrase(key, self.lang)


def _heading(fmt, level, embedded):
    def h(text, depth=0):
        if fmt == "tex":
            cmd = ["section", "subsection", "subsubsection", "paragraph"][min(level - 1 + depth, 3)]
            return f"\\{cmd}*{{{tex_text(text)}}}"
        if embedded:
            return f"**{text}**"
        return "#" * min(level + depth, 6) + " " + text
    return h


def _tidy(out: str) -> str:
    out = re.sub(r"[ \t]+\n", "\n", out)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip("\n") + "\n"


# --------------------------------------------------------------------------- model building
def page_model(d, lang: str = "en") -> dict:
    """Everything the page templates print, as plain data (LaTeX strings and StepItems)."""
    from symderiv.calculus.forms import gradient_vector_form, hessian_vector_form
    from symderiv.output.steps import StepViewer

    p = d.problem
    viewer = StepViewer(d.intermediates, lang)
    name = function_name(p)
    leibniz = _leibniz(d)
    sections = []
    for g in d.gradient:
        steps = _steps(g.step, viewer, leibniz)
        head = _derivative_head(name, g.wrt, leibniz)
        result = latex(g.result)
        expanded = latex(g.expanded)
        sec = Section(variable=latex(_base(g.wrt)), entry=latex(g.wrt), head=head, steps=steps,
                      result=result, expanded=expanded if expanded != result and len(expanded) < 400 else "")
        sec.named = _named(p, g.result, lang)
        if g.index:
            sec.vector_note = phrase("vector_variable", lang, v=sec.variable, vk=sec.entry,
                                     k=latex(g.index[0]), size=_size(g))
            vf = gradient_vector_form(g.result, g.wrt)
            if vf is not None and vf.matrix:
                sec.vector_head = rf"\nabla_{{{sec.variable}}} {name}"
                sec.vector_per_sample = vf.per_sample or ""
                sec.vector_matrix = vf.matrix
                sec.vector_where = vf.where
        sections.append(sec)

    hessian_entries, hessian_matrix, hessian_vector = [], "", None
    if d.hessian is not None:
        for a, row in enumerate(d.hessian):
            for b, e in enumerate(row):
                if b < a:
                    continue
                first = d.gradient[a]
                head = _second_head(name, first.wrt, e.wrt, leibniz)
                sec = Section(variable=latex(_base(e.wrt)), entry=latex(e.wrt), head=head,
                              steps=_steps(e.step, viewer, leibniz), result=latex(e.result))
                sec.named = _named(p, e.result, lang)
                hessian_entries.append(sec)
        if not any(g.index for g in d.gradient) and len(d.gradient) > 1:
            body = r" \\ ".join(" & ".join(latex(e.result) for e in row) for row in d.hessian)
            hessian_matrix = rf"H = \begin{{pmatrix}} {body} \end{{pmatrix}}"
        if len(d.gradient) == 1 and d.gradient[0].index:
            e = d.hessian[0][0]
            vf = hessian_vector_form(e.result, d.gradient[0].wrt, e.wrt)
            if vf is not None and vf.matrix:
                hessian_vector = {"head": rf"\nabla^{{2}}_{{{latex(_base(e.wrt))}}} {name}",
                                  "per_sample": vf.per_sample or "", "matrix": vf.matrix,
                                  "where": vf.where}

    definitions = []
    for df in d.intermediates:
        introduced = not df.latex
        definitions.append({"tex": f"{latex(df.target)} = {latex(df.expr)}", "introduced": introduced})
    definitions_tex = r", \qquad ".join(x["tex"] for x in definitions)
    introduced = ", ".join(f"${x['tex']}$" for x in definitions if x["introduced"])
    introduced = phrase("introduced", lang, names=introduced) if introduced else ""
    notes = []
    for n in d.notes:
        if n.startswith("no variables given"):
            notes.append(phrase("by_convention", lang, vars=", ".join(f"${latex(sp.Symbol(v))}$" for v in d.variables)))
        else:
            notes.append(n)
    return {
        "name": name,
        "title": function_tex(p).split(" = ")[0] if p.kind == "function" else name,
        "function": function_tex(p),
        "definitions": definitions,
        "definitions_tex": definitions_tex,
        "introduced": introduced,
        "variables_text": ", ".join(f"${latex(_base(g.wrt))}$" for g in d.gradient),
        "variables": [latex(_base(g.wrt)) for g in d.gradient],
        "notes": notes,
        "sections": sections,
        "hessian": d.hessian is not None,
        "hessian_title": phrase("second_derivative" if leibniz == "d" else "hessian", lang),
        "hessian_entries": hessian_entries,
        "hessian_matrix": hessian_matrix,
        "hessian_vector": hessian_vector,
        "steps_text": {},
    }


def _named(problem, result, lang) -> str:
    """For a definition `ŷ_i = σ(θᵀx_i)`: its derivative written with ŷ_i itself, or ""."""
    from symderiv.calculus.simplify import fold
    from symderiv.core.problem import Definition

    if problem.kind != "function" or problem.args or not isinstance(problem.lhs, (sp.Symbol, sp.Indexed)):
        return ""
    lhs = problem.lhs
    own = Definition(lhs, problem.expr)
    try:
        folded = sp.factor_terms(fold(result, [own]))
    except Exception:  # noqa: BLE001 - a nicer form is optional
        return ""
    if folded == result or not folded.has(lhs):
        return ""
    return latex(folded)


def function_name(problem) -> str:
    """LaTeX of the function's name: L, f, \\sigma, \\hat{y}_{i} (f for a bare expression)."""
    if problem.lhs is not None and isinstance(problem.lhs, (sp.Indexed, sp.Symbol)):
        return latex(problem.lhs)
    if problem.name:
        return latex(sp.Symbol(problem.name))
    return "f"


def function_tex(problem) -> str:
    """`L(\\theta) = …` as the page states it (printed from SymPy, so it is portable TeX)."""
    body = latex(problem.expr)
    if problem.kind == "function" and problem.name:
        head = function_name(problem)
        if problem.args and not isinstance(problem.lhs, (sp.Indexed, sp.Symbol)):
            head += r"\left(" + ", ".join(latex(a) for a in problem.args) + r"\right)"
        return f"{head} = {body}"
    if problem.lhs is not None:
        return f"{latex(problem.lhs)} = {body}"
    return f"f = {body}"


def _base(v):
    return v.base.label if isinstance(v, sp.Indexed) else v


def _size(g) -> str:
    for s in g.expanded.atoms(sp.Sum) | g.result.atoms(sp.Sum):
        for j, lo, hi in s.limits:
            if str(j) == "j" or str(hi) == "d":
                return latex(hi)
    return "d"


def _leibniz(d) -> str:
    """`d` for a function of one scalar variable, else `\\partial`."""
    scalar = len(d.gradient) == 1 and not d.gradient[0].index
    return "d" if scalar else r"\partial"


def _derivative_head(name, wrt, dd) -> str:
    return rf"\frac{{{dd} {name}}}{{{dd} {latex(wrt)}}}"


def _second_head(name, a, b, dd) -> str:
    if a == b:
        return rf"\frac{{{dd}^{{2}} {name}}}{{{dd} {latex(a)}^{{2}}}}"
    return rf"\frac{{{dd}^{{2}} {name}}}{{{dd} {latex(a)} \, {dd} {latex(b)}}}"


def operator(expr, var, dd=r"\partial") -> str:
    """\\frac{\\partial}{\\partial x} x^{2}, \\frac{\\partial}{\\partial x} \\left( … \\right)."""
    inner = latex(expr)
    if not _atomic(expr):
        inner = rf"\left({inner}\right)"
    return rf"\frac{{{dd}}}{{{dd} {latex(var)}}} {inner}"


def _atomic(expr) -> bool:
    if expr.is_Atom or isinstance(expr, (sp.Indexed, sp.Function)):
        return True
    if isinstance(expr, sp.Pow) and (expr.base.is_Atom or isinstance(expr.base, sp.Indexed)) \
            and expr.exp.is_Integer and expr.exp > 0:
        return True
    return False


def _steps(rule, viewer, dd) -> list[StepItem]:
    """Pre-order numbered steps; trivial sub-steps fold into their parent."""
    out: list[StepItem] = []
    _walk(rule, viewer, dd, out, 0)
    return out


def _foldable(rule) -> bool:
    if rule.key in FOLDABLE:
        return True
    subs = [s for s in rule.substeps if s is not None]
    return rule.key == "constant_multiple" and len(subs) == 1 and subs[0].key in FOLDABLE


def _identity(rule, viewer, dd) -> str:
    return f"{operator(rule.expr, rule.var, _dd_for(rule, dd))} = {latex(viewer._result(rule))}"


def _dd_for(rule, dd):
    return dd if dd == r"\partial" else ("d" if rule.var.is_Symbol else r"\partial")


def _walk(rule, viewer, dd, out, depth) -> int:
    view_note = viewer.note(rule)
    item = StepItem(number=len(out) + 1, rule=rule.key, note=view_note,
                    lhs=operator(rule.expr, rule.var, _dd_for(rule, dd)),
                    result=latex(viewer._result(rule)), depth=depth)
    out.append(item)
    item.extra = _extra(rule, viewer)
    for sub in rule.substeps:
        if sub is None:
            continue
        if _foldable(sub):
            item.using.append(_identity(sub, viewer, dd))
            continue
        item.uses.append(_walk(sub, viewer, dd, out, depth + 1))
    return item.number


def _extra(rule, viewer) -> dict:
    """Rule-specific pieces for the rule templates; `expansion` is the middle of
    `lhs = expansion = result` (the rule applied, before simplifying)."""
    from symderiv.calculus import rules as R

    r = lambda step: latex(viewer._result(step))  # noqa: E731
    key = rule.key
    if key == "chain" and isinstance(rule, R.ChainRule):
        outer = paren(r(rule.outer_step))
        if not rule.named:
            outer = rf"\left. {outer} \right|_{{{latex(rule.u)} = {latex(rule.inner)}}}"
        return {"u": latex(rule.u), "inner": latex(rule.inner), "named": rule.named,
                "expansion": rf"{outer} \cdot {paren(r(rule.inner_step))}"}
    if key == "chain":   # through the named intermediates: Σ_a ∂f/∂a · ∂a/∂θ
        parts = [rf"{paren(r(outer))} \cdot {paren(r(inner))}" for _, outer, inner in rule.links]
        if getattr(rule, "direct", None) is not None:
            parts.append(r(rule.direct))
        return {"expansion": join_terms(parts), "named": True}
    if key == "sum":
        return {"expansion": join_terms([r(s) for s in rule.substeps])}
    if key == "product":
        parts = []
        for n, step in enumerate(rule.steps):
            factors = [paren(r(step))] + [paren(latex(f)) for m, f in enumerate(rule.factors) if m != n]
            parts.append(r" \cdot ".join(factors))
        return {"expansion": join_terms(parts)}
    if key == "quotient":
        f, g = latex(rule.numerator), latex(rule.denominator)
        df, dg = r(rule.num_step), r(rule.den_step)
        return {"expansion": rf"\frac{{{paren(df)} \cdot {paren(g)} - {paren(f)} \cdot {paren(dg)}}}"
                             rf"{{\left({g}\right)^{{2}}}}"}
    if key == "piecewise":
        other = phrase("otherwise", viewer.lang)
        otherwise = r"\text{" + other + "}"
        rows = [f"{latex(e)} & {otherwise if c in (True, sp.true) else latex(c)}" for e, c in rule.pieces]
        return {"expansion": r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"}
    return {}


def unportable(tex: str) -> list[str]:
    """The commands in `tex` that MathJax or KaTeX would not both render."""
    return [c for c in UNPORTABLE if c in tex]

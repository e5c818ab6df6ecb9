"""analyze's and optimize's results in words: plain text, Markdown and JSON (analyze's page: analysis_page.py).

A `Phrase` is worded from the catalogue of its language (analysis_phrases.py); each value in it is
formatted by its class — looked up along the MRO in `_VALUE_PRINTERS`, SymPy-printer style — as
plain text or as Markdown with `$…$` math.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from symderiv.analysis.api import Optimization, analyze_problem
from symderiv.analysis.methods import Iterate, Run
from symderiv.analysis.numeric import short_number
from symderiv.analysis.objective import SampleSum
from symderiv.analysis.results import (
    Analysis,
    Composition,
    CriticalPoint,
    Direction,
    Equals,
    Listing,
    MatrixEquation,
    MatrixValue,
    Minors,
    Nonnegative,
    Numbers,
    Phrase,
    Point,
    RuleUse,
    SigmoidForm,
    Solutions,
    Tolerance,
)
from symderiv.core.errors import SymderivError
from symderiv.core.limits import DEFAULT_TIMEOUT
from symderiv.core.order import writing
from symderiv.core.problem import Problem
from symderiv.output.analysis_phrases import COMPOSITION_RULES, PHRASES, RULE_WORDS
from symderiv.output.printing import latex as matrix_latex
from symderiv.output.printing import text as matrix_text
from symderiv.output.printing import unicode_name

# ------------------------------------------------------------------ phrases and their values


def phrase_text(phrase: Phrase, lang: str = "en", style: str = "text") -> str:
    """The phrase in `lang` ("en", "zh"), its values as plain text (style "text") or Markdown ("md")."""
    table = PHRASES.get(lang, PHRASES["en"])
    values = {k: value_text(v, style, lang) for k, v in phrase.params}
    return table[phrase.key].format(**values)


def value_text(value: Any, style: str = "text", lang: str = "en") -> str:
    """One value of a phrase, printed by the first printer found along its class's MRO."""
    for cls in type(value).__mro__:
        printer = _VALUE_PRINTERS.get(cls)
        if printer is not None:
            return printer(value, style, lang)
    return str(value)


def _math(text: str, tex: str, style: str) -> str:
    return f"${tex}$" if style == "md" else text


def _sequence(value: Sequence[Any], style: str, lang: str) -> str:
    inner = ", ".join(value_text(v, style, lang) for v in value)
    return f"({inner})" if style == "text" else inner


def _matrix(value: sp.MatrixBase, style: str, lang: str) -> str:
    if style == "md":
        return f"${sp.latex(value)}$"
    return "[" + ", ".join("[" + ", ".join(str(e) for e in row) + "]" for row in value.tolist()) + "]"


def _predictor(ss: SampleSum, style: str, lang: str) -> str:
    """z_i as a textbook writes it: θ^T x_i (+ b), not SymPy's Sum(theta[j]*x[i, j], …)."""
    text, tex = [], []
    if ss.offset != 0:
        text.append(str(ss.offset))
        tex.append(sp.latex(ss.offset))
    if ss.theta is not None and ss.features is not None:
        c = "" if ss.theta_coeff == 1 else ("-" if ss.theta_coeff == -1 else f"{ss.theta_coeff}*")
        name, features = str(ss.theta.label), str(ss.features.label)
        text.append(f"{c}{name}^T {features}_{ss.i}")
        tex.append(f"{c.rstrip('*')}{sp.latex(sp.Symbol(name))}^{{T}} {sp.latex(sp.Symbol(features))}_{{{ss.i}}}")
    for b, c in ss.biases:
        term = str(b) if c == 1 else (f"-{b}" if c == -1 else f"{c}*{b}")
        text.append(term)
        tex.append(term.replace("*", " "))
    return _math(_joined(text), _joined(tex), style)


def _joined(parts: list[str]) -> str:
    return " + ".join(parts).replace("+ -", "- ")


def _sigmoid_form(form: SigmoidForm, style: str, lang: str) -> str:
    z = str(form.z)
    if form.label is None:
        return _math(f"σ({z})(1 − σ({z}))", rf"\sigma({z})\bigl(1 - \sigma({z})\bigr)", style)
    return _math(f"σ({z}) − {matrix_text(form.label)}", rf"\sigma({z}) - {sp.latex(form.label)}", style)


def _point(p: Point, style: str, lang: str) -> str:
    """(x, y) = (−1, 1/2): exact values as fractions, sampled ones short."""
    def one(v: float | sp.Basic) -> str:
        if isinstance(v, sp.Basic):
            return sp.latex(v) if style == "md" else str(v)
        return short_number(float(v))
    names = [unicode_name(n) for n in p.names]
    lhs = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
    rhs = ", ".join(one(v) for v in p.values)
    rhs = rhs if len(names) == 1 else f"({rhs})"
    return f"${lhs} = {rhs}$" if style == "md" else f"{lhs} = {rhs}"


_SQRT = re.compile(r"sqrt\(([A-Za-z0-9_.]+)\)")


def plain_text(e: sp.Basic) -> str:
    """One-line Unicode as a textbook prints it: √2, |x|, max(0, x), δ(x), 𝟙(x > 0) (not SymPy's names)."""
    out = _SQRT.sub(r"√\1", matrix_text(e)).replace("sqrt(", "√(")
    out = re.sub(r"Heaviside\(([^()]*)\)", r"𝟙(\1 > 0)", out)
    for name, shown in (("DiracDelta(", "δ("), ("Max(", "max("), ("Min(", "min(")):
        out = out.replace(name, shown)
    return re.sub(r"Abs\(([^()]*)\)", r"|\1|", out)


def rule_text(use: RuleUse, lang: str = "en") -> str:
    """One composition rule used, in words of `lang`."""
    words = RULE_WORDS.get(lang, {})
    values = {k: words.get(v, v) for k, v in use.values}
    return COMPOSITION_RULES.get(lang, COMPOSITION_RULES["en"])[use.rule].format(expr=plain_text(use.expr), **values)


def _rule_texts(comp: Composition, lang: str = "en") -> list[str]:
    return list(dict.fromkeys(rule_text(u, lang) for u in comp.uses))


def _composition(comp: Composition, style: str, lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(_rule_texts(comp, lang)) or str(comp.function)


_VALUE_PRINTERS: dict[type, Callable[[Any, str, str], str]] = {
    Phrase: lambda p, style, lang: phrase_text(p, lang, style),
    SampleSum: _predictor,
    SigmoidForm: _sigmoid_form,
    Composition: _composition,
    Point: _point,
    MatrixValue: lambda m, style, lang: _math(matrix_text(m.expr), matrix_latex(m.expr), style),
    MatrixEquation: lambda e, style, lang: _math(
        f"{matrix_text(e.lhs)}{'*' if e.starred else ''} = {matrix_text(e.rhs)}",
        f"{matrix_latex(e.lhs)}{'^{*}' if e.starred else ''} = {matrix_latex(e.rhs)}", style),
    Nonnegative: lambda c, style, lang: _math(", ".join(f"{matrix_text(e)} ≥ 0" for e in c.exprs),
                                              ", ".join(f"{matrix_latex(e)} \\geq 0" for e in c.exprs), style),
    Direction: lambda d, style, lang: "(" + ", ".join(short_number(v) for v in d.values) + ")",
    Equals: lambda e, style, lang: f"{e.name} = {short_number(e.value)}",
    Listing: lambda li, style, lang: ", ".join(str(e) for e in li.items),
    Solutions: lambda s, style, lang: ", ".join(f"{k} = {v}" for k, v in s.pairs),
    Minors: lambda m, style, lang: "; ".join(f"M[{','.join(at)}] = {form}" for at, form in m.entries),
    Numbers: lambda n, style, lang: ", ".join(short_number(v) for v in n.values),
    Tolerance: lambda t, style, lang: f"{t.value:g}",
    str: lambda s, style, lang: s,
    float: lambda v, style, lang: short_number(float(v)),
    np.floating: lambda v, style, lang: short_number(float(v)),
    tuple: _sequence,
    list: _sequence,
    sp.MatrixBase: _matrix,
    sp.Basic: lambda e, style, lang: _math(plain_text(e), sp.latex(e), style),
}

# ------------------------------------------------------------------ analyze


def render_text(a: Analysis, lang: str = "en") -> str:
    """The analysis as plain text (analysis_page.py writes the page)."""
    from symderiv.output.analysis_page import render_text as page_text

    return page_text(a, lang)


def render_markdown(a: Analysis, lang: str = "en", heading: str = "###") -> str:
    """The analysis as Markdown (analysis_page.py writes the page)."""
    from symderiv.output.analysis_page import render_markdown as page_markdown

    return page_markdown(a, lang, heading)


def render_json(a: Analysis) -> str:
    """The analysis as JSON (English phrases), the shape of the JSON contract."""
    points = [{
        "point": dict(zip(a.variables, p.values, strict=True)),
        "exact": None if p.exact is None else {n: str(e) for n, e in zip(a.variables, p.exact, strict=True)},
        "kind": p.kind,
        "eigenvalues": list(p.eigenvalues),
        "exact_eigenvalues": None if p.exact_eigenvalues is None else [str(e) for e in p.exact_eigenvalues],
        "note": None if p.note is None else phrase_text(p.note),
    } for p in a.critical_points]
    witness = a.convexity.witness
    if witness is not None:
        witness = {k: _rule_texts(v) if isinstance(v, Composition) else v for k, v in witness.items()}
    obj = {"function": str(a.function), "variables": list(a.variables),
           "method": phrase_text(a.method), "exact": a.exact,
           "notes": [phrase_text(n) for n in a.notes],
           "critical_points": points,
           "convexity": {"verdict": a.convexity.verdict, "reason": phrase_text(a.convexity.reason),
                         "witness": witness}}
    q = a.quadratic
    if q is not None:
        obj["matrix"] = {"variable": q.variable, "gradient": _matrix_json(q.gradient),
                         "hessian": _matrix_json(q.hessian),
                         "solution": None if q.solution is None else _matrix_json(q.solution)}
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default)


def _matrix_json(m: sp.Basic) -> dict[str, str]:
    return {"latex": matrix_latex(m), "sympy": sp.srepr(m)}


def _symbolic(a: Analysis) -> bool:
    """Whether the critical points are described rather than listed (data, a family, a matrix form)."""
    return a.indexed or a.quadratic is not None or any(n.key == "family" for n in a.notes)


def analysis_markdown(problem: Problem, lang: str = "en", timeout: float = DEFAULT_TIMEOUT) -> str:
    """For `symderiv notes`: the analysis as a Markdown section, or "" when not applicable.

    Only functions of at most two variables (a vector θ counts as one) are analysed, so a note
    never stalls on a big system; errors become "" too, since a note without an analysis is fine.
    """
    if len(problem.variables) > 2:
        return ""
    try:
        return render_markdown(analyze_problem(problem, timeout=timeout), lang, "####")
    except SymderivError:
        return ""


def _coords(names: Sequence[str], values: Sequence[float], exact: Sequence[sp.Basic] | None,
            style: str = "text") -> str:
    lhs = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
    approx = ", ".join(f"{v:.3f}" for v in values)
    approx = approx if len(names) == 1 else f"({approx})"
    if exact is None:
        return f"{lhs} ≈ {approx}"
    if style == "md":
        ex = ", ".join(sp.latex(e) for e in exact)
        ex = ex if len(names) == 1 else rf"\left({ex}\right)"
        lhs_tex = sp.latex(sp.Symbol(names[0])) if len(names) == 1 else \
            r"\left(" + ", ".join(sp.latex(sp.Symbol(n)) for n in names) + r"\right)"
        return f"${lhs_tex} = {ex} \\approx {approx}$"
    ex = ", ".join(str(e) for e in exact)
    ex = ex if len(names) == 1 else f"({ex})"
    return f"{lhs} = {ex} ≈ {approx}"


def _eigenvalues(p: CriticalPoint, style: str) -> str:
    if p.exact_eigenvalues is None:
        return ", ".join(short_number(v) for v in p.eigenvalues)
    parts = []
    for e, v in zip(p.exact_eigenvalues, p.eigenvalues, strict=True):
        if e.is_Rational:
            parts.append(f"${sp.latex(e)}$" if style == "md" else str(e))
        else:
            parts.append(f"${sp.latex(e)} \\approx {short_number(v)}$" if style == "md" else f"{e} ≈ {short_number(v)}")
    return ", ".join(parts)


def _verdict(v: str, lang: str) -> str:
    return v if lang == "en" else PHRASES[lang][f"v_{v}"]


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)

# ------------------------------------------------------------------ optimize


def optimization_text(r: Optimization, plot: str | None = None, lang: str = "en") -> str:
    """Each run as a table (first and last rows of a long one), then a summary and the comparison."""
    t = PHRASES.get(lang, PHRASES["en"])
    lines = _header(r, lang)
    for run in r.runs:
        rows = _rows(run)
        w = max([len(_theta(it.theta)) for it in rows if it is not None] + [5])
        lines += ["", _run_title(run, lang) + t["page_colon"],
                  f"  {_pad(t['page_iter'], 6, '>')}  {'θ':<{w}}  {'L':>15}  {'‖∇L‖':>10}"]
        for it in rows:
            if it is None:
                lines.append(f"  {'…':>6}")
                continue
            lines.append(f"  {it.k:>6}  {_theta(it.theta):<{w}}  {it.loss:>15.8g}  {it.grad_norm:>10.3e}")
        lines += [f"  ! {phrase_text(e, lang)}" for e in run.events]
    lines += ["", t["page_summary"]]
    width = max(_width(t[f"method_{run.method}"]) for run in r.runs)
    lines += [f"  {_pad(t[f'method_{run.method}'], width, '<')}  {_summary(run, lang)}" for run in r.runs]
    lines += [f"  {c}" for c in _comparison(r.runs, lang)]
    if plot:
        lines.append(t["page_plot"].format(path=plot))
    return "\n".join(lines) + "\n"


def optimization_markdown(r: Optimization, plot: str | None = None, lang: str = "en") -> str:
    """The same as Markdown: a list for the setting, a table per run and one for the summary."""
    from symderiv.output.analysis_page import math_in_prose  # the page module builds on this one

    t = PHRASES.get(lang, PHRASES["en"])
    lang = lang if lang in PHRASES else "en"
    lines = [f"### {t['page_title']}", ""]
    lines += [math_in_prose(f"- {ln}", lang) for ln in _header(r, lang, "md")]
    for run in r.runs:
        lines += ["", math_in_prose(f"**{_run_title(run, lang)}**", lang), "",
                  f"| {t['page_iteration']} | $\\theta$ | $L$ | $\\|\\nabla L\\|$ |",
                  "| ---: | --- | ---: | ---: |"]
        lines += ["| … | | | |" if it is None else
                  f"| {it.k} | {_theta(it.theta)} | {it.loss:.8g} | {it.grad_norm:.3e} |" for it in _rows(run)]
        lines += ["", *[math_in_prose(f"> {phrase_text(e, lang)}", lang) for e in run.events]] if run.events else []
    lines += ["", f"| {t['page_method']} | {t['page_result']} |", "| --- | --- |"]
    lines += [f"| {t[f'method_{run.method}']} | {_summary(run, lang)} |" for run in r.runs]
    comparison = [math_in_prose(c, lang) if lang == "zh" else c for c in _comparison(r.runs, lang)]
    lines += ["", *comparison] if comparison else []
    if plot:
        lines += ["", f"![{t['page_plot_alt']}]({plot})"]
    return "\n".join(lines) + "\n"


def optimization_json(r: Optimization, plot: str | None = None, lang: str = "en") -> str:
    """Every run with its history (at most 1000 rows: the first and last 500); messages in English."""
    out_runs = []
    for run in r.runs:
        hist, truncated = _history_json(run)
        last = run.last
        out_runs.append({"method": run.method, "lr": run.lr,
                         "lr_note": None if run.lr_note is None else phrase_text(run.lr_note),
                         "status": run.status, "message": phrase_text(run.message), "iterations": last.k,
                         "iterations_to_tol": run.iterations_to_tol,
                         "final": {"theta": list(last.theta), "loss": last.loss, "grad_norm": last.grad_norm},
                         "events": [phrase_text(e) for e in run.events], "seconds": run.seconds,
                         "history": hist, "history_truncated": truncated})
    obj, data = r.objective, r.objective.data
    out = {"function": obj.description, "variables": list(obj.names), "start": [float(v) for v in r.start],
           "tolerance": r.tol, "form": obj.form,
           "data": None if data is None else {"source": data.source, "samples": data.n, "features": data.d},
           "runs": out_runs, "plot": plot}
    return json.dumps(out, ensure_ascii=False, indent=2, default=_json_default)


def _header(r: Optimization, lang: str, style: str = "text") -> list[str]:
    t = PHRASES.get(lang, PHRASES["en"])
    obj = r.objective
    lines = [t["page_function"].format(function=_function(r, style))]
    if obj.data is not None:
        form = t["page_logistic"] if obj.form == "logistic" else ""
        builtin = re.fullmatch(r"built-in \(seed (\d+)\)", obj.data.source)
        source = t["page_builtin"].format(seed=builtin.group(1)) if builtin else obj.data.source
        lines.append(t["page_data"].format(source=source, n=obj.data.n, d=obj.data.d, form=form))
    shown = [unicode_name(n) for n in obj.names]
    names = ", ".join(shown) if obj.dim <= 6 else \
        t["page_many"].format(first=shown[0], last=shown[-1], dim=obj.dim)
    lines.append(t["page_variables"].format(names=names))
    lines.append(t["page_start"].format(start=_theta(list(r.start), 6), tol=f"{r.tol:g}"))
    return lines + _updates(r, lang, style)


def _function(r: Optimization, style: str) -> str:
    """The function as a formula: the user's LaTeX in Markdown, one-line Unicode in text."""
    if r.function is None:
        return r.objective.description
    with writing(r.orders):             # its sums in the user's order (core/order.py)
        if style == "md":
            tex_args = ", ".join(sp.latex(sp.Symbol(n)) for n in _arguments(r))
            lhs = f"{r.name}({tex_args}) = " if r.name else ""
            return f"${lhs}{matrix_latex(r.function)}$"
        args = ", ".join(unicode_name(n) for n in _arguments(r))
        return (f"{r.name}({args}) = " if r.name else "") + matrix_text(r.function)


def _logistic_scale(r: Optimization) -> str | None:
    """"" when ∇L = Xᵀ(ŷ − y) on the data (a sum), "\\frac{1}{n}" for a mean, None when neither (then the
    page writes the general ∇f and H): measured at θ = 0, where ŷ = ½."""
    obj, data = r.objective, r.objective.data
    if obj.form != "logistic" or data is None or data.X.shape[1] != obj.dim:
        return None
    grad = np.asarray(obj.grad(np.zeros(obj.dim)), dtype=float)
    base = data.X.T @ (0.5 - data.y)
    for scale, text in ((1.0, ""), (1.0 / data.n, r"\frac{1}{n}")):
        if np.allclose(grad, scale * base, rtol=1e-9, atol=1e-12):
            return text
    return None


def _arguments(r: Optimization) -> list[str]:
    names = list(r.objective.names)
    stems = list(dict.fromkeys(n.split("_")[0] for n in names))
    return stems if r.objective.data is not None else names


def _updates(r: Optimization, lang: str, style: str) -> list[str]:
    """The two update rules as formulas: θ ← θ − η∇L and θ ← θ − H⁻¹∇L (Xᵀ(ŷ − y), XᵀSX for the logistic loss)."""
    t = PHRASES.get(lang, PHRASES["en"])
    scale = _logistic_scale(r)
    logistic = scale is not None
    methods = [run.method for run in r.runs]
    if style == "md":
        grad = rf"{scale}X^T(\hat{{y}}^{{(t)}} - y)" if logistic else r"\nabla f(\theta^{(t)})"
        hess = r"(X^T S^{(t)} X)^{-1}" if logistic else r"H(\theta^{(t)})^{-1}"
        newton_grad = grad.replace(r"\frac{1}{n}", "")  # a mean's 1/n cancels in Newton's step
        rules = {"gd": rf"$\theta^{{(t+1)}} = \theta^{{(t)}} - \eta\, {grad}$",
                 "newton": rf"$\theta^{{(t+1)}} = \theta^{{(t)}} - {hess}\, {newton_grad}$"}
    else:
        grad = f"{'(1/n)' if scale else ''}Xᵀ(ŷ⁽ᵗ⁾ − y)" if logistic else "∇f(θ⁽ᵗ⁾)"
        hess = "(XᵀS⁽ᵗ⁾X)⁻¹" if logistic else "H(θ⁽ᵗ⁾)⁻¹"
        rules = {"gd": f"θ⁽ᵗ⁺¹⁾ = θ⁽ᵗ⁾ − η·{grad}", "newton": f"θ⁽ᵗ⁺¹⁾ = θ⁽ᵗ⁾ − {hess}·{grad.replace('(1/n)', '')}"}
    shown = [unicode_name(n) for n in r.objective.names]
    theta = t["page_theta"].format(names=", ".join(shown)) if not logistic and r.objective.dim <= 6 else ""
    lines = [t["page_update"].format(method=t[f"method_{m}"], rule=rules[m]) for m in methods]
    if logistic:
        lines.append(t["page_logistic_symbols"])
    return lines + ([theta] if theta else [])


def _theta(theta: Sequence[float], limit: int = 4) -> str:
    shown = [f"{v:.4f}" for v in theta[:limit]]
    if len(theta) > limit:
        shown.append("…")
    return "(" + ", ".join(shown) + ")"


def _width(s: str) -> int:
    """Columns on a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int, align: str) -> str:
    """`s` padded to `width` terminal columns, like format's `<`/`>` for Latin text."""
    fill = " " * max(width - _width(s), 0)
    return s + fill if align == "<" else fill + s


def _rows(run: Run, head: int = 8, tail: int = 4) -> list[Iterate | None]:
    """All rows of a short run; else the first `head`, a gap (None) and the last `tail`."""
    h: list[Iterate | None] = list(run.history)
    if len(h) <= head + tail + 1:
        return h
    return [*h[:head], None, *h[-tail:]]


def _run_title(run: Run, lang: str) -> str:
    t = PHRASES.get(lang, PHRASES["en"])
    if run.method == "gd" and run.lr is not None:
        note = "" if run.lr_note is None else phrase_text(run.lr_note, lang)
        return t["page_run"].format(method=t["method_gd"], lr=short_number(run.lr), note=note)
    return t[f"method_{run.method}"]


def _summary(run: Run, lang: str) -> str:
    t = PHRASES.get(lang, PHRASES["en"])
    last = run.last
    k = run.iterations_to_tol
    if run.status == "converged" and k:
        head = t["page_converged_one" if k == 1 else "page_converged"].format(k=k)
    else:
        head = t["page_because"].format(head=t[f"page_status_{run.status}"], message=phrase_text(run.message, lang))
    return t["page_final"].format(head=head, loss=f"{last.loss:.6g}", grad=f"{last.grad_norm:.2e}",
                                  theta=_theta(last.theta), ms=f"{run.seconds * 1000:.1f}")


def _comparison(runs: Sequence[Run], lang: str) -> list[str]:
    """How many times as many iterations gradient descent needed as Newton's method (when both converged)."""
    done = {r.method: r.iterations_to_tol for r in runs if r.status == "converged" and r.iterations_to_tol is not None}
    gd, nt = done.get("gd"), done.get("newton")
    if gd is not None and nt:
        t = PHRASES.get(lang, PHRASES["en"])
        return [t["page_compare_one" if nt == 1 else "page_compare"].format(newton=nt, gd=gd, ratio=f"{gd / nt:.0f}")]
    return []


def _history_json(run: Run, cap: int = 1000) -> tuple[list[dict[str, Any]], bool]:
    h = list(run.history)
    truncated = len(h) > cap
    if truncated:
        h = h[: cap // 2] + h[-cap // 2:]
    return [{"iter": it.k, "theta": list(it.theta), "loss": it.loss, "grad_norm": it.grad_norm} for it in h], truncated

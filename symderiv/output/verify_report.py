"""Printing verify's results as `symderiv verify` shows them: plain text, Markdown and JSON, in
English or Chinese.

The check layer returns typed results (`symderiv.check.results`): slips hold SymPy expressions, a
counterexample holds numbers. A slip's sentence comes from symderiv.output.slip_sentences; every
label and verdict sentence here is looked up in the catalogue of its language
(symderiv.output.verify_phrases). JSON keeps its English keys and English explanation in every
language.
"""
from __future__ import annotations

import json

import mpmath
import sympy as sp

from symderiv.calculus.matrices.forms import MatrixForm
from symderiv.check.results import Counterexample, Shape, ShapeMismatch, Slip, StepsResult, VerifyResult
from symderiv.core.errors import SymderivError
from symderiv.core.order import writing
from symderiv.output.matrix_view import matrix_view
from symderiv.output.printing import latex, text
from symderiv.output.slip_sentences import slip_words
from symderiv.output.verify_phrases import words

__all__ = ["counterexample_json", "explanation", "report", "result_json", "slip_words", "steps_json"]

# ----------------------------------------------------------------------------------------------
# verdicts, counterexamples
# ----------------------------------------------------------------------------------------------


def explanation(result: VerifyResult, style: str = "text", lang: str = "en") -> str:
    """The one sentence a learner reads first."""
    if result.verdict == "wrong":
        if result.slip:
            return slip_words(result.slip, style, lang)
        return shape_words(result.shape, style, lang) if result.shape else words("differs", lang)
    if result.verdict == "correct":
        key = f"proved_{result.method}" + ("_md" if style == "md" else "")
        how = words(key, lang) if result.method in ("structural", "cancel", "simplify") else result.method
        return words("proved", lang, how=how, points=result.points)
    return words("undecided", lang, points=result.points, difference=f"{result.max_difference:.1e}")


def _value(v: sp.Rational) -> str:
    """A coordinate as written: an integer, or the drawn decimal (hundredths)."""
    return str(int(v)) if v.is_Integer else f"{float(v):g}"


def _name(name: sp.Basic) -> str:
    if isinstance(name, sp.Indexed):
        return f"{name.base.label}[{','.join(str(i) for i in name.indices)}]"
    return str(name)


def _name_md(name: sp.Basic) -> str:
    if isinstance(name, sp.Indexed):
        return f"{latex(sp.Symbol(str(name.base.label)))}_{{{','.join(str(i) for i in name.indices)}}}"
    return latex(sp.Symbol(str(name)))


def _point_text(cx: Counterexample, lang: str = "en") -> str:
    return words("list_sep", lang).join(f"{_name(k)} = {_value(v)}" for k, v in cx.point)


def _point_md(cx: Counterexample, lang: str = "en") -> str:
    return words("list_sep", lang).join(f"${_name_md(k)} = {_value(v)}$" for k, v in cx.point)


def _decimal(v: sp.Float) -> str:
    return mpmath.nstr(v, 8)


def _claimed(cx: Counterexample, lang: str = "en") -> str:
    return words("undefined", lang) if cx.claimed is None else _decimal(cx.claimed)


def counterexample_md(cx: Counterexample, lang: str, line: int | None = None) -> str:
    """At the point, the claim's (or line's) value — or that it is undefined there — and the truth's."""
    key = ("cx_md" if line is None else "cx_line_md") + ("_undefined" if cx.claimed is None else "")
    claimed = "" if cx.claimed is None else f"${_decimal(cx.claimed)}$"
    return words(key, lang, point=_point_md(cx, lang), n=line, claimed=claimed, true=f"${_decimal(cx.true)}$")


def _json_number(v: str) -> int | float | str:
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def counterexample_json(cx: Counterexample) -> dict:
    """{"point": {name: value}, "claimed": number or None, "true": number}."""
    return {"point": {_name(k): _json_number(_value(v)) for k, v in cx.point},
            "claimed": None if cx.claimed is None else float(_decimal(cx.claimed)),
            "true": float(_decimal(cx.true))}


# ----------------------------------------------------------------------------------------------
# shapes and matrix forms
# ----------------------------------------------------------------------------------------------

def _shape(shape: Shape, style: str) -> str:
    rows, cols = shape
    return f"${latex(rows)} \\times {latex(cols)}$" if style == "md" else f"{text(rows)} × {text(cols)}"


def _symbol(name: sp.Basic, style: str) -> str:
    return f"${latex(name)}$" if style == "md" else text(name)


def shape_words(m: ShapeMismatch, style: str = "text", lang: str = "en") -> str:
    """Why a claim has the wrong shape: the names it uses with other sizes, or its own shape, against
    the shape of the derivative (the variable's)."""
    parts = []
    if m.uses:
        uses = words("shape_and", lang).join(
            words("shape_use", lang, name=_symbol(u.name, style), used=_shape(u.used, style),
                  shape=_shape(u.shape, style)) for u in m.uses)
        parts.append(words("shape_uses", lang, uses=uses))
    if m.claim_shape is not None:
        parts.append(words("shape_is", lang, claim=_shape(m.claim_shape, style)))
    if not parts:
        parts.append(words("shape_clash", lang))
    var = m.variable.base.label if isinstance(m.variable, sp.Indexed) else m.variable
    partial = (f"$\\frac{{\\partial f}}{{\\partial {latex(var)}}}$" if style == "md" else f"∂f/∂{text(var)}")
    key = "shape_wrong_md" if style == "md" else "shape_wrong"
    return words(key, lang, why=words("list_sep", lang).join(parts), partial=partial,
                 expected=_shape(m.expected, style), var=_symbol(var, style))


def _matrix_text(form: MatrixForm | None, lang: str) -> list[str]:
    """The truth in matrix form and one line per symbol it uses, for a terminal."""
    if form is None:
        return []
    view = matrix_view(form, lang, plain=True)
    return [words("matrix_form", lang, form=view.matrix), *(f"    {line}" for line in view.symbols)]


def _matrix_md(form: MatrixForm | None, lang: str) -> list[str]:
    if form is None:
        return []
    view = matrix_view(form, lang)
    return ["", words("matrix_form_md", lang), "", "$$", view.matrix, "$$", "", *(f"- {line}" for line in view.symbols)]


def _matrix_json(form: MatrixForm | None) -> dict | None:
    return None if form is None else {"latex": latex(form.matrix), "sympy": sp.srepr(form.matrix)}


def shape_json(m: ShapeMismatch) -> dict:
    """{"claim": [rows, cols] or None, "expected": [rows, cols], "uses": [{name, used, shape}]}."""
    def dims(shape: Shape | None) -> list[str] | None:
        return None if shape is None else [str(shape[0]), str(shape[1])]
    return {"claim": dims(m.claim_shape), "expected": dims(m.expected),
            "uses": [{"name": str(u.name), "used": dims(u.used), "shape": dims(u.shape)} for u in m.uses]}


# ----------------------------------------------------------------------------------------------
# one claim
# ----------------------------------------------------------------------------------------------

def render_text(result: VerifyResult, lang: str = "en") -> str:
    """The verdict for a terminal."""
    lines = [words("verdict", lang, verdict=words(f"v_{result.verdict}", lang))]
    cx = result.counterexample
    if result.verdict == "wrong" and cx is not None:
        lines += _wrong_text(result, cx, words("claimed", lang, value=_claimed(cx, lang)), lang)
    elif result.shape is not None:
        lines += _shape_text(result, lang)
    else:
        lines.append(explanation(result, "text", lang))
    lines.append(words("true_derivative", lang, latex=text(result.truth_display)))
    lines += _matrix_text(result.truth_matrix, lang)
    return "\n".join(lines) + "\n"


def _shape_text(result: VerifyResult, lang: str) -> list[str]:
    """A claim of the wrong shape: its likely slip (found at equal sizes), then its shapes."""
    assert result.shape is not None
    out = []
    if result.slip is not None:
        out.append(words("likely_slip", lang, kind=_kind(result.slip, lang)) + words("slip_dash", lang)
                   + slip_words(result.slip, "text", lang))
    return [*out, shape_words(result.shape, "text", lang)]


def _wrong_text(result: VerifyResult, cx: Counterexample, claimed: str, lang: str) -> list[str]:
    """The slip, the counterexample, the claimed value there (a line of its own) and the true value."""
    return [words("likely_slip", lang, kind=_kind(result.slip, lang)) + words("slip_dash", lang)
            + slip_words(result.slip, "text", lang),
            words("counterexample", lang, point=_point_text(cx, lang)),
            claimed,
            words("true_value", lang, value=_decimal(cx.true))]


def render_md(result: VerifyResult, lang: str = "en") -> str:
    """The verdict as Markdown."""
    lines = [f"**{words('verdict', lang, verdict=words(f'v_{result.verdict}', lang))}**", ""]
    cx = result.counterexample
    if result.verdict == "wrong" and cx is not None:
        lines += [_slip_md(result.slip, lang), "", counterexample_md(cx, lang), ""]
    elif result.shape is not None:
        lines += ([_slip_md(result.slip, lang), ""] if result.slip is not None else [])
        lines += [shape_words(result.shape, "md", lang), ""]
    else:
        lines += [explanation(result, "md", lang), ""]
    lines += [words("true_derivative_md", lang), "", "$$", latex(result.truth_display), "$$"]
    lines += _matrix_md(result.truth_matrix, lang)
    return "\n".join(lines) + "\n"


def _slip_md(slip: Slip | None, lang: str) -> str:
    return f"**{words('likely_slip', lang, kind=_kind(slip, lang))}**{words('slip_dash', lang)}" + \
        slip_words(slip, "md", lang)


def result_json(result: VerifyResult) -> dict:
    """The verdict as the JSON object `verify --format json` prints."""
    cx = result.counterexample
    truth = {"latex": latex(result.truth_display), "sympy": sp.srepr(result.truth_display)}
    matrix = _matrix_json(result.truth_matrix)
    if matrix is not None:
        truth["matrix"] = matrix
    data = {
        "verdict": result.verdict,
        "slip": result.slip.kind if result.slip else None,
        "explanation": explanation(result),
        "counterexample": None if cx is None else counterexample_json(cx),
        "truth": truth,
    }
    if result.shape is not None:
        data["shape_mismatch"] = shape_json(result.shape)
    return data


def _kind(slip: Slip | None, lang: str = "en") -> str:
    return words(f"kind_{slip.kind if slip is not None else 'unknown'}", lang)


def _nested(page: str) -> str:
    """derive's page as a section of this one: its own title dropped (the section names it), headings one
    level down, so the outline reads 正确导数的求导过程 › 关于 x 的导数."""
    lines = page.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#" + ln if ln.startswith("#") else ln for ln in lines).lstrip("\n") + "\n"


def derivation_page(result: VerifyResult, fmt: str, lang: str = "en") -> str:
    """The true derivative worked step by step (the page `derive` prints), after a wrong verdict."""
    d = result.derivation
    if d is None or fmt == "json":
        return ""
    try:
        if fmt == "md":
            from symderiv.output.render import render
            return f"\n## {words('derived_md', lang)}\n\n" + _nested(render(d, "md", lang=lang))
        from symderiv.output.text import derivation_text
        return f"\n{words('derived_text', lang)}\n" + derivation_text(d, lang)
    except SymderivError:
        return ""


# ----------------------------------------------------------------------------------------------
# a whole derivation
# ----------------------------------------------------------------------------------------------

def render_steps_text(res: StepsResult, lang: str = "en") -> str:
    """Each line marked ✓/✗, the first wrong line, its slip and counterexample."""
    out = [words("line_mark", lang, n=line.n, mark=_mark(line.ok), latex=line.latex) for line in res.lines]
    bad = res.first_wrong
    out.append(words("first_wrong", lang, line=_line(bad.n if bad else None, lang)))
    cx = bad.result.counterexample if bad is not None and bad.result else None
    if bad is not None and bad.result and cx is not None:
        out += _wrong_text(bad.result, cx, words("line_value", lang, n=bad.n, value=_claimed(cx, lang)), lang)
    elif bad is not None and bad.result and bad.result.shape is not None:
        out += _shape_text(bad.result, lang)
    out.append(words("final_line", lang, answer=words("yes" if res.final_correct else "no", lang)))
    out.append(words("true_derivative", lang, latex=text(res.truth_display)))
    out += _matrix_text(res.truth_matrix, lang)
    return "\n".join(out) + "\n"


def render_steps_md(res: StepsResult, lang: str = "en") -> str:
    """The derivation's lines as a Markdown table, then the first wrong line and the truth."""
    out = [words("steps_head_md", lang), "| --- | --- | --- |"]
    out += [f"| {line.n} | {_mark(line.ok)} | ${line.latex}$ |" for line in res.lines]
    bad = res.first_wrong
    out += ["", f"**{words('first_wrong', lang, line=_line(bad.n if bad else None, lang))}**", ""]
    cx = bad.result.counterexample if bad is not None and bad.result else None
    if bad is not None and bad.result and cx is not None:
        out += [_slip_md(bad.result.slip, lang), "", counterexample_md(cx, lang, bad.n), ""]
    elif bad is not None and bad.result and bad.result.shape is not None:
        out += ([_slip_md(bad.result.slip, lang), ""] if bad.result.slip is not None else [])
        out += [shape_words(bad.result.shape, "md", lang), ""]
    out += [words("final_line_md", lang, answer=words("yes" if res.final_correct else "no", lang)), "",
            words("true_derivative_md", lang), "", "$$", latex(res.truth_display), "$$"]
    out += _matrix_md(res.truth_matrix, lang)
    return "\n".join(out) + "\n"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _line(n: int | None, lang: str) -> str:
    """The first wrong line: its number (第 n 行), or none."""
    return words("none", lang) if n is None else words("first_wrong_n", lang, n=n)


def steps_json(res: StepsResult) -> dict:
    """The derivation's check as the JSON object `verify --steps --format json` prints."""
    bad = res.first_wrong
    slip = bad.result.slip if bad is not None and bad.result else None
    data: dict = {"lines": [{"n": line.n, "latex": line.latex, "ok": line.ok} for line in res.lines],
                  "first_wrong_line": bad.n if bad else None,
                  "slip": slip.kind if slip else None,
                  "final_correct": res.final_correct}
    cx = bad.result.counterexample if bad is not None and bad.result else None
    if cx is not None:
        data["explanation"] = slip_words(slip)
        data["counterexample"] = counterexample_json(cx)
    elif bad is not None and bad.result is not None and bad.result.shape is not None:
        data["explanation"] = explanation(bad.result)
        data["shape_mismatch"] = shape_json(bad.result.shape)
    return data


# ----------------------------------------------------------------------------------------------
# the command's output
# ----------------------------------------------------------------------------------------------

def report(result: VerifyResult | StepsResult, fmt: str = "text", lang: str = "en") -> str:
    """What `symderiv verify` prints for a result in `fmt` (text, md or json); the worked truth in `lang`.
    Sums print as the function, the claim or the line wrote them (core/order.py)."""
    with writing(result.orders):
        return _report(result, fmt, lang)


def _report(result: VerifyResult | StepsResult, fmt: str, lang: str) -> str:
    if isinstance(result, StepsResult):
        if fmt == "json":
            return json.dumps(steps_json(result), ensure_ascii=False, indent=2) + "\n"
        return render_steps_md(result, lang) if fmt == "md" else render_steps_text(result, lang)
    if fmt == "json":
        return json.dumps(result_json(result), ensure_ascii=False, indent=2) + "\n"
    page = render_md(result, lang) if fmt == "md" else render_text(result, lang)
    return page + derivation_page(result, fmt, lang)

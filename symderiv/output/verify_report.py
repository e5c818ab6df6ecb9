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

from symderiv.check.results import Counterexample, Slip, StepsResult, VerifyResult
from symderiv.core.errors import SymderivError
from symderiv.output.printing import latex
from symderiv.output.slip_sentences import slip_words
from symderiv.output.verify_phrases import words

__all__ = ["counterexample_json", "explanation", "report", "result_json", "slip_words", "steps_json"]

# ----------------------------------------------------------------------------------------------
# verdicts, counterexamples
# ----------------------------------------------------------------------------------------------


def explanation(result: VerifyResult, style: str = "text", lang: str = "en") -> str:
    """The one sentence a learner reads first."""
    if result.verdict == "wrong":
        return slip_words(result.slip, style, lang) if result.slip else words("differs", lang)
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
# one claim
# ----------------------------------------------------------------------------------------------

def render_text(result: VerifyResult, lang: str = "en") -> str:
    """The verdict for a terminal."""
    lines = [words("verdict", lang, verdict=words(f"v_{result.verdict}", lang))]
    cx = result.counterexample
    if result.verdict == "wrong" and cx is not None:
        lines += _wrong_text(result, cx, words("claimed", lang, value=_claimed(cx, lang)), lang)
    else:
        lines.append(explanation(result, "text", lang))
    lines.append(words("true_derivative", lang, latex=latex(result.truth_display)))
    return "\n".join(lines) + "\n"


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
    else:
        lines += [explanation(result, "md", lang), ""]
    lines += [words("true_derivative_md", lang), "", "$$", latex(result.truth_display), "$$"]
    return "\n".join(lines) + "\n"


def _slip_md(slip: Slip | None, lang: str) -> str:
    return f"**{words('likely_slip', lang, kind=_kind(slip, lang))}**{words('slip_dash', lang)}" + \
        slip_words(slip, "md", lang)


def result_json(result: VerifyResult) -> dict:
    """The verdict as the JSON object `verify --format json` prints."""
    cx = result.counterexample
    return {
        "verdict": result.verdict,
        "slip": result.slip.kind if result.slip else None,
        "explanation": explanation(result),
        "counterexample": None if cx is None else counterexample_json(cx),
        "truth": {"latex": latex(result.truth_display), "sympy": sp.srepr(result.truth_display)},
    }


def _kind(slip: Slip | None, lang: str = "en") -> str:
    return words(f"kind_{slip.kind if slip is not None else 'unknown'}", lang)


def derivation_page(result: VerifyResult, fmt: str, lang: str = "en") -> str:
    """The true derivative worked step by step (the page `derive` prints), after a wrong verdict."""
    d = result.derivation
    if d is None or fmt == "json":
        return ""
    try:
        if fmt == "md":
            from symderiv.output.render import render
            return f"\n## {words('derived_md', lang)}\n\n" + render(d, "md", lang=lang)
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
    out.append(words("final_line", lang, answer=words("yes" if res.final_correct else "no", lang)))
    out.append(words("true_derivative", lang, latex=latex(res.truth_display)))
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
    out += [words("final_line_md", lang, answer=words("yes" if res.final_correct else "no", lang)), "",
            words("true_derivative_md", lang), "", "$$", latex(res.truth_display), "$$"]
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
    return data


# ----------------------------------------------------------------------------------------------
# the command's output
# ----------------------------------------------------------------------------------------------

def report(result: VerifyResult | StepsResult, fmt: str = "text", lang: str = "en") -> str:
    """What `symderiv verify` prints for a result in `fmt` (text, md or json); the worked truth in `lang`."""
    if isinstance(result, StepsResult):
        if fmt == "json":
            return json.dumps(steps_json(result), ensure_ascii=False, indent=2) + "\n"
        return render_steps_md(result, lang) if fmt == "md" else render_steps_text(result, lang)
    if fmt == "json":
        return json.dumps(result_json(result), ensure_ascii=False, indent=2) + "\n"
    page = render_md(result, lang) if fmt == "md" else render_text(result, lang)
    return page + derivation_page(result, fmt, lang)

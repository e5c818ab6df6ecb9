"""Printing verify's results as `symderiv verify` shows them: plain text, Markdown and JSON.

The check layer returns typed results (`symderiv.check.results`): slips hold SymPy expressions, a
counterexample holds numbers. Here a slip becomes its sentence by dispatch on its class
(`_print_ChainSlip`, as SymPy's printers do); a sentence is prose and formulas, and each formula
is printed once per style: LaTeX between `$…$` for Markdown (`printing.latex`), Unicode text for a
terminal (`printing.text`). Notation that no expression carries (σ'(z) = σ(z)(1 − σ(z))) is written
once per style (`Fixed`).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import mpmath
import sympy as sp

from symderiv.check import results as slips
from symderiv.check.results import Counterexample, Slip, StepsResult, VerifyResult
from symderiv.core.errors import SymderivError
from symderiv.output.printing import latex, text

# ----------------------------------------------------------------------------------------------
# formulas: pieces printed per style
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixed:
    """Notation written once per style: LaTeX and its plain-text reading."""

    tex: str
    txt: str


@dataclass(frozen=True)
class Sup:
    """An exponent: u^{p} in LaTeX; u^p in text (braced when longer than one character)."""

    expr: sp.Basic


@dataclass(frozen=True)
class Recip:
    """1/x: \\frac{1}{x} in LaTeX; 1/x in text, 1/(x + 1) when x is not one term."""

    expr: sp.Basic


@dataclass(frozen=True)
class Name:
    """An inner function's name: the user's intermediate (ŷ_i), else generated (z, u, z_{i,j})."""

    expr: sp.Basic
    named: bool


Part: TypeAlias = "str | Fixed | Sup | Recip | Name | sp.Basic"


@dataclass(frozen=True)
class Math:
    """One formula of a sentence ($…$ in Markdown)."""

    parts: tuple[Part, ...]


def M(*parts: Part) -> Math:
    return Math(parts)


Sentence: TypeAlias = "tuple[str | Math, ...]"

UNDEFINED_TEX = r"\text{undefined}"
LN10 = Fixed(r"\frac{1}{\ln 10}", "1/(ln 10)")
T = Fixed("^T", "ᵀ")


def _name_tex(name: Name) -> str:
    e = name.expr
    if name.named or not isinstance(e, sp.Indexed):
        return latex(e)
    return f"{e.base.label}_{{{','.join(latex(i) for i in e.indices)}}}"


def _name_txt(name: Name) -> str:
    e = name.expr
    if name.named or not isinstance(e, sp.Indexed) or len(e.indices) == 1:
        return text(e)
    return f"{e.base.label}_{{{','.join(text(i) for i in e.indices)}}}"


def _tex(part: Part) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, Fixed):
        return part.tex
    if isinstance(part, Sup):
        return f"{{{latex(part.expr)}}}"
    if isinstance(part, Recip):
        return rf"\frac{{1}}{{{latex(part.expr)}}}"
    if isinstance(part, Name):
        return _name_tex(part)
    return latex(part)


def _txt(part: Part) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, Fixed):
        return part.txt
    if isinstance(part, Sup):
        s = text(part.expr)
        return s if len(s) == 1 else f"{{{s}}}"
    if isinstance(part, Recip):
        s = text(part.expr)
        return f"1/({s})" if any(c in s for c in " +-") else f"1/{s}"
    if isinstance(part, Name):
        return _name_txt(part)
    return text(part)


_STYLES: dict[str, Callable[[Math], str]] = {
    "md": lambda m: "$" + "".join(_tex(p) for p in m.parts) + "$",
    "text": lambda m: "".join(_txt(p) for p in m.parts),
}


# ----------------------------------------------------------------------------------------------
# slips -> sentences
# ----------------------------------------------------------------------------------------------

class SlipPrinter:
    """A slip's sentence, by dispatch on its class along the MRO (`_print_<Class>`)."""

    def __init__(self, style: str = "text"):
        self.math = _STYLES[style]

    def doprint(self, slip: Slip) -> str:
        for cls in type(slip).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                sentence: Sentence = method(slip)
                return "".join(p if isinstance(p, str) else self.math(p) for p in sentence)
        raise TypeError(f"no sentence for {type(slip).__name__}")

    def _print_Slip(self, slip: Slip) -> Sentence:
        return ("the claim matches none of the common slips; compare it with the true derivative below",)

    def _print_QuotientSlip(self, s: slips.QuotientSlip) -> Sentence:
        return ("the numerator of the quotient rule is swapped: for ", M(s.quotient), " it is ", M("u'v - uv'"),
                " with ", M("u = ", s.numerator), ", ", M("v = ", s.denominator), ", not ", M("uv' - u'v"))

    def _print_SignSlip(self, s: slips.SignSlip) -> Sentence:
        return ("the sign is flipped: your result is minus the true derivative "
                "(check the minus signs of the loss and of each chain factor)",)

    def _print_NaturalLogSlip(self, s: slips.NaturalLogSlip) -> Sentence:
        return ("log is the natural logarithm here (ML convention): ",
                M(Fixed(r"\frac{d}{du}\log u = \frac{1}{u}", "d/dulog u = 1/u")),
                ", without the factor ", M(LN10), " of a base-10 logarithm")

    def _print_Base10LogSlip(self, s: slips.Base10LogSlip) -> Sentence:
        return ("this logarithm has base 10: ",
                M(Fixed(r"\frac{d}{du}\log_{10} u = \frac{1}{u \ln 10}", "d/dulog_{10} u = 1/(u ln 10)")),
                "; the factor ", M(LN10), " is missing")

    def _print_StrayLn10Slip(self, s: slips.StrayLn10Slip) -> Sentence:
        return ("a stray factor ", M(LN10), ": log here is natural, not base 10")

    def _print_MissingLn10Slip(self, s: slips.MissingLn10Slip) -> Sentence:
        return ("a missing factor ", M(LN10), " of a base-10 log")

    def _print_LogInnerSlip(self, s: slips.LogInnerSlip) -> Sentence:
        return (M(Fixed(r"\frac{d}{dx}\log u = \frac{u'}{u}", "d/dxlog u = u'/u")), ": with ", M("u = ", s.inner),
                " you are missing the inner derivative ", _partial(s), " ", M("= ", s.factor))

    def _print_SigmoidSlip(self, s: slips.SigmoidSlip) -> Sentence:
        return ("the derivative of the sigmoid is ",
                M(Fixed(r"\sigma'(z) = \sigma(z)(1 - \sigma(z))", "σ'(z) = σ(z)(1 - σ(z))")),
                ", not ", M(Fixed(r"\sigma(z)", "σ(z)")))

    def _print_ChainSlip(self, s: slips.ChainSlip) -> Sentence:
        return ("you are missing the factor ", _partial(s), " ", M("= ", s.factor), " from the chain rule",
                *_where(s))

    def _print_TransposeSlip(self, s: slips.TransposeSlip) -> Sentence:
        a = s.matrix
        return (M(a), " appears transposed: swap its indices (use ", M(a, T), " where you wrote ", M(a), ")")

    def _print_SymmetricSlip(self, s: slips.SymmetricSlip) -> Sentence:
        a, theta = s.matrix, Fixed(r"\theta", "θ")
        return ("you treated ", M(a), " as symmetric: ",
                M(Fixed(r"\frac{\partial}{\partial \theta} \theta^T ", "∂/∂θ θᵀ "), a, " ", theta, " = (", a, " + ",
                  a, T, ")", theta),
                ", which is ", M("2", a, theta), " only when ", M(a, T, " = ", a))

    def _print_SumSlip(self, s: slips.SumSlip) -> Sentence:
        limits = M(Fixed(r"\sum_{", "Σ_{"), s.index, "=", s.lower, "}^", Sup(s.upper))
        return ("the sum ", limits, " was dropped: your result is one summand; the derivative of a sum over "
                "samples is the sum of the summands' derivatives")

    def _print_PowerSlip(self, s: slips.PowerSlip) -> Sentence:
        p = s.exponent
        return ("power rule: ", M(Fixed(r"\frac{d}{du} u^", "d/du u^"), Sup(p), " = ", p, " u^", Sup(p - 1)),
                " (exponent lowered by one), you used the exponent ", M(s.used), " (with ", M("u = ", s.inner), ")")

    def _print_ProductSlip(self, s: slips.ProductSlip) -> Sentence:
        return ("product rule: in ", M(s.product), " the term with the derivative of ", M(s.factor), " (",
                M("= ", s.derivative), ") is missing; ", M("(uv)' = u'v + uv'"))

    def _print_ConstantFactorSlip(self, s: slips.ConstantFactorSlip) -> Sentence:
        c = s.ratio
        if not isinstance(c, sp.Rational):
            return (f"your result is {mpmath.nstr(c, 6)} times the true derivative: a constant factor is off",)
        if c.p == 1:
            den = sp.Integer(c.q)
            return ("your result is ", M(c), " of the true derivative: you are missing a factor ", M(den),
                    " (e.g. the ", M(den), " that comes down from a power)")
        if c.q == 1:
            return ("your result is ", M(c), " times the true derivative: a factor ", M(c), " too many (e.g. a ",
                    M(Recip(c)), " in front of the loss was dropped)")
        return ("your result is ", M(c), " times the true derivative: a constant factor is off")

    def _print_SizeFactorSlip(self, s: slips.SizeFactorSlip) -> Sentence:
        n = s.size
        if s.power == 1:
            return ("your result is ", M(n), " times the true derivative: the factor ", M(Recip(n)),
                    " of the mean was dropped")
        return ("your result is the true derivative divided by ", M(n), ": a factor ", M(Recip(n)), " too many")


def _partial(s: slips.InnerSlip) -> Math:
    """∂u/∂x with the inner function's name."""
    return M(Fixed(r"\frac{\partial ", "∂"), Name(s.name, s.named), Fixed(r"}{\partial ", "/∂"), s.var,
             Fixed("}", ""))


def _where(s: slips.InnerSlip) -> Sentence:
    """ (z_{i} = θ^T x_i): said when the name is one of ours (or reads like one)."""
    name = Name(s.name, s.named)
    if _name_tex(name).startswith(("z", "u")):
        return (" (", M(name, " = ", s.inner), ")")
    return ()


def slip_words(slip: Slip | None, style: str = "text") -> str:
    """The sentence of a slip: plain text for a terminal, or Markdown with $…$ math."""
    return "" if slip is None else SlipPrinter(style).doprint(slip)


# ----------------------------------------------------------------------------------------------
# verdicts, counterexamples
# ----------------------------------------------------------------------------------------------

_PROVED = {"text": {"structural": "it is the true derivative written the same way",
                    "cancel": "claim − truth cancels to 0",
                    "simplify": "simplify(claim − truth) = 0"},
           "md": {"structural": "it is the true derivative written the same way",
                  "cancel": r"$\text{claim} - \text{truth}$ cancels to 0",
                  "simplify": r"simplify($\text{claim} - \text{truth}$) = 0"}}


def explanation(result: VerifyResult, style: str = "text") -> str:
    """The one sentence a learner reads first."""
    if result.verdict == "wrong":
        return slip_words(result.slip, style) if result.slip else "the claim differs from the true derivative"
    if result.verdict == "correct":
        how = _PROVED[style].get(result.method, result.method)
        return f"proved: {how}; also equal at {result.points} random points"
    return (f"equal at all {result.points} tested points (max difference "
            f"{result.max_difference:.1e}), but no symbolic proof within the time limit")


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


def _point_text(cx: Counterexample) -> str:
    return ", ".join(f"{_name(k)} = {_value(v)}" for k, v in cx.point)


def _point_md(cx: Counterexample) -> str:
    return ", ".join(f"${_name_md(k)} = {_value(v)}$" for k, v in cx.point)


def _decimal(v: sp.Float) -> str:
    return mpmath.nstr(v, 8)


def _claimed(cx: Counterexample, undefined: str) -> str:
    return undefined if cx.claimed is None else _decimal(cx.claimed)


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

def render_text(result: VerifyResult) -> str:
    """The verdict for a terminal."""
    lines = [f"verdict: {result.verdict}"]
    cx = result.counterexample
    if result.verdict == "wrong" and cx is not None:
        lines.append(f"likely slip: {_kind(result.slip)} — {slip_words(result.slip)}")
        lines.append(f"counterexample: {_point_text(cx)}")
        lines.append(f"  claimed: {_claimed(cx, 'undefined')}")
        lines.append(f"  true:    {_decimal(cx.true)}")
    else:
        lines.append(explanation(result))
    lines.append(f"true derivative: {latex(result.truth_display)}")
    return "\n".join(lines) + "\n"


def render_md(result: VerifyResult) -> str:
    """The verdict as Markdown."""
    lines = [f"**verdict: {result.verdict}**", ""]
    cx = result.counterexample
    if result.verdict == "wrong" and cx is not None:
        lines += [f"**likely slip: {_kind(result.slip)}** — {slip_words(result.slip, 'md')}", "",
                  f"Counterexample: at {_point_md(cx)} the claim gives ${_claimed(cx, UNDEFINED_TEX)}$, "
                  f"the true derivative ${_decimal(cx.true)}$.", ""]
    else:
        lines += [explanation(result, "md"), ""]
    lines += ["True derivative:", "", "$$", latex(result.truth_display), "$$"]
    return "\n".join(lines) + "\n"


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


def _kind(slip: Slip | None) -> str:
    return slip.kind if slip is not None else "unknown"


def derivation_page(result: VerifyResult, fmt: str, lang: str = "en") -> str:
    """The true derivative worked step by step (the page `derive` prints), after a wrong verdict."""
    d = result.derivation
    if d is None or fmt == "json":
        return ""
    try:
        if fmt == "md":
            from symderiv.output.render import render
            return "\n## How the true derivative is derived\n\n" + render(d, "md", lang=lang)
        from symderiv.output.text import derivation_text
        return "\nhow the true derivative is derived:\n" + derivation_text(d, lang)
    except SymderivError:
        return ""


# ----------------------------------------------------------------------------------------------
# a whole derivation
# ----------------------------------------------------------------------------------------------

def render_steps_text(res: StepsResult) -> str:
    """Each line marked ✓/✗, the first wrong line, its slip and counterexample."""
    out = [f"line {line.n} {'✓' if line.ok else '✗'}  {line.latex}" for line in res.lines]
    bad = res.first_wrong
    out.append(f"first wrong line: {bad.n if bad else 'none'}")
    cx = bad.result.counterexample if bad is not None and bad.result else None
    if bad is not None and bad.result and cx is not None:
        out.append(f"likely slip: {_kind(bad.result.slip)} — {slip_words(bad.result.slip)}")
        out.append(f"counterexample: {_point_text(cx)}")
        out.append(f"  line {bad.n}: {_claimed(cx, 'undefined')}")
        out.append(f"  true:    {_decimal(cx.true)}")
    out.append(f"final line is the derivative: {'yes' if res.final_correct else 'no'}")
    out.append(f"true derivative: {latex(res.truth_display)}")
    return "\n".join(out) + "\n"


def render_steps_md(res: StepsResult) -> str:
    """The derivation's lines as a Markdown table, then the first wrong line and the truth."""
    out = ["| line | | expression |", "| --- | --- | --- |"]
    out += [f"| {line.n} | {'✓' if line.ok else '✗'} | ${line.latex}$ |" for line in res.lines]
    bad = res.first_wrong
    out += ["", f"**first wrong line: {bad.n if bad else 'none'}**", ""]
    cx = bad.result.counterexample if bad is not None and bad.result else None
    if bad is not None and bad.result and cx is not None:
        out += [f"**likely slip: {_kind(bad.result.slip)}** — {slip_words(bad.result.slip, 'md')}", "",
                f"Counterexample: at {_point_md(cx)} line {bad.n} gives ${_claimed(cx, UNDEFINED_TEX)}$, "
                f"the true derivative ${_decimal(cx.true)}$.", ""]
    out += [f"Final line is the derivative: **{'yes' if res.final_correct else 'no'}**", "",
            "True derivative:", "", "$$", latex(res.truth_display), "$$"]
    return "\n".join(out) + "\n"


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
        return render_steps_md(result) if fmt == "md" else render_steps_text(result)
    if fmt == "json":
        return json.dumps(result_json(result), ensure_ascii=False, indent=2) + "\n"
    page = render_md(result) if fmt == "md" else render_text(result)
    return page + derivation_page(result, fmt, lang)

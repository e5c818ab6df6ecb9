"""A slip of `symderiv verify` in words: one sentence per slip class, in English or Chinese.

The check layer returns typed slips (`symderiv.check.results`) holding SymPy expressions. Here a slip
becomes its sentence by dispatch on its class (`_print_ChainSlip`, as SymPy's printers do): the
method names the sentence's key in the catalogue (symderiv.output.verify_phrases) and the formulas
that fill it. Each formula is printed once per style: LaTeX between `$…$` for Markdown
(`printing.latex`), Unicode text for a terminal (`printing.text`). Notation that no expression
carries (σ'(z) = σ(z)(1 − σ(z))) is written once per style (`Fixed`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

import mpmath
import sympy as sp

from symderiv.check import results as slips
from symderiv.check.results import Slip
from symderiv.output.printing import latex, text
from symderiv.output.verify_phrases import words

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


@dataclass(frozen=True)
class Sentence:
    """A catalogue key and the values that fill it: formulas, plain words, or a nested sentence."""

    key: str
    values: Mapping[str, str | Math | Sentence]


def S(key: str, **values: str | Math | Sentence) -> Sentence:
    return Sentence(key, values)


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
    """A slip's sentence in `lang`, by dispatch on its class along the MRO (`_print_<Class>`)."""

    def __init__(self, style: str = "text", lang: str = "en"):
        self.math = _STYLES[style]
        self.lang = lang

    def doprint(self, slip: Slip) -> str:
        for cls in type(slip).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return self.say(method(slip))
        raise TypeError(f"no sentence for {type(slip).__name__}")

    def say(self, sentence: Sentence) -> str:
        """The sentence's words in this printer's language, its formulas in this printer's style."""
        values = {k: v if isinstance(v, str) else self.math(v) if isinstance(v, Math) else self.say(v)
                  for k, v in sentence.values.items()}
        return words(sentence.key, self.lang, **values)

    def _print_Slip(self, slip: Slip) -> Sentence:
        return S("slip_unknown")

    def _print_QuotientSlip(self, s: slips.QuotientSlip) -> Sentence:
        return S("slip_quotient", quotient=M(s.quotient), right=M("u'v - uv'"), u=M("u = ", s.numerator),
                 v=M("v = ", s.denominator), wrong=M("uv' - u'v"))

    def _print_SignSlip(self, s: slips.SignSlip) -> Sentence:
        return S("slip_sign")

    def _print_NaturalLogSlip(self, s: slips.NaturalLogSlip) -> Sentence:
        return S("slip_natural_log", identity=M(Fixed(r"\frac{d}{du}\log u = \frac{1}{u}", "d/dulog u = 1/u")),
                 ln10=M(LN10))

    def _print_Base10LogSlip(self, s: slips.Base10LogSlip) -> Sentence:
        identity = Fixed(r"\frac{d}{du}\log_{10} u = \frac{1}{u \ln 10}", "d/dulog_{10} u = 1/(u ln 10)")
        return S("slip_base10_log", identity=M(identity), ln10=M(LN10))

    def _print_StrayLn10Slip(self, s: slips.StrayLn10Slip) -> Sentence:
        return S("slip_stray_ln10", ln10=M(LN10))

    def _print_MissingLn10Slip(self, s: slips.MissingLn10Slip) -> Sentence:
        return S("slip_missing_ln10", ln10=M(LN10))

    def _print_LogInnerSlip(self, s: slips.LogInnerSlip) -> Sentence:
        return S("slip_log_inner", identity=M(Fixed(r"\frac{d}{dx}\log u = \frac{u'}{u}", "d/dxlog u = u'/u")),
                 u=M("u = ", s.inner), partial=_partial(s), factor=M("= ", s.factor))

    def _print_SigmoidSlip(self, s: slips.SigmoidSlip) -> Sentence:
        return S("slip_sigmoid", right=M(Fixed(r"\sigma'(z) = \sigma(z)(1 - \sigma(z))", "σ'(z) = σ(z)(1 - σ(z))")),
                 wrong=M(Fixed(r"\sigma(z)", "σ(z)")))

    def _print_ChainSlip(self, s: slips.ChainSlip) -> Sentence:
        return S("slip_chain", partial=_partial(s), factor=M("= ", s.factor), where=_where(s))

    def _print_TransposeSlip(self, s: slips.TransposeSlip) -> Sentence:
        if s.gradient:
            return self._transposed_gradient(s)
        return S("slip_transpose", a=M(s.matrix), at=M(s.matrix, T))

    def _print_SymmetricSlip(self, s: slips.SymmetricSlip) -> Sentence:
        a = s.matrix
        condition = M(a, T, " = ", a)
        size = s.size if s.size is not None else sp.Symbol("d")
        declaration = M(a, Fixed(r" \in \mathbb{S}^{", " ∈ 𝕊^"), size, Fixed("}", ""))
        if s.general is not None:
            return S("slip_symmetric", a=M(a), condition=condition, general=M(s.general), declaration=declaration)
        return S("slip_symmetric_plain", a=M(a), condition=condition, declaration=declaration)

    def _transposed_gradient(self, s: slips.TransposeSlip) -> Sentence:
        """∂f/∂X written transposed (X⁻¹ for X⁻ᵀ), and whether it is right for a symmetric X."""
        x = s.matrix
        partial = M(Fixed(r"\frac{\partial f}{\partial ", "∂f/∂"), x, Fixed("}", ""))
        entry = M(Fixed(r"\frac{\partial f}{\partial ", "∂f/∂"), x, Fixed("_{kj}}", "_kj"))
        symmetric: Sentence | str = ""
        if s.symmetric:
            symmetric = S("slip_transposed_symmetric", x=M(x), condition=M(x, T, " = ", x))
        return S("slip_transposed_gradient", partial=partial, entry=entry, x=M(x), symmetric=symmetric)

    def _print_SumSlip(self, s: slips.SumSlip) -> Sentence:
        return S("slip_sum", sum=M(Fixed(r"\sum_{", "Σ_{"), s.index, "=", s.lower, "}^", Sup(s.upper)))

    def _print_PowerSlip(self, s: slips.PowerSlip) -> Sentence:
        p = s.exponent
        return S("slip_power", identity=M(Fixed(r"\frac{d}{du} u^", "d/du u^"), Sup(p), " = ", p, " u^", Sup(p - 1)),
                 used=M(s.used), u=M("u = ", s.inner))

    def _print_ProductSlip(self, s: slips.ProductSlip) -> Sentence:
        return S("slip_product", product=M(s.product), factor=M(s.factor), derivative=M("= ", s.derivative),
                 rule=M("(uv)' = u'v + uv'"))

    def _print_ConstantFactorSlip(self, s: slips.ConstantFactorSlip) -> Sentence:
        c = s.ratio
        if not isinstance(c, sp.Rational):
            return S("slip_factor_off", ratio=mpmath.nstr(c, 6))
        if c.p == 1:
            return S("slip_factor_missing", ratio=M(c), n=M(sp.Integer(c.q)))
        if c.q == 1:
            return S("slip_factor_extra", ratio=M(c), reciprocal=M(Recip(c)))
        return S("slip_factor_off", ratio=M(c))

    def _print_SizeFactorSlip(self, s: slips.SizeFactorSlip) -> Sentence:
        key = "slip_mean_dropped" if s.power == 1 else "slip_mean_extra"
        return S(key, n=M(s.size), reciprocal=M(Recip(s.size)))


def _partial(s: slips.InnerSlip) -> Math:
    """∂u/∂x with the inner function's name."""
    return M(Fixed(r"\frac{\partial ", "∂"), Name(s.name, s.named), Fixed(r"}{\partial ", "/∂"), s.var,
             Fixed("}", ""))


def _where(s: slips.InnerSlip) -> Sentence | str:
    """ (z_{i} = θ^T x_i): said when the name is one of ours (or reads like one)."""
    name = Name(s.name, s.named)
    if _name_tex(name).startswith(("z", "u")):
        return S("slip_where", definition=M(name, " = ", s.inner))
    return ""


def slip_words(slip: Slip | None, style: str = "text", lang: str = "en") -> str:
    """The sentence of a slip in `lang`: plain text for a terminal, or Markdown with $…$ math."""
    return "" if slip is None else SlipPrinter(style, lang).doprint(slip)

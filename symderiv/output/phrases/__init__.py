"""One phrase catalogue per language (`en.py`, `zh.py`) and one lookup: `phrase(key, lang, **values)`.

A sentence writes its math between `$…$` with `{placeholders}`. The LaTeX formats (md, tex and the
JSON notes) take it as it is; the plain-text page takes it without the `$` (`text_phrase`), its
values printed by the Unicode printer. The few identities a rule's sentence quotes (d/du e^u = e^u, …)
are kept once, in both spellings, in IDENTITIES; an ML function's identity comes from its registry
entry instead.
"""
from __future__ import annotations

import locale
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from symderiv.output.phrases import en, zh


@cache
def catalogues() -> dict[str, dict[str, str]]:
    """Every sentence by language, made on first use: the parser's own sentences for its judgment calls
    (parsing/reading_phrases.py) come with SymPy, which `default_language` and `--help` do without."""
    from symderiv.parsing.reading_phrases import READINGS

    def readings(lang: str) -> dict[str, str]:
        return {f"reading_{key}": sentence for key, sentence in READINGS[lang].items()}

    return {"en": {**en.RULES, **en.PAGE, **readings("en")}, "zh": {**zh.RULES, **zh.PAGE, **readings("zh")}}


def __getattr__(name: str) -> Any:
    # CATALOGUES, as it was before it was made lazily (PEP 562)
    if name == "CATALOGUES":
        return catalogues()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Identity:
    """A derivative identity a rule's sentence quotes, as LaTeX and as plain text."""

    latex: str
    text: str


IDENTITIES: dict[str, Identity] = {
    "sqrt": Identity(r"\frac{d}{du}\sqrt{u} = \frac{1}{2\sqrt{u}}", "d/du √u = 1/(2√u)"),
    "quotient": Identity("(f/g)' = (f'g - fg')/g^2", "(f/g)' = (f'g - fg')/g^2"),
    "exp": Identity(r"\frac{d}{du} e^u = e^u", "d/du e^u = e^u"),
    "exponential": Identity(r"\frac{d}{du} a^u = a^u \ln a", "d/du a^u = a^u ln a"),
    "log": Identity(r"\frac{d}{du} \log u = \frac{1}{u}", "d/du log u = 1/u"),
    "hyperbolic": Identity(r"\frac{d}{du}\tanh u = 1 - \tanh^2 u", "d/du tanh u = 1 - tanh^2 u"),
    "determinant": Identity(r"\frac{\partial \det X}{\partial X_{kj}} = \det(X)\,(X^{-1})_{jk}",
                            "∂ det X/∂X_kj = det(X)·(X⁻¹)_jk"),
    "inverse_entry": Identity(r"d(X^{-1}) = -X^{-1}\,dX\,X^{-1} \;\Rightarrow\; "
                              r"\frac{\partial (X^{-1})_{ab}}{\partial X_{kj}} = -(X^{-1})_{ak}(X^{-1})_{jb}",
                              "d(X⁻¹) = -X⁻¹·dX·X⁻¹ ⇒ ∂(X⁻¹)_ab/∂X_kj = -(X⁻¹)_ak·(X⁻¹)_jb"),
    "determinant_chain": Identity(r"\frac{\partial \det M}{\partial X_{kj}} = \det(M) \sum_{a,b} (M^{-1})_{ba}\,"
                                  r"\frac{\partial M_{ab}}{\partial X_{kj}}",
                                  "∂ det M/∂X_kj = det(M)·Σ_ab (M⁻¹)_ba·∂M_ab/∂X_kj"),
    "inverse_chain": Identity(r"\frac{\partial (M^{-1})_{pq}}{\partial X_{kj}} = -\sum_{a,b} (M^{-1})_{pa}\,"
                              r"\frac{\partial M_{ab}}{\partial X_{kj}}\,(M^{-1})_{bq}",
                              "∂(M⁻¹)_pq/∂X_kj = -Σ_ab (M⁻¹)_pa·∂M_ab/∂X_kj·(M⁻¹)_bq"),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def phrase(key: str, lang: str = "en", **values: object) -> str:
    """The sentence for `key` in `lang` with its values filled in (math as LaTeX between `$…$`).

    A key missing in `lang` is taken in English; an unknown key gives the fallback sentence.
    """
    return _fill(_template(key, lang), _with_identity(key, values, "latex"))


def text_phrase(key: str, lang: str = "en", **values: object) -> str:
    """The same sentence for the plain-text page: no `$`, the identity in plain text (the caller
    prints the values with the Unicode printer)."""
    return _fill(_template(key, lang).replace("$", ""), _with_identity(key, values, "text"))


def _template(key: str, lang: str) -> str:
    own, english = catalogues().get(lang, {}), catalogues()["en"]
    if key not in own and key not in english:
        key = "fallback"
    return own.get(key) or english[key]


def _with_identity(key: str, values: dict[str, object], spelling: str) -> dict[str, object]:
    identity = IDENTITIES.get(key)
    if identity is None or "identity" in values:
        return values
    return {**values, "identity": getattr(identity, spelling)}


def _fill(template: str, values: dict[str, object]) -> str:
    # one pass: a value's own braces (\sqrt{u}) are never taken for a placeholder ({u})
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def reading_sentence(note: str, lang: str = "en", plain: bool = False) -> str:
    """A note of the parser's in the page's language, its math typeset (`plain`: the text page);
    a note said without a key stays as it is."""
    from symderiv.core.problem import Reading  # SymPy's: loaded by then, never by `default_language`

    if isinstance(note, Reading) and note.key:
        say = text_phrase if plain else phrase
        return say(f"reading_{note.key}", lang, **note.spelled("text" if plain else "latex"))
    return note


def default_language() -> str:
    """`zh` when the locale is Chinese, else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "zh" if loc.lower().startswith("zh") else "en"

"""One entry for every format of the worked solution: `page(derivation, fmt, lang)`.

md and tex go through the templates (symderiv.output.render, with its options: template_dir,
fragment, math_only, embedded, heading_level); text is the plain-text page; json the contract's
object, as `symderiv derive --format json` prints it.
"""
from __future__ import annotations

import json
from typing import Any

from symderiv.calculus.results import Derivation
from symderiv.core.errors import SymderivError
from symderiv.output.json import derivation_json
from symderiv.output.text import derivation_text

FORMATS = ("md", "tex", "text", "json")


def page(derivation: Derivation, fmt: str = "md", lang: str = "en", **options: Any) -> str:
    """The worked solution of `derivation` in `fmt` (md, tex, text or json) and `lang` (en, zh)."""
    if fmt in ("text", "json") and options:
        raise SymderivError(f"{', '.join(sorted(options))}: only for the md and tex pages")
    if fmt == "json":
        return json.dumps(derivation_json(derivation), ensure_ascii=False, indent=1) + "\n"
    if fmt == "text":
        return derivation_text(derivation, lang)
    if fmt not in FORMATS:
        raise SymderivError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    from symderiv.output.render import render  # the templated pages: Jinja2 only for md and tex

    return render(derivation, fmt, lang=lang, **options)

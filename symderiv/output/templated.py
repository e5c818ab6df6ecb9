"""What the Markdown and LaTeX page printers share: a page model printed through Jinja2 templates.

One template per page (`page.md.j2`, `page.tex.j2`; `math.*.j2` for the results alone) and one per
rule key (`rules/chain.md.j2`, falling back to `rules/default.md.j2`), found by
symderiv.output.templating: a user's `--template DIR` first, then the package's own.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import jinja2

from symderiv.calculus.results import Derivation
from symderiv.core.order import writing
from symderiv.output.page import Page, StepItem, page_model
from symderiv.output.phrases import phrase
from symderiv.output.speech import speaking
from symderiv.output.templating import environment

LANGUAGES = ("en", "zh")


class TemplatePhrases:
    """`t('key', n=3)` in templates; `t.key` for phrases without values."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        return phrase(key, self.lang, **values)

    def __getattr__(self, key: str) -> str:
        return phrase(key, self.lang)


class PagePrinter:
    """Derivation -> a worked page in one format (`fmt`), with the settings in one place.

    `fragment`: LaTeX body only (no preamble). `math_only`: only the results as one LaTeX
    `aligned` block (for Jupyter's `_repr_latex_`). `embedded`: no headings (for notes).
    """

    fmt: ClassVar[str] = ""

    def __init__(self, lang: str = "en", template_dir: str | Path | None = None, fragment: bool = False,
                 math_only: bool = False, embedded: bool = False, heading_level: int = 1):
        self.lang = lang if lang in LANGUAGES else "en"
        self.template_dir = str(template_dir) if template_dir else None
        self.fragment = fragment
        self.math_only = math_only
        self.embedded = embedded
        self.heading_level = heading_level

    def heading(self, text: str, depth: int = 0) -> str:
        """A heading `depth` levels below the page's own."""
        raise NotImplementedError

    def doprint(self, derivation: Derivation) -> str:
        with speaking(self.lang), writing(derivation.orders):
            return self._doprint(derivation)

    def _doprint(self, derivation: Derivation) -> str:
        env = environment(self.fmt, self.template_dir)
        model = page_model(derivation, self.lang)
        t = TemplatePhrases(self.lang)
        if self.math_only:
            return str(env.get_template(f"math.{self.fmt}.j2").render(page=model, t=t)).strip()
        model.steps_text = {id(sec): [self.step(env, s, model) for s in sec.steps]
                            for sec in model.sections + model.hessian_entries}
        out = env.get_template(f"page.{self.fmt}.j2").render(
            page=model, t=t, fragment=self.fragment, embedded=self.embedded, h=self.heading, lang=self.lang)
        return _tidy(out)

    def step(self, env: jinja2.Environment, step: StepItem, model: Page) -> str:
        """One step through its rule's template (`rules/<key>.<fmt>.j2`), else the default one."""
        try:
            tpl = env.get_template(f"rules/{step.rule}.{self.fmt}.j2")
        except jinja2.TemplateNotFound:
            tpl = env.get_template(f"rules/default.{self.fmt}.j2")
        return str(tpl.render(step=step, t=TemplatePhrases(self.lang), page=model)).strip("\n")


def _tidy(out: str) -> str:
    out = re.sub(r"[ \t]+\n", "\n", out)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip("\n") + "\n"

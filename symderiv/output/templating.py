"""The one place templates are found and Jinja2 environments are made (pages, steps, analyses).

Templates live in `symderiv/output/templates/` (shipped in the wheel): `page.*.j2`, `rules/*.j2` for
steps and `analyze/*.j2`. A user's `--template DIR` is searched first and falls back to ours.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from symderiv.core.errors import SymderivError

TEMPLATES = Path(__file__).resolve().parent / "templates"


def template_dirs(user_dir: str | None = None) -> list[Path]:
    """Where templates are looked up: the user's folder, the installed package, the repository."""
    dirs = []
    if user_dir:
        p = Path(user_dir)
        if not p.is_dir():
            raise SymderivError(f"the template folder {user_dir} does not exist")
        dirs.append(p)
    if (TEMPLATES / "page.md.j2").exists():
        dirs.append(TEMPLATES)
    if not dirs or (user_dir and len(dirs) == 1 and not (dirs[0] / "page.md.j2").exists()):
        raise SymderivError("the page templates are missing (neither symderiv/templates nor templates/ found)")
    return dirs


@lru_cache(maxsize=16)
def environment(fmt: str, user_dir: str | None = None) -> jinja2.Environment:
    """The environment for `fmt` (tex uses ((* *)) delimiters, as nbconvert does), cached."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs(user_dir)])
    common: dict[str, Any] = dict(loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True,
                  lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    filters = {"id": id, "paren": paren, "join_terms": join_terms}
    if fmt == "tex":
        # LaTeX is full of braces: the nbconvert convention ((* block *)), ((( var ))), ((= comment =))
        env = jinja2.Environment(block_start_string="((*", block_end_string="*))",
                                 variable_start_string="(((", variable_end_string=")))",
                                 comment_start_string="((=", comment_end_string="=))", **common)
        env.filters["text"] = tex_text
        env.filters["inline"] = lambda s: f"${s}$"
    else:
        env = jinja2.Environment(**common)
        env.filters["text"] = lambda s: s
        env.filters["inline"] = lambda s: f"${s}$"
    env.filters.update(filters)
    return env


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex_text(s: str) -> str:
    """Escape the text parts of a phrase for LaTeX; `$…$` math is kept as it is."""
    parts = str(s).split("$")
    for n in range(0, len(parts), 2):
        parts[n] = "".join(_TEX_SPECIAL.get(c, c) for c in parts[n])
    return "$".join(parts)



def paren(tex: str) -> str:
    """Parenthesize a sum or difference (for a factor in a product)."""
    depth, top = 0, False
    for n, c in enumerate(tex):
        if c in "{(":
            depth += 1
        elif c in "})":
            depth -= 1
        elif c in "+-" and depth == 0 and n > 0:
            top = True
    if tex.startswith(r"\left(") and tex.endswith(r"\right)") and not top:
        return tex
    return rf"\left({tex}\right)" if top or tex.startswith("-") else tex


def join_terms(terms: Iterable[str]) -> str:
    """t1 + t2 - t3 from the terms' LaTeX (a leading minus becomes the operator)."""
    out = ""
    for n, t in enumerate(terms):
        t = t.strip()
        if n == 0:
            out = t
        elif t.startswith("-"):
            out += " - " + t[1:].strip()
        else:
            out += " + " + t
    return out

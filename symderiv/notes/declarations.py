"""Formulas of a note that only declare shapes: `$W \\in \\mathbb{R}^{k \\times d}$`, `$A \\in \\mathbb{S}^{d}$`,
"where $W ∈ ℝ^{k×d}$", `$A = A^T$`.

Such a formula is not worked on its own: it is passed as a `where` item to the formulas that use
its names (as the definitions written under a loss are), the nearest one after the formula first,
else the nearest before it. A declaration that does not fit a formula (`X \\in \\mathbb{R}^{n \\times d}`
above `\\log\\det X`, which needs a square X) is left out of that formula, and its worked block says
so. The closing list of the note gives each declaration with the lines of the formulas that used it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp

from symderiv.core.errors import SymderivError, TimeLimitError
from symderiv.notes.phrases import note_phrase
from symderiv.notes.writing import line_ref
from symderiv.output.phrases import phrase

if TYPE_CHECKING:
    from symderiv.core.problem import Problem
    from symderiv.notes.reading import Formula

NEARBY_LINES = 15          # a definition or declaration this close under a formula belongs to it
Where = list[tuple[str, "Formula"]]     # [(LaTeX of the `where` item, the note's formula it comes from)]


@dataclass(frozen=True)
class Declared:
    """What a declaration formula declares: the names it gives a shape to."""

    names: tuple[str, ...]


def nearest(f: Formula, candidates: list[Formula]) -> Formula | None:
    """The candidate that belongs to `f`: the first after it within NEARBY_LINES (the lines under
    a loss), else the last before it, else the first after it."""
    after = [c for c in candidates if c.start > f.start]
    before = [c for c in candidates if c.start < f.start]
    if after and after[0].line - f.line <= NEARBY_LINES:
        return after[0]
    return before[-1] if before else (after[0] if after else None)


@dataclass
class Declarations:
    """The note's declarations, and the lines of the formulas that used each (by its offset)."""

    found: list[tuple[Formula, Declared]]
    lang: str
    users: dict[int, list[int]] = field(default_factory=dict)

    def __contains__(self, f: Formula) -> bool:
        return any(df is f for df, _ in self.found)

    def for_names(self, f: Formula, names: set[str]) -> Where:
        """The declarations of `names` that belong to `f`, one formula at most once, in note order."""
        chosen: list[Formula] = []
        for name in sorted(names):
            df = nearest(f, [df for df, decl in self.found if name in decl.names and df is not f])
            if df is not None and all(df is not other for other in chosen):
                chosen.append(df)
        return [(df.tex, df) for df in sorted(chosen, key=lambda df: df.start)]

    def parse_with(self, tex: str, where: Where) -> tuple[Problem, Where, list[str]]:
        """`tex` read with its `where` items: (problem, the items used, a sentence per declaration
        left out because it does not fit)."""
        from symderiv.parsing.parser import parse

        try:
            return parse(tex, [w for w, _ in where]), where, []
        except TimeLimitError:
            raise
        except SymderivError:
            if not any(df in self for _, df in where):
                raise
        kept = [(w, df) for w, df in where if df not in self]
        said = []
        for w, df in where:
            if df not in self:
                continue
            try:
                parse(tex, [x for x, _ in kept] + [w])
            except TimeLimitError:
                raise
            except SymderivError as exc:
                said.append(note_phrase("declaration_not_used", self.lang, declaration=df.tex,
                                        line=phrase("line", self.lang, n=line_ref(df.line)), error=_reason(exc)))
                continue
            kept.append((w, df))
        kept.sort(key=lambda item: item[1].start)
        return parse(tex, [w for w, _ in kept]), kept, said

    def used(self, line: int, where: Where) -> None:
        """The formula on `line` was worked with these `where` items."""
        for _, df in where:
            if df in self:
                self.users.setdefault(df.start, []).append(line)

    def sources(self, where: Where) -> str:
        """The sentence(s) naming the lines the `where` items come from: definitions, then declarations."""
        said = []
        for key, items in (("definitions_from_note", [df for _, df in where if df not in self]),
                           ("shapes_from_note", [df for _, df in where if df in self])):
            if items:
                lines = self.listed(phrase("line", self.lang, n=line_ref(n))
                                    for n in dict.fromkeys(df.line for df in items))
                said.append(note_phrase(key, self.lang, lines=lines))
        return " ".join(said)

    def listed(self, items: Iterable[str]) -> str:
        return ("、" if self.lang == "zh" else ", ").join(items)

    def reason(self, f: Formula) -> str:
        """Why the declaration `f` is not worked, for the note's closing list."""
        users = sorted(set(self.users.get(f.start, ())))
        if users:
            lines = self.listed(phrase("line", self.lang, n=line_ref(n)) for n in users)
            return note_phrase("skip_declaration", self.lang, lines=lines)
        from symderiv.output.printing import latex

        names = next(decl.names for df, decl in self.found if df is f)
        shown = self.listed(f"${latex(sp.Symbol(n))}$" for n in names)
        return note_phrase("skip_declaration_unused", self.lang, names=shown)


def _reason(exc: SymderivError) -> str:
    """The error's first line without its column (of a formula the reader does not see as written)."""
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return re.sub(r"\s*\(column \d+\)$", "", msg).replace("$", r"\$")[:160]

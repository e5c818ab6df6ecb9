"""Reading a Markdown note as Markdown (markdown-it-py, see `markdown.py`): its formulas (`$…$`,
`$$…$$`, `\\(…\\)`, `\\[…\\]` and amsmath environments, never code, HTML, comments or front matter),
where a worked derivation goes (after the top-level block that holds the formula: its paragraph,
list, quote, or the whole table for a formula in a table cell, so it never lands inside a list item,
a comment or a code block), which formulas are not to be differentiated, and symderiv's own blocks.

The note's own bytes are never changed: worked derivations are *inserted* between
`<!-- symderiv:begin -->` and `<!-- symderiv:end -->` markers (invisible in every Markdown viewer),
so `strip_worked(output) == input` exactly, line endings and byte-order mark included.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from symderiv.notes.environments import formula_rows
from symderiv.notes.markdown import Lines, escaped, tokens

if TYPE_CHECKING:
    from markdown_it.token import Token

    from symderiv.core.problem import Problem

BEGIN = "<!-- symderiv:begin -->"
BEGIN_AT_END = "<!-- symderiv:begin at-end -->"
END = "<!-- symderiv:end -->"
# math tokens -> displayed or not; the closing delimiter of each opening one
MATH = {"math_inline": False, "math_inline_double": True, "math_block": True, "math_block_label": True,
        "amsmath": True}
CLOSING = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]", "": ""}
_BREAK = r"(?:\r\n|\r|\n)[ \t>]*"    # a line break inside a token, with what a container put before the line


# --------------------------------------------------------------------------- finding formulas
@dataclass
class Formula:
    """One formula of the note (offsets into the note's text)."""

    tex: str
    start: int
    end: int
    display: bool
    line: int                  # 1-based line of the opening delimiter (of its row, in an environment)
    in_table: bool = False
    insert_at: int = 0         # offset where its worked derivation goes (after its top-level block)


def find_formulas(text: str) -> list[Formula]:
    """The note's formulas, in order: math tokens anywhere but in code, HTML and front matter."""
    lines = Lines.of(text)
    found: list[Formula] = []
    for block in _top_blocks(tokens(text)):
        found += _Block(lines, block).formulas()
    return found


def _top_blocks(toks: list[Token]) -> list[list[Token]]:
    """The tokens grouped by top-level block (a paragraph, list, quote, table, code block …)."""
    blocks: list[list[Token]] = []
    for t in toks:
        if t.level == 0 and t.map is not None:
            blocks.append([t])
        elif blocks:
            blocks[-1].append(t)
    return blocks


class _Block:
    """One top-level block: its math tokens, found again in the note's text in order."""

    def __init__(self, lines: Lines, block: list[Token]):
        assert block[0].map is not None
        self.lines, self.block = lines, block
        first, stop = block[0].map
        self.stop = lines.start(stop)
        self.pos = lines.start(first)
        self.in_table = block[0].type == "table_open"
        self.insert_at = lines.after_block(first, stop)

    def formulas(self) -> list[Formula]:
        out: list[Formula] = []
        for t in self.block:
            if t.map is not None:
                self.pos = max(self.pos, self.lines.start(t.map[0]))
            if t.type in MATH:
                out += self.math(t)
            for child in t.children or ():
                if child.type in MATH:
                    out += self.math(child)
                elif child.type == "code_inline":
                    self.skip_code(child.markup)
                elif child.type == "html_inline":
                    self.find(_source_pattern("", child.content, ""))
        return out

    def math(self, token: Token) -> list[Formula]:
        """The formulas of a math token (an environment gives one per row)."""
        content = token.content
        where = self.find(_source_pattern(token.markup, content, CLOSING.get(token.markup, token.markup)))
        start, end = where or (self.pos, self.pos)
        line0 = self.lines.line_of(start)
        lead = len(content) - len(content.lstrip())
        rows = formula_rows(content.strip())
        whole = rows == [(content.strip(), 0)]      # not an environment: its line is the delimiter's
        out = []
        for tex, off in rows:
            line = line0 if whole else line0 + content[:lead + off].count("\n")
            row_start = max(start, self.lines.start(line))
            out.append(Formula(tex=tex, start=row_start, end=end, display=MATH[token.type], line=line + 1,
                               in_table=self.in_table, insert_at=self.insert_at))
        return out

    def find(self, pattern: re.Pattern[str]) -> tuple[int, int] | None:
        """(start, end) of the next unescaped match from the cursor on; the cursor moves past it."""
        for m in pattern.finditer(self.lines.text, self.pos, self.stop):
            if not escaped(self.lines.text, m.start()):
                self.pos = m.end()
                return m.start(), m.end()
        return None

    def skip_code(self, markup: str) -> None:
        """Move the cursor past the next code span opened and closed by `markup` backticks."""
        run = re.compile(r"(?<!`)" + re.escape(markup) + r"(?!`)")
        if self.find(run) is not None:
            closing = run.search(self.lines.text, self.pos, self.stop)
            self.pos = closing.end() if closing else self.pos


def _source_pattern(opening: str, content: str, closing: str) -> re.Pattern[str]:
    """A token as written: its delimiters around its content, any line break as in the note."""
    pieces = [re.escape(p if n == 0 else p.lstrip(" \t")) for n, p in enumerate(content.split("\n"))]
    return re.compile(re.escape(opening) + _BREAK.join(pieces) + re.escape(closing))


# --------------------------------------------------------------------------- symderiv's own blocks
def strip_worked(text: str) -> str:
    """The note without symderiv's inserted blocks (gives back the input byte for byte)."""
    if BEGIN not in text and BEGIN_AT_END not in text:
        return text
    lines = Lines.of(text)
    pieces, last = [], 0
    for a, b in _worked_spans(lines, tokens(text)):
        pieces.append(text[last:a])
        last = b
    pieces.append(text[last:])
    return "".join(pieces)


def _worked_spans(lines: Lines, toks: list[Token]) -> list[tuple[int, int]]:
    """(start, end) of each inserted block: its marker comments are top-level HTML blocks."""
    spans, opened = [], None
    for t in toks:
        if t.type != "html_block" or t.level != 0 or t.map is None:
            continue
        mark = t.content.strip()
        if mark in (BEGIN, BEGIN_AT_END) and opened is None:
            opened = t
        elif mark == END and opened is not None and opened.map is not None:
            spans.append(_span(lines, opened.map[0], t.map[0], opened.content.strip() == BEGIN_AT_END))
            opened = None
    return spans


def _span(lines: Lines, first: int, last: int, at_end: bool) -> tuple[int, int]:
    """An inserted block from its BEGIN line to its END line, with the line break(s) put before it."""
    if at_end:        # "\n\n<!-- symderiv:begin at-end -->…<!-- symderiv:end -->" after a last line
        return (lines.end(first - 2) if first >= 2 else lines.start(first)), lines.end(last)
    start = lines.start(first - 1) if first >= 1 and lines.blank(first - 1) else lines.start(first)
    return start, lines.start(last + 1)




# --------------------------------------------------------------------------- what a formula is
_UPDATE = re.compile(r"\^\{?\s*\(\s*[tk]\s*\+\s*1\s*\)")


def classify(f: Formula, problem: Problem) -> str | None:
    """The phrase key of the reason not to differentiate, or None to differentiate."""
    tex = f.tex
    if _UPDATE.search(tex.split("=")[0]) or (problem.name and _UPDATE.search(problem.name)):
        return "skip_update"
    lhs = problem.lhs
    if problem.kind == "expression":
        e = problem.expr
        if e.is_Atom or isinstance(e, (sp.Indexed, sp.Symbol)) or (isinstance(e, sp.Function) and all(
                a.is_Atom or isinstance(a, sp.Indexed) for a in e.args)) \
                or isinstance(e, sp.core.function.AppliedUndef):
            return "skip_symbol"
        return None if f.display else "skip_expression"
    if lhs is not None and lhs.has(sp.Derivative):
        if problem.expr == 0:
            return "skip_critical"
        if r"\nabla" in tex.split("=")[0]:
            return "skip_gradient_def"
        return "skip_claim"
    if problem.expr.has(sp.Derivative):
        order = max((sum(n for _, n in d.variable_count) for d in problem.expr.atoms(sp.Derivative)), default=1)
        return "skip_hessian_def" if order >= 2 else "skip_gradient_def"
    if r"\nabla" in tex or "H^{-1}" in tex:
        return "skip_update"
    if problem.kind == "equation":
        return "skip_equation"
    return None


def definition_names(problem: Problem) -> set[str]:
    """Names a formula uses that a definition elsewhere could supply (ŷ, ŷ_i, z_i …)."""
    full = problem.expanded()
    names = {s.name for s in full.free_symbols if isinstance(s, sp.Symbol)}
    names |= {str(a.base.label) for a in full.atoms(sp.Indexed)}
    return names


def declaration_names(tex: str) -> tuple[str, ...] | None:
    """The names a formula that only declares shapes gives a shape to (`W \\in \\mathbb{R}^{k \\times d}`
    -> ("W",), `x_i \\in \\mathbb{R}^d` -> ("x",), `A = A^T` -> ("A",)); None for any other formula."""
    from symderiv.core.errors import SymderivError
    from symderiv.parsing.declarations import read_declaration
    from symderiv.parsing.lexer import tokenize
    from symderiv.parsing.parser import is_declaration
    from symderiv.parsing.statements import split_statements

    if not is_declaration(tex):
        return None
    try:
        found = [read_declaration(st) for st in split_statements(tokenize(tex), tex)]
    except SymderivError:
        return None
    return tuple(dict.fromkeys(name for d in found if d is not None for name in d.names))


def used_names(problem: Problem) -> set[str]:
    """Names a formula uses that a definition or a declaration elsewhere could be about: those of
    `definition_names` and every vector or matrix name (`X` under `\\log\\det X`)."""
    return definition_names(problem) | {name for name, _ in problem.shapes}


def is_definition(problem: Problem) -> bool:
    return (problem.kind == "function" and not problem.args
            and isinstance(problem.lhs, (sp.Symbol, sp.Indexed)))


def deindex(tex: str, index: str) -> str:
    """`\\hat{y}_i = \\sigma(\\theta^T x_i)` -> `\\hat{y} = \\sigma(\\theta^T x)` (one sample)."""
    tex = re.sub(r"_\{\s*" + re.escape(index) + r"\s*\}", "", tex)
    return re.sub(r"_" + re.escape(index) + r"(?![A-Za-z0-9])", "", tex)

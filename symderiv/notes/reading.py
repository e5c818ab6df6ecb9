"""Reading a Markdown note: its formulas (`$…$`, `$$…$$`, outside code), where a worked derivation
goes (after the block that holds the formula: its paragraph or list, or the whole table for a formula
in a table cell), which formulas are not to be differentiated, and symderiv's own inserted blocks.

The note's own bytes are never changed: worked derivations are *inserted* between
`<!-- symderiv:begin -->` and `<!-- symderiv:end -->` markers (invisible in every Markdown viewer),
so `strip_worked(output) == input` exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from symderiv.output.phrases import default_language

if TYPE_CHECKING:
    from symderiv.core.problem import Problem

BEGIN = "<!-- symderiv:begin -->"
BEGIN_AT_END = "<!-- symderiv:begin at-end -->"
END = "<!-- symderiv:end -->"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# --------------------------------------------------------------------------- finding formulas
@dataclass
class Formula:
    """One `$…$` or `$$…$$` of the note (offsets into the note's text)."""

    tex: str
    start: int
    end: int
    display: bool
    line: int                  # 1-based line of the opening `$`
    in_table: bool = False
    insert_at: int = 0         # offset where its worked derivation goes (end of its block)


def find_formulas(text: str) -> list[Formula]:
    """Display (`$$…$$`, also over several lines) and inline (`$…$`) formulas outside code."""
    masked = _mask_code(text)
    out = []
    pattern = re.compile(r"(?<![\\$])\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?!\d)",
                         re.S)
    for m in pattern.finditer(masked):
        display = m.group(1) is not None
        a, b = m.span(1 if display else 2)
        tex = text[a:b]
        f = Formula(tex=tex.strip(), start=m.start(), end=m.end(), display=display,
                    line=text.count("\n", 0, m.start()) + 1)
        f.in_table, f.insert_at = _block_end(text, m.start(), m.end())
        out.append(f)
    return out


def _mask_code(text: str) -> str:
    """The text with fenced code blocks and inline code spans blanked (same length)."""
    chars = list(text)
    pos, fence = 0, None
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~"):
            fence = marker
            chars[pos:pos + len(line)] = " " * len(line)
        elif fence is not None:
            chars[pos:pos + len(line)] = " " * len(line)
            if stripped.startswith(fence):
                fence = None
        pos += len(line)
    masked = "".join(chars)
    return re.sub(r"(`+)[^`\n]*?\1", lambda m: " " * len(m.group(0)), masked)


def _is_table_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def _block_end(text: str, start: int, end: int) -> tuple[bool, int]:
    """(in a table, offset after the last line of the block holding text[start:end])."""
    line_start = text.rfind("\n", 0, start) + 1
    in_table = _is_table_row(text[line_start:text.find("\n", start) if "\n" in text[start:] else len(text)])
    pos = text.find("\n", end - 1)
    if pos < 0:
        return in_table, len(text)
    pos += 1
    while pos < len(text):
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        if in_table:
            if not _is_table_row(line):
                break
        elif (not line.strip() or line.lstrip().startswith("#") or re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line)
              or line.lstrip()[:3] in ("```", "~~~") or _is_table_row(line) or line.lstrip().startswith("$$")):
            break
        pos = len(text) if nl < 0 else nl + 1
    return in_table, pos


def strip_worked(text: str) -> str:
    """The note without symderiv's inserted blocks (gives back the input byte for byte)."""
    text = re.sub(r"\n\n" + re.escape(BEGIN_AT_END) + r".*?" + re.escape(END), "", text, flags=re.S)
    return re.sub(r"\n" + re.escape(BEGIN) + r"\n.*?" + re.escape(END) + r"\n", "", text, flags=re.S)




def note_language(text: str) -> str:
    """zh when the note has CJK characters, else the locale's language."""
    return "zh" if _CJK.search(text) else default_language()



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


def is_definition(problem: Problem) -> bool:
    return (problem.kind == "function" and not problem.args
            and isinstance(problem.lhs, (sp.Symbol, sp.Indexed)))


def deindex(tex: str, index: str) -> str:
    """`\\hat{y}_i = \\sigma(\\theta^T x_i)` -> `\\hat{y} = \\sigma(\\theta^T x)` (one sample)."""
    tex = re.sub(r"_\{\s*" + re.escape(index) + r"\s*\}", "", tex)
    return re.sub(r"_" + re.escape(index) + r"(?![A-Za-z0-9])", "", tex)

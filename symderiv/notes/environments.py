"""The formulas of a LaTeX display environment: `\\begin{equation}` holds one, `\\begin{align}` one per
row (a row that starts with a relation, `&= …`, continues the row above it).

    \\begin{align}              ->  f(x) = x^2 + 1           (offset of `f` in the source)
      f(x) &= x^2 + 1 \\\\           g(x) = \\sin x = …       (offset of `g`)
      g(x) &= \\sin x \\\\
           &= \\dots
    \\end{align}

Labels, tags and `\\nonumber` are dropped and the alignment marks `&` (outside nested environments
and braces) become spaces; anything else is left as written.
"""
from __future__ import annotations

import re

SINGLE = {"equation", "equation*", "displaymath"}
ROWS = {"align", "align*", "aligned", "gather", "gather*", "gathered", "split", "multline", "multline*",
        "flalign", "flalign*", "alignat", "alignat*", "alignedat", "eqnarray", "eqnarray*"}
_WHOLE = re.compile(r"\s*\\begin\{(?P<env>[A-Za-z]+\*?)\}(?:\{\d+\})?(?P<body>.*)\\end\{(?P=env)\}\s*\Z", re.S)
_DROP = re.compile(r"\\(?:label|tag\*?)\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z])")
_PIECE = re.compile(r"\\begin\{[^{}]*\}|\\end\{[^{}]*\}|\\\\|\\.|[{}&]|[^\\{}&]+", re.S)
_RELATION = re.compile(r"(=|<|>|\\(?:le|ge|leq|geq|neq|approx|equiv|propto|sim|simeq)(?![A-Za-z]))")


def formula_rows(tex: str) -> list[tuple[str, int]]:
    """[(formula, offset in tex)]: the rows of a whole-formula environment, else [(tex, 0)]."""
    m = _WHOLE.match(tex)
    if m is None or m.group("env") not in SINGLE | ROWS or f"\\end{{{m.group('env')}}}" in m.group("body"):
        return [(tex, 0)]
    body, base = m.group("body"), m.start("body")
    if m.group("env") in SINGLE:
        inner = formula_rows(body)
        if inner != [(body, 0)]:
            return [(row, base + off) for row, off in inner]
        return [(_clean(body), base + _leading(body))] if _clean(body) else []
    rows: list[tuple[str, int]] = []
    for row, off in _split_rows(body):
        row = _clean(row)
        if not row:
            continue
        if rows and _RELATION.match(row):
            rows[-1] = (f"{rows[-1][0]} {row}", rows[-1][1])
        else:
            rows.append((row, base + off + _leading(body[off:])))
    return rows


def _split_rows(body: str) -> list[tuple[str, int]]:
    """The body cut at `\\\\` outside braces and nested environments, `&` there made a space."""
    rows: list[tuple[str, int]] = []
    current: list[str] = []
    start = depth = 0
    for m in _PIECE.finditer(body):
        piece = m.group()
        if piece.startswith(("\\begin{", "{")):
            depth += 1
        elif piece.startswith(("\\end{", "}")):
            depth -= 1
        elif depth == 0 and piece == "\\\\":
            rows.append(("".join(current), start))
            current, start = [], m.end()
            continue
        elif depth == 0 and piece == "&":
            piece = " "
        current.append(piece)
    rows.append(("".join(current), start))
    return rows


def _clean(row: str) -> str:
    return " ".join(_DROP.sub(" ", row).split())


def _leading(text: str) -> int:
    return len(text) - len(text.lstrip())

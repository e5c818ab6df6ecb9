"""Declarations: statements that give names a shape instead of a value.

    W \\in \\mathbb{R}^{k \\times d}      a k×d matrix          x \\in \\mathbb{R}^{d}    a vector
    x_i \\in \\mathbb{R}^{d}              data with rows x_i     c \\in \\mathbb{R}        a scalar
    A \\in \\mathbb{S}^{d}, \\mathbb{S}^{d}_{++}   a symmetric d×d matrix
    A = A^T, A = A^\\top, A^T = A        A is a symmetric (square) matrix

They arrive as `--where` items or as statements of the input (`…; W \\in \\mathbb{R}^{k\\times d}`,
`\\text{where } A = A^T`), are read from their tokens, and are not definitions to substitute.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.lexer import Token
from symderiv.parsing.statements import Statement
from symderiv.parsing.symbols import INDEX_LETTERS, font_name, subscript_name

ONE = sp.Integer(1)
_REALS = {"R", "Reals", "reals", "RR"}
_TRANSPOSE = {"T", "top", "intercal", "mathsf"}


@dataclass(frozen=True)
class Declaration:
    """kind: "scalar", "col", "mat" or "rows" (`x_i \\in …`: the rows of x); dims (rows, cols)."""

    names: tuple[str, ...]
    kind: str
    dims: tuple[sp.Basic, sp.Basic]
    symmetric: bool = False
    source: str = ""   # the statement, and where it starts, for a caret
    pos: int = 0


def split_declarations(statements: list[Statement]) -> tuple[list[Statement], list[Declaration]]:
    """The statements that are not declarations, and the declarations."""
    rest, found = [], []
    for st in statements:
        decl = read_declaration(st)
        if decl is None:
            rest.append(st)
        else:
            found.append(decl)
    return rest, found


def read_declaration(st: Statement) -> Declaration | None:
    """The declaration a statement makes, None when it is no declaration."""
    toks = [t for t in st.tokens if not (t.kind == "cmd" and t.text in N.IGNORED)]
    found = _membership(toks, st.source) or _symmetric(toks)
    if found is None:
        return None
    return Declaration(found.names, found.kind, found.dims, found.symmetric, st.source, toks[0].pos if toks else 0)


# -- names
def _name(toks: list[Token], n: int) -> tuple[str, int] | None:
    """(name, index after it) of `W`, `\\theta`, `\\mathbf{W}`, `\\hat{y}` at n."""
    if n >= len(toks):
        return None
    t = toks[n]
    if t.kind == "letter" or (t.kind == "cmd" and t.text in N.GREEK):
        return t.text, n + 1
    if t.kind == "cmd" and (t.text in N.BOLD_FONTS or t.text in N.ACCENTS or t.text in N.FONTS) \
            and n + 1 < len(toks):
        if toks[n + 1].is_("punct", "{"):
            close = _close(toks, n + 1)
            inner = _name(toks, n + 2)
            if inner is None or inner[1] != close:
                return None
            name = inner[0] + N.ACCENTS[t.text] if t.text in N.ACCENTS else inner[0]
            return name, close + 1
        inner = _name(toks, n + 1)
        if inner is not None and t.text in N.ACCENTS:
            return inner[0] + N.ACCENTS[t.text], inner[1]
        return inner
    return None


def _close(toks: list[Token], n: int) -> int:
    depth = 0
    for m in range(n, len(toks)):
        if toks[m].is_("punct", "{"):
            depth += 1
        elif toks[m].is_("punct", "}"):
            depth -= 1
            if depth == 0:
                return m
    return len(toks)


def _group(toks: list[Token], n: int) -> tuple[list[Token], int]:
    """The tokens of a script argument at n (`{…}` or one token) and the index after it."""
    if n < len(toks) and toks[n].is_("punct", "{"):
        close = _close(toks, n)
        return toks[n + 1:close], close + 1
    return toks[n:n + 1], n + 1


# -- x \in \mathbb{R}^{…}
def _membership(toks: list[Token], source: str) -> Declaration | None:
    names: list[str] = []
    n, rows = 0, False
    while True:
        got = _name(toks, n)
        if got is None:
            return None
        name, n = got
        if n < len(toks) and toks[n].is_("punct", "_"):
            sub, n = _group(toks, n + 1)
            letters = "".join(t.text for t in sub if t.kind == "letter")
            if not (len(sub) == 1 and letters in INDEX_LETTERS):
                return None
            rows = True
        names.append(name)
        if n < len(toks) and toks[n].is_("punct", ","):
            n += 1
            continue
        break
    if not (n < len(toks) and toks[n].is_("cmd", "in")):
        return None
    space = _space(toks, n + 1)
    if space is None:
        return None
    letter, n = space
    sup: list[Token] | None = None
    while n < len(toks) and (toks[n].is_("punct", "^") or toks[n].is_("punct", "_")):
        group, after = _group(toks, n + 1)
        if toks[n].text == "^":
            sup = group
        n = after
    if n != len(toks):
        return None
    dims = _dims(sup, source) if sup is not None else ()
    return _declared(tuple(names), letter, dims, rows, source, toks)


def _space(toks: list[Token], n: int) -> tuple[str, int] | None:
    """`\\mathbb{R}`, `\\mathbb R`, `\\R`, ℝ, `\\mathbb{S}` at n: ("R" or "S", the index after)."""
    if n >= len(toks):
        return None
    t = toks[n]
    if t.kind == "cmd" and t.text in _REALS:
        return "R", n + 1
    if t.is_("cmd", "mathbb") or t.is_("cmd", "mathbf"):
        group, after = _group(toks, n + 1)
        text = "".join(g.text for g in group if g.kind == "letter")
        if len(group) == 1 and text in ("R", "S"):
            return text, after
    return None


def _dims(group: list[Token], source: str) -> tuple[sp.Basic, ...]:
    """`k \\times d`, `n, d`, `d`, `3` -> the sizes (symbols by name, numbers)."""
    parts: list[list[Token]] = [[]]
    for t in group:
        if t.is_("cmd", "times") or t.is_("punct", "*") or t.is_("punct", ",") or t.is_("cmd", "cdot"):
            parts.append([])
        else:
            parts[-1].append(t)
    return tuple(_size(p, source, group) for p in parts)


def _size(part: list[Token], source: str, group: list[Token]) -> sp.Basic:
    at = part[0].pos if part else (group[0].pos if group else 0)
    if len(part) == 1 and part[0].kind == "num" and part[0].text.isdigit():
        if int(part[0].text) < 1:
            raise ParseError("a size is a positive whole number", source, at)
        return sp.Integer(part[0].text)
    if part and (part[0].kind == "letter" or (part[0].kind == "cmd" and part[0].text in N.GREEK)):
        name = part[0].text
        if len(part) == 1:
            return sp.Symbol(name)
        if part[1].is_("punct", "_"):
            end = part[-1].end
            return sp.Symbol(f"{name}_{subscript_name(source[part[1].end:end])}")
    if part and part[0].kind == "cmd" and part[0].text in N.FONTS:
        return sp.Symbol(font_name(source[part[0].end:part[-1].end].strip("{} ")))
    raise ParseError("write each size of a declaration as a letter or a number "
                     "(\\mathbb{R}^{k \\times d})", source, at)


def _declared(names: tuple[str, ...], letter: str, dims: tuple[sp.Basic, ...], rows: bool,
              source: str, toks: list[Token]) -> Declaration:
    where = toks[0].pos if toks else 0
    if letter == "S":
        if len(dims) == 2 and dims[0] != dims[1]:
            raise ParseError("a symmetric matrix (\\mathbb{S}) is square: write \\mathbb{S}^{d}", source, where)
        if not dims or rows:
            raise ParseError("write the size of a symmetric matrix: \\mathbb{S}^{d}", source, where)
        return Declaration(names, "mat", (dims[0], dims[0]), symmetric=True)
    if len(dims) > 2:
        raise ParseError("only vectors and matrices can be declared (at most two sizes)", source, where)
    if rows:
        if len(dims) != 1 and not (len(dims) == 2 and dims[1] == ONE):
            raise ParseError("each row x_i is a vector: write x_i \\in \\mathbb{R}^{d}", source, where)
        return Declaration(names, "rows", (sp.Symbol("?"), dims[0]))
    if not dims:
        return Declaration(names, "scalar", (ONE, ONE))
    if len(dims) == 1 or dims[1] == ONE:
        return Declaration(names, "col", (dims[0], ONE))
    return Declaration(names, "mat", (dims[0], dims[1]))


# -- A = A^T
def _symmetric(toks: list[Token]) -> Declaration | None:
    """`A = A^T`, `A = A^\\top`, `A^T = A`: A is a symmetric matrix."""
    if sum(1 for t in toks if t.is_("punct", "=")) != 1:
        return None
    eq = next(m for m, t in enumerate(toks) if t.is_("punct", "="))
    left, right = _side(toks[:eq]), _side(toks[eq + 1:])
    if left is None or right is None or left[0] != right[0] or left[1] == right[1]:
        return None
    if not left[0][:1].isupper():
        return None   # `A = A^T` declares a matrix; a lower-case name is a vector or a scalar
    return Declaration((left[0],), "mat", (sp.Symbol("?"), sp.Symbol("?")), symmetric=True)


def _side(toks: list[Token]) -> tuple[str, bool] | None:
    """(name, transposed) of `A` or `A^T` (`^\\top`, `^{T}`, `^\\intercal`), else None."""
    got = _name(toks, 0)
    if got is None:
        return None
    name, n = got
    if n == len(toks):
        return name, False
    if not toks[n].is_("punct", "^"):
        return None
    group, after = _group(toks, n + 1)
    if after != len(toks) or len(group) != 1:
        return None
    t = group[0]
    if (t.kind == "letter" and t.text == "T") or (t.kind == "cmd" and t.text in _TRANSPOSE - {"T", "mathsf"}):
        return name, True
    return None

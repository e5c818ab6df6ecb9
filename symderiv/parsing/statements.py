"""One input -> its statements: the formula, then `name = …` definitions.

Statements are separated at the top level by `;`, `\\Rightarrow`, a `where` word (`\\text{where}`,
`\\quad\\text{with}`, 其中) and by `,` before another `name = …`.
"""
from __future__ import annotations

from dataclasses import dataclass

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.lexer import Token
from symderiv.parsing.symbols import INDEX_LETTERS

_ARROWS = ("Rightarrow", "implies", "Longrightarrow")
_WHERE_WORDS = ("where", "with", "and", "for", "其中", "这里")


@dataclass
class Statement:
    """The tokens of one statement (without the end token) and the text they come from."""

    tokens: list[Token]
    source: str


def strip_math_delimiters(s: str) -> str:
    """`$…$`, `$$…$$`, `\\[…\\]`, `\\(…\\)` -> the formula inside."""
    t = s.strip()
    for a, b in (("$$", "$$"), ("$", "$"), (r"\[", r"\]"), (r"\(", r"\)")):
        if t.startswith(a) and t.endswith(b) and len(t) >= len(a) + len(b):
            return t[len(a):len(t) - len(b)]
    return t


def body_latex(source: str) -> str:
    """The formula as the user wrote it, without math delimiters."""
    return strip_math_delimiters(source).strip()


def has_relation(tokens: list[Token]) -> bool:
    """Whether the tokens hold `=` or `:=`."""
    return any(t.is_("punct", "=") or t.is_("punct", ":=") for t in tokens)


def has_any_relation(tokens: list[Token]) -> bool:
    """Whether the tokens hold a relation of any sign at the top level (`w > 0`, `x \\le 1`)."""
    depth = 0
    for t in tokens:
        if t.kind == "punct" and t.text in "{([":
            depth += 1
        elif t.kind == "punct" and t.text in "})]":
            depth -= 1
        elif depth == 0 and ((t.kind == "punct" and t.text in ("=", ":=", "<", ">")) or (
                t.kind == "cmd" and "\\" + t.text in N.RELATIONS)):
            return True
    return False


def leading_subscript_indices(tokens: list[Token]) -> set[str]:
    """`\\hat{y}_i = …`: the left side's subscript letters are the definition's free indices."""
    depth = 0
    for n, t in enumerate(tokens):
        if t.kind == "punct" and t.text in ("=", ":="):
            if depth == 0:
                return _subscript_letters(tokens, n) & INDEX_LETTERS
            return set()
        if t.kind == "punct" and t.text in "{([":
            depth += 1
        elif t.kind == "punct" and t.text in "})]":
            depth -= 1
    return set()


def _subscript_letters(tokens: list[Token], n: int) -> set[str]:
    """The letters written in subscripts (`_i`, `_{ij}`) among the first n tokens."""
    letters: set[str] = set()
    for m in range(n):
        if tokens[m].is_("punct", "_"):
            nxt = tokens[m + 1] if m + 1 < n else None
            if nxt is not None and nxt.kind == "letter":
                letters.add(nxt.text)
            elif nxt is not None and nxt.is_("punct", "{"):
                k = m + 2
                while k < n and tokens[k].kind == "letter":
                    letters.add(tokens[k].text)
                    k += 1
    return letters


def split_statements(tokens: list[Token], source: str) -> list[Statement]:
    """Top-level `;`, `\\text{where}`, `\\Rightarrow`, and `,` before another `name = …`."""
    parts: list[list[Token]] = [[]]
    depth = 0
    n = 0
    toks = tokens[:-1]
    while n < len(toks):
        t = toks[n]
        if (t.kind == "punct" and t.text in "{([") or (t.kind == "cmd" and t.text == "left"):
            depth += 1
        elif (t.kind == "punct" and t.text in "})]") or (t.kind == "cmd" and t.text == "right"):
            depth -= 1
        skip = _separator_length(toks, n, parts[-1], source) if depth == 0 else 0
        if skip:
            parts.append([])
            n += skip
            continue
        parts[-1].append(t)
        n += 1
    parts = [p for p in parts if p]
    while parts and all(t.kind == "punct" and t.text in ".," for t in parts[-1]):
        parts.pop()
    if not parts:
        raise ParseError("the formula is empty", source, 0)
    return [Statement(p, source) for p in parts]


def _separator_length(toks: list[Token], n: int, current: list[Token], source: str) -> int:
    """Length in tokens of a statement separator at top-level position n, else 0."""
    t = toks[n]
    if (t.kind == "cmd" and t.text in _ARROWS) or t.is_("punct", ";"):
        return 1
    w = _where_word(toks, n, source)
    if w:
        return w
    if t.is_("punct", ",") and has_any_relation(_until_sep(toks, n + 1)) and has_any_relation(current):
        return 1
    if t.is_("punct", ",") and current and declares(_until_sep(toks, n + 1)):
        return 1   # `x^T A x, A = A^T`, `\\|W x\\|^2, W \\in \\mathbb{R}^{k \\times d}`
    return 0


def declares(tokens: list[Token]) -> bool:
    """Whether the tokens look like a declaration (`W \\in \\mathbb{R}^{…}`, `A = A^T`; see
    declarations.py, which reads them)."""
    if any(t.is_("cmd", "in") for t in tokens):
        return True
    eq = [m for m, t in enumerate(tokens) if t.is_("punct", "=")]
    if len(eq) != 1 or len(tokens) > 12:
        return False
    return any(t.is_("punct", "^") and any(
        u.is_("letter", "T") or u.is_("cmd", "top") or u.is_("cmd", "intercal") for u in tokens[m + 1:m + 3])
        for m, t in enumerate(tokens))


def _until_sep(toks: list[Token], start: int) -> list[Token]:
    """The tokens from start up to the next top-level `,` or `;`."""
    out = []
    depth = 0
    for t in toks[start:]:
        if t.kind == "punct" and t.text in "{([":
            depth += 1
        elif t.kind == "punct" and t.text in "})]":
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.text in ",;":
            break
        out.append(t)
    return out


def _where_word(toks: list[Token], n: int, source: str) -> int:
    """Length in tokens of a `where` / `\\text{where}` / `\\quad\\text{where}` separator at n."""
    t = toks[n]
    if t.kind == "cmd" and t.text in ("text", "mathrm", "textrm", "quad", "qquad"):
        return _text_where_word(toks, n, source)
    if t.kind == "letter" and t.text == "w":
        word = "".join(x.text for x in toks[n:n + 5] if x.kind == "letter")
        contiguous = all(toks[n + q].pos == t.pos + q for q in range(min(5, len(toks) - n)))
        if word == "where" and contiguous:
            return 5
    return 0


def _text_where_word(toks: list[Token], n: int, source: str) -> int:
    """`\\quad\\text{where}`, `\\mathrm{with}`: the length in tokens, else 0."""
    m = n
    while m < len(toks) and toks[m].kind == "cmd" and toks[m].text in ("quad", "qquad", ",", ";"):
        m += 1
    if m < len(toks) and toks[m].kind == "cmd" and toks[m].text in ("text", "mathrm", "textrm") \
            and m + 1 < len(toks) and toks[m + 1].is_("punct", "{"):
        close = m + 2
        while close < len(toks) and not toks[close].is_("punct", "}"):
            close += 1
        if close < len(toks):
            word = source[toks[m + 1].end:toks[close].pos].strip().strip(",:").lower()
            if word in _WHERE_WORDS:
                return close + 1 - n
    return 0

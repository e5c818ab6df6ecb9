"""Which names are vectors or matrices, decided from the whole input at once.

A name is a vector (or, upper-case, a matrix) when it is transposed (`\\theta^T`), sits right
after a transposed name (`\\theta^T x_i`), is inside a norm or an inner product (`\\|w\\|`,
`\\langle u, v\\rangle`), or is written in bold (`\\mathbf{x}`).
"""
from __future__ import annotations

from symderiv.ml import notation as N
from symderiv.parsing.cursor import matching
from symderiv.parsing.lexer import Token
from symderiv.parsing.symbols import SCALAR_NAMES

_CLOSERS = {"|": "|", "lVert": "rVert", "Vert": "Vert", "langle": "rangle"}


class NameScanner:
    """One pass over the tokens: which names are transposed, normed, bold, or sit right after a
    transposed name (`\\theta^T x_i`: x is a vector too), which letters are in use, and which
    names head a function definition."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.letters = _letters(tokens)
        self.marked: dict[str, bool] = {}
        self.heads: set[str] = set()
        self.bare: set[str] = set()
        self._scan()

    def row_vectors(self) -> set[str]:
        """Vectors only ever written with a subscript (`x_i`): the i-th sample's vector."""
        return {n for n, upper in self.marked.items() if not upper and n not in self.bare}

    def vector_like(self) -> list[tuple[str, bool]]:
        """(name, upper-case) of every vector-like name: upper-case ones are matrices."""
        return list(self.marked.items())

    def _name_at(self, n: int) -> tuple[str | None, int]:
        """(name, index after the name) for a symbol-like token run at n, else (None, n)."""
        t = self.tokens[n]
        if t.kind == "letter":
            return t.text, n + 1
        if t.kind == "cmd" and t.text in N.GREEK:
            return t.text, n + 1
        if t.kind == "cmd" and (t.text in N.BOLD_FONTS or t.text in N.ACCENTS) and n + 1 < len(self.tokens):
            m = n + 1
            if self.tokens[m].is_("punct", "{"):
                m += 1
            if m < len(self.tokens):
                inner, after = self._name_at(m)
                if inner:
                    if after < len(self.tokens) and self.tokens[after].is_("punct", "}"):
                        after += 1
                    if t.text in N.ACCENTS:
                        inner = inner + N.ACCENTS[t.text]
                    return inner, after
        return None, n + 1

    def _mark(self, name: str | None) -> None:
        if name and name not in SCALAR_NAMES and name != "I":   # I is the identity
            self.marked[name] = name[0].isupper()

    def _transpose_at(self, n: int) -> int:
        """Length of a `^T` / `^\\top` / `^{T}` at n, else 0."""
        tk = self.tokens
        if n + 1 < len(tk) and tk[n].is_("punct", "^"):
            a = tk[n + 1]
            if a.is_("letter", "T") or a.is_("cmd", "top") or a.is_("cmd", "intercal") or a.is_("cmd", "mathsf"):
                if a.is_("cmd", "mathsf"):
                    return 5 if n + 4 < len(tk) and tk[n + 3].is_("letter", "T") else 0
                return 2
            if a.is_("punct", "{") and n + 3 < len(tk) and tk[n + 3].is_("punct", "}") and (
                    tk[n + 2].is_("letter", "T") or tk[n + 2].is_("cmd", "top") or tk[n + 2].is_("cmd", "intercal")):
                return 4
        return 0

    def _skip_subscript(self, n: int) -> int:
        tk = self.tokens
        if n < len(tk) and tk[n].is_("punct", "_"):
            if n + 1 < len(tk) and tk[n + 1].is_("punct", "{"):
                depth, m = 0, n + 1
                while m < len(tk):
                    if tk[m].is_("punct", "{"):
                        depth += 1
                    elif tk[m].is_("punct", "}"):
                        depth -= 1
                        if depth == 0:
                            return m + 1
                    m += 1
                return m
            return n + 2
        return n

    def _group_names(self, start: int, end: int) -> list[str]:
        out = []
        m = start
        while m < end:
            t = self.tokens[m]
            if t.kind == "cmd" and t.text in ("frac", "sum", "sqrt", "log", "exp", "ln"):
                return []  # not a plain linear-algebra group
            name, after = self._name_at(m)
            if name:
                out.append(name)
                m = self._skip_subscript(after)
                if m == after:
                    self.bare.add(name)
            else:
                m += 1
        return out

    def _scan(self) -> None:
        tk = self.tokens
        n = 0
        while n < len(tk):
            t = tk[n]
            if t.kind == "cmd" and t.text in N.BOLD_FONTS:
                self._mark(self._name_at(n)[0])
            if (t.kind == "cmd" and t.text in ("|", "lVert", "Vert")) or t.is_("cmd", "langle"):
                n = self._scan_delimited(n)
                continue
            self._scan_transposed(n)
            if t.kind == "cmd" and (t.text in N.BOLD_FONTS or t.text in N.ACCENTS):
                name, after = self._name_at(n)
                if name:   # `\hat{y}`, `\mathbf{w}`: the letter inside is no name of its own
                    n = max(after - 1, n)
            if t.is_("punct", "(") or t.is_("cmd", "left"):
                close = matching(tk, n)
                if close + 1 < len(tk) and self._transpose_at(close + 1):
                    for g in self._group_names(n + 1, close):
                        self._mark(g)
            n += 1

    def _scan_delimited(self, n: int) -> int:
        """`\\|…\\|`, `\\langle …\\rangle` at n: mark the names inside; the index after it."""
        tk = self.tokens
        closer = _CLOSERS[tk[n].text]
        m = n + 1
        while m < len(tk) and not tk[m].is_("cmd", closer):
            m += 1
        for name in self._group_names(n + 1, m):
            self._mark(name)
        return m + 1

    def _scan_transposed(self, n: int) -> None:
        """A name at n: note it bare (no subscript); when transposed, mark it and what follows."""
        tk = self.tokens
        name, after = self._name_at(n)
        if not name:
            return
        after_sub = self._skip_subscript(after)
        if after_sub == after:
            self.bare.add(name)
        tl = self._transpose_at(after_sub) or self._transpose_at(after)
        if not tl:
            return
        self._mark(name)
        nxt = (after_sub if self._transpose_at(after_sub) else after) + tl
        if nxt < len(tk):
            follower, _ = self._name_at(nxt)
            self._mark(follower)
            if tk[nxt].is_("punct", "(") or tk[nxt].is_("cmd", "left"):
                close = matching(tk, nxt)
                for g in self._group_names(nxt + 1, close):
                    self._mark(g)


def _letters(tokens: list[Token]) -> set[str]:
    """The letters written as names: not those of a word in a font (`\\operatorname{softmax}`,
    `\\text{where}`), which no index or size needs to avoid."""
    out: set[str] = set()
    n = 0
    while n < len(tokens):
        t = tokens[n]
        if t.kind == "cmd" and t.text in N.FONTS and t.text not in N.BOLD_FONTS \
                and n + 1 < len(tokens) and tokens[n + 1].is_("punct", "{"):
            close = matching(tokens, n + 1)
            inner = tokens[n + 2:close]
            if len(inner) > 1 and all(x.kind == "letter" for x in inner):
                n = close + 1
                continue
        if t.kind == "letter":
            out.add(t.text)
        n += 1
    return out

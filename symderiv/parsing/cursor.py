"""A position in a statement's tokens: look, take, expect, and errors that point at a column."""
from __future__ import annotations

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.lexer import Token


def matching(tk: list[Token], n: int) -> int:
    """Index of the token closing the group opened at n (by depth), or the last index."""
    depth = 0
    m = n
    while m < len(tk):
        t = tk[m]
        if (t.kind == "punct" and t.text in "([{") or t.is_("cmd", "left"):
            depth += 1
        elif t.kind == "punct" and t.text in ")]}" and not (m > 0 and tk[m - 1].is_("cmd", "right")):
            depth -= 1
        elif t.is_("cmd", "right"):
            depth -= 1
            m += 1  # skip the delimiter that follows \right
        if depth == 0:
            return m
        m += 1
    return len(tk) - 1


class TokenCursor:
    """The tokens of one statement (ending in an `end` token), the position n in them, and an
    optional `limit` that makes the tokens from there on look like the end (an integrand)."""

    def __init__(self, tokens: list[Token], source: str) -> None:
        self.t = tokens
        self.n = 0
        self.source = source
        self.limit: int | None = None

    @property
    def tok(self) -> Token:
        if self.limit is not None and self.n >= self.limit:
            return Token("end", "", self.t[self.n].pos, self.t[self.n].pos)
        return self.t[self.n]

    def peek(self, k: int = 1) -> Token:
        m = self.n + k
        return self.t[m] if m < len(self.t) else self.t[-1]

    def take(self) -> Token:
        t = self.tok
        if t.kind != "end":
            self.n += 1
        return t

    def error(self, message: str, tok: Token | None = None) -> ParseError:
        """A ParseError at tok (default: the current token), to raise."""
        tok = tok or self.tok
        return ParseError(message, self.source, tok.pos)

    def expect(self, kind: str, text: str | None = None) -> Token:
        t = self.tok
        if not t.is_(kind, text):
            want = {"punct": text, "cmd": f"\\{text}"}.get(kind, text or kind)
            got = "the end of the formula" if t.kind == "end" else repr(self.source[t.pos:t.end])
            raise self.error(f"expected {want!r} but found {got}")
        return self.take()

    def closing(self, at: int) -> int:
        """Index of the bracket closing the one at `at`; ParseError when it is never closed."""
        close = matching(self.t, at)
        want = {"{": "}", "(": ")", "[": "]"}[self.t[at].text]
        if not self.t[close].is_("punct", want):
            raise ParseError(f"{self.t[at].text!r} is never closed", self.source, self.t[at].pos)
        return close

    def expect_end(self) -> None:
        if self.tok.kind != "end":
            t = self.tok
            raise self.error(f"unexpected {self.source[t.pos:t.end]!r}")

    def skip_ignored(self) -> None:
        """Skip spacing and sizing commands (`\\,`, `\\big`, `\\displaystyle`)."""
        while self.tok.kind == "cmd" and self.tok.text in N.IGNORED:
            self.take()

    def word(self) -> str | None:
        """The English word (`or`, `and`, `if`) whose letters start here, written as one run of
        letters standing apart from its neighbours, else None."""
        t = self.tok
        if t.kind != "letter" or (t.pos > 0 and self.source[t.pos - 1].isalpha()):
            return None
        m = self.n
        while m + 1 < len(self.t) and self.t[m + 1].kind == "letter" and self.t[m + 1].pos == self.t[m].end:
            m += 1
        end = self.t[m].end
        if end < len(self.source) and self.source[end].isalpha():
            return None
        text = self.source[t.pos:end]
        return text if text.lower() in N.WORDS else None

    def refuse_word(self) -> None:
        """`a = 1 or b = 2`: a word between formulas is refused at its column, never multiplied."""
        word = self.word()
        if word is not None:
            raise self.error(f"{word!r} is a word, not mathematics: write one formula per statement "
                             "(separate statements with ';')")

    def take_word(self) -> None:
        """Take the letters of the word at hand (see `word`)."""
        end = self.tok.pos + len(self.word() or "")
        while self.tok.kind == "letter" and self.tok.pos < end:
            self.take()

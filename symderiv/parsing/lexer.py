"""LaTeX -> tokens with columns, and the input limits that keep parsing bounded.

The limits are checked on the raw text before anything else runs (PARSING.md measured
latex2sympy2_extended taking 6 s on 50 nested parentheses and 13 s on a 5,000-digit number).
"""
from __future__ import annotations

from dataclasses import dataclass

from symderiv.core.errors import ParseError
from symderiv.ml.notation import UNICODE_GREEK

MAX_LENGTH = 5000
MAX_DEPTH = 30
MAX_DIGITS = 100
MAX_EXPONENT = 300   # of a number in scientific notation (`1e-300`)

PUNCTUATION = set("+-*/=,;()[]{}^_|!<>:&.")
UNICODE_OPERATORS = {
    "−": "-", "–": "-", "·": r"\cdot", "×": r"\times", "≤": r"\le", "≥": r"\ge", "≠": r"\ne",
    "∇": r"\nabla", "∂": r"\partial", "∑": r"\sum", "∏": r"\prod", "∞": r"\infty", "√": r"\sqrt",
    "⊤": r"\top", "∈": r"\in", "≈": r"\approx", "（": "(", "）": ")", "，": ",", "；": ";",
    "ℝ": r"\R", "⊙": r"\odot", "∘": r"\circ", "⊘": r"\oslash",
}
PRIMES = {"'": 1, "’": 1, "′": 1, "″": 2, "‴": 3}
OPENERS = {"{": "}", "(": ")", "[": "]"}


@dataclass(frozen=True)
class Token:
    """kind: cmd (text without backslash), letter, num, punct, prime (text = count), end."""

    kind: str
    text: str
    pos: int
    end: int

    def is_(self, kind: str, text: str | None = None) -> bool:
        return self.kind == kind and (text is None or self.text == text)


def check_limits(source: str) -> None:
    """Refuse at once what would make parsing slow: length, nesting depth, huge literals."""
    if len(source) > MAX_LENGTH:
        raise ParseError(f"the input is {len(source):,} characters long; the limit is "
                         f"{MAX_LENGTH:,}", source, MAX_LENGTH)
    depth = 0
    digits = 0
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            if source.startswith("left", i + 1):
                depth += 1
            elif source.startswith("right", i + 1):
                depth -= 1
            i += 2
            digits = 0
            continue
        if ch in "{([":
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"the input is nested more than {MAX_DEPTH} levels deep", source, i)
        elif ch in "})]":
            depth -= 1
        if ch.isdigit():
            digits += 1
            if digits > MAX_DIGITS:
                raise ParseError(f"a number has more than {MAX_DIGITS} digits", source, i)
        elif ch not in ".,":
            digits = 0
        i += 1


def _scientific_end(source: str, start: int, j: int) -> int:
    """`1e-3`, `2.5E2`: where a number in scientific notation ends (else j, the mantissa's end).

    Only when `e`/`E`, an optional sign and the exponent's digits follow the digits with no space,
    and the number is not a script's digit (`x^2e`, `x_1e3`) nor glued to a name (`x1e3`).
    """
    before = source[start - 1] if start > 0 else " "
    if before.isalpha() or before in "_^.\\":
        return j
    k = j + 1
    if j < len(source) and source[j] in "eE":
        if k < len(source) and source[k] in "+-":
            k += 1
        e = k
        while k < len(source) and source[k].isdigit():
            k += 1
        if k > e:
            if k - e > 3 or int(source[e:k]) > MAX_EXPONENT:
                raise ParseError(f"the exponent of {source[start:k]} is too large (at most "
                                 f"{MAX_EXPONENT})", source, j)
            return k
    return j


def tokenize(source: str) -> list[Token]:
    """Split LaTeX into tokens; raises ParseError with the column of a character we can't read."""
    out: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace() or ch in "~$":
            i += 1
            continue
        if ch == "%":  # a LaTeX comment runs to the end of the line
            j = source.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch == "\\":
            j = i + 1
            while j < n and source[j].isascii() and source[j].isalpha():
                j += 1
            if j == i + 1:  # a control symbol: \| \, \{ \\ ...
                if j >= n:
                    raise ParseError("a backslash ends the input", source, i)
                j += 1
            out.append(Token("cmd", source[i + 1:j], i, j))
            i = j
            continue
        if ch.isascii() and ch.isalpha():
            out.append(Token("letter", ch, i, i + 1))
            i += 1
            continue
        if ch.isdigit() and ch.isascii():
            j = i
            while j < n and source[j].isdigit():
                j += 1
            if j + 1 < n and source[j] == "." and source[j + 1].isdigit():
                j += 1
                while j < n and source[j].isdigit():
                    j += 1
            j = _scientific_end(source, i, j)
            out.append(Token("num", source[i:j], i, j))
            i = j
            continue
        if ch in PRIMES:
            count = 0
            j = i
            while j < n and source[j] in PRIMES:
                count += PRIMES[source[j]]
                j += 1
            out.append(Token("prime", str(count), i, j))
            i = j
            continue
        if ch == ":" and source.startswith(":=", i):
            out.append(Token("punct", ":=", i, i + 2))
            i += 2
            continue
        if ch in PUNCTUATION:
            out.append(Token("punct", ch, i, i + 1))
            i += 1
            continue
        if ch in UNICODE_GREEK:
            out.append(Token("cmd", UNICODE_GREEK[ch], i, i + 1))
            i += 1
            continue
        if ch in UNICODE_OPERATORS:
            rep = UNICODE_OPERATORS[ch]
            kind = "cmd" if rep.startswith("\\") else "punct"
            out.append(Token(kind, rep.lstrip("\\"), i, i + 1))
            i += 1
            continue
        raise ParseError(f"unexpected character {ch!r}", source, i)
    out.append(Token("end", "", n, n))
    return out

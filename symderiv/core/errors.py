"""Errors symderiv reports to a user: every failure a user can cause is a SymderivError.

The CLI prints `error: <message>` and, for parse errors, the excerpt with a caret, then exits
with the error's `exit_code` (2 for bad input, 3 for a time limit). Nothing else escapes.

Input echoed back is sanitised (`sanitize`): a control or format character (ESC, a bidi
override, a NUL) is shown as its escape `\\x1b`, `\\u202e`, never written raw to a terminal.
"""
from __future__ import annotations

import unicodedata

_BLANKS = {"\n": " ", "\r": " ", "\t": " "}


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    """`\\n`, `\\x1b`, `\\u202e`, `\\U000e0001`: Python's escape of one unsafe character."""
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unsafe(ch: str) -> bool:
    """Control (Cc), format (Cf: bidi overrides, zero widths), separator (Zl, Zp), surrogate
    and unassigned code points: never echoed raw."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def sanitize(text: str, blanks: bool = False) -> str:
    """`text` safe to print on a terminal: unsafe characters escaped; with `blanks`, line breaks
    and tabs become spaces (an excerpt stays on one line) instead of `\\n`, `\\t`."""
    out = []
    for ch in text:
        if blanks and ch in _BLANKS:
            out.append(_BLANKS[ch])
        elif _unsafe(ch):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


class SymderivError(Exception):
    """Base of every error a user can cause; carries the CLI exit code."""

    exit_code = 2

    def lines(self) -> list[str]:
        """What the CLI prints on stderr, first line starting with `error:` (at most three lines)."""
        return [f"error: {sanitize(str(self))}"]


class ParseError(SymderivError):
    """Malformed or unsupported LaTeX; `column` is 0-based into `source`."""

    def __init__(self, message: str, source: str = "", column: int | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.column = column

    def excerpt(self, width: int = 72) -> tuple[str, str] | None:
        """A window of the source around the column and a caret line under it (both sanitised:
        the caret stands under the escape of an unsafe character)."""
        if self.column is None or not self.source:
            return None
        col = max(0, min(self.column, len(self.source)))
        start = max(0, col - width // 2)
        end = min(len(self.source), start + width)
        start = max(0, end - width)
        before = sanitize(self.source[start:col], blanks=True)
        text = before + sanitize(self.source[col:end], blanks=True)
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(self.source) else ""
        return prefix + text + suffix, " " * (len(prefix) + len(before)) + "^"

    def __str__(self) -> str:
        where = f" (column {self.column + 1})" if self.column is not None else ""
        return f"{sanitize(self.message)}{where}"

    def lines(self) -> list[str]:
        out = [f"error: {self}"]
        ex = self.excerpt()
        if ex:
            out.extend(ex)
        return out


class DeriveError(SymderivError):
    """The expression cannot be differentiated as asked (unknown variable, bad index...)."""


class VerifyError(SymderivError):
    """A claim or a derivation cannot be checked as given."""


class TimeLimitError(SymderivError):
    """A computation ran past its time limit."""

    exit_code = 3

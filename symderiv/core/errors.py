"""Errors symderiv reports to a user: every failure a user can cause is a SymderivError.

The CLI prints `error: <message>` and, for parse errors, the excerpt with a caret, then exits
with the error's `exit_code` (2 for bad input, 3 for a time limit). Nothing else escapes.
"""
from __future__ import annotations


class SymderivError(Exception):
    """Base of every error a user can cause; carries the CLI exit code."""

    exit_code = 2

    def lines(self) -> list[str]:
        """What the CLI prints on stderr, first line starting with `error:` (at most three lines)."""
        return [f"error: {self}"]


class ParseError(SymderivError):
    """Malformed or unsupported LaTeX; `column` is 0-based into `source`."""

    def __init__(self, message: str, source: str = "", column: int | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.column = column

    def excerpt(self, width: int = 72) -> tuple[str, str] | None:
        """A window of the source around the column and a caret line under it."""
        if self.column is None or not self.source:
            return None
        col = max(0, min(self.column, len(self.source)))
        start = max(0, col - width // 2)
        end = min(len(self.source), start + width)
        start = max(0, end - width)
        text = self.source[start:end].replace("\n", " ").replace("\t", " ")
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(self.source) else ""
        return prefix + text + suffix, " " * (len(prefix) + col - start) + "^"

    def __str__(self) -> str:
        where = f" (column {self.column + 1})" if self.column is not None else ""
        return f"{self.message}{where}"

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

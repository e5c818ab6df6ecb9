"""What a command hands back to the CLI: the page, the exit code, files to write beside it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """A command's result: `body` goes to -o FILE or stdout; `files` are written first, atomically."""

    body: str
    code: int = 0
    files: tuple[tuple[str, bytes], ...] = ()
    output: str | None = None  # where the body goes when the command chooses (notes: NOTE.worked.md)
    message: str = ""  # one line for stderr (e.g. "wrote NOTE.worked.md")

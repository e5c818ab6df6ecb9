"""The language the page being printed speaks, for the few words inside formulas (若, 否则).

Formula printers are SymPy printers called deep inside templates and step printers; passing the
language through every call would touch them all. The page printers set it here for the time they
print (`speaking`), and a formula printer that has words in it reads it (`page_language`).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_LANGUAGE: ContextVar[str] = ContextVar("symderiv_page_language", default="en")


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Print formulas in `lang` until the block ends (nested blocks restore the outer language)."""
    token = _LANGUAGE.set(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def page_language() -> str:
    return _LANGUAGE.get()

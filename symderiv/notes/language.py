"""The language a note is written in. Light on purpose: a re-run of an unchanged note, answered whole
from the cache (cli/notes.py), needs it and loads no SymPy."""
from __future__ import annotations

import re

from symderiv.output.phrases import default_language

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def note_language(text: str) -> str:
    """zh when the note has CJK characters, else the locale's language."""
    return "zh" if _CJK.search(text) else default_language()

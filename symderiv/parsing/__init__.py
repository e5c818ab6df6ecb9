"""LaTeX -> Problem: the ML-notation parser (`parse`, `parse_expression`) and the symbols it makes.

The names are loaded when first asked for (PEP 562): importing one submodule, such as the page
printers' `reading_phrases`, does not build the whole parser.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symderiv.parsing.parser import PARSE_TIME_LIMIT, parse, parse_expression
    from symderiv.parsing.symbols import index_symbol, indexed_base, real, size_symbol

_WHERE = {"PARSE_TIME_LIMIT": "parser", "parse": "parser", "parse_expression": "parser",
          "index_symbol": "symbols", "indexed_base": "symbols", "real": "symbols", "size_symbol": "symbols"}
__all__ = ["PARSE_TIME_LIMIT", "index_symbol", "indexed_base", "parse", "parse_expression", "real", "size_symbol"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

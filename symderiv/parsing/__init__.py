"""LaTeX -> Problem: the ML-notation parser (`parse`, `parse_expression`) and the symbols it makes."""
from symderiv.parsing.parser import PARSE_TIME_LIMIT, parse, parse_expression
from symderiv.parsing.symbols import index_symbol, indexed_base, real, size_symbol

__all__ = ["PARSE_TIME_LIMIT", "index_symbol", "indexed_base", "parse", "parse_expression", "real", "size_symbol"]

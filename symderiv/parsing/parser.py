"""LaTeX -> Problem, reading the notation the way a machine-learning reader means it.

Why a grammar of our own in front of latex2sympy2_extended: PARSING.md measured that 46 of the
68 corpus formulas come out wrong in every existing parser, and the failures are decisions about
*extent* (how far a `\\sum` reaches, whether `y(…)` is a call, what `^T` binds to), which no
pre- or post-processing of another parser's output can undo. This package owns those decisions
(the ML-notation layer); commands it does not know are handed to latex2sympy2_extended
(delegate.py). Every failure becomes a ParseError with a column; nothing is ever `eval`ed.

The two verbs live here; the stages, one module each:

    lexer         text -> tokens, and the input limits
    statements    tokens -> statements (the formula, then `name = …` definitions)
    declarations  statements that give shapes (`W \\in \\mathbb{R}^{k \\times d}`, `A = A^T`)
    shapes        which names are vectors or matrices, from the whole input at once
    reader        statements -> one Problem (state: what it learnt; passes: reading again until
                  the kinds of names settle; conventions: default variables, update rules,
                  entries of targets)
    sizes         sizes as unification variables, and the names they end up with (n, d, m, …)
    shapebook     the shape of every vector and matrix name, in those sizes
    expr          one statement -> SymPy values: ExprParser, composed of one mixin per area of the
                  grammar over a token cursor (cursor, grammar):
                  arithmetic (sums, products, fractions), scripts (powers, transposes,
                  subscripts), names (symbols, accents, fonts), calls (functions, cases),
                  brackets (groups, |x|, norms), derivatives, bigops (sums, products, integrals),
                  heads (definition heads, relations), delegate (latex2sympy2_extended),
                  tensors (names as vectors and matrices, the kinds products need), matrixops
                  (tr, det, inverses, diag, softmax, log-sum-exp, ⊙, elementwise functions)
    symbols       the symbols made and the name conventions shared by all of them
    linalg        vectors and matrices in index form
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import sympy as sp

from symderiv.core.errors import ParseError, SymderivError
from symderiv.core.limits import time_limit
from symderiv.core.problem import Problem
from symderiv.parsing.arithmetic import MAX_BINOMIAL
from symderiv.parsing.declarations import read_declaration
from symderiv.parsing.delegate import DELEGATED, preload_delegate
from symderiv.parsing.lexer import check_limits, tokenize
from symderiv.parsing.reader import Reader
from symderiv.parsing.scripts import MAX_POWER_BITS
from symderiv.parsing.statements import split_statements, strip_math_delimiters
from symderiv.parsing.symbols import (
    ELLIPSIS,
    INDEX_LETTERS,
    SCALAR_NAMES,
    index_symbol,
    indexed_base,
    real,
    size_symbol,
)

__all__ = [
    "DELEGATED",
    "ELLIPSIS",
    "INDEX_LETTERS",
    "MAX_BINOMIAL",
    "MAX_POWER_BITS",
    "PARSE_TIME_LIMIT",
    "SCALAR_NAMES",
    "index_symbol",
    "indexed_base",
    "is_declaration",
    "parse",
    "parse_expression",
    "real",
    "size_symbol",
]

PARSE_TIME_LIMIT = 1.5  # so that input that hits the limit still ends within 2 s

_T = TypeVar("_T")


def parse(latex: str, where: Iterable[str] = (), timeout: float = PARSE_TIME_LIMIT) -> Problem:
    """Read a formula (and its definitions) into a Problem.

    `latex` may hold several statements separated by `,` `;` `\\text{where}` or `\\Rightarrow`:
    the first is the function, later `name = …` statements are definitions (as are `where`).
    """
    if not isinstance(latex, str):
        raise ParseError("the formula must be text")
    preload_delegate(latex, where)
    with time_limit(timeout, "parsing"):
        return _guarded(lambda: Reader(latex, list(where)).problem(), latex)


def is_declaration(latex: str) -> bool:
    """Whether the text only declares shapes (`W \\in \\mathbb{R}^{k \\times d}`, `A = A^T`): a
    note's formula to pass on as a `where` item to the formulas around it, not one to derive."""
    if not isinstance(latex, str) or not strip_math_delimiters(latex).strip():
        return False
    try:
        check_limits(latex)
        statements = split_statements(tokenize(latex), latex)
    except SymderivError:
        return False
    return all(read_declaration(st) is not None for st in statements)


def parse_expression(latex: str, problem: Problem | None = None,
                     timeout: float = PARSE_TIME_LIMIT) -> sp.Basic:
    """Read one expression with the symbol conventions of `problem` (its vectors, its
    intermediates), e.g. a claimed derivative to compare with the true one."""
    if not isinstance(latex, str):
        raise ParseError("the formula must be text")
    preload_delegate(latex)
    with time_limit(timeout, "parsing"):
        return _guarded(lambda: Reader(latex, [], context=problem).single_expression(), latex)


def _guarded(fn: Callable[[], _T], source: str) -> _T:
    """Run fn; any failure that is not already a SymderivError becomes a ParseError."""
    try:
        return fn()
    except SymderivError:
        raise
    except RecursionError:
        raise ParseError("the formula is nested too deeply", source, None) from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, ZeroDivisionError,
            NotImplementedError, ArithmeticError) as exc:
        raise ParseError(f"could not read this formula ({exc})", source, None) from None

"""Fuzzing the parser: random LaTeX-ish token strings and mutated corpus formulas either parse or
raise a SymderivError subclass; nothing else escapes (no AttributeError, RecursionError …)."""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symderiv.core.errors import SymderivError
from symderiv.parsing.parser import parse, parse_expression

CORPUS = [row["latex"] for row in json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "parse_corpus.json").read_text(encoding="utf-8"))]

TOKENS = [
    "x", "y", "z", "w", "X", "i", "j", "k", "n", "d", "K", "T", "e", "f", "g", "L", "H", "P", "0", "1",
    "2", "10", "3.5", "+", "-", "*", "/", "=", ":=", ",", ";", ".", "!", "'", "’", "|", "&", "^",
    "_", "{", "}", "(", ")", "[", "]", "<", ">", r"\theta", r"\sigma", r"\lambda", r"\eta",
    r"\hat{y}", r"\hat", r"\bar{x}", r"\mathbf{w}", r"\mathbf{W}", r"\vec{x}", r"\mathrm{d}",
    r"\operatorname{ReLU}", r"\mathrm{softmax}", r"\frac", r"\dfrac", r"\sqrt", r"\sum", r"\prod",
    r"\sum_{i=1}^{n}", r"\int", r"\log", r"\log_2", r"\ln", r"\exp", r"\tanh", r"\sin", r"\max",
    r"\min", r"\cdot", r"\times", r"\left(", r"\right)", r"\left[", r"\right]", r"\left|",
    r"\right|", r"\|", r"\langle", r"\rangle", r"\nabla", r"\nabla_\theta", r"\partial", r"\cdots",
    r"\ldots", r"\infty", r"\top", r"^T", r"^{(t)}", r"\binom", r"\mid", r"\le", r"\text{where}",
    r"\text{if }", r"\begin{cases}", r"\end{cases}", r"\\", r"\quad", r"\,", r"\Rightarrow", r"\pm",
    r"\foo", "\\", " ", "$", "%", "σ", "θ", "−", "∑",
]

token_strings = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
spaced_token_strings = st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join)


@st.composite
def mutated_formulas(draw):
    """A corpus formula with a few deletions, insertions, swaps and duplications."""
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "swap", "duplicate"]))
        at = draw(st.integers(0, len(text)))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 6)):]
        elif op == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif op == "swap" and len(text) > 1:
            b = draw(st.integers(0, len(text) - 1))
            a, b = sorted((min(at, len(text) - 1), b))
            text = text[:a] + text[b] + text[a + 1:b] + text[a] + text[b + 1:]
        elif op == "duplicate":
            text = text[:at] + text[at:at + draw(st.integers(1, 12))] + text[at:]
    return text


def _parses_or_refuses(latex: str, where=()) -> None:
    with contextlib.suppress(SymderivError):
        parse(latex, where=list(where))


FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(token_strings)
def test_random_token_strings(latex):
    _parses_or_refuses(latex)


@FUZZ
@given(spaced_token_strings)
def test_random_spaced_token_strings(latex):
    _parses_or_refuses(latex)


@FUZZ
@given(mutated_formulas())
def test_mutated_corpus_formulas(latex):
    _parses_or_refuses(latex)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CORPUS), mutated_formulas())
def test_mutated_definitions(latex, definition):
    _parses_or_refuses(latex, where=[definition])


@settings(max_examples=300, deadline=None)
@given(mutated_formulas())
def test_parse_expression_in_a_problem_context(latex):
    problem = parse(r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
                    where=[r"\hat{y}_i = \sigma(\theta^T x_i)"])
    with contextlib.suppress(SymderivError):
        parse_expression(latex, problem)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_unicode_text(latex):
    _parses_or_refuses(latex)

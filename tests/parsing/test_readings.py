"""The parser's judgment calls are said with a phrase key (parsing/reading_phrases.py), so every
page says them in its own language with the math typeset; the English sentence is unchanged."""
from __future__ import annotations

import re

import pytest

from symderiv.core.problem import Reading
from symderiv.output.phrases import reading_sentence
from symderiv.parsing.parser import parse
from symderiv.parsing.reading_phrases import READINGS

# one input per kind of reading (the key it must produce)
CASES = [(latex, key) for key, latex in {
    "undefined_function": r"\operatorname{foo}(x)",
    "undefined_integer_function": r"\gcd(x, y)",
    "matrix_row": r"L(W) = \sum_{k=1}^{K} w_k^T x",
    "softmax_rows": r"\sum_{i=1}^{n} \sum_{k=1}^{K} \log \operatorname{softmax}(X W^T)",
    "held_inverse": r"x^T (A + B)^{-1} x",
    "frobenius": r"\|W x\|^2 + \|W\|",
    "gamma": r"\Gamma(x)",
    "derivative_function": r"\frac{d}{dx} E",
    "inverse_function": r"\sin^{-1} x",
    "argument": r"\ln xy",
    "scientific": r"1e-3 x",
    "vector": r"v^T W x",
    "sample_rows": r"L(W) = -\sum_{i=1}^{n} y_i^T \log\operatorname{softmax}(W x_i)",
    "matrix": r"L(W) = -\sum_{i=1}^{n} y_i^T \log\operatorname{softmax}(W x_i)",
    "matrix_power": r"\operatorname{tr}(A^2)",
}.items()]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _readings(latex: str) -> list[Reading]:
    out = list(parse(latex).readings)
    assert out and all(isinstance(r, Reading) and r.key for r in out), out
    return out


def test_every_kind_of_reading_has_a_case() -> None:
    assert {key for _, key in CASES} == set(READINGS["en"]) == set(READINGS["zh"])


@pytest.mark.parametrize(("latex", "key"), CASES)
def test_a_reading_is_said_with_its_key(latex: str, key: str) -> None:
    readings = _readings(latex)
    assert key in {r.key for r in readings}
    for r in readings:
        assert reading_sentence(r, "en", plain=True) == r          # the text page says the sentence itself
        assert "$" in reading_sentence(r, "en") or not r.values    # md/tex typeset its math


@pytest.mark.parametrize("latex", sorted({latex for latex, _ in CASES}))
def test_a_chinese_page_says_a_reading_in_chinese(latex: str) -> None:
    for r in _readings(latex):
        zh = reading_sentence(r, "zh")
        prose = re.sub(r"\$[^$]*\$", "", zh)               # the math aside
        words = set(re.findall(r"[A-Za-z]{2,}", prose)) - {"softmax", "Frobenius"}
        assert CJK.search(zh) and not words, zh
        assert not re.search(r"[\u4e00-\u9fff][,.:;()]", zh), zh   # no ASCII punctuation after Chinese


def test_the_english_sentences_are_the_ones_tests_and_json_read() -> None:
    assert "read w_k as the k-th row of W" in parse(r"L(W) = \sum_{k=1}^{K} w_k^T x").readings
    assert "read 1e-3 as 0.001 (scientific notation: 1·10^-3)" in parse("1e-3 x").readings

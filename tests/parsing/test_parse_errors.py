"""Bad input: a ParseError with a column and a caret under it, quickly, even for hostile input;
the CLI prints `error: …` plus at most the excerpt and the caret, and exits 2 (3 on a time limit)."""
from __future__ import annotations

import json
import time

import pytest

from symderiv.cli.main import main
from symderiv.core.errors import ParseError, SymderivError
from symderiv.parsing.parser import parse, parse_expression

MALFORMED = [
    # (input, a word the message must contain, column (0-based) or None for "any")
    (r"\frac{}{}", "empty", 5),
    ("x +* y", "operand", 2),
    (r"\sigma(", "operand", 7),
    ("(x", "never closed", 0),
    ("x)", "unexpected", 1),
    ("x}", "unexpected", 1),
    (r"\left( x", "never closed", 0),
    (r"\frac{1}", "two arguments", 0),
    ("x^", "missing", 2),
    ("x_", "missing", 2),
    ("^2", "unexpected", 0),
    (r"\sum", "index", 0),
    (r"\sum_{i=1}^{n}", "nothing to sum", 0),
    (r"\int x", "differential", 0),
    (r"\lim_{x \to 0} x", "not supported", 0),
    (r"\foo{x}", "unknown command", 0),
    (r"\begin{matrix} 1 \end{matrix}", "not supported", 0),
    ("x = ", "right side is missing", 4),
    ("x @ y", "unexpected character", 2),
    (r"\hat{}", "accent", 5),
    (r"\|x", "never closed", 0),
    ("|x", "never closed", 0),
    (r"\nabla", "function to act on", 0),
    (r"\frac{d}{dx}", "act on", 0),
    ("x^a^b", "double superscript", 3),
    (r"x \pm y", r"\pm", 2),
    (r"\|w\|_3", "norms", 5),
    (r"\cdot x", "operand", 0),
    ("1/0", "division by zero", 1),
    (r"\frac{1}{0}", "division by zero", 0),
    (r"\log 0", "undefined", 0),
    (r"\infty - \infty", "undefined", None),
    (r"x_1 + \cdots + y_n", r"\cdots", 4),
    ("", "empty", 0),
    ("\\", "backslash", 0),
    (r"\sigma()", "argument", None),
    (r"\max_x f(x)", "not supported", 0),
    ("x;;y", "definition", None),
]


@pytest.mark.parametrize("latex, word, column", MALFORMED, ids=[m[0] or "empty" for m in MALFORMED])
def test_malformed_input_is_a_parse_error_with_a_caret(latex, word, column):
    with pytest.raises(ParseError) as info:
        parse(latex)
    err = info.value
    assert word.lower() in err.message.lower()
    assert err.column is not None
    if column is not None:
        assert err.column == column
    lines = err.lines()
    assert lines[0].startswith("error: ")
    if not latex.strip():
        return  # nothing to show under the message
    assert len(lines) == 3
    excerpt, caret = lines[1], lines[2]
    assert caret.strip() == "^" and len(caret) <= len(excerpt) + 1
    if latex and err.column < len(latex):
        assert excerpt[caret.index("^")] == latex[err.column]


def test_excerpt_of_a_long_formula_is_a_window_around_the_column():
    latex = "x + " * 40 + "(y"
    with pytest.raises(ParseError) as info:
        parse(latex)
    err = info.value
    excerpt, caret = err.lines()[1:]
    assert excerpt.startswith("…") and len(excerpt) <= 80
    assert excerpt[caret.index("^")] == "("


def test_definitions_are_checked_too():
    with pytest.raises(ParseError):
        parse("L = y", where=["z = "])
    with pytest.raises(ParseError):
        parse("L = y", where=[r"\frac{1}{"])
    with pytest.raises(ParseError):
        parse("L = y", where=[3])


def test_non_text_input():
    with pytest.raises(ParseError):
        parse(None)
    with pytest.raises(ParseError):
        parse_expression(b"x")


# --------------------------------------------------------------------------- hostile input
def _tower(depth: int) -> str:
    s = "x"
    for _ in range(depth):
        s = "x^{" + s + "}"
    return s


HOSTILE = {
    "50 nested parentheses": "(" * 50 + "x" + ")" * 50,
    "29 nested parentheses": "(" * 29 + "x" + ")" * 29,
    "25-deep exponent tower": _tower(25),
    "200-deep exponent tower": _tower(200),
    "unbraced exponent chain": "x^" * 2000 + "x",
    "5,000-digit number": "1" * 5000,
    "101-digit number": "1" * 101 + "x",
    "20,000 characters": "x+" * 10_000,
    "4,999 characters of sums": "x+" * 2499 + "x",
    "3,000 nested braces": "{" * 3000 + "x" + "}" * 3000,
    "2,000 nested braces": "{" * 2000 + "x" + "}" * 2000,
    "10^{10^{10}}": "10^{10^{10}}",
    "2^{2^{2^{2^{2^{2}}}}}": "2^{2^{2^{2^{2^{2}}}}}",
    "100000000!": "100000000!",
    "(10^{10})!": "(10^{10})!",
    r"\binom{10000000}{5000000}": r"\binom{10000000}{5000000}",
    r"\binom{10^{7}}{10^{6}}": r"\binom{10^{7}}{10^{6}}",
    "1.5^{1000000}": "1.5^{1000000}",
    "380 dot products": r"\theta^T x" + r" + \theta^T x" * 380,
    "4,999 letters": "x" * 4999,
    "200 nested bars": "|" * 200 + "x" + "|" * 200,
    "1,600 nested minus signs": "-" * 1600 + "x",
    "29 nested left/right": r"\left(" * 29 + "x" + r"\right)" * 29,
    "deep sqrt without braces": r"\sqrt" * 900 + "x",
    "many sums": r"\sum_{i=1}^{n}" * 300 + "x_i",
}


@pytest.mark.parametrize("latex", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_ends_quickly_with_a_result_or_a_clear_error(latex):
    started = time.perf_counter()
    try:
        parse(latex)
    except SymderivError as exc:
        assert str(exc) and "\n" not in exc.lines()[0]
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{elapsed:.2f} s"


@pytest.mark.parametrize("latex, word", [
    ("(" * 50 + "x" + ")" * 50, "nested"),
    ("1" * 5000, "digits"),
    ("x+" * 10_000, "characters"),
    ("10^{10^{10}}", "too large"),
    ("100000000!", "too large"),
    (r"\binom{10000000}{5000000}", "too large"),
])
def test_limits_say_what_was_refused(latex, word):
    with pytest.raises(ParseError, match=word):
        parse(latex)


# --------------------------------------------------------------------------- the CLI
def _run(capsys, *argv):
    code = main(["parse", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("latex", [r"\frac{}{}", "x +* y", r"\sigma(", "(" * 50 + "x" + ")" * 50,
                                   "10^{10^{10}}", r"\foo{x}", "1" * 5000])
def test_cli_reports_bad_input_in_at_most_three_lines(capsys, latex):
    code, out, err = _run(capsys, "--format", "json", latex)
    assert code == 2 and out == ""
    lines = err.rstrip("\n").split("\n")
    assert lines[0].startswith("error: ") and len(lines) <= 3
    assert "Traceback" not in err
    if len(lines) == 3:
        assert lines[2].strip() == "^"


def test_cli_bad_definition(capsys):
    code, _out, err = _run(capsys, "x", "--where", r"\frac{", "--format", "json")
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err


def test_cli_prints_the_parse(capsys):
    code, out, err = _run(capsys, r"L(\theta) = -y\log \hat{y} - (1 - y)\log(1 - \hat{y})",
                          "--where", r"\hat{y} = \sigma(\theta x)", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["function"]["name"] == "L"
    assert data["variables"] == ["theta"]
    assert [dfn["symbol"] for dfn in data["definitions"]] == ["yhat"]


def test_cli_reads_latex_starting_with_minus_after_double_dash(capsys):
    code, out, _ = _run(capsys, "--format", "json", "--", r"-\sum_{k=1}^{K} y_k \log p_k")
    assert code == 0 and json.loads(out)["input"].startswith("-")

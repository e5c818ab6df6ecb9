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
    # words between formulas are refused, never multiplied (issue 17)
    ("a=1 or b=2", "word", 4),
    ("x = 1 and y = 2", "word", 6),
    (r"x = 1 \text{ or } y = 2", "text", 6),
    # a mismatched environment: the caret at its \end (issue 11)
    (r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{pmatrix}", r"\end{pmatrix}", 48),
    ("x!!", "ambiguous", 1),
    ("1e999", "exponent", 1),
    (r"\sin", "argument", 0),
    (r"\lfloor x", "never closed", 0),
    (r"\gcd x", "parentheses", 0),
    (r"\mathbf{x + y}", "vector name", 0),
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


# --------------------------------------------------------------------------- definitions form a DAG
@pytest.mark.parametrize("where, cycle", [
    (["y = y + 1"], "y → y"),
    (["y = z + 1", "z = y^2"], "y → z → y"),
    (["a = b", "b = c", "c = a + 1"], "a → b → c → a"),
])
def test_circular_definitions_are_refused_naming_the_cycle(where, cycle):
    with pytest.raises(ParseError) as info:
        parse("L = y^2 + a", where=where)
    assert cycle in info.value.message and "circular" in info.value.message
    assert info.value.column == 0 and info.value.source == where[0]


def test_a_cycle_inside_the_formula_has_its_caret_at_the_definition():
    latex = "L = y^2, y = z + 1, z = y"
    with pytest.raises(ParseError) as info:
        parse(latex)
    assert info.value.column == latex.index("y = z")


def test_a_recurrence_over_an_index_is_no_cycle():
    p = parse(r"L = \sum_t h_t, h_t = \tanh(W h_{t-1})")
    assert [d.name for d in p.definitions] == ["h"]


def test_cli_names_the_cycle(capsys):
    code, out, err = _run(capsys, "L = y", "--where", "y = z + 1", "--where", "z = y^2", "--format", "json")
    assert code == 2 and out == "" and err.startswith("error: the definitions are circular: y → z → y")


# --------------------------------------------------------------------------- echoed input is sanitised
@pytest.mark.parametrize("hostile", ["x + \x1b[31mred\x1b[0m", "\x1b]0;title\x07 x", "x \u202e y", "\x00x"])
def test_control_characters_are_escaped_in_every_line(hostile):
    with pytest.raises(ParseError) as info:
        parse(hostile)
    lines = info.value.lines()
    assert all(ch.isprintable() for line in lines for ch in line), lines
    excerpt, caret = lines[1], lines[2]
    bad = hostile[info.value.column]
    assert excerpt[caret.index("^"):].startswith(f"\\x{ord(bad):02x}" if ord(bad) < 256 else f"\\u{ord(bad):04x}")


def test_messages_built_from_input_are_sanitised_too():
    err = ParseError("unknown name \x1b[2J", "ab\x1bc", 2)
    assert "\x1b" not in str(err) and "\\x1b" in str(err)
    assert err.lines()[1] == "ab\\x1bc" and err.lines()[2] == "  ^"
    assert ParseError("two\nlines").lines() == ["error: two\\nlines"]


def test_cli_never_writes_an_escape_character(capsys):
    code, out, err = _run(capsys, "--format", "json", "x + \x1b[2J \\frac{")
    assert code == 2 and "\x1b" not in out + err and "\\x1b" in err


@pytest.mark.parametrize("latex", [r"x/(a, b)", r"f/(x, y) = x^2 + 3xy + y^2"])
def test_dividing_by_a_list_is_refused_with_a_caret(latex):
    """Found by the fuzz test: `f/(x, y)` built Pow(Tuple, -1) (a SymPy deprecation) instead of an error."""
    with pytest.raises(ParseError, match="cannot divide by a list of values") as info:
        parse(latex)
    assert info.value.column == latex.index("/")

"""Fuzzing the whole command line: random formulas from a grammar of the notation, mutated corpus
formulas, random bytes and surrogate-escaped arguments, through every command. Whatever comes in,
the exit code is 0, 1, 2 or 3, nothing prints a traceback, exit 2 says `error: …` on its first
line, and the command ends within its time limit plus one second. Exit 70 (a bug) is a failure.

CI runs a short profile (SYMDERIV_FUZZ unset: about a minute); `SYMDERIV_FUZZ=long` runs the long
one (`SYMDERIV_FUZZ_EXAMPLES`, default 50,000 inputs over all commands).
"""
from __future__ import annotations

import contextlib
import io
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symderiv import cli

LONG = os.environ.get("SYMDERIV_FUZZ") == "long"
EXAMPLES = int(os.environ.get("SYMDERIV_FUZZ_EXAMPLES", "50000")) if LONG else 60
TIMEOUT = 2.0

ATOMS = ["x", "y", "w", "b", "z", "n", "2", "3", "0.5", "1e-3", r"\theta", r"\lambda", r"\pi", "e", r"\hat{y}",
         r"\hat{y}_i", "x_i", "y_i", r"\theta_j", "x_{ij}", r"\mathbf{w}", "W", "X", r"\sigma", "f", "y_1''"]
UNARY = [r"\sin", r"\cos", r"\tan", r"\log", r"\ln", r"\exp", r"\tanh", r"\sigma", r"\sqrt",
         r"\operatorname{ReLU}", r"\operatorname{GELU}", r"\operatorname{softplus}", r"\sin^{-1}", r"\sin^2",
         r"\operatorname{floor}", r"\operatorname{foo}", r"\mathrm{loss}", r"\arctan"]
BINARY = ["+", "-", r"\cdot", " ", "/", r"\times"]


def _grammar() -> st.SearchStrategy[str]:
    atom = st.sampled_from(ATOMS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(BINARY), inner).map("".join),
            st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]} {t[1]}"),
            st.tuples(inner, inner).map(lambda t: rf"\frac{{{t[0]}}}{{{t[1]}}}"),
            st.tuples(inner, st.sampled_from(["2", "3", "-1", "n", "{1/2}", "T"])).map(lambda t: f"({t[0]})^{t[1]}"),
            inner.map(lambda s: rf"\sum_{{i=1}}^{{n}} {s}"),
            inner.map(lambda s: rf"\left| {s} \right|"),
            inner.map(lambda s: rf"\|{s}\|^2"),
            inner.map(lambda s: rf"\max(0, {s})"),
            inner.map(lambda s: rf"\frac{{d}}{{dx}} {s}"),
            st.tuples(inner, st.sampled_from(["=", "<", r"\le", r"\neq"]), inner).map(" ".join),
        )

    return st.recursive(atom, extend, max_leaves=8)


FORMULAS = _grammar()
NOISE = st.one_of(st.text(max_size=40), st.binary(max_size=40).map(lambda b: b.decode("utf-8", "surrogateescape")))
LATEX = st.one_of(FORMULAS, FORMULAS.map(lambda s: f"f(x) = {s}"), NOISE)


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """One command line: a command, a formula, its options (some of them odd)."""
    latex = draw(LATEX)
    command = draw(st.sampled_from(["parse", "derive", "verify", "analyze", "optimize"]))
    argv = [command, latex, "--timeout", str(TIMEOUT)]
    if draw(st.booleans()):
        argv += ["--where", draw(st.one_of(FORMULAS.map(lambda s: f"z = {s}"), NOISE))]
    if command == "derive":
        argv += ["--format", draw(st.sampled_from(["text", "json", "md", "tex"])),
                 "--lang", draw(st.sampled_from(["en", "zh"]))]
        argv += ["--hessian"] if draw(st.booleans()) else []
        argv += ["--wrt", draw(st.sampled_from(["x", "theta", "w,b", "X", "q"]))] if draw(st.booleans()) else []
    elif command == "verify":
        argv += ["--wrt", draw(st.sampled_from(["x", "theta", "y", "X"])), "--claim", draw(LATEX)]
    elif command == "optimize":
        argv += ["--start", draw(st.sampled_from(["0", "1", "-1,1", "0.5,0.5", "a", "1e400"])), "--iters", "200"]
    elif command == "analyze":
        argv += ["--format", draw(st.sampled_from(["text", "json", "md"]))]
    if draw(st.integers(0, 9)) == 0:
        argv.append(draw(NOISE))
    return argv


def _run(argv: list[str]) -> tuple[int, str, float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, err.getvalue(), time.monotonic() - start


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=not LONG)
@given(command_lines())
def test_every_command_line_ends_in_a_known_way(argv):
    code, err, took = _run(argv)
    assert code in (0, 1, 2, 3), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert err.startswith("error: "), (argv, err)
    assert took < TIMEOUT + 1.0, (argv, took)


@pytest.mark.slow
@settings(max_examples=EXAMPLES // 6 + 1, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=not LONG)
@given(st.lists(st.one_of(FORMULAS.map(lambda s: f"$${s}$$"), NOISE, st.sampled_from(["```", "<!--", "-->", "#"])),
                max_size=6))
def test_notes_on_random_notes_end_in_a_known_way(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("note")
    note = folder / "note.md"
    note.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
    code, err, took = _run(["notes", str(note), "--timeout", "10", "--formula-timeout", "1", "--no-plots"])
    assert code in (0, 2, 3), (lines, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("error: ")
    assert took < 11.0

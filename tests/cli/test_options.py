"""One CLI tree: every command takes the shared options, values that start with `-` are read as
typed, a bad --timeout is a usage error, and -o writes the page to a file for every command."""
from __future__ import annotations

import json

import pytest

from symderiv import cli
from symderiv.cli.main import COMMANDS, build_parser
from symderiv.cli.options import join_dash_values

SHARED = ("--format", "--lang", "--output", "--timeout")
READS_A_FORMULA = ("parse", "derive", "verify", "analyze", "optimize")


def _options(command: str) -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {opt for action in sub.choices[command]._actions for opt in action.option_strings}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_takes_the_shared_options(command):
    opts = _options(command)
    if command == "serve":  # a server prints no page: its language and its requests' time limit only
        assert {"--lang", "--timeout"} <= opts
        return
    assert set(SHARED) <= opts and "-o" in opts
    if command in READS_A_FORMULA:
        assert "--where" in opts


def test_dash_values_are_joined_only_for_options_that_take_one():
    parser = build_parser()
    argv = ["optimize", "f(x)", "--start", "-1,1", "--lr", "1e-3", "--method", "both", "--where", "-y = x"]
    assert join_dash_values(parser, argv) == ["optimize", "f(x)", "--start=-1,1", "--lr", "1e-3", "--method",
                                              "both", "--where=-y = x"]
    assert join_dash_values(parser, ["derive", "x^2", "--hessian", "--format", "json"]) == [
        "derive", "x^2", "--hessian", "--format", "json"]


@pytest.mark.parametrize(("argv", "shown"), [
    (["derive", "-x^2"], "-x²"),
    (["derive", "--wrt", "x", r"-\sin(3x)"], "-sin(3·x)"),
    (["derive", "-x", "--format", "text"], "-x"),
    (["parse", "-x^2 + 1"], "-x"),
])
def test_a_formula_that_starts_with_a_minus_is_read_as_typed(argv, shown, capsys):
    assert cli.main(argv) == 0
    assert shown in capsys.readouterr().out


def test_an_error_in_a_formula_that_starts_with_a_minus_points_at_its_own_column(capsys):
    assert cli.main(["derive", "-x^2 +"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "(column 6)" in err[0] and err[1] == "-x^2 +" and err[2] == "     ^"


def test_an_unknown_long_option_is_still_a_usage_error(capsys):
    assert cli.main(["derive", "x^2", "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_readme_optimize_example_runs(capsys):
    code = cli.main(["optimize", "f(x, y) = (1 - x)^2 + 100(y - x^2)^2", "--start", "-1,1", "--method", "both"])
    out = capsys.readouterr().out
    assert code == 0 and "start: (-1.0000, 1.0000)" in out and "Newton's method" in out


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "-inf", "soon"])
def test_bad_timeouts_are_usage_errors(value, capsys):
    assert cli.main(["derive", "x^2", "--timeout", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: argument --timeout") and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["parse", "f(x) = x^2"],
    ["derive", "f(x) = x^2", "--format", "json"],
    ["verify", r"\sin x", "--wrt", "x", "--claim", r"\cos x"],
    ["analyze", "f(x, y) = x^2 - y^2", "--format", "json"],
    ["optimize", "f(x) = (x - 2)^2", "--start", "-1", "--format", "json"],
])
def test_output_option_writes_the_page_for_every_command(argv, tmp_path, capsys):
    target = tmp_path / "out.txt"
    assert cli.main([*argv, "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    body = target.read_text(encoding="utf-8")
    if "--format" in argv or argv[0] == "parse":
        json.loads(body)
    else:
        assert body.startswith("verdict: correct")


def test_an_unwritable_output_is_a_clear_error(capsys):
    assert cli.main(["derive", "x^2", "-o", "/proc/out.md"]) == 2
    assert capsys.readouterr().err.startswith("error: cannot write /proc/out.md")


def test_lang_reaches_every_page(capsys):
    assert cli.main(["derive", "f(x) = x^2", "--lang", "zh"]) == 0
    assert "幂法则" in capsys.readouterr().out
    assert cli.main(["analyze", "f(x, y) = x^2 - y^2", "--lang", "zh"]) == 0
    assert "鞍点" in capsys.readouterr().out


def test_the_whole_command_runs_under_the_time_limit(monkeypatch, capsys):
    import time

    from symderiv.cli import derive as derive_command

    def slow_page(*args, **kwargs):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr("symderiv.output.pages.page", slow_page)
    start = time.monotonic()
    assert cli.main(["derive", "f(x) = x^2", "--timeout", "0.5"]) == 3
    assert time.monotonic() - start < 1.5
    assert "time limit" in capsys.readouterr().err
    assert derive_command.BUILTIN_EXAMPLE

"""Progress bars (issue 16, item 4): on stderr when it is a terminal, never on stdout, never in a pipe
or with --quiet."""
from __future__ import annotations

import io
import sys
import time

import pytest

from symderiv.cli.main import main
from symderiv.cli.progress import bar, spinner, wanted

NOTE = "# Two\n\n$$ f(x) = x^2 $$\n\n$$ g(x) = \\sin(x) $$\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_notes(tmp_path, monkeypatch, stderr, *options):
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path / "cache"))
    note = tmp_path / "n.md"
    note.write_text(NOTE, encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", stderr)
    assert main(["notes", str(note), "-o", str(tmp_path / "out.md"), "--no-plots", "--jobs", "1", *options]) == 0


def test_no_bar_when_stderr_is_no_terminal(tmp_path, monkeypatch, capsys):
    err = io.StringIO()
    _run_notes(tmp_path, monkeypatch, err)
    assert err.getvalue() == f"wrote {tmp_path / 'out.md'}\n"        # no bar bytes at all
    assert capsys.readouterr().out == ""


def test_bar_on_a_terminal_and_not_with_quiet(tmp_path, monkeypatch, capsys):
    err = Terminal()
    _run_notes(tmp_path, monkeypatch, err)
    shown = err.getvalue()
    assert "notes" in shown and "\x1b[" in shown and "2/2" in shown
    assert capsys.readouterr().out == ""                               # never on stdout
    quiet = Terminal()
    _run_notes(tmp_path, monkeypatch, quiet, "--quiet")
    assert quiet.getvalue() == f"wrote {tmp_path / 'out.md'}\n"


@pytest.mark.parametrize("stream, quiet, shown", [(Terminal(), False, True), (Terminal(), True, False),
                                                  (io.StringIO(), False, False)])
def test_wanted(stream, quiet, shown):
    assert wanted(quiet, stream) is shown
    with bar("x", quiet, stream) as update:
        update(1, 2)
    assert ("\x1b[" in stream.getvalue()) is shown


def test_spinner_only_for_work_past_its_delay():
    slow, quick, quiet = Terminal(), Terminal(), Terminal()
    with spinner("symderiv derive", False, slow, after=0.05):
        time.sleep(0.4)
    with spinner("symderiv derive", False, quick, after=5):
        pass
    with spinner("symderiv derive", True, quiet, after=0.0):
        time.sleep(0.2)
    assert "symderiv derive: working" in slow.getvalue() and "\x1b[" in slow.getvalue()
    assert quick.getvalue() == "" and quiet.getvalue() == ""


def test_a_slow_command_spins_on_a_terminal_and_its_page_is_untouched(monkeypatch, capsys):
    monkeypatch.setattr("symderiv.cli.progress.SPINNER_AFTER", 0.0)
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["derive", "f(x) = x^3", "--format", "json"]) == 0
    page = capsys.readouterr().out
    assert "symderiv derive: working" in err.getvalue()
    assert page.startswith("{") and "\x1b[" not in page
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["derive", "f(x) = x^3", "--format", "json", "--quiet"]) == 0
    assert quiet.getvalue() == "" and capsys.readouterr().out == page

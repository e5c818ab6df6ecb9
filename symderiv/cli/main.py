"""The `symderiv` command: one argparse tree, one sub-command per job, errors as `error: …`.

Exit codes: 0 success; 1 a verification found the claim wrong; 2 bad input or usage; 3 time
limit. The whole command — reading, working, printing, writing — runs under --timeout. No
traceback reaches the user: SymderivError prints its message (and caret); anything else is
reported as an internal error (exit 70, a bug of ours).
"""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import ModuleType

from symderiv.cli.command import Outcome
from symderiv.cli.options import UsageError, join_dash_values, unmark
from symderiv.core.errors import SymderivError

# sub-command -> (module with `configure_cli(parser, name)` and `run_cli(args) -> Outcome`, help)
COMMANDS = {
    "parse": ("symderiv.cli.derive", "read LaTeX and print what it means (JSON)"),
    "derive": ("symderiv.cli.derive", "derive the gradient (and Hessian) step by step"),
    "verify": ("symderiv.cli.verify", "check a claimed derivative or a whole hand derivation"),
    "notes": ("symderiv.cli.notes", "write a worked-example note from a Markdown note"),
    "analyze": ("symderiv.cli.analyze", "critical points, their classification, convexity"),
    "optimize": ("symderiv.cli.optimize", "gradient descent versus Newton's method"),
    "export": ("symderiv.cli.export", "the gradient as a NumPy / PyTorch / JAX module, with --check"),
    # the web layer sits above this one: the table names its module, nothing here imports it
    "serve": ("symderiv.web.command", "the web page: paste a formula, read the worked solution (localhost)"),
}
INPUT_OPTIONS = ("note", "data", "steps")  # files a command reads: never written over


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our format (exit 2, one `error:` line)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The one parser tree: every sub-command with the shared options and its own.

    Given the command line `argv`, only the command it names gets its options, so only that command's
    module is imported: `symderiv --help` and `symderiv derive …` load no other command's stage.
    """
    parser = _Parser(prog="symderiv", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--version", action="version", version="symderiv 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chosen = None if argv is None else _command_named(argv)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if argv is None or name == chosen:
            module = importlib.import_module(module_name)
            module.configure_cli(p, name)
            p.set_defaults(_module=module)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The sub-command argparse will choose: the first word that is no option (the top level's
    options, --help and --version, take no value); None when that word names no command."""
    word = next((w for w in argv if not w.startswith("-")), None)
    return word if word in COMMANDS else None


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that every `finally` (temporary files) runs."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)  # a caller in the same process gets its own handler back


# what stopped the command -> (message, exit code)
_STOPPED: dict[type[BaseException], tuple[str, int]] = {
    KeyboardInterrupt: ("interrupted", 130),
    _Terminated: ("terminated", 143),
    RecursionError: ("the input is nested too deeply to process", 2),
    MemoryError: ("out of memory while processing the input", 2),
}


def _main(argv: list[str]) -> int:
    try:
        parser = build_parser(argv)
        args = unmark(parser.parse_args(join_dash_values(parser, argv)))
        if not args.command:
            parser.print_help()
            return 2
        return _run(args._module, args)
    except SymderivError as exc:
        for line in exc.lines()[:3]:
            print(line, file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (`symderiv … | head`): stop quietly, as a shell tool does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (KeyboardInterrupt, _Terminated, RecursionError, MemoryError) as exc:
        message, code = _STOPPED[type(exc)]
        print(f"error: {message}", file=sys.stderr)
        return code
    except Exception as exc:  # a bug of ours: say so in one line, never a traceback
        print(f"error: internal error ({type(exc).__name__}: {str(exc)[:200]}); please report it",
              file=sys.stderr)
        return 70


def _run(module: ModuleType, args: argparse.Namespace) -> int:
    """The command under its time limit, then its files and its page, each written atomically."""
    from symderiv.cli.progress import spinner
    from symderiv.core.io import write_atomic, write_output
    from symderiv.core.limits import time_limit

    if getattr(args, "lang", "") is None and args.command != "notes":
        from symderiv.output.phrases import default_language

        args.lang = default_language()
    protect = tuple(p for p in (getattr(args, o, None) for o in INPUT_OPTIONS) if isinstance(p, str) and p != "-")
    # notes and verify --batch draw a bar of their own; serve runs until stopped
    quiet = getattr(args, "quiet", True) or args.command in ("notes", "serve") or bool(getattr(args, "batch", None))
    with time_limit(args.timeout, f"symderiv {args.command}"):
        with spinner(f"symderiv {args.command}", quiet):
            outcome: Outcome = module.run_cli(args)
        for path, data in outcome.files:
            write_atomic(path, data, source_paths=protect)
        write_output(outcome.body, outcome.output or args.output, source_paths=protect)
    if outcome.message:
        print(outcome.message, file=sys.stderr)
    return outcome.code

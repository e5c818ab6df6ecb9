"""The `symderiv` command: one sub-command per job, errors as `error: …` and an exit code.

Exit codes: 0 success; 1 a verification found the claim wrong; 2 bad input or usage;
3 time limit. No traceback reaches the user: SymderivError prints its message (and caret),
anything else is reported as an internal error.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from symderiv.core.errors import SymderivError

# sub-command -> module that defines `configure_cli(parser, name)` and `run_cli(args) -> int`;
# imported only when used, so `symderiv parse` never pays for matplotlib.
COMMANDS = {
    "parse": ("symderiv.output.contract", "read LaTeX and print what it means (JSON)"),
    "derive": ("symderiv.output.contract", "derive the gradient (and Hessian) step by step"),
    "verify": ("symderiv.check.verify", "check a claimed derivative or a whole hand derivation"),
    "notes": ("symderiv.notes.worker", "write a worked-example note from a Markdown note"),
    "analyze": ("symderiv.analysis.analyzer", "critical points, their classification, convexity"),
    "optimize": ("symderiv.analysis.optimizer", "gradient descent versus Newton's method"),
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our format (exit 2, one `error:` line)."""

    def error(self, message):
        raise _UsageError(f"{message} (see `{self.prog} --help`)")


class _UsageError(SymderivError):
    pass


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="symderiv", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if command is None or name == command:
            module = importlib.import_module(module_name)
            module.configure_cli(p, name)
            p.set_defaults(_module=module)
    return parser


def _command_in(argv: list[str]) -> str | None:
    for a in argv:
        if a in COMMANDS:
            return a
        if not a.startswith("-"):
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_command_in(argv))
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        return int(args._module.run_cli(args) or 0)
    except SymderivError as exc:
        for line in exc.lines()[:3]:
            print(line, file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (`symderiv … | head`): stop quietly, as a shell tool does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print("error: the input is nested too deeply to process", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: out of memory while processing the input", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: say so in one line, never a traceback
        print(f"error: internal error ({type(exc).__name__}: {str(exc)[:200]}); please report it",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())

"""`symderiv verify`: check a claimed derivative (--claim) or a whole hand derivation (--steps).

Exit codes: 0 the claim or derivation is right (or undecided); 1 it is wrong; 2 bad input; 3 time limit.
"""
from __future__ import annotations

import argparse
import sys

from symderiv.cli.command import Outcome
from symderiv.cli.options import add_common, add_formula
from symderiv.core.errors import VerifyError


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The options of `verify`."""
    add_formula(parser, "the function (`-` reads it from standard input)")
    add_common(parser, ("text", "md", "json"), "text")
    parser.add_argument("--wrt", help="the variable of the derivative")
    parser.add_argument("--claim", help="the claimed derivative (LaTeX)")
    parser.add_argument("--steps", metavar="FILE",
                        help="a hand derivation (align environment or $$ lines); `-` for stdin")


def run_cli(args: argparse.Namespace) -> Outcome:
    """Check the claim or the derivation; exit 1 when it is wrong."""
    from symderiv.check.verify import verify, verify_steps
    from symderiv.output.verify_report import report

    if (args.claim is None) == (args.steps is None):
        raise VerifyError("give exactly one of --claim LATEX or --steps FILE")
    latex = args.latex
    if latex == "-":
        if args.steps == "-":
            raise VerifyError("stdin cannot hold both LATEX and --steps")
        latex = sys.stdin.read().strip()
    wrt = args.wrt or None
    if wrt and "," in wrt:
        raise VerifyError("verify checks one variable at a time; give a single --wrt")
    if args.claim is not None:
        if not latex:
            raise VerifyError("give the function LATEX to verify a --claim against")
        result = verify(latex, wrt, args.claim, where=args.where, timeout=args.timeout,
                        explain=args.format != "json")
        return Outcome(report(result, args.format, args.lang), 1 if result.verdict == "wrong" else 0)
    res = verify_steps(_read_steps(args.steps), latex=latex, wrt=wrt, where=args.where, timeout=args.timeout)
    return Outcome(report(res, args.format, args.lang), 0 if res.ok else 1)


def _read_steps(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise VerifyError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise VerifyError(f"{path} is not UTF-8 text") from None

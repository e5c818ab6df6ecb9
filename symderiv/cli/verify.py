"""`symderiv verify`: check a claimed derivative (--claim) or a whole hand derivation (--steps).

Exit codes: 0 the claim or derivation is right (or undecided); 1 it is wrong; 2 bad input; 3 time limit.
"""
from __future__ import annotations

import argparse
import sys

from symderiv.cli.command import Outcome
from symderiv.cli.options import add_common, add_formula, jobs
from symderiv.core.errors import VerifyError


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The options of `verify`."""
    add_formula(parser, "the function (`-` reads it from standard input)")
    add_common(parser, ("text", "md", "json"), "text")
    parser.add_argument("--wrt", help="the variable of the derivative")
    parser.add_argument("--claim", help="the claimed derivative (LaTeX)")
    parser.add_argument("--steps", metavar="FILE",
                        help="a hand derivation (align environment or $$ lines); `-` for stdin")
    parser.add_argument("--batch", metavar="FILE", action=_Batch,
                        help="many claims, one per row (.csv or .jsonl: id, function, wrt, claim or steps, where)")
    parser.add_argument("--jobs", type=jobs, default=None, metavar="N",
                        help="with --batch: worker processes (default: the cores)")
    parser.add_argument("--row-timeout", type=float, default=30.0,
                        help="with --batch: time limit per row, in seconds (a row past it is reported as timed out)")
    parser.add_argument("--report", metavar="FILE.csv", help="with --batch: the CSV report (default: FILE.report.csv)")


BATCH_TIMEOUT = 3600.0


class _Batch(argparse.Action):
    """--batch FILE: the whole command's --timeout becomes an hour unless given (each row has its own)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from symderiv.core.limits import DEFAULT_TIMEOUT

        namespace.batch = values
        if getattr(namespace, "timeout", None) == DEFAULT_TIMEOUT:
            namespace.timeout = BATCH_TIMEOUT


def run_cli(args: argparse.Namespace) -> Outcome:
    """Check the claim or the derivation; exit 1 when it is wrong."""
    from symderiv.check.verify import verify, verify_steps
    from symderiv.output.verify_report import report

    if args.batch is not None:
        return _run_batch(args)
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


def _run_batch(args: argparse.Namespace) -> Outcome:
    """--batch: every row checked in a process pool; the Markdown summary is the page, the CSV a file."""
    import os
    import time
    from pathlib import Path

    from symderiv.check.batch import read_rows, run_batch
    from symderiv.check.batch_report import report_csv, report_markdown
    from symderiv.cli.progress import bar

    if args.claim is not None or args.steps is not None:
        raise VerifyError("--batch takes its claims from the file; drop --claim/--steps")
    rows = read_rows(args.batch)
    jobs = max(1, min(args.jobs or os.cpu_count() or 1, len(rows)))
    start = time.perf_counter()
    with bar("verify", args.quiet) as progress:
        results = run_batch(rows, jobs, args.row_timeout, progress)
    seconds = time.perf_counter() - start
    csv_path = args.report or str(Path(args.batch).with_suffix(".report.csv"))
    body = report_markdown(results, Path(args.batch).name, seconds, jobs)
    return Outcome(body, 0, files=((csv_path, report_csv(results).encode("utf-8")),), message=f"wrote {csv_path}")


"""`symderiv analyze`: critical points, their classification by the Hessian, and convexity."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from symderiv.cli.command import Outcome
from symderiv.cli.options import add_common, add_formula

if TYPE_CHECKING:
    from symderiv.core.problem import Problem

SEED_LOGISTIC = r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]"
SEED_WHERE = (r"\hat{y}_i = \sigma(\theta^T x_i)",)


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The options of `analyze`."""
    add_formula(parser, "the function, e.g. 'f(x, y) = x^2 - y^2' ('-' reads stdin)")
    add_common(parser, ("text", "md", "tex", "json"), "text")
    parser.add_argument("--data", metavar="FILE.csv",
                        help="data for a sum over samples (features..., label per row): find the minimum numerically")


def run_cli(args: argparse.Namespace) -> Outcome:
    """Parse, analyze, print in --format and --lang."""
    from symderiv.analysis.api import analyze
    from symderiv.analysis.data import load_csv
    from symderiv.output.analysis_report import render_json, render_markdown, render_text

    problem = parse_problem(args)
    data = load_csv(args.data) if args.data else None
    analysis = analyze(problem, data=data, timeout=args.timeout)
    if args.format == "json":
        return Outcome(render_json(analysis) + "\n")
    if args.format == "md":
        return Outcome(render_markdown(analysis, args.lang, "###"))
    if args.format == "tex":
        from symderiv.output.analysis_page import render_latex

        return Outcome(render_latex(analysis, args.lang or "en"))
    return Outcome(render_text(analysis, args.lang))


def read_latex(args: argparse.Namespace) -> str:
    """The LaTeX from the command line or stdin ('-'), or the seed's logistic loss when absent."""
    if args.latex is None:
        return SEED_LOGISTIC
    if args.latex == "-":
        return sys.stdin.read()
    return str(args.latex)


def parse_problem(args: argparse.Namespace) -> Problem:
    """The Problem of the command line (the seed's logistic loss and its definition when none)."""
    from symderiv.parsing.parser import parse

    where = list(args.where or [])
    if args.latex is None and not where:
        where = list(SEED_WHERE)
    return parse(read_latex(args), where)

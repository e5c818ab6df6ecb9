"""`symderiv parse` and `symderiv derive`: their own options, and which printer prints the result.

parse: the JSON contract's problem object (or its plain text). derive: the worked derivation as
plain text, Markdown, LaTeX or JSON (symderiv.output: text.py, markdown.py, latex_page.py, json.py).
"""
from __future__ import annotations

import argparse
import json

from symderiv.cli.command import Outcome
from symderiv.cli.options import add_common, add_formula
from symderiv.core.errors import SymderivError
from symderiv.core.io import read_latex_argument

BUILTIN_EXAMPLE = (r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
                   [r"\hat{y}_i = \sigma(\theta^T x_i)"])


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The options of `parse` or `derive` (`name`)."""
    add_formula(parser, "the formula (`-` reads it from standard input)"
                + ("; without it, the built-in logistic-regression example" if name == "derive" else ""))
    if name == "parse":
        add_common(parser, ("json", "text"), "json")
        return
    add_common(parser, ("text", "json", "md", "tex"), "text")
    parser.add_argument("--wrt", action="append", default=[], metavar="VARS",
                        help="variables to differentiate by, e.g. --wrt w,b (default: the function's arguments)")
    parser.add_argument("--hessian", action="store_true", help="also derive the Hessian")
    parser.add_argument("--template", metavar="DIR", help="a folder with your own copies of the templates")
    parser.add_argument("--fragment", action="store_true", help="with --format tex: the body only")
    parser.add_argument("--plot", metavar="FILE", help="also draw the function (.png/.svg/.pdf): with its "
                        "tangent for one variable, contours with gradient-descent and Newton paths for two")


def run_cli(args: argparse.Namespace) -> Outcome:
    """Parse the formula; `parse` prints it, `derive` derives it and prints the page."""
    from symderiv.parsing.parser import parse

    latex, where = read_latex_argument(args.latex), list(args.where)
    if latex is None:
        if args.command == "parse":
            raise SymderivError("parse needs a formula: symderiv parse 'f(x) = x^2'")
        latex, where = BUILTIN_EXAMPLE[0], BUILTIN_EXAMPLE[1] + where
    problem = parse(latex, where)
    if args.command == "parse":
        from symderiv.output.json import problem_json
        from symderiv.output.text import problem_text

        if args.format == "text":
            return Outcome(problem_text(problem, args.lang) + "\n")
        return Outcome(json.dumps(problem_json(problem), ensure_ascii=False, indent=1) + "\n")

    from symderiv.calculus.engine import derive
    from symderiv.output.pages import page

    derivation = derive(problem, wrt=args.wrt or None, hessian=args.hessian, timeout=args.timeout)
    files: tuple[tuple[str, bytes], ...] = ()
    if args.plot:
        from symderiv.output.plots import picture_file

        files = (picture_file(derivation, args.plot, args.lang or "en"),)
    if args.format in ("json", "text"):
        return Outcome(page(derivation, args.format, args.lang), files=files)
    return Outcome(page(derivation, args.format, args.lang, template_dir=args.template, fragment=args.fragment),
                   files=files)

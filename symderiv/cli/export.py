"""`symderiv export`: the gradient as a NumPy, PyTorch or JAX module, optionally checked.

Exit codes: 0 written (and, with --check, agreeing); 1 --check found a disagreement; 2 bad input,
or no checked matrix form to export (said, never wrong code); 3 time limit.
"""
from __future__ import annotations

import argparse

from symderiv.cli.command import Outcome
from symderiv.cli.options import add_common, add_formula
from symderiv.core.io import read_latex_argument


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The options of `export`."""
    add_formula(parser, "the loss (`-` reads it from standard input)")
    add_common(parser, ("py",), "py")
    parser.add_argument("--wrt", action="append", default=[], metavar="VARS",
                        help="variables to differentiate by, e.g. --wrt W,b (default: the function's arguments)")
    parser.add_argument("--to", choices=("numpy", "torch", "jax"), default="numpy", help="the array library")
    parser.add_argument("--hessian", action="store_true", help="also export hessian() (one vector variable)")
    parser.add_argument("--check", action="store_true",
                        help="run the gradient against finite differences (numpy) or autograd (torch, jax)")


def run_cli(args: argparse.Namespace) -> Outcome:
    """Derive, export the checked matrix forms, and with --check compare on random data."""
    from symderiv.calculus.engine import derive
    from symderiv.core.errors import SymderivError
    from symderiv.export.module import export
    from symderiv.parsing.parser import parse

    latex = read_latex_argument(args.latex)
    if not latex:
        raise SymderivError("export needs the loss: symderiv export 'L(\\theta) = …' --to numpy")
    derivation = derive(parse(latex, list(args.where)), wrt=args.wrt or None, hessian=args.hessian,
                        timeout=args.timeout)
    exported = export(derivation, args.to, latex, list(args.where))
    if not args.check:
        return Outcome(exported.source + "\n")
    from symderiv.export.checking import check

    result = check(exported)
    sizes = ", ".join(f"{k}={v}" for k, v in result.sizes)
    if result.failure:
        return Outcome(exported.source + "\n", 1, message=f"check: the exported code failed to run ({result.failure})")
    verdict = "agrees" if result.ok else "DISAGREES"
    message = (f"check: the gradient {verdict} with {result.against} at random data ({sizes}): "
               f"max error {result.max_error:.2e}; loss: {exported.loss_form} form")
    return Outcome(exported.source + "\n", 0 if result.ok else 1, message=message)

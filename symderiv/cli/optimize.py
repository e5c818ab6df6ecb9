"""`symderiv optimize`: gradient descent versus Newton's method on the user's function."""
from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from symderiv.cli.analyze import parse_problem
from symderiv.cli.command import Outcome
from symderiv.cli.options import add_common, add_formula
from symderiv.core.errors import SymderivError

DEFAULT_TOL = 1e-6


def _positive(kind: Callable[[str], float], name: str) -> Callable[[str], float]:
    def conv(text: str) -> float:
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not (math.isfinite(v) and v > 0):
            raise argparse.ArgumentTypeError(f"{name} must be positive, got {text!r}")
        return v
    return conv


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The options of `optimize`."""
    add_formula(parser, "the function; without it, the seed's logistic loss on built-in data")
    add_common(parser, ("text", "md", "json"), "text")
    parser.add_argument("--start", metavar="θ0", help="the start, e.g. 0,0 or -1,1 (default: zeros; one value = all)")
    parser.add_argument("--method", choices=("gd", "newton", "both"), default="both")
    parser.add_argument("--lr", type=_positive(float, "--lr"), metavar="η",
                        help="gradient-descent step (default 1/λ_max of the Hessian at the start)")
    parser.add_argument("--iters", type=_positive(int, "--iters"), metavar="N",
                        help="iteration limit (default 10000 for gd, 100 for newton)")
    parser.add_argument("--tol", type=_positive(float, "--tol"), default=DEFAULT_TOL, metavar="ε",
                        help="stop when ‖∇L‖ ≤ ε (default 1e-6)")
    parser.add_argument("--plot", metavar="FILE", help="write a plot (.png, .svg, .pdf)")
    parser.add_argument("--data", metavar="FILE.csv", help="data for a sum over samples: features…, label per row")
    parser.add_argument("--samples", type=_positive(int, "--samples"), default=100,
                        help="built-in data: number of samples (default 100)")
    parser.add_argument("--features", type=_positive(int, "--features"), default=2,
                        help="built-in data: number of features (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="built-in data: random seed (default 0)")


def run_cli(args: argparse.Namespace) -> Outcome:
    """Parse, run the methods (and draw --plot), print in --format."""
    import sympy as sp

    from symderiv.analysis.api import optimize
    from symderiv.analysis.data import builtin_data, load_csv
    from symderiv.output.analysis_report import optimization_json, optimization_markdown, optimization_text

    if args.iters is not None and args.iters > 1_000_000:
        raise SymderivError("--iters: at most 1,000,000")
    problem = parse_problem(args)
    data = load_csv(args.data) if args.data else None
    expr = problem.expanded()
    if data is None and (expr.has(sp.Sum) or expr.has(sp.Indexed)):
        data = builtin_data(args.samples, args.features, args.seed)
    methods = ("gd", "newton") if args.method == "both" else (args.method,)
    result = optimize(problem, start=args.start, methods=methods, lr=args.lr, iters=args.iters, tol=args.tol,
                      data=data, timeout=args.timeout)
    protect = [args.data] if args.data else []
    plot = None
    if args.plot:
        from symderiv.output.plots import write_plot  # the plotting stack only when a picture is asked for

        plot = write_plot(result.objective, result.runs, args.plot, protect=protect)
    render = {"json": optimization_json, "md": optimization_markdown}.get(args.format, optimization_text)
    return Outcome(render(result, plot, args.lang) + ("\n" if args.format == "json" else ""))

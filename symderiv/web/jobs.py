"""What a worker process runs: one CLI command, parsed by the CLI's own parser and run by its `run_cli`.

Runs in a separate process (SymPy holds the GIL), so everything it hands back is a plain dict:
`{"status": 200, "body": …, "code": …}` or `{"status": 4xx, "error": …, "column": …, "lines": […]}`.
The command runs under its time limit (symderiv.core.limits), as the CLI's does.
"""
from __future__ import annotations

import argparse
import base64
import functools
import os
import tempfile
from collections.abc import Sequence
from typing import Any

from symderiv.core.errors import ParseError, SymderivError, TimeLimitError, sanitize
from symderiv.core.limits import time_limit


@functools.lru_cache(maxsize=1)
def _parser() -> argparse.ArgumentParser:
    from symderiv.cli.main import build_parser

    return build_parser()


def warm_up() -> None:
    """Import what every request needs and work the built-in example once, when the worker starts:
    the first derivation in a process pays for SymPy's caches and the matrix check's first use of
    NumPy (about 2 s), which would otherwise be the first visitor's wait."""
    _parser()
    import symderiv.check.verify  # noqa: F401

    run_command(["derive", "--format=md", "--timeout=20"])


def ready() -> bool:
    """A task that does nothing: scheduling it starts a worker (and its warm-up)."""
    return True


def error_dict(exc: BaseException) -> dict[str, Any]:
    """A user's error as the API reports it (408 for a time limit, else 400)."""
    if isinstance(exc, SymderivError):
        column = exc.column if isinstance(exc, ParseError) else None
        return {"status": 408 if isinstance(exc, TimeLimitError) else 400, "error": str(exc),
                "column": column, "lines": exc.lines()}
    if isinstance(exc, RecursionError):
        message = "the input is nested too deeply to process"
    elif isinstance(exc, MemoryError):
        message = "out of memory while processing the input"
    else:  # a bug of ours: one line, never a traceback
        return {"status": 500, "error": f"internal error ({type(exc).__name__}: {sanitize(str(exc))[:200]})",
                "column": None, "lines": []}
    return {"status": 400, "error": message, "column": None, "lines": [f"error: {message}"]}


def run_command(argv: Sequence[str], steps: str | None = None, plot: bool = False,
                picture: bool = False) -> dict[str, Any]:
    """Run `symderiv ARGV` as the CLI does and hand back its page; `steps` is the text of a
    derivation for `verify --steps`, `plot` adds optimize's picture, `picture` analyze's graph of f."""
    from symderiv.cli.options import join_dash_values, unmark

    parser = _parser()
    argv = list(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="symderiv-web-") as tmp:
            if steps is not None:
                path = os.path.join(tmp, "steps.md")
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(steps)
                _option(argv, f"--steps={path}")
            image = os.path.join(tmp, "plot.png")
            if plot:
                _option(argv, f"--plot={image}")
            args = unmark(parser.parse_args(join_dash_values(parser, argv)))
            if getattr(args, "lang", None) is None:
                args.lang = "en"
            with time_limit(args.timeout, f"symderiv {args.command}"):
                outcome = args._module.run_cli(args)
                result: dict[str, Any] = {"status": 200, "body": outcome.body, "code": outcome.code}
                if plot and os.path.exists(image):
                    with open(image, "rb") as fh:
                        data = "data:image/png;base64," + base64.b64encode(fh.read()).decode("ascii")
                    if image in outcome.body:  # the page shows the picture where the command names its file
                        result["body"] = outcome.body.replace(image, data)
                    else:
                        result["image"] = data
                if picture:
                    png = _function_png(args)
                    if png:
                        result["image"] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            return result
    except (SymderivError, RecursionError, MemoryError) as exc:
        return error_dict(exc)
    except Exception as exc:
        return error_dict(exc)


def _option(argv: list[str], option: str) -> None:
    """Add `--name=value` before the `--` that precedes the formula."""
    argv.insert(argv.index("--") if "--" in argv else len(argv), option)


def _function_png(args: argparse.Namespace) -> bytes | None:
    """analyze's picture: f (and f') or f's contours with ∇f, as `symderiv notes` draws them."""
    from symderiv.calculus.engine import derive
    from symderiv.cli.analyze import parse_problem
    from symderiv.output.plots import function_png

    problem = parse_problem(args)
    if len(problem.variables) > 2:
        return None
    try:
        return function_png(derive(problem, timeout=args.timeout))
    except SymderivError:
        return None  # the analysis stands without its picture

"""`symderiv serve`: its options, and the server started on them.

Registered in symderiv/cli/main.py's COMMANDS by module name. Starlette and uvicorn are imported
only when the server starts, so `symderiv --help` stays as quick as before.
"""
from __future__ import annotations

import argparse
import os

from symderiv.cli.command import Outcome
from symderiv.cli.options import seconds
from symderiv.core.errors import SymderivError
from symderiv.core.limits import DEFAULT_TIMEOUT


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 0 and 65535, not {port}")
    return port


def _workers(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of workers: {text!r}") from None
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError(f"--workers is between 1 and 64, not {count}")
    return count


def _queue(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of requests: {text!r}") from None
    if not 0 <= count <= 1000:
        raise argparse.ArgumentTypeError(f"--queue is between 0 and 1000, not {count}")
    return count


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The options of `serve`."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--open", action="store_true", help="open the page in the web browser")
    parser.add_argument("--workers", type=_workers, default=None, metavar="N",
                        help="worker processes for the computations (default: the number of cores)")
    parser.add_argument("--lang", choices=("en", "zh"), default=None,
                        help="the page's language when its address names none (default: from the locale)")
    parser.add_argument("--queue", type=_queue, default=8, metavar="N",
                        help="requests that may wait per worker; more are answered 503 (default 8)")
    parser.add_argument("--timeout", dest="request_timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit of each request, in seconds (default {DEFAULT_TIMEOUT:g})")
    # the server itself runs until stopped: no limit on the command, no output file
    parser.set_defaults(timeout=None, output=None)


def run_cli(args: argparse.Namespace) -> Outcome:
    """Serve until Ctrl-C (exit 0) or SIGTERM (exit 143, as any command)."""
    from symderiv.output.phrases import default_language

    try:
        from symderiv.web.server import serve
    except ImportError as exc:  # a broken install: say what is missing
        raise SymderivError(f"symderiv serve needs starlette and uvicorn ({exc}); pip install starlette uvicorn"
                            ) from None
    serve(args.host, args.port, workers=args.workers or os.cpu_count() or 1, timeout=args.request_timeout,
          queue=args.queue, lang=args.lang or default_language(), open_browser=args.open)
    return Outcome("")

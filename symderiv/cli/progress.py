"""Progress for long work: a bar for many items (`notes`, `verify --batch`), a spinner for any other
command still working after a second. On stderr, only when it is a terminal.

Both are rich's: they draw on stderr (never stdout, which may hold the page) and only when stderr is a
terminal and --quiet is not given, so a pipe, a log file or a test sees no progress bytes at all.
rich is imported only when something is drawn; a command done within the second draws nothing.
"""
from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TextIO

SPINNER_AFTER = 1.0     # seconds of work before a spinner shows


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """A bar on `stream` (default stderr): a terminal, and not --quiet."""
    stream = sys.stderr if stream is None else stream
    try:
        return not quiet and stream.isatty()
    except (AttributeError, ValueError):      # a closed or odd stream
        return False


@contextlib.contextmanager
def bar(label: str, quiet: bool, stream: TextIO | None = None) -> Iterator[Callable[[int, int], None]]:
    """`update(done, total)` for the block: a rich bar on stderr when `wanted`, else a no-op."""
    stream = sys.stderr if stream is None else stream
    if not wanted(quiet, stream):
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream, force_terminal=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _nothing(done: int, total: int) -> None:
    """No bar."""


@contextlib.contextmanager
def spinner(label: str, quiet: bool, stream: TextIO | None = None, after: float | None = None) -> Iterator[None]:
    """A transient rich spinner on stderr from `after` seconds into the block (when `wanted`), gone
    before the block's page is written."""
    stream = sys.stderr if stream is None else stream
    if not wanted(quiet, stream):
        yield
        return
    lock = threading.Lock()
    shown: list[Any] = []
    ended = [False]

    def show() -> None:
        from rich.console import Console

        with lock:
            if ended[0]:
                return
            status = Console(file=stream, force_terminal=True).status(f"{label}: working…")
            status.start()
            shown.append(status)

    timer = threading.Timer(SPINNER_AFTER if after is None else after, show)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            ended[0] = True
            for status in shown:
                status.stop()

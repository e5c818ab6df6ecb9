"""Many independent tasks on every core, each under its own time limit: the notes and the batch verify.

The tasks run in spawned processes (pebble's ProcessPool): spawn, not fork, because a forked child
would lack the time-limit watchdog thread (core/limits.py) and copy the parent's locks mid-use;
pebble, not the standard library's ProcessPoolExecutor, because it can kill the one process whose
task overran its limit (stuck in a long C call, where the in-process limit cannot reach) and start
another in its place, while the other tasks go on. Every worker is stopped when the pool closes, so
none is left running after the command. With one job the tasks run here, in order, with no pool.
"""
from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

GRACE = 2.0      # seconds a task gets past its own limit before its process is killed
_SLICE = 0.1     # seconds between two looks at the futures: the command's own limit can land between

R = TypeVar("R")


def run_tasks(task: Callable[..., R], args: Sequence[tuple[Any, ...]], jobs: int,
              limits: Sequence[float | None], expired: Callable[[int, str], R],
              done: Callable[[int, R], None] | None = None,
              initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()) -> list[R]:
    """`task(*args[k])` for every k, `jobs` processes at a time, results in the order of `args`.

    A task whose process is killed (past `limits[k]` + GRACE) or dies gets `expired(k, why)` as its
    result ("time limit" or "crashed"); `done(k, result)` is called as each result arrives (for a
    progress bar). `initializer(*initargs)` runs once in each worker (and here, with one job).
    """
    results: list[Any] = [None] * len(args)
    if jobs <= 1 or len(args) <= 1:
        if initializer is not None:
            initializer(*initargs)
        for k, a in enumerate(args):
            results[k] = task(*a)
            if done is not None:
                done(k, results[k])
        return results
    import pebble

    pool = pebble.ProcessPool(max_workers=min(jobs, len(args)), initializer=initializer, initargs=initargs,
                              context=multiprocessing.get_context("spawn"))
    try:
        futures: dict[concurrent.futures.Future[Any], int] = {
            pool.schedule(task, args=a, timeout=_hard(limits[k])): k for k, a in enumerate(args)}
        pending = set(futures)
        while pending:
            finished, pending = concurrent.futures.wait(pending, timeout=_SLICE)
            for future in finished:
                k = futures[future]
                results[k] = _result(future, k, expired)
                if done is not None:
                    done(k, results[k])
    finally:
        pool.stop()  # type: ignore[no-untyped-call]  # kills the workers still running (a stuck one, or all when we were stopped)
        pool.join(timeout=5)
    return results


def _hard(limit: float | None) -> float | None:
    """The moment a task's process is killed: its own limit, and a grace to stop by itself."""
    return None if limit is None else limit + GRACE


def _result(future: concurrent.futures.Future[Any], k: int, expired: Callable[[int, str], R]) -> R:
    import pebble

    try:
        return future.result()  # type: ignore[no-any-return]
    except concurrent.futures.TimeoutError:
        return expired(k, "time limit")
    except pebble.ProcessExpired:
        return expired(k, "crashed")

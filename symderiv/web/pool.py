"""The worker pool: one process per core, each request under its time limit, a stuck worker replaced.

SymPy holds the GIL, so threads would let one heavy derivation stall every other request: the work
runs in processes (pebble's ProcessPool, which can stop one task's process and start a new one in
its place, which the standard library's ProcessPoolExecutor cannot). Inside the worker the CLI's own
time limit stops the command cleanly (408); a worker stuck in one long C call past the limit and a
grace period is killed (408 too). A request that cannot start within the time limit because every
worker is busy, or that finds the queue full, gets 503: the server goes on either way.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pebble

from symderiv.web.jobs import ready, run_command, warm_up

GRACE = 2.0  # seconds a worker gets past its time limit before it is killed
QUEUE_PER_WORKER = 8  # default: requests waiting per worker before new ones are turned away (503)


@dataclass
class Pool:
    """Workers for the commands; `run` is awaited by the request handlers."""

    workers: int
    timeout: float
    queue: int = QUEUE_PER_WORKER
    warm: bool = True  # work the built-in example in each new worker before its first request
    _pool: Any = field(init=False, repr=False)
    _waiting: int = field(default=0, init=False)  # requests in the pool: running or waiting
    _started: list[Any] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        # spawn, not fork: the server process has threads (the time limits' watchdog, the event loop)
        context = multiprocessing.get_context("spawn")
        self._pool = pebble.ProcessPool(max_workers=self.workers, initializer=warm_up if self.warm else None,
                                        context=context)
        # pebble starts its workers at the first task: start them now, warming up while nobody waits
        self._started = [self._pool.schedule(ready) for _ in range(self.workers)]

    def status(self) -> dict[str, int]:
        """Workers, how many have warmed up, requests in the pool (running or waiting)."""
        return {"workers": self.workers, "warm": sum(f.done() for f in self._started), "requests": self._waiting}

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=5)

    async def run(self, argv: Sequence[str], steps: str | None = None, plot: bool = False,
                  picture: bool = False, timeout: float | None = None,
                  job: Callable[..., dict[str, Any]] = run_command) -> dict[str, Any]:
        """The command's result dict (see symderiv.web.jobs), or a 408/503 one."""
        limit = min(timeout or self.timeout, self.timeout)
        if self._waiting >= self.workers * (1 + self.queue):
            return _busy("the server is busy (too many requests waiting); try again in a moment")
        argv = list(argv)
        argv.insert(argv.index("--") if "--" in argv else len(argv), f"--timeout={limit:g}")  # before the formula
        future = self._pool.schedule(job, args=(argv,), kwargs={"steps": steps, "plot": plot,
                                                                        "picture": picture},
                                     timeout=limit + GRACE)
        self._waiting += 1
        try:
            # waiting for a free worker counts too: at most one time limit in the queue, one running
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), 2 * limit + GRACE)
        except asyncio.TimeoutError:
            if future.cancel():  # never started: every worker was busy all along
                return _busy(f"the server is busy: no worker was free within {limit:g} s; try again")
            return _late(limit)
        except concurrent.futures.TimeoutError:  # pebble killed the worker that overran its limit
            return _late(limit)
        except pebble.ProcessExpired as exc:
            return _failed(f"the worker stopped (exit code {exc.exitcode}); try again")
        except Exception as exc:  # a bug of ours: one line, never a traceback
            return _failed(f"internal error ({type(exc).__name__}: {str(exc)[:200]})")
        finally:
            self._waiting -= 1


def _failed(message: str) -> dict[str, Any]:
    return {"status": 500, "error": message, "column": None, "lines": [f"error: {message}"]}


def _busy(message: str) -> dict[str, Any]:
    return {"status": 503, "error": message, "column": None, "lines": [f"error: {message}"]}


def _late(limit: float) -> dict[str, Any]:
    message = f"the computation took longer than {limit:g} s (time limit) and was stopped"
    return {"status": 408, "error": message, "column": None, "lines": [f"error: {message}"]}

"""Time limits that hold in any thread: the main one, a worker pool's, a web server's.

One watchdog thread keeps the deadlines of every guarded block. When a deadline passes it raises
`_Expired` *inside* the thread that owns the block (CPython's `PyThreadState_SetAsyncExc`), so
pure-Python SymPy loops stop between two bytecodes wherever they are, as SIGALRM did in the main
thread only. `_Expired` is a BaseException, so SymPy's `except Exception` cannot eat it, and the
watchdog fires again every `_REFIRE` seconds until the block is left. The block that owns the
earliest deadline turns it into a TimeLimitError; an inner block lets an outer deadline pass
through. Work stuck inside one long C call (a huge integer power) is stopped when it returns.
"""

from __future__ import annotations

import contextlib
import ctypes
import heapq
import itertools
import math
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from symderiv.core.errors import SymderivError, TimeLimitError

DEFAULT_TIMEOUT = 20.0
_REFIRE = 0.05  # seconds between two raises in a block that ignored the first


class _Expired(BaseException):
    """Raised inside the guarded block when its deadline passes."""


@dataclass(eq=False)
class _Guard:
    """One guarded block: its thread, deadline, and whether it is still open."""

    thread_id: int
    deadline: float
    open: bool = True
    fired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Watchdog:
    """The one thread that watches every deadline and raises in the owner's thread.

    The owner's side touches only what an exception raised into it cannot leave half done: a
    `SimpleQueue.put` (one C call) to hand a guard over, plain attribute stores, and `with` over a
    C lock. Everything else — the heap, the waiting — happens in the watchdog's own thread.
    """

    def __init__(self) -> None:
        self._inbox: queue.SimpleQueue[_Guard] = queue.SimpleQueue()
        self._heap: list[tuple[float, int, _Guard]] = []
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._run, name="symderiv-time-limits", daemon=True)
        self._thread.start()

    def watch(self, guard: _Guard) -> None:
        self._inbox.put(guard)

    def _run(self) -> None:
        while True:
            wait = self._heap[0][0] - time.monotonic() if self._heap else None
            try:
                guard = self._inbox.get(timeout=max(wait, 0.0) if wait is not None else None)
                heapq.heappush(self._heap, (guard.deadline, next(self._order), guard))
                continue
            except queue.Empty:
                pass
            _, _, guard = heapq.heappop(self._heap)
            if self._fire(guard):
                heapq.heappush(self._heap, (time.monotonic() + _REFIRE, next(self._order), guard))

    @staticmethod
    def _fire(guard: _Guard) -> bool:
        """Raise in the guard's thread while its block is open; True to fire again later."""
        with guard.lock:
            if not guard.open:
                return False
            guard.fired = True
            _raise_in(guard.thread_id, _Expired)
            return True


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule `exc` in the thread (None clears a scheduled one)."""
    arg = ctypes.py_object(exc) if exc is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), arg)


_WATCHDOG = _Watchdog()


def _quiet_expired(previous: Callable[[Any], object]) -> Callable[[Any], object]:
    """An `_Expired` that lands in a callback Python cannot raise from (a weakref's, a __del__) is
    printed as "Exception ignored … Traceback"; it is ours and harmless (the watchdog fires again
    into the block), so it is dropped instead, and everything else goes to the previous hook."""

    def hook(unraisable: Any) -> object:
        if isinstance(unraisable.exc_value, _Expired) or unraisable.exc_type is _Expired:
            return None
        return previous(unraisable)

    return hook


sys.unraisablehook = _quiet_expired(sys.unraisablehook)


def check_timeout(seconds: float | None) -> float | None:
    """A usable limit: positive and finite (None means no limit); anything else is a user error."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise SymderivError(f"the time limit must be a number of seconds, not {seconds!r}")
    if math.isnan(seconds) or seconds <= 0 or math.isinf(seconds):
        raise SymderivError(f"the time limit must be a positive, finite number of seconds, not {seconds:g}")
    return float(seconds)


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Run the block for at most `seconds` (None: unbounded); raise TimeLimitError naming `what`."""
    limit = check_timeout(seconds)
    if limit is None:
        yield
        return
    guard = _Guard(threading.get_ident(), time.monotonic() + limit)
    stack = _open_guards()
    try:
        stack.append(guard)
        _WATCHDOG.watch(guard)  # inside the try: a raise that lands right after it still closes the guard
        yield
        if time.monotonic() > guard.deadline:
            # done, but late: the watchdog had no turn yet (the interpreter switches threads every 5 ms)
            raise _Expired
    except _Expired:
        _leave(stack, guard)
        if time.monotonic() < guard.deadline:
            raise  # an enclosing block's deadline: that block reports it
        raise TimeLimitError(f"{what} took longer than {limit:g} s (time limit)") from None
    finally:
        _leave(stack, guard)


_THREAD = threading.local()


def _open_guards() -> list[_Guard]:
    """This thread's guarded blocks, innermost last."""
    stack: list[_Guard] | None = getattr(_THREAD, "stack", None)
    if stack is None:
        stack = _THREAD.stack = []
    return stack


def _leave(stack: list[_Guard], guard: _Guard) -> None:
    """Close `guard` and every block still open inside it: a block whose `with` was cut short by an
    outer deadline (the raise landed between registering and entering) would otherwise stay open and
    fire into this thread long after."""
    if guard not in stack:
        _close(guard)
        return
    while stack:
        inner = stack[-1]
        _close(inner)  # closed before it leaves the stack: a raise landing in between leaves nothing open
        stack.pop()
        if inner is guard:
            break


def _close(guard: _Guard) -> None:
    """Leave the block: no more raises (first, as one store), and one scheduled but not yet
    delivered is taken back."""
    guard.open = False
    with guard.lock:
        if guard.fired:
            _raise_in(guard.thread_id, None)
            guard.fired = False

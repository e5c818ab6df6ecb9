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
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    """The one thread that watches every deadline and raises in the owner's thread."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Guard]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, guard: _Guard) -> None:
        with self._wake:
            heapq.heappush(self._heap, (guard.deadline, next(self._order), guard))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="symderiv-time-limits", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap:
                    self._wake.wait()
                deadline, _, guard = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            if self._fire(guard):
                with self._wake:
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
    try:
        _WATCHDOG.watch(guard)
        yield
        if time.monotonic() > guard.deadline:
            # done, but late: the watchdog had no turn yet (the interpreter switches threads every 5 ms)
            raise _Expired
    except _Expired:
        _close(guard)
        if time.monotonic() < guard.deadline:
            raise  # an enclosing block's deadline: that block reports it
        raise TimeLimitError(f"{what} took longer than {limit:g} s (time limit)") from None
    finally:
        _close(guard)


def _close(guard: _Guard) -> None:
    """Leave the block: no more raises, and a raise already scheduled but not delivered is taken back."""
    with guard.lock:
        if guard.open and guard.fired:
            _raise_in(guard.thread_id, None)
        guard.open = False

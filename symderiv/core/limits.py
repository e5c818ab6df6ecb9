"""Time limits around work that can blow up (parsing, simplify, solve).

SIGALRM-based, so it interrupts pure-Python SymPy loops; in a thread other than the main one
(where signals cannot be used) the work simply runs unbounded.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time

from symderiv.core.errors import TimeLimitError

DEFAULT_TIMEOUT = 20.0


class _Expired(BaseException):
    """Raised inside the guarded block; BaseException so SymPy's `except Exception` can't eat it."""


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str):
    """Run the block for at most `seconds`; raise TimeLimitError naming `what` past that."""
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    previous_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()

    def expire(signum, frame):
        raise _Expired()

    old_handler = signal.signal(signal.SIGALRM, expire)
    outer_first = 0 < previous_remaining <= seconds
    signal.setitimer(signal.ITIMER_REAL, previous_remaining if outer_first else seconds)
    outer_expired = False
    try:
        yield
    except _Expired:
        if outer_first:
            outer_expired = True
            raise  # the enclosing limit ran out: the enclosing block reports it
        raise TimeLimitError(f"{what} took longer than {seconds:g} s (time limit)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if previous_remaining > 0 and not outer_expired:
            left = previous_remaining - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))

"""Time limits hold in any thread, nest, and leave nothing behind when the block ends in time."""
from __future__ import annotations

import contextlib
import threading
import time

import pytest
import sympy as sp

from symderiv.core.errors import SymderivError, TimeLimitError
from symderiv.core.limits import check_timeout, time_limit


def _busy_sympy() -> None:
    """Pure-Python SymPy work that never ends, and that swallows ordinary exceptions as SymPy does."""
    x = sp.Symbol("x")
    while True:
        with contextlib.suppress(Exception):
            sp.simplify(sp.sin(x) ** 2 + sp.cos(x) ** 2 + sp.exp(x) * sp.log(x))


def _timed(seconds: float, out: list) -> None:
    start = time.monotonic()
    try:
        with time_limit(seconds, "busy work"):
            _busy_sympy()
    except TimeLimitError as exc:
        out.append((str(exc), time.monotonic() - start))


@pytest.mark.parametrize("where", ["main", "thread"])
def test_a_limit_stops_busy_sympy_in_any_thread(where):
    out: list = []
    if where == "main":
        _timed(0.5, out)
    else:
        worker = threading.Thread(target=_timed, args=(0.5, out))
        worker.start()
        worker.join(5)
        assert not worker.is_alive()
    (message, took), = out
    assert "busy work took longer than 0.5 s" in message
    assert 0.5 <= took < 1.0


def test_limits_in_many_threads_at_once():
    outs: list[list] = [[] for _ in range(4)]
    workers = [threading.Thread(target=_timed, args=(0.3 + 0.1 * n, outs[n])) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(5)
    assert all(len(o) == 1 for o in outs)
    for n, o in enumerate(outs):
        assert 0.3 + 0.1 * n <= o[0][1] < 0.3 + 0.1 * n + 0.5


def test_the_earliest_deadline_reports_itself():
    start = time.monotonic()
    with pytest.raises(TimeLimitError, match="outer"), time_limit(0.3, "outer"), time_limit(5, "inner"):
        _busy_sympy()
    assert time.monotonic() - start < 1.0
    with time_limit(3, "outer"):
        with pytest.raises(TimeLimitError, match="inner"), time_limit(0.2, "inner"):
            _busy_sympy()
        time.sleep(0.3)  # the outer block goes on: no stray exception after the inner one ended


def test_a_block_that_ends_in_time_leaves_nothing_behind():
    for _ in range(50):
        with time_limit(0.01, "quick"):
            pass
    time.sleep(0.1)
    assert sum(range(10)) == 45


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "2"])
def test_unusable_limits_are_user_errors(bad):
    with pytest.raises(SymderivError, match="time limit"):
        check_timeout(bad)
    assert check_timeout(None) is None and check_timeout(2) == 2.0


def test_public_derive_honours_its_limit_from_a_thread(monkeypatch):
    """`derive(…, timeout=1)` from a worker thread returns within 1.5 s, whatever the engine does."""
    import symderiv
    from symderiv.calculus import builder

    def stuck(*args, **kwargs):
        _busy_sympy()

    monkeypatch.setattr(builder, "textbook", stuck)
    out: list = []

    def call() -> None:
        start = time.monotonic()
        try:
            symderiv.derive(r"f(x) = \sin(x^2)", timeout=1.0)
        except TimeLimitError:
            out.append(time.monotonic() - start)

    worker = threading.Thread(target=call)
    worker.start()
    worker.join(5)
    assert out and out[0] < 1.5

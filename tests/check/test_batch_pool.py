"""The pool the batch verify and `notes --jobs` share (core/pool.py): results in order, a task stuck
where its own time limit cannot reach (a long C call) is killed and reported, no worker outlives it."""
from __future__ import annotations

import multiprocessing
import time

from symderiv.check.batch import Row, run_batch
from symderiv.core.pool import GRACE, run_tasks


def test_a_stuck_task_is_killed_and_reported_the_others_go_on() -> None:
    start = time.monotonic()
    # time.sleep is one C call: no in-process limit stops it, only killing its process does
    results = run_tasks(time.sleep, [(0.01,), (120,), (0.02,)], 2, [5.0, 1.0, 5.0],
                        lambda k, why: f"{k}: {why}")
    assert results == [None, "1: time limit", None]
    assert time.monotonic() - start < 60          # not the 120 s the stuck task asked for
    assert multiprocessing.active_children() == []   # no worker left running


def test_one_job_runs_here_in_order() -> None:
    seen: list[int] = []
    assert run_tasks(abs, [(-3,), (4,), (-5,)], 1, [None] * 3, lambda k, why: -1,
                     lambda k, r: seen.append(k)) == [3, 4, 5]
    assert seen == [0, 1, 2]
    assert GRACE > 0


def test_batch_reports_progress_for_every_row() -> None:
    rows = [Row(str(n), "f(x) = x^2", "x", "2x") for n in range(3)]
    calls: list[tuple[int, int]] = []
    results = run_batch(rows, jobs=1, progress=lambda done, total: calls.append((done, total)))
    assert [r.verdict for r in results] == ["correct"] * 3
    assert calls == [(1, 3), (2, 3), (3, 3)]

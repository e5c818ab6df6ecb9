"""The worker pool: a worker stuck past its limit is killed and replaced; the pool goes on."""
from __future__ import annotations

import asyncio
import time

from web_stuck import sleep_job

from symderiv.web.pool import GRACE, Pool


def test_a_stuck_worker_is_killed_and_replaced():
    pool = Pool(1, 10, warm=False)
    try:
        deadline = time.monotonic() + 90
        while pool.status()["warm"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        t = time.monotonic()
        result = asyncio.run(pool.run(["derive"], job=sleep_job, timeout=0.5))
        assert result["status"] == 408 and "was stopped" in result["error"]
        assert time.monotonic() - t < 0.5 + GRACE + 2
        statuses = []
        while time.monotonic() < deadline:  # a new worker starts (503 "busy" meanwhile), then answers
            result = asyncio.run(pool.run(["derive", "--format=json", "--", "x^3"]))
            statuses.append(result["status"])
            if result["status"] != 503:
                break
        assert statuses[-1] == 200 and '"3 x^{2}"' in result["body"] and set(statuses) <= {503, 200}
    finally:
        pool.close()

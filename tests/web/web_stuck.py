"""A job stuck in one long C call, which no time limit inside the process can interrupt."""
from __future__ import annotations

import time


def sleep_job(argv, steps=None, plot=False, picture=False):
    time.sleep(60)
    return {"status": 200, "body": "", "code": 0}

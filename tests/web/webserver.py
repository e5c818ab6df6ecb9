"""Start and stop a real `symderiv serve` (uvicorn on a free loopback port) for the web tests."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start_server(*extra: str) -> tuple[subprocess.Popen[str], str]:
    """Start `symderiv serve --port 0 …`; its process and the address it printed, once it answers."""
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "symderiv", "serve", "--port", "0", "--workers", "2", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "serving on " not in line:
        proc.kill()
        stop_server(proc)
        raise AssertionError(f"symderiv serve did not start: {line!r}")
    url = line.split("serving on ")[1].split()[0]
    deadline = time.monotonic() + 60
    while True:  # until every worker has warmed up (slow on a busy machine), so no test waits for it
        try:
            with urllib.request.urlopen(url + "api/status", timeout=2) as response:
                status = json.loads(response.read())
            if status["warm"] == status["workers"]:
                return proc, url
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            stop_server(proc)
            raise AssertionError("symderiv serve: the workers did not warm up within 60 s")
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()

"""`symderiv serve` under load, on loopback only: page load, time to first result, API requests/second.

    python benchmarks/web_load.py [--workers 2] [--requests 300] [--concurrency 4] [--seconds 60] [--settle 5]

Starts its own server (`symderiv serve --port 0`, 127.0.0.1), then reports:
- page load: from navigation to the page's script being ready, in Chromium (Playwright; skipped
  when either is missing), median of 5 loads;
- time to first result for the seed loss: click "Work it out" until the gradient is typeset, the
  first time (workers fresh) and then the median of 5;
- requests per second for `POST /api/derive` with `{"latex": "x^3"}`: --requests requests from
  --concurrency client threads over keep-alive connections, stopped after --seconds in any case;
  every answer is checked (200 and the gradient 3x²).

Measured on 2 cores (shared), Python 3.11, Chromium 156, 2 workers, 4 clients:
page load 0.19 s (0.12 s with --settle 0); first result for the seed loss 0.39 s the first time
(0.36 s with --settle 0: the workers warm up while the page loads), 0.30 s median after;
POST /api/derive on x^3: 76 requests/s, latency median 52 ms, p95 63 ms, 300 of 300 right.
Again at 14:13 with the final page (its "Facts used" section, more steps) while other test suites ran:
page load 0.41 s, first result 0.99 s, then 0.91 s; 66 requests/s, median 60 ms, p95 76 ms.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
SEED_WHERE = r"\hat{y}_i = \sigma(\theta^T x_i)"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def start(workers: int) -> tuple[subprocess.Popen[str], str, int]:
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen([sys.executable, "-m", "symderiv", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--workers", str(workers)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    url = proc.stdout.readline().split("serving on ")[1].split()[0]
    port = int(urllib.parse.urlparse(url).port or 0)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/favicon.ico")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    return proc, url, port


def browser_numbers(url: str) -> dict[str, float] | None:
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    out: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page()
        loads = []
        for _ in range(5):
            t = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            loads.append(time.perf_counter() - t)
        out["page load median (s)"] = statistics.median(loads)
        results = []
        for n in range(6):
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            page.locator("#latex").fill(SEED if n % 2 == 0 else SEED + " ")  # a new request each time
            page.locator("#where").fill(SEED_WHERE)
            t = time.perf_counter()
            page.locator("#go").click()
            page.wait_for_selector("#result .result .katex")
            results.append(time.perf_counter() - t)
        out["first result, first time (s)"] = results[0]
        out["first result, median of 5 more (s)"] = statistics.median(results[1:])
        browser.close()
    return out


def load(port: int, requests: int, concurrency: int, seconds: float) -> dict[str, float]:
    body = json.dumps({"latex": "x^3"})
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                if next(counter, None) is None:
                    break
            t = time.perf_counter()
            conn.request("POST", "/api/derive", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - t
            with lock:
                if response.status != 200 or json.loads(data)["gradient"][0]["latex"] != "3 x^{2}":
                    failures.append(f"{response.status} {data[:80]!r}")
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {"requests": len(latencies), "failures": len(failures), "wall (s)": wall,
            "requests/second": len(latencies) / wall, "latency median (ms)": 1000 * statistics.median(latencies),
            "latency p95 (ms)": 1000 * latencies[int(0.95 * (len(latencies) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds between start and first page")
    args = parser.parse_args()
    proc, url, port = start(args.workers)
    try:
        time.sleep(args.settle)  # the workers warm up (about 3 s), as they do while a person opens the page
        browser = browser_numbers(url)
        for key, value in (browser or {"browser": float("nan")}).items():
            print(f"{key:40} {value:.3f}" if browser else "browser: skipped (no playwright or chromium)")
        load(port, 20, args.concurrency, 30)  # warm-up: every worker has served
        for key, value in load(port, args.requests, args.concurrency, args.seconds).items():
            print(f"{key:40} {value:.1f}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()

"""Benchmark: `analyze` on the seed's examples and the corpus (issue 6: ≤ 2 s each).

    python3 benchmarks/bench_analyze.py
"""
from __future__ import annotations

import json
import pathlib
import time

from symderiv.analysis import analyze_problem
from symderiv.parsing.parser import parse

CASES = json.loads((pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "analyze_cases.json")
                   .read_text("utf-8"))["cases"]


def main() -> None:
    worst = 0.0
    for case in CASES:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            a = analyze_problem(parse(case["latex"], case.get("where", [])))
            best = min(best, time.perf_counter() - t0)
        worst = max(worst, best)
        print(f"  {case['name']:<38} {best * 1000:7.1f} ms  {a.convexity.verdict}")
    print(f"slowest: {worst:.3f} s (target ≤ 2 s each)")


if __name__ == "__main__":
    main()

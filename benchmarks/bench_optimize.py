"""Benchmark: the logistic loss on 1,000 samples × 10 features (issue 6: Newton ≤ 15 iterations,
whole run ≤ 2 s). Prints the numbers; not a timed test.

    python3 benchmarks/bench_optimize.py
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from symderiv.analysis import build_objective, builtin_data, run_methods
from symderiv.parsing.parser import parse

SEED = (r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
        [r"\hat{y}_i = \sigma(\theta^T x_i)"])


def one_run(n: int = 1000, d: int = 10):
    t0 = time.perf_counter()
    problem = parse(*SEED)
    t_parse = time.perf_counter()
    obj = build_objective(problem, builtin_data(n, d))
    t_build = time.perf_counter()
    gd, nt = run_methods(obj, np.zeros(obj.dim), ("gd", "newton"))
    t_end = time.perf_counter()
    return {"parse": t_parse - t0, "build": t_build - t_parse, "gd": gd.seconds, "newton": nt.seconds,
            "total": t_end - t0, "gd_iters": gd.iterations_to_tol, "newton_iters": nt.iterations_to_tol,
            "loss": nt.last.loss}


def main() -> None:
    one_run(50, 2)   # warm imports
    runs = [one_run() for _ in range(5)]
    med = {k: statistics.median(r[k] for r in runs) for k in ("parse", "build", "gd", "newton", "total")}
    r = runs[0]
    print("logistic loss, 1000 samples × 10 features, tolerance ‖∇L‖ ≤ 1e-6, median of 5 runs")
    print(f"  Newton iterations: {r['newton_iters']}  (target ≤ 15)")
    print(f"  GD iterations:     {r['gd_iters']}  (η = 1/λ_max(H) at θ = 0)")
    print(f"  final loss:        {r['loss']:.6f}")
    for k, v in med.items():
        print(f"  {k:<7} {v * 1000:8.1f} ms")
    print(f"  whole run (parse + build + both methods): {med['total']:.3f} s  (target ≤ 2 s)")
    import subprocess
    import sys
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "symderiv", "optimize", "--samples", "1000", "--features", "10"],
                   check=True, capture_output=True)
    print(f"  CLI process `symderiv optimize --samples 1000 --features 10`: {time.perf_counter() - t0:.3f} s wall")


if __name__ == "__main__":
    main()

"""Speed of `symderiv verify`: one claim (median, warm, over the test corpora) and a 10-line
derivation. Targets (issue 5): ≤ 100 ms per claim, ≤ 1 s per 10-line derivation.

Run: python benchmarks/bench_verify.py   (prints numbers; not a timed test)
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from symderiv.check.verify import verify, verify_steps

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"

TEN_LINES = r"""
\begin{aligned}
\frac{d}{dx} x^2 e^{\sin x} &= 2x e^{\sin x} + x^2 \frac{d}{dx} e^{\sin x} \\
&= 2x e^{\sin x} + x^2 e^{\sin x} \cos x \\
&= x e^{\sin x} (2 + x\cos x) \\
&= 2x e^{\sin x} + x^2 \cos x \, e^{\sin x} \\
&= e^{\sin x}(2x + x^2\cos x) \\
&= x(2 + x\cos x)e^{\sin x} \\
&= 2xe^{\sin x} + x^2 e^{\sin x}\cos x \\
&= x e^{\sin x}(2 + x \cos x) \\
&= e^{\sin x} x (x\cos x + 2) \\
&= x^2 e^{\sin x} \cos x + 2 x e^{\sin x}
\end{aligned}
"""


def _time(fn, repeat: int = 3) -> float:
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best.append(time.perf_counter() - start)
    return min(best)


def main() -> None:
    rows = [(name, row) for name in ("equivalent", "wrong")
            for row in json.loads((DATA / f"verify_{name}.json").read_text(encoding="utf-8"))]
    times = {"equivalent": [], "wrong": []}
    cold = []
    for name, row in rows:
        def once(row=row):
            return verify(row["latex"], row["wrt"], row["claim"], where=row.get("where", ()))
        cold.append(_time(once, repeat=1))  # first sight of this claim (SymPy cache cold for it)
        times[name].append(_time(once))
    print(f"one claim, first call: median {statistics.median(cold) * 1e3:.1f} ms, "
          f"max {max(cold) * 1e3:.1f} ms")
    every = times["equivalent"] + times["wrong"]
    print(f"one claim, {len(every)} corpus claims, warm: median {statistics.median(every) * 1e3:.1f} ms, "
          f"p90 {sorted(every)[int(0.9 * len(every))] * 1e3:.1f} ms, max {max(every) * 1e3:.1f} ms")
    for name, ts in times.items():
        print(f"  {name:10s}: median {statistics.median(ts) * 1e3:.1f} ms over {len(ts)}")
    verify_steps(TEN_LINES)
    t = _time(lambda: verify_steps(TEN_LINES))
    res = verify_steps(TEN_LINES)
    print(f"10-line derivation: {t * 1e3:.0f} ms ({sum(line.ok for line in res.lines)}/"
          f"{len(res.lines)} lines ok)")


if __name__ == "__main__":
    main()

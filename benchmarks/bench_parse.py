"""Parse speed: symderiv.parse against bare latex2sympy2_extended on the corpus, and import time.

    python benchmarks/bench_parse.py [--repeat 5] [--imports 7]

Parse time is the median of `--repeat` warm runs per formula (after one warm-up run), over the
formulas of tests/data/parse_corpus.json; the ratio compares medians over the formulas that both
parsers read. Import time is the median wall time of `--imports` fresh interpreters running
`import …` (minus a bare interpreter's start-up). Targets (issue 2): median ≤ 20 ms, ratio ≤ 1.3,
import ratio ≤ 1.2. Prints a table; not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "parse_corpus.json"


def _median_time(fn, latex: str, repeat: int, cold: bool = False) -> float | None:
    """Median seconds of `repeat` warm calls (after a first one), or None when the call fails;
    `cold` clears SymPy's cache before each call (else repeated calls hit it)."""
    from sympy.core.cache import clear_cache

    try:
        fn(latex)
    except Exception:
        return None
    times = []
    for _ in range(repeat):
        if cold:
            clear_cache()
        start = time.perf_counter()
        fn(latex)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _latex2sympy():
    from latex2sympy2_extended import latex2sympy

    return latex2sympy


def parse_times(formulas: list[str], repeat: int, cold: bool):
    from symderiv.parsing.parser import parse

    l2s = _latex2sympy()
    ours = [_median_time(parse, f, repeat, cold) for f in formulas]
    theirs = [_median_time(l2s, f, repeat, cold) for f in formulas]
    return ours, theirs


def import_time(statement: str, runs: int, cache: str) -> float:
    """Median wall time of a fresh `python -c statement`, minus a bare interpreter's. Byte code
    goes to `cache` (as an installed package has it), whatever PYTHONDONTWRITEBYTECODE says."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def wall(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
        return time.perf_counter() - start

    wall(statement)  # compile once
    bare = statistics.median(wall("pass") for _ in range(runs))
    return statistics.median(wall(statement) for _ in range(runs)) - bare


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--imports", type=int, default=7)
    args = ap.parse_args(argv)

    formulas = list(dict.fromkeys(row["latex"] for row in json.loads(CORPUS.read_text("utf-8"))))
    rows = []
    for cold in (False, True):
        ours, theirs = parse_times(formulas, args.repeat, cold)
        read = [t for t in ours if t is not None]
        both = [(a, b) for a, b in zip(ours, theirs, strict=True) if a is not None and b is not None]
        rows.append((cold, statistics.median(read), max(read), statistics.median(a for a, _ in both),
                     statistics.median(b for _, b in both)))

    with tempfile.TemporaryDirectory() as cache:
        imp_ours = import_time("import symderiv, symderiv.parse", args.imports, cache)
        imp_base = import_time("import sympy, latex2sympy2_extended", args.imports, cache)

    print(f"corpus: {len(formulas)} distinct formulas; symderiv read {len(read)}, "
          f"latex2sympy2_extended read {sum(t is not None for t in theirs)}, both {len(both)}")
    print(f"{'measure':52s} {'ms':>8s}   target")
    for cold, med_ours, max_ours, med_pair_ours, med_pair_theirs in rows:
        how = "SymPy cache cleared" if cold else "warm"
        print(f"{'symderiv.parse median, ' + how:52s} {_ms(med_ours)}   <= 20 ms")
        print(f"{'symderiv.parse max, ' + how:52s} {_ms(max_ours)}")
        print(f"{'symderiv.parse median (both read), ' + how:52s} {_ms(med_pair_ours)}")
        print(f"{'latex2sympy median (both read), ' + how:52s} {_ms(med_pair_theirs)}")
        print(f"{'ratio symderiv / latex2sympy, ' + how:52s} {med_pair_ours / med_pair_theirs:8.2f}   <= 1.3")
    print(f"{'import symderiv + symderiv.parse':52s} {_ms(imp_ours)}")
    print(f"{'import sympy + latex2sympy2_extended':52s} {_ms(imp_base)}")
    print(f"{'import ratio':52s} {imp_ours / imp_base:8.2f}   <= 1.2")
    slow = sorted(((t, f) for t, f in zip(ours, formulas, strict=True) if t is not None), reverse=True)[:5]
    print("slowest formulas (SymPy cache cleared):")
    for t, f in slow:
        print(f"  {_ms(t)} ms  {f[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

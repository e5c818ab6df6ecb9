"""Every row of the performance table (issue 16) measured side by side in one run. Not a test.

Each row is a ratio: symderiv against bare SymPy (the import, `sympy.hessian`) or against another
path of symderiv on the same input, timed in interleaved pairs (A B A B …) so that a machine whose
speed drifts moves both sides alike; the ratio quoted is the median of the per-pair ratios.
Growth exponents are fitted by least squares on log t against log n.

Run from the project root: python3 benchmarks/run.py [--quick]
"""
from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))          # symderiv from this checkout, installed or not
PY = sys.executable
IMPORT_SYMPY = [PY, "-c", "import sympy"]


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, its value, the goal and whether it holds."""

    measure: str
    value: str
    goal: str
    met: bool | None


def _env() -> dict[str, str]:
    """This checkout first on the path, and bytecode written and read as on an installed machine (the
    warm-up run of each pair writes it; an environment that forbids it would time the compiler)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(cmd: Sequence[str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(list(cmd), input=stdin, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=_env(), cwd=ROOT, check=False)
    return time.perf_counter() - start


def side_by_side(a: Callable[[], float], b: Callable[[], float], pairs: int) -> tuple[float, float, float]:
    """(median of a, median of b, median of the per-pair ratios a/b), one warm-up pair first."""
    a(), b()
    ta, tb = [], []
    for _ in range(pairs):
        ta.append(a())
        tb.append(b())
    return statistics.median(ta), statistics.median(tb), statistics.median(x / y for x, y in zip(ta, tb, strict=True))


def processes(cmd_a: Sequence[str], cmd_b: Sequence[str], pairs: int) -> tuple[float, float, float]:
    return side_by_side(lambda: _run(cmd_a), lambda: _run(cmd_b), pairs)


def fitted_exponent(ns: Sequence[int], ts: Sequence[float]) -> float:
    """The slope of log t against log n (least squares)."""
    xs, ys = [math.log(n) for n in ns], [math.log(max(t, 1e-9)) for t in ts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


# ---------------------------------------------------------------------------- the rows
def cold_rows(pairs: int) -> list[Row]:
    cli = [PY, "-m", "symderiv"]
    rows = []
    cases = (("cold `derive --hessian --format json`", ["derive", "--hessian", "--format", "json"], 1.3),
             ("cold `--help`", ["--help"], 0.5),
             ("cold `analyze 'f(x, y) = x^2 - y^2'`", ["analyze", "f(x, y) = x^2 - y^2"], 1.3))
    for label, args, goal in cases:
        ours, base, ratio = processes([*cli, *args], IMPORT_SYMPY, pairs)
        rows.append(Row(f"{label} / `python -c 'import sympy'`",
                        f"{ratio:.2f}× ({ours * 1e3:.0f} ms / {base * 1e3:.0f} ms)", f"≤ {goal}×", ratio <= goal))
    return rows


def hero_row(repeat: int) -> Row:
    """JSON + Markdown output of the built-in example against the derivation itself, in one process."""
    from sympy.core.cache import clear_cache

    import symderiv
    from symderiv.cli.derive import BUILTIN_EXAMPLE

    latex, where = BUILTIN_EXAMPLE

    def derivation() -> float:
        clear_cache()
        start = time.perf_counter()
        hero[0] = symderiv.derive(latex, where=where, hessian=True)
        return time.perf_counter() - start

    def output() -> float:
        start = time.perf_counter()
        symderiv.render(hero[0], "json")
        symderiv.render(hero[0], "md")
        return time.perf_counter() - start

    hero: list = [symderiv.derive(latex, where=where, hessian=True)]
    t_derive, t_out, _ = side_by_side(derivation, output, repeat)
    _, _, ratio = side_by_side(output, derivation, repeat)
    return Row("hero: JSON + Markdown output / the derivation itself",
               f"{ratio:.2f}× ({t_out * 1e3:.0f} ms / {t_derive * 1e3:.0f} ms)", "≤ 1.2×", ratio <= 1.2)


def notes_rows(formulas: int) -> list[Row]:
    """`notes` on a note of distinct real ML formulas (benchmarks/notes_corpus.py) on every core, with
    one job beside it, and the re-run of the unchanged note (the cache's hits)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from notes_corpus import measure  # type: ignore[import-not-found]

    n, first, again = measure(formulas)
    _, one_job, _ = measure(formulas, jobs=1)
    cores = os.cpu_count() or 1
    return [Row(f"`notes` on a {n}-formula note, {cores} jobs (1 job: {n / one_job:.1f} formulas/s, "
                f"{one_job:.0f} s)", f"{n / first:.1f} formulas/s ({first:.0f} s)", "≥ 20 formulas/s",
                n / first >= 20),
            Row("`notes` again on the unchanged note (cache hits)", f"{n / again:.0f} formulas/s ({again:.2f} s)",
                "≥ 200 formulas/s", n / again >= 200)]


def _lse(n: int) -> tuple[str, str]:
    xs = [f"x_{{{i}}}" for i in range(1, n + 1)]
    latex = r"\log(" + " + ".join(f"e^{{{x}}}" for x in xs) + ") + " + " + ".join(f"{x}^2" for x in xs)
    return latex, ",".join(f"x_{i}" for i in range(1, n + 1))


_SYMPY_HESSIAN = """
import sys, sympy as sp
n = int(sys.argv[1])
x = sp.symbols(f"x1:{n + 1}")
f = sp.log(sum(sp.exp(v) for v in x)) + sum(v**2 for v in x)
sp.hessian(f, x)
"""


def hessian_rows(sizes: Sequence[int], pairs: int) -> list[Row]:
    import symderiv
    from symderiv.output.contract import derivation_json

    derive_t, output_t = [], []
    for n in sizes:
        latex, wrt = _lse(n)
        start = time.perf_counter()
        d = symderiv.derive(latex, wrt=wrt, hessian=True, timeout=None)
        derive_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        derivation_json(d)
        output_t.append(time.perf_counter() - start)
    n = sizes[-1]
    latex, wrt = _lse(n)
    ours, theirs, ratio = processes([PY, "-m", "symderiv", "derive", latex, "--wrt", wrt, "--hessian",
                                     "--format", "json", "--timeout", "600"],
                                    [PY, "-c", _SYMPY_HESSIAN, str(n)], pairs)
    e_derive, e_output = fitted_exponent(sizes, derive_t), fitted_exponent(sizes, output_t)
    return [Row(f"Hessian with steps, n = {n}: `derive --format json` / `sympy.hessian` (processes)",
                f"{ratio:.1f}× ({ours:.1f} s / {theirs:.1f} s)", "≤ 3×", ratio <= 3),
            Row(f"growth of derive over n = {', '.join(map(str, sizes))}", f"n^{e_derive:.2f}", "≤ n^2.2",
                e_derive <= 2.2),
            Row("growth of the JSON output", f"n^{e_output:.2f}", "≤ n^2.2", e_output <= 2.2)]


def verify_row(claims: int) -> Row:
    """The batch path (`verify --batch`, one process, a pool inside) against the same claims checked one
    process each and against the bare work (the claims checked in this process, start-up excluded)."""
    import csv

    import symderiv

    pairs = [(f"x^{k} + \\sin({k}x)", f"{k}x^{k - 1} + {k}\\cos({k}x)") for k in range(2, 2 + claims)]
    start = time.perf_counter()
    for f, claim in pairs[: max(3, claims // 10)]:
        _run([PY, "-m", "symderiv", "verify", f, "--wrt", "x", "--claim", claim])
    per_process = (time.perf_counter() - start) / max(3, claims // 10)
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "claims.csv"
        with batch.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["id", "function", "wrt", "claim"])
            writer.writerows([str(k), f, "x", claim] for k, (f, claim) in enumerate(pairs))
        per_batch = _run([PY, "-m", "symderiv", "verify", "--batch", str(batch), "--report",
                          str(Path(tmp) / "report.csv")]) / claims
    start = time.perf_counter()
    for f, claim in pairs:
        symderiv.verify(f, "x", claim)
    per_claim = (time.perf_counter() - start) / claims
    return Row(f"{claims} claims through `verify`: per claim as processes / `--batch` / the bare work",
               f"{per_process * 1e3:.0f} ms / {per_batch * 1e3:.0f} ms / {per_claim * 1e3:.0f} ms",
               "batch near the work", per_batch <= 2 * per_claim)


def main() -> None:
    quick = "--quick" in sys.argv
    pairs = 3 if quick else 7
    rows = [*cold_rows(pairs), hero_row(pairs), *notes_rows(40 if quick else 200),
            *hessian_rows((5, 10, 20) if quick else (5, 10, 20, 40), 1 if quick else 3),
            verify_row(20 if quick else 100)]
    print(f"symderiv performance table ({os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"medians of interleaved pairs)\n")
    print("| measure | today | goal | met |")
    print("| --- | --- | --- | --- |")
    for r in rows:
        met = "–" if r.met is None else ("yes" if r.met else "**no**")
        print(f"| {r.measure} | {r.value} | {r.goal} | {met} |")


if __name__ == "__main__":
    main()

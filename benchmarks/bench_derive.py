"""Speed of `symderiv derive` (issue 3). Prints a table; not a timed test.

1. The built-in example (seed logistic loss, ŷ_i = σ(θᵀx_i)): gradient + Hessian + textbook form,
   warm (imports done, SymPy's cache cleared before every run), against
   `sympy.simplify(sympy.diff(...))` of the same loss expanded and instantiated (n = 3, d = 2):
   ∂L/∂θ_1 and ∂²L/∂θ_1∂θ_2. Target ≤ 0.5 s and faster than SymPy.
2. `symderiv derive` as a whole process (cold) against `python -c "import sympy, latex2sympy2_extended"`,
   median of 5 runs each. Target ≤ 1.5×.
3. Scale: the Hessian of log(e^{x_1} + … + e^{x_n}) + x_1² + … + x_n² written out, n = 5, 10, 20, 40,
   with every step tree built (and, in the last column, the JSON steps rendered). Target n = 40 ≤ 10 s.

Run: python benchmarks/bench_derive.py [--quick]
"""
from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time

import sympy as sp
from sympy.core.cache import clear_cache

from symderiv.calculus.engine import derive
from symderiv.calculus.forms import gradient_vector_form, hessian_vector_form
from symderiv.cli.derive import BUILTIN_EXAMPLE
from symderiv.ml.functions import to_elementary
from symderiv.output.contract import derivation_json
from symderiv.parsing.parser import parse


def _timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def builtin_example(repeat=5):
    latex, where = BUILTIN_EXAMPLE

    def ours():
        d = derive(latex, where=where, hessian=True)
        g, h = d.gradient[0], d.hessian[0][0]
        assert gradient_vector_form(g.result, g.wrt).matrix == r"X^{T} \left(\hat{y} - y\right)"
        assert hessian_vector_form(h.result, g.wrt, h.wrt).matrix == "X^{T} S X"

    problem = parse(latex, where)
    sizes = {s: v for s, v in ((sp.Symbol("n", integer=True, positive=True), 3),
                               (sp.Symbol("d", integer=True, positive=True), 2))}
    concrete = to_elementary(problem.expanded()).subs(sizes).doit()
    theta = sp.IndexedBase(sp.Symbol("theta", real=True))

    def sympys():
        g = sp.simplify(sp.diff(concrete, theta[1]))
        h = sp.simplify(sp.diff(concrete, theta[1], theta[2]))
        return g, h

    ours()
    sympys()  # warm both (imports, first-use code paths)
    t_ours = _timed(ours, repeat)
    t_sympy = _timed(sympys, max(1, repeat // 2))
    g, _ = sympys()
    return t_ours, t_sympy, g.has(sp.exp)


def cold_process(runs=5):
    def run(cmd):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    base = run([sys.executable, "-c", "import sympy, latex2sympy2_extended"])
    ours = run([sys.executable, "-m", "symderiv", "derive", "--hessian", "--format", "json"])
    text = run([sys.executable, "-m", "symderiv", "derive"])
    return base, ours, text


def lse_quadratic(n):
    xs = [f"x_{{{i}}}" for i in range(1, n + 1)]
    latex = r"\log(" + " + ".join(f"e^{{{x}}}" for x in xs) + ") + " + " + ".join(f"{x}^2" for x in xs)
    return latex, ",".join(f"x_{i}" for i in range(1, n + 1))


def scale(sizes):
    rows = []
    for n in sizes:
        latex, wrt = lse_quadratic(n)
        clear_cache()
        start = time.perf_counter()
        d = derive(latex, wrt=wrt, hessian=True, timeout=None)
        t_derive = time.perf_counter() - start
        steps = sum(1 for row in d.hessian for h in row for _ in h.step.walk()) + sum(
            1 for g in d.gradient for _ in g.step.walk())
        start = time.perf_counter()
        derivation_json(d)
        t_json = time.perf_counter() - start
        rows.append((n, t_derive, steps, t_json))
    return rows


def main():
    quick = "--quick" in sys.argv
    print("symderiv derive benchmarks (medians; SymPy cache cleared before each timed run)\n")

    t_ours, t_sympy, exp_left = builtin_example(3 if quick else 5)
    print("1. built-in example (seed logistic loss), gradient + Hessian + textbook/vector form, warm")
    print(f"   symderiv derive ........................ {t_ours * 1e3:8.1f} ms   (target ≤ 500 ms)")
    print(f"   sympy.simplify(sympy.diff) at n=3, d=2 . {t_sympy * 1e3:8.1f} ms   "
          f"(one entry and one Hessian entry; still has exp: {exp_left})")
    print(f"   ratio sympy / symderiv ................. {t_sympy / t_ours:8.1f} ×\n")

    base, ours, text = cold_process(3 if quick else 5)
    print("2. whole process, cold")
    print(f"   python -c 'import sympy, latex2sympy2_extended' {base * 1e3:7.0f} ms")
    print(f"   python -m symderiv derive --hessian --format json {ours * 1e3:5.0f} ms   "
          f"ratio {ours / base:.2f}× (target ≤ 1.5×)")
    print(f"   python -m symderiv derive (text page) ........... {text * 1e3:5.0f} ms   ratio {text / base:.2f}×\n")

    print("3. Hessian of log(Σ_i e^{x_i}) + Σ_i x_i² written out in n variables")
    print(f"   {'n':>3} {'derive (s)':>11} {'steps':>8} {'growth':>8} {'JSON steps (s)':>15}")
    prev = None
    for n, t, steps, tj in scale((5, 10, 20) if quick else (5, 10, 20, 40)):
        growth = "" if prev is None else f"n^{math.log(t / prev[1]) / math.log(n / prev[0]):.1f}"
        print(f"   {n:>3} {t:>11.2f} {steps:>8} {growth:>8} {tj:>15.2f}")
        prev = (n, t)
    print("   target: n = 40 ≤ 10 s with every step tree built")


if __name__ == "__main__":
    main()

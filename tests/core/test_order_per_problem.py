"""Issue 13: the order the user wrote a sum's terms in belongs to the problem, not to the process.

The same sum written in two orders by two problems prints in each problem's own order, whichever is
parsed first; a page printed again after another is byte-identical; the order travels with the
problem into worker threads; a note works each formula in its own written order.
"""
from __future__ import annotations

import contextvars
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sympy as sp

from symderiv.calculus.engine import derive
from symderiv.cli.main import main
from symderiv.core.order import remember, writing, written_order
from symderiv.output.pages import page
from symderiv.output.printing import latex
from symderiv.parsing import parse

WB = r"f(w, b) = w x + b"          # the same sum, written in two orders
BW = r"f(w, b) = b + w x"
CE = r"L(p) = y \log p + (1 - y) \log(1 - p)"        # the seed's two terms, and swapped
EC = r"L(p) = (1 - y) \log(1 - p) + y \log p"


def _statement(md: str) -> str:
    """The display formula under **Problem.**: the function as the page states it."""
    return re.search(r"\*\*Problem\.\*\*.*?\$\$\n(.*?)\n\$\$", md, re.S).group(1)


def _checked(d) -> None:
    """Every derivative printed is SymPy's derivative of the problem (mathematics checked)."""
    full = d.problem.expanded()
    for g in d.gradient:
        assert sp.simplify(g.expanded - sp.diff(full, g.wrt)) == 0


@pytest.mark.parametrize("first,second", [(WB, BW), (BW, WB), (CE, EC), (EC, CE)])
def test_same_sum_in_two_orders_each_printed_as_written(first, second):
    a, b = parse(first), parse(second)
    assert a.expr == b.expr                  # one canonical sum: only the problems tell them apart
    for problem, text in ((a, first), (b, second)):
        with writing(problem.orders):
            printed = latex(problem.expr)
        body = text.split(" = ", 1)[1]
        assert printed == latex_of(body), (printed, body)
        d = derive(problem)
        _checked(d)
        assert _plain(_statement(page(d, "md"))).endswith(_plain(latex_of(body)))


def _plain(tex: str) -> str:
    """Markdown pages drop `\\left`/`\\right` where plain parentheses render the same."""
    return tex.replace(r"\left", "").replace(r"\right", "")


def latex_of(written: str) -> str:
    """The page's LaTeX of a body as written (the terms as the tests write them)."""
    log_p, log_q = r"y \log{\left(p \right)}", r"\left(1 - y\right) \log{\left(1 - p \right)}"
    return {r"w x + b": "w x + b", r"b + w x": "b + w x",
            r"y \log p + (1 - y) \log(1 - p)": f"{log_p} + {log_q}",
            r"(1 - y) \log(1 - p) + y \log p": f"{log_q} + {log_p}"}[written]


def test_outside_a_page_no_order_is_in_force():
    """Parsing records into the problem only: nothing is left behind for later printing."""
    p = parse(WB)
    assert p.orders and written_order(p.expr) is None
    remember(p.expr, list(reversed(p.expr.args)))          # outside a parse or a page: not kept
    assert written_order(p.expr) is None
    assert latex(p.expr) == "b + w x"                      # SymPy's order, positive terms first


@pytest.mark.parametrize("fmt", ["md", "json", "tex", "text"])
def test_a_then_b_then_a_is_byte_identical(fmt):
    da = derive(parse(CE, ()))
    first = page(da, fmt)
    db = derive(parse(EC, ()))
    other = page(db, fmt)
    again = page(derive(parse(CE, ())), fmt)
    assert first == again == page(da, fmt)
    assert other != first                                   # B was printed in its own order


def test_written_orders_are_per_page_and_restored():
    a, b = parse(WB), parse(BW)
    with writing(a.orders):
        assert latex(a.expr) == "w x + b"
        with writing(b.orders):                            # nested: the inner problem's order
            assert latex(a.expr) == "b + w x"
        assert latex(a.expr) == "w x + b"
    assert written_order(a.expr) is None


def _work(latex_text: str) -> str:
    d = derive(latex_text, timeout=60)                      # parse and derive under the time limit
    _checked(d)
    return _statement(page(d, "md"))


def test_worker_threads_under_the_time_limit_keep_each_order():
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_work, [WB, BW, WB, BW]))
    assert [r.split(" = ")[1] for r in results] == ["w x + b", "b + w x"] * 2


def test_derived_in_a_thread_printed_in_another():
    """The order is the problem's: a derivation made in a worker prints in its order anywhere, and a
    printing context handed to a thread with copy_context goes with it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        d = pool.submit(derive, WB, None, False, (), 60).result()
    _checked(d)
    assert _statement(page(d, "md")).endswith("w x + b")
    with writing(d.problem.orders), ThreadPoolExecutor(max_workers=1) as pool:
        ctx = contextvars.copy_context()
        assert pool.submit(ctx.run, latex, d.problem.expr).result() == "w x + b"
        assert pool.submit(latex, d.problem.expr).result() == "b + w x"   # a bare thread: none in force


NOTE = ("# Two lines\n\nA line written bias last:\n\n$$f(w, b) = w x + b$$\n\n"
        "and the same line written bias first:\n\n$$g(w, b) = b + w x$$\n\n"
        "and the first again:\n\n$$h(w, b) = w x + b$$\n")


def test_a_note_works_each_formula_in_its_own_order(tmp_path: Path, capsys):
    src, out = tmp_path / "note.md", tmp_path / "note.worked.md"
    src.write_text(NOTE, encoding="utf-8")
    assert main(["notes", str(src), "-o", str(out), "--lang", "en"]) == 0
    worked = out.read_text(encoding="utf-8")
    statements = re.findall(r"^.*?([fgh])\(w, b\) = (w x \+ b|b \+ w x)", worked, re.M)
    shown = dict(statements)
    assert shown == {"f": "w x + b", "g": "b + w x", "h": "w x + b"}, statements
    assert r"\frac{\partial}{\partial w} \left(b + w x\right)" in worked
    assert r"\frac{\partial}{\partial w} \left(w x + b\right)" in worked
    titles = re.findall(r"Worked derivation of \$[fgh]\\left\(w, b\\right\) = ([^$]*)\$", worked)
    assert titles == ["w x + b", "b + w x", "w x + b"], titles
    capsys.readouterr()

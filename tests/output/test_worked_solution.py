"""The worked solution teaches (issue 13): pieces first with no forward reference, the key algebra as
checked moves, the facts it uses derived, the user's own order and names, shapes, examples current."""
from __future__ import annotations

import re
import sys
from itertools import pairwise
from pathlib import Path

import pytest
import sympy as sp

from symderiv.calculus.engine import derive
from symderiv.calculus.moves import _evaluated
from symderiv.calculus.rules import ChainThroughRule
from symderiv.cli.derive import BUILTIN_EXAMPLE
from symderiv.ml.registry import ENTRIES
from symderiv.output.markdown import plain_parentheses
from symderiv.output.printing import text as plain
from symderiv.output.render import render
from symderiv.output.steps import StepPrinter
from symderiv.output.text import derivation_text

ROOT = Path(__file__).resolve().parents[2]
SEED = derive(BUILTIN_EXAMPLE[0], hessian=True, where=list(BUILTIN_EXAMPLE[1]))
WB = derive(r"L(w, b) = -y\log\hat{y} - (1-y)\log(1-\hat{y})", where=[r"\hat{y} = \sigma(w x + b)"])
NESTED = derive(r"f(x) = \log(1 + e^{\sin(x^2)})")
MATRIX = derive(r"L(W) = \|W x - y\|^2")
REFS = re.compile(r"(?:Step|第) (\d+)[.：:].*?(?:\((?:uses step|combines steps) ([\d, ]+)\)|（用到第 ([\d、]+) 步）)")
TEXT_REFS = re.compile(r"^\s*(\d+)\. .*?(?:\((?:uses step|combines steps) ([\d, ]+)\)|（用到第 ([\d、]+) 步）)", re.M)


def _pages():
    for d in (SEED, WB, NESTED, MATRIX):
        for lang in ("en", "zh"):
            yield render(d, "md", lang), REFS
            yield render(d, "tex", lang), REFS
            yield derivation_text(d, lang), TEXT_REFS


def _unordered(e: sp.Basic):
    """e up to the order of terms and factors: two lines equal here only reorder."""
    if not e.args:
        return e
    return (e.func, tuple(sorted((_unordered(a) for a in e.args), key=str)))


def test_steps_only_refer_back():
    """A step combines steps printed before it, never one after (no "uses step 7" at step 3)."""
    seen = 0
    for page, pattern in _pages():
        for m in pattern.finditer(page):
            n = int(m.group(1))
            used = [int(x) for x in re.split(r"[,、 ]+", (m.group(2) or m.group(3)).strip()) if x]
            assert used and all(u < n for u in used), (n, used, page[:200])
            seen += 1
    assert seen > 40


def test_pieces_come_before_the_chain_that_combines_them():
    """∂ℓ/∂ŷ, then ∂ŷ/∂z, then ∂z/∂θ, then the chain rule, the sum, the constant factor."""
    text = derivation_text(SEED)
    y, yhat, z, i = sp.IndexedBase("y"), sp.IndexedBase("yhat"), sp.IndexedBase("z"), sp.Symbol("i")
    pieces = [f"d/d{plain(yhat[i])} [", f"d/d{plain(z[i])} [", "Kronecker delta",
              "chain rule through the named intermediates: ∂ℓ", "sum over an index", "constant factor rule: -1"]
    at = [text.index(s) for s in pieces]
    assert at == sorted(at)
    assert text.index(f"{plain(y[i])}·log(") < text.index(f"(1 - {plain(y[i])})·log(1 -")


def test_the_cancellation_is_shown_as_named_moves():
    md = render(SEED, "md")
    block = md[md.index(r"\cdot \hat{y}_{i} (1 - \hat{y}_{i}) x_{ik}"):]
    block = block[:block.index(r"\end{aligned}")]
    assert r"\left(\frac{y_{i}}{\hat{y}_{i}} - \frac{1 - y_{i}}{1 - \hat{y}_{i}}\right)" in md
    for line, move in [(r"(y_{i} (1 - \hat{y}_{i}) - \hat{y}_{i} (1 - y_{i})) x_{ik}", "multiply out"),
                       (r"(y_{i} - y_{i} \hat{y}_{i} - \hat{y}_{i} + y_{i} \hat{y}_{i}) x_{ik}", "expand"),
                       (r"(y_{i} - \hat{y}_{i}) x_{ik}", "collect like terms")]:
        assert f"&= {line} && \\text{{{move}" in block
    zh = derivation_text(SEED, "zh")
    assert "（合并同类项）" in zh and "（展开乘积）" in zh


@pytest.mark.parametrize("d", [SEED, WB], ids=["seed", "w-b"])
def test_each_move_is_an_identity_and_more_than_a_reordering(d):
    printer = StepPrinter(d.intermediates)
    found = 0
    for g in d.gradient:
        stack = [g.step]
        while stack:
            rule = stack.pop()
            stack.extend(s for s in rule.substeps if s is not None)
            moves = printer.moves(rule)
            if not moves:
                continue
            assert isinstance(rule, ChainThroughRule)
            lines = [printer.links_multiplied(rule), *(m.expr for m in moves)]
            for a, b in pairwise(lines):
                assert sp.simplify(_evaluated(a) - _evaluated(b)) == 0, (a, b)
                assert _unordered(a) != _unordered(b), f"{b} only reorders {a}"
            assert sp.simplify(_evaluated(lines[-1]) - printer.result(rule)) == 0
            found += 1
    assert found >= 1


def test_sigmoid_derivative_is_derived_once_from_its_definition_and_cited():
    md = render(SEED, "md")
    facts = md.index("## Facts used")
    assert md.count("## Facts used") == 1
    assert r"\frac{d}{d z} \sigma(z) &= \frac{d}{d z} \frac{1}{1 + e^{- z}}" in md
    assert r"&= \sigma(z) (1 - \sigma(z))" in md
    cite = md.index("sigmoid rule: $\\sigma'(u) = \\sigma(u)(1 - \\sigma(u))$ (fact 1)")
    assert facts < md.index("## Derivative with respect to") < cite
    assert "结论 1（sigmoid 法则）" in render(SEED, "md", "zh")


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.derivation is not None], ids=lambda e: e.name)
def test_registry_derivations_are_chains_of_identities(entry):
    """Each line of f'(z)'s derivation equals the one before (numerically, at several points), the
    first is d/dz of the definition and the last the derivative the rules use."""
    z = sp.Symbol("z", real=True)
    lines = entry.derived(z)
    assert len({str(e) for _, e in lines}) == len(lines)        # every line says something new
    values = [sp.Mul(*e) if isinstance(e, tuple) else e for _, e in lines]
    values[0] = values[0].doit()
    target = entry.derivative(entry.function(z))
    for point in (-2.5, -0.3, 0.0, 0.7, 3.1):
        nums = [complex(sp.N(v.rewrite(sp.exp).subs(z, point))) for v in values]
        want = complex(sp.N(target.rewrite(sp.exp).subs(z, point)))
        assert all(abs(n - want) < 1e-12 for n in nums), (point, nums, want)


def test_the_statement_keeps_the_users_order():
    text = derivation_text(SEED)
    first = text.splitlines()[0]
    assert first.index("y_i·log(") < first.index("(1 - y_i)·log(1 -")
    md = render(SEED, "md")
    statement = md[md.index("$$"):md.index("where")]
    assert r"(y_{i} \log{(\hat{y}_{i} )} + (1 - y_{i}) \log{(1 - \hat{y}_{i} )})" in statement
    assert "σ(w·x + b)" in derivation_text(WB)


def test_names_and_counters():
    """The function's own name (∂L/∂ŷ, not ∂f/∂ŷ); u, v, w where no name exists, named where used first."""
    md = render(WB, "md")
    assert r"\frac{\partial L}{\partial \hat{y}}" in md and r"\partial f}" not in md
    text = derivation_text(NESTED)
    assert "u_1" not in text and "d/dw [sin(w)]" in text
    assert text.index("let w = x²") < text.index("chain rule with w = x²")


def test_work_shared_between_variables_is_referred_to():
    text = derivation_text(WB)
    b = text[text.index("∂L/∂b"):]
    assert "derived above for w (its step 7)" in b
    assert "log rule" not in b
    assert "已在关于 $w$ 的求导中得出" in render(WB, "md", "zh")


def test_vector_form_symbols_are_defined():
    for lang, words in (("en", ["matrix whose $i$-th row is $x_{i}^{T}$", r"\hat{y} = \sigma(X \theta)",
                                r"S = \operatorname{diag}"]),
                        ("zh", [r"\hat{y} = \sigma(X \theta)", r"S = \operatorname{diag}", "x_{i}^{T}"])):
        md = render(SEED, "md", lang)
        assert all(w in md for w in words), lang


def test_matrix_steps_state_their_shape_once_per_heading():
    assert "## Derivative with respect to $W$ ($K \\times d$)" in render(MATRIX, "md")
    assert "（$K \\times d$）" in render(MATRIX, "tex", "zh")
    assert "∂L/∂W: K × d" in derivation_text(MATRIX)


def test_latex_pages_use_lmodern_and_markdown_plain_parentheses():
    assert r"\usepackage{lmodern}" in render(SEED, "tex")
    md = render(SEED, "md")
    assert plain_parentheses(md) == md and r"\left(" not in md[:md.index("where")]
    assert r"\left(\frac{y_{i}}{\hat{y}_{i}}" in md            # around a fraction it stays


def test_examples_are_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_examples
    finally:
        sys.path.pop(0)
    assert make_examples.main(["--check"]) == 0, "run python3 scripts/make_examples.py"

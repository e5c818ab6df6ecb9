"""The log-sum-exp fact (issue 13 item 1): ∂/∂z_k log Σ_j e^{z_j} = softmax(z)_k, derived in named
lines that are each an identity (SymPy and random points), and cited by the page that uses it."""
from __future__ import annotations

import random
import re

import pytest
import sympy as sp

from symderiv.calculus.engine import derive
from symderiv.ml.functions import softmax
from symderiv.ml.registry import LOG_SUM_EXP, VJ, VK, VSIZE, VZ
from symderiv.output.render import render
from symderiv.output.text import derivation_text

LSE_PAGE = derive(r"\log\sum_{j=1}^{K} e^{z_j}", wrt="z")


def _value(line: sp.Basic | tuple[sp.Basic, ...]) -> sp.Expr:
    """A line as one expression: a factor-by-factor product multiplied, softmax written out."""
    e = sp.Mul(*line) if isinstance(line, tuple) else line
    return e.replace(lambda a: isinstance(a, softmax), lambda a: a.written())


@pytest.mark.parametrize("size", [1, 3, 5])
def test_each_line_equals_the_one_before(size):
    """At K = size with k = 2 (or 1): SymPy says each line minus the derivative is 0, and so do random points."""
    lhs, rhs = LOG_SUM_EXP.statement()
    k = min(2, size)
    concrete = {VSIZE: size, VK: k}
    want = sp.diff(sp.log(sum(sp.exp(VZ[j]) for j in range(1, size + 1))), VZ[k])
    lines = [lhs, *(line for _, line in LOG_SUM_EXP.derived())]
    assert lines[-1] == rhs                                       # the lines end on what the fact states
    rng = random.Random(size)
    for line in lines:
        got = _value(line).subs(concrete).doit()
        assert sp.simplify(got - want) == 0, line
        point = {VZ[j]: rng.uniform(-3, 3) for j in range(1, size + 1)}
        assert abs(float(got.subs(point)) - float(want.subs(point))) < 1e-12, line
    assert len({str(line) for line in lines}) == len(lines)      # every line says something new


def test_the_moves_are_named_and_end_on_the_softmax():
    moves = [key for key, _ in LOG_SUM_EXP.derived()]
    assert moves == ["fact_chain_log", "fact_term_by_term", "fact_one_term", "fact_softmax"]
    assert LOG_SUM_EXP.derived()[-1][1] == softmax(VZ, VK, VSIZE)
    assert LOG_SUM_EXP.derived()[1][1][1] == sp.Sum(sp.KroneckerDelta(VJ, VK) * sp.exp(VZ[VJ]), (VJ, 1, VSIZE))


def test_the_lse_page_derives_the_fact_once_and_its_chain_step_cites_it():
    md = render(LSE_PAGE, "md")
    assert md.count("## Facts used") == 1
    assert (r"Fact 1 (log-sum-exp rule): $\frac{\partial}{\partial z_{k}} \log{\left(\sum_{j=1}^{K} e^{z_{j}} "
            r"\right)} = \operatorname{softmax}(z)_{k}$") in md
    assert r"&= \operatorname{softmax}(z)_{k} && \text{the definition of softmax}" in md
    cite = re.search(r"\*\*Step \d+\.\*\* chain rule with \$u = \\sum_\{j=1\}\^\{K\} e\^\{z_\{j\}\}\$.*\(fact 1\)", md)
    assert cite is not None
    assert md.index("## Facts used") < md.index("## Derivative with respect to") < cite.start()
    zh = render(LSE_PAGE, "md", "zh")
    assert "结论 1（对数求和指数法则）" in zh and "（见结论 1）" in zh and "softmax 的定义" in zh
    tex = render(LSE_PAGE, "tex")
    assert r"\operatorname{softmax}\left(z\right)_{k}" in tex and "(fact 1)" in tex
    plain = derivation_text(LSE_PAGE)
    assert "Fact 1 (log-sum-exp rule): ∂/∂z_k [log(Σ_{j=1..K} exp(z_j))] = softmax(z)_k" in plain
    assert "= 1/(Σ_{j=1..K} exp(z_j)) · (Σ_{j=1..K} δ_jk·exp(z_j))" in plain
    assert "(fact 1)" in plain


def test_the_operator_spelling_cites_it_and_other_logs_do_not():
    assert "(fact 1)" in render(derive(r"\operatorname{LSE}(z)", wrt="z"), "md")
    softplus_like = render(derive(r"\log(1 + e^{x})"), "md")
    assert "log-sum-exp" not in softplus_like
    three = render(derive(r"\log(e^{x_1} + e^{x_2} + e^{x_3})", wrt="x_1,x_2,x_3"), "md")
    assert "log-sum-exp" not in three       # no sum over an index: no softmax entry to name

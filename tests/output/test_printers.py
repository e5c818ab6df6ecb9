"""The printers: steps dispatched on the rule's class, ML rules named by their registry entry, one
phrase catalogue per language, the plain-text page printed from SymPy, typed vector forms."""
from __future__ import annotations

import json

import pytest
import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from symderiv.calculus import rules as R
from symderiv.calculus.engine import derive
from symderiv.calculus.forms import SampleSum, gradient_vector_form, hessian_vector_form
from symderiv.cli.main import main
from symderiv.core.errors import SymderivError
from symderiv.ml.functions import gelu, sigmoid
from symderiv.ml.registry import entry_for
from symderiv.output.json import derivation_json
from symderiv.output.pages import page
from symderiv.output.phrases import CATALOGUES, phrase, text_phrase
from symderiv.output.printing import definitions_text, latex, text
from symderiv.output.render import render
from symderiv.output.steps import StepPrinter, TextStepPrinter
from symderiv.output.text import derivation_text

SEED = r"L(\theta) = -\sum_{i=1}^{n} \left[y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)\right]"
YHAT = r"\hat{y}_i = \sigma(\theta^T x_i)"
YH = "y\u0302"          # ŷ as the text printer writes it (y and a combining circumflex)


def notes(d, printer=StepPrinter):
    steps = printer(d.intermediates, "en")
    return {s.key: steps.note(s) for s in d.gradient[0].step.walk()}


def test_a_subclass_takes_its_parents_method_and_any_rule_has_a_sentence():
    class Loud(StepPrinter):
        def _print_PowerRule(self, rule):
            return f"POWER {rule.key}"

    d = derive(r"\sqrt{x} + x^3")
    seen = {type(s).__name__: Loud(d.intermediates).note(s) for s in d.gradient[0].step.walk()}
    assert seen["SqrtRule"] == "POWER sqrt" and seen["PowerRule"] == "POWER power"   # along the MRO
    assert seen["SumRule"] == phrase("sum")                                          # _print_Rule


def test_ml_rules_are_named_by_their_registry_entry():
    d = derive(r"\sigma(x)")
    assert notes(d)["sigmoid"] == r"sigmoid rule: $\sigma'(u) = \sigma(u)\left(1 - \sigma(u)\right)$"
    g = derive(r"\operatorname{GELU}(x)")
    step = g.gradient[0].step
    assert isinstance(step, R.MLFunctionRule) and step.key == "gelu"
    for lang in ("en", "zh"):
        assert StepPrinter(lang=lang).note(step) == entry_for(gelu).rule_name(lang)
    assert derivation_json(g)["steps"][0]["rule"] == "gelu"          # the contract keeps the key
    assert "GELU rule: GELU'(u) = " in derivation_text(g)
    assert "sigmoid 法则：σ'(u) = σ(u)·(1 - σ(u))" in derivation_text(d, "zh")
    assert entry_for(sigmoid).rule_name("en") == StepPrinter().note(d.gradient[0].step)


def test_every_language_has_every_sentence_and_text_has_no_dollars():
    assert set(CATALOGUES["zh"]) == set(CATALOGUES["en"])
    assert phrase("no such key", "zh") == phrase("fallback", "zh")
    assert phrase("exp") == r"exponential rule: $\frac{d}{du} e^u = e^u$"
    assert text_phrase("exp") == "exponential rule: d/du e^u = e^u"
    assert text_phrase("chain", "zh", u="u", inner="x²", path="P") == "链式法则，令 u = x²：P"


def test_text_page_prints_the_sympy_expressions_not_latex():
    pages = [derivation_text(derive(tex, where=where, hessian=True), lang)
             for tex, where in ((SEED, [YHAT]), (r"\log(1 + e^{x})", []), (r"\sqrt{x^2 + y^2}", []),
                                (r"\max(0, x)", []), (r"\frac{\ln x}{x}", []), (r"\tanh(x^2)", []))
             for lang in ("en", "zh")]
    for one in pages:
        assert "\\" not in one and "$" not in one, one
    assert "chain rule with u = 1 + exp(x): ∂log(u)/∂u · ∂u/∂x" in pages[2]
    assert "hyperbolic rule: d/du tanh u = 1 - tanh^2 u" in pages[10]


def test_text_steps_name_the_chain_links():
    d = derive(SEED, where=[YHAT])
    steps = TextStepPrinter(d.intermediates)
    chains = [steps.note(s) for s in d.gradient[0].step.walk() if s.key == "chain"]
    assert chains[0] == f"chain rule through the named intermediates: ∂ℓ_i/∂{YH}_i · ∂{YH}_i/∂z_i · ∂z_i/∂θ_k " \
                    "(ℓ_i: the i-th term of the sum)"


def test_vector_forms_are_matrix_expressions():
    d = derive(SEED, where=[YHAT], hessian=True)
    g, h = d.gradient[0], d.hessian[0][0]
    vf = gradient_vector_form(g.result, g.wrt)
    assert isinstance(vf.matrix, sp.MatMul) and isinstance(vf.per_sample, SampleSum)
    xt, v = vf.matrix.args
    assert xt == sp.MatrixSymbol("X", sp.Symbol("n", integer=True, positive=True), vf.matrix.shape[0]).T
    i = v.lamda.variables[0]
    assert isinstance(v, sp.FunctionMatrix) and v.lamda.expr == (
        sp.IndexedBase(sp.Symbol("yhat", real=True))[i] - sp.IndexedBase(sp.Symbol("y", real=True))[i])
    assert text(vf.per_sample) == f"Σ_{{i=1..n}} ({YH}_i - y_i) x_i" and text(vf.matrix) == f"Xᵀ ({YH} - y)"
    hv = hessian_vector_form(h.result, g.wrt, h.wrt)
    (s, diag), = hv.definitions
    assert isinstance(s, sp.MatrixSymbol) and isinstance(diag, DiagMatrix) and s.shape == diag.shape
    assert latex(hv.matrix) == r"X^{T} S X" and definitions_text(hv.definitions) == f"S = diag({YH}_i (1 - {YH}_i))"


def test_one_entry_prints_every_format(capsys):
    d = derive(r"f(x) = x^3")
    assert main(["derive", "f(x) = x^3", "--format", "json"]) == 0
    assert page(d, "json") == capsys.readouterr().out
    assert json.loads(page(d, "json"))["steps"][0]["rule"] == "power"
    assert page(d, "text", "zh") == derivation_text(d, "zh")
    assert page(d, "tex", "en", fragment=True) == render(d, "tex", lang="en", fragment=True)
    with pytest.raises(SymderivError):
        page(d, "html")
    with pytest.raises(SymderivError):
        page(d, "text", fragment=True)


@pytest.mark.parametrize("fmt", ["text", "md", "tex", "json"])
def test_a_hessian_that_is_the_delta_itself_prints_as_the_identity_once(fmt):
    """∂²/∂b_k∂b_l of ½‖Ax − b‖² is δ_kl alone: its vector form is I (the term is the delta itself,
    which once made the form finder crash), printed once, not `I = I`."""
    d = derive(r"\frac{1}{2}\|Ax - b\|_2^2", wrt=["b"], hessian=True)
    assert isinstance(d.hessian[0][0].result, sp.KroneckerDelta)
    form = hessian_vector_form(d.hessian[0][0].result, d.gradient[0].wrt, d.hessian[0][0].wrt)
    assert form is not None and form.per_sample == sp.Identity(form.per_sample.shape[0])
    shown = page(d, fmt, "en")
    assert "I = I" not in shown and "I=I" not in shown.replace(" ", "")

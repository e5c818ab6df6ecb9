"""Textbook form (issue 3): the exact forms a textbook prints, not only equivalent ones.

Each row asserts the SymPy structure of the result (intermediates kept), its LaTeX as
`symderiv.output.printing.latex` prints it, and where the variable is a vector the vector forms from
`symderiv.calculus.forms` as that printer prints them. Correctness of the same results is checked
separately (test_derive.py).
"""
from __future__ import annotations

import pytest
import sympy as sp

from symderiv.calculus import rules as R
from symderiv.calculus.engine import ChainThroughRule, derive
from symderiv.calculus.forms import gradient_vector_form, hessian_vector_form
from symderiv.calculus.simplify import canon, fold
from symderiv.ml.functions import sigmoid
from symderiv.output.printing import definitions_latex, latex
from symderiv.parsing.parser import index_symbol, indexed_base, real, size_symbol

SEED = r"-\sum_{i=1}^{n} \left[y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)\right]"
YHAT = r"\hat{y}_i = \sigma(\theta^T x_i)"
WRITTEN_OUT = (r"-\sum_{i=1}^{n} \left[y_i \log \frac{1}{1+e^{-\theta^T x_i}} + (1-y_i)"
               r"\log\left(1-\frac{1}{1+e^{-\theta^T x_i}}\right)\right]")
MSE = r"\frac{1}{2n}\sum_{i=1}^{n} (\theta^T x_i - y_i)^2"

i, j, k, l_ = (index_symbol(c) for c in "ijkl")
n, d, K = (size_symbol(c) for c in ("n", "d", "K"))
theta, x, y, yhat, z = (indexed_base(c) for c in ("theta", "x", "y", "yhat", "z"))
xs, ys, yh, w, b, lam, mu, sigma_ = (real(c) for c in ("x", "y", "yhat", "w", "b", "lambda", "mu", "sigma"))


def sum_i(body):
    return sp.Sum(body, (i, 1, n))


def dot_i():
    return sp.Sum(theta[j] * x[i, j], (j, 1, d))


def alpha_equal(a, b):
    """Equal up to the names of summation indices."""
    return canon(a) == canon(b)


def entry(tex, wrt=None, where=(), hessian=True):
    return derive(tex, wrt=wrt, where=where, hessian=hessian)


# --------------------------------------------------------------------------- seed logistic loss
@pytest.fixture(scope="module")
def seed():
    return entry(r"L(\theta) = " + SEED, where=[YHAT])


def test_seed_gradient_index_and_vector_form(seed):
    g = seed.gradient[0]
    assert g.variable == "theta" and g.index == (k,)
    assert g.result == sum_i((yhat[i] - y[i]) * x[i, k])
    assert latex(g.result) == r"\sum_{i=1}^{n} \left(\hat{y}_{i} - y_{i}\right) x_{ik}"
    vf = gradient_vector_form(g.result, g.wrt)
    assert latex(vf.per_sample) == r"\sum_{i=1}^{n} \left(\hat{y}_{i} - y_{i}\right) x_{i}"
    assert latex(vf.matrix) == r"X^{T} \left(\hat{y} - y\right)"


def test_seed_hessian_is_XT_S_X(seed):
    h = seed.hessian[0][0]
    assert h.index == (l_,)
    assert h.result == sum_i(yhat[i] * (1 - yhat[i]) * x[i, k] * x[i, l_])
    assert latex(h.result) == r"\sum_{i=1}^{n} \hat{y}_{i} \left(1 - \hat{y}_{i}\right) x_{ik} x_{il}"
    vf = hessian_vector_form(h.result, seed.gradient[0].wrt, h.wrt)
    assert latex(vf.per_sample) == r"\sum_{i=1}^{n} \hat{y}_{i} \left(1 - \hat{y}_{i}\right) x_{i} x_{i}^{T}"
    assert latex(vf.matrix) == r"X^{T} S X"
    assert definitions_latex(vf.definitions) == (
        r"S = \operatorname{diag}\left(\hat{y}_{i} \left(1 - \hat{y}_{i}\right)\right)")


def test_seed_chain_shows_each_link(seed):
    """∂L/∂ŷ_i, ∂ŷ_i/∂z_i = ŷ_i(1 − ŷ_i), ∂z_i/∂θ_k = x_ik, their product, then ŷ_i − y_i."""
    defs = seed.intermediates
    assert [str(dd.target) for dd in defs] == ["yhat[i]", "z[i]"]
    assert defs[1].expr == dot_i()
    chains = [s for s in seed.gradient[0].step.walk() if isinstance(s, ChainThroughRule)]
    links = {str(a): (o, inner) for c in chains for a, o, inner in c.links}
    outer, inner = links["yhat[i]"]
    assert sp.cancel(outer.eval() - (y[i] / yhat[i] - (1 - y[i]) / (1 - yhat[i]))) == 0
    assert fold(R.collapse_kronecker(inner.eval()), defs) == yhat[i] * (1 - yhat[i]) * x[i, k]
    outer, inner = links["z[i]"]
    assert fold(outer.eval(), defs) == yhat[i] * (1 - yhat[i])
    assert R.collapse_kronecker(inner.eval()) == x[i, k]
    assert any(isinstance(s, R.KroneckerCollapseRule) for s in seed.gradient[0].step.walk())


# --------------------------------------------------------------------------- least squares
def test_mse_gradient_and_hessian():
    dd = entry(MSE, wrt="theta")
    g = dd.gradient[0]
    assert alpha_equal(g.result, sum_i((dot_i() - y[i]) * x[i, k]) / n)
    assert latex(g.result) == r"\frac{1}{n} \sum_{i=1}^{n} \left(\theta^{T} x_{i} - y_{i}\right) x_{ik}"
    vf = gradient_vector_form(g.result, g.wrt)
    assert latex(vf.per_sample) == r"\frac{1}{n} \sum_{i=1}^{n} \left(\theta^{T} x_{i} - y_{i}\right) x_{i}"
    assert latex(vf.matrix) == r"\frac{1}{n} X^{T} \left(X \theta - y\right)"
    h = dd.hessian[0][0]
    assert h.result == sum_i(x[i, k] * x[i, l_]) / n
    hv = hessian_vector_form(h.result, g.wrt, h.wrt)
    assert latex(hv.per_sample) == r"\frac{1}{n} \sum_{i=1}^{n} x_{i} x_{i}^{T}"
    assert latex(hv.matrix) == r"\frac{1}{n} X^{T} X" and definitions_latex(hv.definitions) == ""


# --------------------------------------------------------------------------- ridge
def test_ridge_on_logistic_adds_2_lambda_theta_and_2_lambda_I(seed):
    dd = entry(SEED + r" + \lambda\|\theta\|^2", wrt="theta", where=[YHAT])
    g, h = dd.gradient[0], dd.hessian[0][0]
    assert g.result - 2 * lam * theta[k] == seed.gradient[0].result
    assert h.result - 2 * lam * sp.KroneckerDelta(k, l_) == seed.hessian[0][0].result
    assert latex(gradient_vector_form(g.result, g.wrt).matrix) == r"2 \lambda \theta + X^{T} \left(\hat{y} - y\right)"
    hv = hessian_vector_form(h.result, g.wrt, h.wrt)
    assert latex(hv.matrix) == r"2 \lambda I + X^{T} S X"
    assert definitions_latex(hv.definitions) == (
        r"S = \operatorname{diag}\left(\hat{y}_{i} \left(1 - \hat{y}_{i}\right)\right)")


def test_ridge_on_mse():
    dd = entry(MSE + r" + \lambda\|\theta\|^2", wrt="theta")
    g, h = dd.gradient[0], dd.hessian[0][0]
    assert latex(gradient_vector_form(g.result, g.wrt).matrix) == (
        r"\frac{1}{n} X^{T} \left(X \theta - y\right) + 2 \lambda \theta")
    assert latex(hessian_vector_form(h.result, g.wrt, h.wrt).matrix) == r"\frac{1}{n} X^{T} X + 2 \lambda I"


# --------------------------------------------------------------------------- one-variable rows
SCALAR_ROWS = [
    # latex, wrt, gradient, gradient LaTeX, Hessian, Hessian LaTeX
    (r"x^2", None, 2 * xs, r"2 x", sp.Integer(2), r"2"),
    (r"\log x", None, 1 / xs, r"\frac{1}{x}", -1 / xs ** 2, r"- \frac{1}{x^{2}}"),
    (r"\sigma(x)", None, sigmoid(xs) * (1 - sigmoid(xs)),
     r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)",
     sigmoid(xs) * (1 - sigmoid(xs)) * (1 - 2 * sigmoid(xs)),
     r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right) \left(1 - 2 \sigma\left(x\right)\right)"),
    (r"\log(1+e^x)", None, sigmoid(xs), r"\sigma\left(x\right)",
     sigmoid(xs) * (1 - sigmoid(xs)), r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)"),
    (r"\operatorname{softplus}(x)", None, sigmoid(xs), r"\sigma\left(x\right)",
     sigmoid(xs) * (1 - sigmoid(xs)), r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)"),
    (r"\frac{1}{1+e^{-x}}", None, sigmoid(xs) * (1 - sigmoid(xs)),
     r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)", None, None),
    (r"\tanh(x)", None, 1 - sp.tanh(xs) ** 2, r"1 - \tanh^{2}{\left(x \right)}",
     -2 * sp.tanh(xs) * (1 - sp.tanh(xs) ** 2),
     r"- 2 \tanh{\left(x \right)} \left(1 - \tanh^{2}{\left(x \right)}\right)"),
    (r"\log \sigma(x)", None, 1 - sigmoid(xs), r"1 - \sigma\left(x\right)",
     -sigmoid(xs) * (1 - sigmoid(xs)), r"- \sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)"),
    (r"x^x", None, xs ** xs * (1 + sp.log(xs)), None, None, None),
]


@pytest.mark.parametrize("row", SCALAR_ROWS, ids=[r[0] for r in SCALAR_ROWS])
def test_scalar_rows(row):
    tex, wrt, grad, grad_tex, hess, hess_tex = row
    dd = entry(tex, wrt=wrt)
    g, h = dd.gradient[0], dd.hessian[0][0]
    assert g.result == grad
    if grad_tex is not None:
        assert latex(g.result) == grad_tex
    if hess is not None:
        assert h.result == hess
        assert latex(h.result) == hess_tex


def test_logistic_unit_in_w_and_b():
    dd = entry(r"-y\log\hat{y} - (1-y)\log(1-\hat{y})", wrt="w,b", where=[r"\hat{y} = \sigma(w x + b)"])
    gw, gb = dd.gradient
    assert gw.result == (yh - ys) * xs
    assert gb.result == yh - ys
    assert latex(gb.result) == r"\hat{y} - y"
    assert latex(gw.result) == r"\left(\hat{y} - y\right) x"   # (ŷ − y) x, as the issue prints it
    assert dd.hessian[1][1].result == yh * (1 - yh)
    assert dd.hessian[0][1].result == xs * yh * (1 - yh)


def test_log_sum_exp_gives_softmax():
    dd = entry(r"\log\sum_{j=1}^{K} e^{z_j}", wrt="z")
    g = dd.gradient[0]
    assert g.result == sp.exp(z[k]) / sp.Sum(sp.exp(z[j]), (j, 1, K))
    assert latex(g.result) == r"\frac{e^{z_{k}}}{\sum_{j=1}^{K} e^{z_{j}}}"
    # the summation index never reuses the free index: Σ_k e^{z_k} is printed over j
    dk = entry(r"\log\sum_{k=1}^{K} e^{z_k}", wrt="z", hessian=False)
    assert latex(dk.gradient[0].result) == r"\frac{e^{z_{k}}}{\sum_{j=1}^{K} e^{z_{j}}}"


def test_gaussian_negative_log_likelihood():
    dd = entry(r"\frac{1}{2}\log(2\pi\sigma^2) + \frac{(x-\mu)^2}{2\sigma^2}", wrt="mu,sigma")
    gmu, gsig = dd.gradient
    assert gmu.result == (mu - xs) / sigma_ ** 2
    assert latex(gmu.result) == r"\frac{\mu - x}{\sigma^{2}}"
    assert gsig.result == 1 / sigma_ - (xs - mu) ** 2 / sigma_ ** 3
    assert latex(gsig.result) == r"\frac{1}{\sigma} - \frac{\left(x - \mu\right)^{2}}{\sigma^{3}}"
    assert dd.hessian[0][0].result == 1 / sigma_ ** 2
    assert dd.hessian[0][1].result == sp.Mul(2, xs - mu, sigma_ ** -3)
    assert latex(dd.hessian[0][1].result) == r"\frac{2 \left(x - \mu\right)}{\sigma^{3}}"


# --------------------------------------------------------------------------- no definitions given
def test_written_out_sigmoid_simplifies_to_the_sigmoid_form():
    dd = entry(WRITTEN_OUT, wrt="theta")
    g = dd.gradient[0]
    assert not g.result.has(sp.exp)
    assert alpha_equal(g.result, sum_i((sigmoid(dot_i()) - y[i]) * x[i, k]))
    vf = gradient_vector_form(g.result, g.wrt)
    assert latex(vf.per_sample) == r"\sum_{i=1}^{n} \left(\sigma\left(\theta^{T} x_{i}\right) - y_{i}\right) x_{i}"
    assert latex(vf.matrix) == r"X^{T} \left(\sigma\left(X \theta\right) - y\right)"
    h = dd.hessian[0][0]
    s = sigmoid(dot_i())
    assert alpha_equal(h.result, sum_i(s * (1 - s) * x[i, k] * x[i, l_]))
    hv = hessian_vector_form(h.result, g.wrt, h.wrt)
    assert latex(hv.matrix) == r"X^{T} S X"
    assert definitions_latex(hv.definitions) == (r"S = \operatorname{diag}\left(\sigma\left(\theta^{T} x_{i}\right) "
                        r"\left(1 - \sigma\left(\theta^{T} x_{i}\right)\right)\right)")
    # with no intermediate given, the chain rule names its inner functions u, v, w, then u_1, …
    names = [str(s.u).split("[")[0] for s in g.step.walk() if isinstance(s, R.ChainRule) and not s.named]
    assert names[:3] == ["u", "v", "w"] and all(nm.startswith("u_") for nm in names[3:])

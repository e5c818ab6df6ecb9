"""SymPy functions for the ML vocabulary, with derivatives in the form a textbook prints.

`sigmoid(z).diff(z)` is `sigmoid(z)*(1 - sigmoid(z))`, not a fraction of exponentials;
`softplus' = sigmoid`; `relu' = Heaviside`. Each prints back as the LaTeX a reader wrote
(`\\sigma\\left(z\\right)`) and rewrites to elementary functions with `to_elementary`.
"""
from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import Function, S


class MLFunction(Function):
    """A one-argument ML function: evaluates numerically through its elementary form."""

    nargs = 1
    latex_name = ""
    text_name = ""  # how a plain-text page writes it (σ, ReLU, GELU)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._elementary(self.args[0])._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real  # type: ignore[no-any-return]

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        arg = printer._print(self.args[0])
        head = self.latex_name
        if exp is not None:
            return rf"{head}\left({arg}\right)^{{{exp}}}"
        return rf"{head}\left({arg}\right)"

    @classmethod
    def _elementary(cls, t: sp.Expr) -> sp.Expr:
        raise NotImplementedError


class sigmoid(MLFunction):
    """Logistic sigmoid σ(z) = 1/(1 + e^{-z}); σ'(z) = σ(z)(1 − σ(z))."""

    latex_name = r"\sigma"
    text_name = "σ"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_zero:
            return S.Half
        if z is S.Infinity:
            return S.One
        if z is S.NegativeInfinity:
            return S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)

    @classmethod
    def _elementary(cls, t: sp.Expr) -> sp.Expr:
        return 1 / (1 + sp.exp(-t))

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def _eval_is_positive(self) -> bool | None:
        if self.args[0].is_real:
            return True
        return None


class softplus(MLFunction):
    """softplus(z) = log(1 + e^z); softplus'(z) = σ(z)."""

    latex_name = r"\operatorname{softplus}"
    text_name = "softplus"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_zero:
            return sp.log(2)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    @classmethod
    def _elementary(cls, t: sp.Expr) -> sp.Expr:
        return sp.log(1 + sp.exp(t))

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(z))

    def _eval_is_positive(self) -> bool | None:
        if self.args[0].is_real:
            return True
        return None


class relu(MLFunction):
    """ReLU(z) = max(0, z); ReLU'(z) = H(z), undefined at z = 0."""

    latex_name = r"\operatorname{ReLU}"
    text_name = "ReLU"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_number and z.is_real:
            return sp.Max(0, z)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0])

    @classmethod
    def _elementary(cls, t: sp.Expr) -> sp.Expr:
        return sp.Max(0, t)

    def _eval_rewrite_as_Max(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Max(0, z)

    def _eval_is_nonnegative(self) -> bool | None:
        if self.args[0].is_real:
            return True
        return None


class gelu(MLFunction):
    """GELU(z) = z Φ(z) with Φ the standard normal CDF; GELU'(z) = Φ(z) + z φ(z)."""

    latex_name = r"\operatorname{GELU}"
    text_name = "GELU"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_zero:
            return S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self.derivative_at(self.args[0])

    @staticmethod
    def derivative_at(z: sp.Expr) -> sp.Expr:
        """Φ(z) + z φ(z), written out: ½(1 + erf(z/√2)) + z e^{−z²/2}/√(2π)."""
        return (1 + sp.erf(z / sp.sqrt(2))) / 2 + z * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)

    @classmethod
    def _elementary(cls, t: sp.Expr) -> sp.Expr:
        return t * (1 + sp.erf(t / sp.sqrt(2))) / 2

    def _eval_rewrite_as_erf(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return z * (1 + sp.erf(z / sp.sqrt(2))) / 2


class softmax(Function):
    """softmax(z)_k = e^{z_k} / Σ_j e^{z_j}, j = 1..K: entry k of the softmax of a vector z, args (z, k, K).

    The parser writes softmax out (a ratio of exponentials, which the rules differentiate); this
    names it where a fact ends on it (∂ log Σ_j e^{z_j} / ∂z_k = softmax(z)_k)."""

    nargs = 3

    def written(self) -> sp.Expr:
        """e^{z_k} / Σ_j e^{z_j}, the sum over a fresh index."""
        z, k, size = self.args
        j = sp.Dummy("j", integer=True)
        return sp.exp(z[k]) / sp.Sum(sp.exp(z[j]), (j, 1, size))

    def _eval_rewrite_as_exp(self, z: sp.Expr, k: sp.Expr, size: sp.Expr, **kwargs: Any) -> sp.Expr:
        return self.written()

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        z, k, _ = self.args
        tex = rf"\operatorname{{softmax}}\left({printer._print(z.label)}\right)_{{{printer._print(k)}}}"
        return f"{tex}^{{{exp}}}" if exp is not None else tex

    def _symderiv_text(self, printer: Any) -> str:
        z, k, _ = self.args
        return f"softmax({printer._print(z.label)})_{printer._print(k)}"


ML_FUNCTIONS = (sigmoid, softplus, relu, gelu)


def to_elementary(expr: sp.Basic) -> sp.Basic:
    """Rewrite every ML function into elementary SymPy (for oracles, lambdify, solve)."""
    if not any(expr.has(f) for f in ML_FUNCTIONS):
        return expr
    return expr.replace(lambda e: isinstance(e, MLFunction), lambda e: type(e)._elementary(e.args[0]))

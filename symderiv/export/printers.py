"""SymPy's NumPy, JAX and PyTorch code printers, extended to the matrix forms symderiv derives.

SymPy prints scalar functions and module names; what it lacks for our forms (ElementwiseApplyFunction,
HadamardPower, OneMatrix of symbolic size, DiagMatrix, Trace in NumPy) is added here, one method
each. The numerically careful spellings a textbook uses replace the naive ones: log σ(u) as
log-sigmoid (logaddexp), log(1 + eᵘ) as softplus, diag(1/(E𝟏))E with E = exp(A) as a row softmax.
"""
from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.printing.numpy import JaxPrinter, NumPyPrinter
from sympy.printing.pytorch import TorchPrinter

from symderiv.ml.functions import sigmoid

# target -> what each piece is called there ({} is the argument)
SPELLING: dict[str, dict[str, str]] = {
    "numpy": {"sigmoid": "scipy.special.expit({})", "log_sigmoid": "(-numpy.logaddexp(0, -({})))",
              "softplus": "numpy.logaddexp(0, {})", "softmax": "scipy.special.softmax({}, axis=1)",
              "diag": "numpy.diagflat({})", "ones": "numpy.ones(({}, {}))", "eye": "numpy.eye({})",
              "trace": "numpy.trace({})", "relu": "numpy.maximum({}, 0)", "log": "numpy.log({})",
              "array": "numpy.asarray({}, dtype=float)", "imports": "import numpy\nimport scipy.special"},
    "torch": {"sigmoid": "torch.sigmoid({})", "log_sigmoid": "torch.nn.functional.logsigmoid({})",
              "softplus": "torch.nn.functional.softplus({})", "softmax": "torch.softmax({}, dim=1)",
              "diag": "torch.diagflat({})",
              "ones": "torch.ones(({}, {}), dtype=torch.float64)",
              "eye": "torch.eye({}, dtype=torch.float64)", "trace": "torch.trace({})", "relu": "torch.relu({})",
              "log": "torch.log({})",
              "array": "torch.as_tensor({}, dtype=torch.float64)", "imports": "import torch"},
    "jax": {"sigmoid": "jax.nn.sigmoid({})", "log_sigmoid": "jax.nn.log_sigmoid({})",
            "softplus": "jax.nn.softplus({})", "softmax": "jax.nn.softmax({}, axis=1)",
            "diag": "jax.numpy.diagflat({})", "ones": "jax.numpy.ones(({}, {}))", "eye": "jax.numpy.eye({})",
            "trace": "jax.numpy.trace({})", "relu": "jax.nn.relu({})", "log": "jax.numpy.log({})",
            "array": "jax.numpy.asarray({}, dtype=float)", "imports": "import jax\nimport jax.numpy"},
}
TARGETS = tuple(SPELLING)


def _is_sigmoid_map(e: sp.Basic) -> bool:
    return isinstance(e, ElementwiseApplyFunction) and e.function.expr == sigmoid(e.function.variables[0])


def _one_minus(e: sp.Basic) -> sp.Basic | None:
    """u when e is 1 − u (𝟏 − U for matrices), else None."""
    if isinstance(e, sp.MatAdd) and len(e.args) == 2:
        ones = [a for a in e.args if isinstance(a, sp.OneMatrix)]
        rest = [a for a in e.args if not isinstance(a, sp.OneMatrix)]
        if len(ones) == 1 and len(rest) == 1 and isinstance(rest[0], sp.MatMul) and rest[0].args[0] == -1:
            return sp.MatMul(*rest[0].args[1:]).doit() if len(rest[0].args) > 2 else rest[0].args[1]
    if isinstance(e, sp.Add) and sp.S.One in e.args and len(e.args) == 2:
        return -next(a for a in e.args if a != 1)
    return None


class _Extensions:
    """The methods SymPy's printers lack for matrix forms; `target` picks the spellings."""

    target = "numpy"
    names: dict[str, str]

    def _spell(self, what: str, *args: str) -> str:
        return SPELLING[self.target][what].format(*args)

    def _p(self, e: sp.Basic) -> str:
        """e printed, in parentheses unless it is a name."""
        out: str = self._print(e)  # type: ignore[attr-defined]
        return out if out.isidentifier() or out.replace(".", "", 1).isdigit() else f"({out})"

    def _print_Symbol(self, e: sp.Symbol) -> str:
        return self.names.get(e.name, e.name)

    def _print_MatrixSymbol(self, e: sp.MatrixSymbol) -> str:
        return self.names.get(e.name, e.name)

    def _print_MatMul(self, e: sp.MatMul) -> str:
        coeff, factors = e.as_coeff_matrices()
        parts: list[str] = []
        i = 0
        while i < len(factors):
            soft = _softmax_argument(factors[i], factors[i + 1] if i + 1 < len(factors) else None)
            if soft is not None:
                parts.append(self._spell("softmax", self._print(soft)))  # type: ignore[attr-defined]
                i += 2
                continue
            parts.append(self._p(factors[i]))
            i += 1
        body = " @ ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return f"-{body}" if len(parts) == 1 else f"-({body})"
        return f"{self._p(coeff)} * {body}" if len(parts) == 1 else f"{self._p(coeff)} * ({body})"

    def _print_MatAdd(self, e: sp.MatAdd) -> str:
        terms = [self._print(a) for a in e.args]  # type: ignore[attr-defined]
        return terms[0] + "".join(f" - {t[1:]}" if t.startswith("-") else f" + {t}" for t in terms[1:])

    def _print_Transpose(self, e: sp.Transpose) -> str:
        return f"{self._p(e.arg)}.T"

    def _print_HadamardProduct(self, e: sp.HadamardProduct) -> str:
        return " * ".join(self._p(a) for a in e.args)

    def _print_HadamardPower(self, e: sp.HadamardPower) -> str:
        return f"{self._p(e.base)}**{self._p(e.exp)}"

    def _print_OneMatrix(self, e: sp.OneMatrix) -> str:
        return self._spell("ones", *(self._print(s) for s in e.shape))  # type: ignore[attr-defined]

    def _print_Identity(self, e: sp.Identity) -> str:
        return self._spell("eye", self._print(e.rows))  # type: ignore[attr-defined]

    def _print_DiagMatrix(self, e: DiagMatrix) -> str:
        return self._spell("diag", self._print(e.args[0]))  # type: ignore[attr-defined]

    def _print_Trace(self, e: sp.Trace) -> str:
        return self._spell("trace", self._print(e.arg))  # type: ignore[attr-defined]

    def _print__Scalar(self, e: sp.Basic) -> str:
        return self._print(e.args[0])  # type: ignore[attr-defined]

    def _print_ElementwiseApplyFunction(self, e: ElementwiseApplyFunction) -> str:
        z, body = e.function.variables[0], e.function.expr
        if body == sp.log(z):
            if _is_sigmoid_map(e.expr):
                return self._spell("log_sigmoid", self._print(e.expr.expr))  # type: ignore[attr-defined]
            inner = _one_minus(e.expr)
            if inner is not None and _is_sigmoid_map(inner):
                return self._spell("log_sigmoid", f"-{self._p(inner.expr)}")
        arg = sp.Symbol("_export_argument_")
        self.names["_export_argument_"] = self._p(e.expr)
        try:
            return self._print(body.xreplace({z: arg}))  # type: ignore[attr-defined]
        finally:
            del self.names["_export_argument_"]

    def _print_Indexed(self, e: sp.Indexed) -> str:
        return f"{self.names.get(e.base.name, e.base.name)}[{', '.join(self._print(i) for i in e.indices)}]"  # type: ignore[attr-defined]

    def _print_Sum(self, e: sp.Sum) -> str:
        loops = " ".join(f"for {self._print(i)} in range({self._print(lo)}, {self._print(hi + 1)})"  # type: ignore[attr-defined]
                         for i, lo, hi in reversed(e.limits))
        return f"builtins.sum({self._print(e.function)} {loops})"  # type: ignore[attr-defined]

    def _print_sigmoid(self, e: sp.Function) -> str:
        return self._spell("sigmoid", self._print(e.args[0]))  # type: ignore[attr-defined]

    def _print_softplus(self, e: sp.Function) -> str:
        return self._spell("softplus", self._print(e.args[0]))  # type: ignore[attr-defined]

    def _print_relu(self, e: sp.Function) -> str:
        return self._spell("relu", self._print(e.args[0]))  # type: ignore[attr-defined]

    def _print_log(self, e: sp.log) -> str:
        u = e.args[0]
        if isinstance(u, sigmoid):
            return self._spell("log_sigmoid", self._print(u.args[0]))  # type: ignore[attr-defined]
        inner = _one_minus(u)
        if isinstance(inner, sigmoid):
            return self._spell("log_sigmoid", f"-{self._p(inner.args[0])}")
        if isinstance(u, sp.Add) and len(u.args) == 2 and sp.S.One in u.args:
            other = next(a for a in u.args if a != 1)
            if isinstance(other, sp.exp):
                return self._spell("softplus", self._print(other.args[0]))  # type: ignore[attr-defined]
        return self._spell("log", self._print(u))  # type: ignore[attr-defined]


def _softmax_argument(first: sp.Basic, second: sp.Basic | None) -> sp.Basic | None:
    """A when `first second` is diag(1 / (E𝟏)) E with E = exp(A) entry by entry: softmax by rows."""
    if second is None or not isinstance(first, DiagMatrix) or not isinstance(second, ElementwiseApplyFunction):
        return None
    z = second.function.variables[0]
    if second.function.expr != sp.exp(z):
        return None
    inner = first.args[0]
    if (isinstance(inner, sp.HadamardPower) and inner.exp == -1 and isinstance(inner.base, sp.MatMul)
            and inner.base.args == (second, sp.OneMatrix(second.shape[1], 1))):
        return second.expr
    return None


class NumPyCode(_Extensions, NumPyPrinter):
    target = "numpy"


class TorchCode(_Extensions, TorchPrinter):
    target = "torch"


class JaxCode(_Extensions, JaxPrinter):
    target = "jax"


def printer(target: str, names: dict[str, str]) -> Any:
    """The printer for `target` ("numpy", "torch", "jax"), printing each name as `names` says."""
    cls = {"numpy": NumPyCode, "torch": TorchCode, "jax": JaxCode}[target]
    p = cls({"fully_qualified_modules": True, "strict": True})
    p.names = dict(names)
    return p

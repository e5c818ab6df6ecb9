"""Matrix forms as a textbook prints them: Xᵀ(ŷ − y), σ(Xθ) (elementwise), a ⊙ b, diag(v), X⁻ᵀ.

A mixin for both printers (LaTeX and plain text): SymPy's own printers write an elementwise
function as `(z ↦ σ(z))∘(Xθ)`, a 1×1 product used as a number as `tr(θᵀx)`, and sort the terms
of a sum by name (−y + ŷ); a reader expects σ(Xθ), θᵀx and ŷ − y.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symderiv.calculus.matrices.translate import SampleRow
from symderiv.output.speech import page_language


class MatrixPrinting:
    """The node types of matrix calculus; `_fmt` holds the few spellings that differ per format."""

    _print: Callable[..., str]
    _fmt: dict[str, str]

    def _group(self, s: str) -> str:
        raise NotImplementedError

    def _needs_group(self, m: sp.Basic) -> bool:
        return isinstance(m, (sp.MatAdd, sp.HadamardProduct)) or (
            isinstance(m, sp.MatMul) and m.as_coeff_matrices()[0] != 1)

    def _operand(self, m: sp.Basic) -> str:
        s = self._print(m)
        return self._group(s) if self._needs_group(m) else s

    def _print_ElementwiseApplyFunction(self, expr: ElementwiseApplyFunction) -> str:
        """σ(Xθ): a function applied to each entry, written as the function of the matrix."""
        lam, arg = expr.function, expr.expr
        if isinstance(lam, sp.Lambda) and len(lam.variables) == 1:
            z, body = lam.variables[0], lam.expr
            if isinstance(body, sp.Function) and body.args == (z,):
                return self._fmt["apply"].format(f=self._function_head(type(body)), x=self._print(arg))
            if body == sp.exp(z):
                return self._fmt["apply"].format(f=self._function_head(sp.exp), x=self._print(arg))
        return self._fmt["apply"].format(f=self._print(lam), x=self._print(arg))

    def _function_head(self, func: type) -> str:
        raise NotImplementedError

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        # ⊙ commutes and associates: one flat chain, products first, then names, then sums, as
        # one writes them: (Vᵀδ) ⊙ h ⊙ (1 − h), y ⊙ σ(−y ⊙ Xθ), ŷ ⊙ (1 − ŷ)
        args = sorted(_hadamard_factors(expr), key=_hadamard_rank)
        return self._fmt["odot"].join(self._operand(a) for a in args)

    def _print_SampleRow(self, expr: SampleRow) -> str:
        """x_i, p_i: the i-th row of X, P as a column (a per-sample Hessian block)."""
        return self._print(sp.Symbol(f"{expr.row_name()}_{expr.index}"))

    def _print_KroneckerProduct(self, expr: sp.KroneckerProduct) -> str:
        # ⊗ in order (it does not commute): (A + Aᵀ) ⊗ I_d, I_k ⊗ (VᵀV) — an identity with its size,
        # since the two sides of ⊗ have different sizes
        return self._fmt["otimes"].join(self._print(sp.Symbol(f"I_{a.rows}")) if isinstance(a, sp.Identity)
                                        else self._operand(a) for a in expr.args)

    def _print_HadamardPower(self, expr: sp.HadamardPower) -> str:
        return self._fmt["hpow"].format(b=self._operand(expr.base), e=self._print(expr.exp))

    def _print_MatPow(self, expr: sp.MatPow) -> str:
        """A², (Aᵀ)²: a power of a square matrix, its base grouped unless it is a name."""
        return self._operand_power(expr.base, self._fmt["pow"].format(e=self._print(expr.exp)))

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """Cases in the page's language: a Chinese page says 若 and 否则 (SymPy's English otherwise)."""
        if page_language() != "zh":
            return self._piecewise_default(expr)
        cases = [(self._print(value), None if cond == sp.true else self._print(cond)) for value, cond in expr.args]
        return self._fmt["cases"].format(rows=self._fmt["case_sep"].join(
            (self._fmt["case_if"] if c is not None else self._fmt["case_else"]).format(v=v, c=c) for v, c in cases))

    def _piecewise_default(self, expr: sp.Piecewise) -> str:
        raise NotImplementedError

    def _print_Trace(self, expr: sp.Trace) -> str:
        arg = expr.arg
        if arg.shape == (1, 1):
            return self._print(arg)          # a 1×1 product used as a number: θᵀx
        return self._fmt["tr"].format(x=self._print(arg))

    def _print_Inverse(self, expr: sp.Inverse) -> str:
        if isinstance(expr.arg, sp.Transpose):     # SymPy keeps X⁻ᵀ as (Xᵀ)⁻¹
            return self._operand_power(expr.arg.arg, self._fmt["inv_t"])
        return self._operand_power(expr.arg, self._fmt["inv"])

    def _print_Determinant(self, expr: sp.Determinant) -> str:
        return self._fmt["det"].format(x=self._print(expr.arg))

    def _operand_power(self, m: sp.Basic, sup: str) -> str:
        s = self._print(m)
        return (s if isinstance(m, (sp.MatrixSymbol, SampleRow)) else self._group(s)) + sup

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        arg = expr.arg
        if isinstance(arg, sp.Inverse):
            return self._operand_power(arg.arg, self._fmt["inv_t"])
        return self._operand_power(arg, self._fmt["t"])

    def _print_MatrixElement(self, expr: sp.Basic) -> str:
        """(X⁻¹)_jk: an entry of a matrix held whole."""
        parent, i, j = expr.args
        s = self._print(parent)
        base = s if isinstance(parent, sp.MatrixSymbol) else self._group(s)
        idx = [self._print(i), self._print(j)]
        sep = "" if all(len(x) == 1 for x in idx) else ","
        return self._fmt["sub"].format(base=base, idx=sep.join(idx))

    def _print_ZeroMatrix(self, expr: sp.ZeroMatrix) -> str:
        return "0"

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        """Positive terms first, in the order given (ŷ − y, not −y + ŷ)."""
        terms = list(expr.args)
        negative = [t for t in terms if _is_negative(t)]
        positive = [t for t in terms if not _is_negative(t)]
        out = ""
        for n, t in enumerate(positive + negative):
            if _is_negative(t):
                s = self._print(sp.MatMul(-1, t).doit() if not isinstance(t, sp.MatMul) else _negated(t))
                out += (" - " if n else "- ") + s
            else:
                out += (" + " if n else "") + self._print(t)
        return out


def _hadamard_factors(m: sp.Basic) -> list[sp.Basic]:
    if isinstance(m, sp.HadamardProduct):
        return [f for a in m.args for f in _hadamard_factors(a)]
    return [m]


def _hadamard_rank(m: sp.Basic) -> float:
    """An error signal Vᵀ(ŷ − y) first, then names (y, h), then products (Xθ), functions, sums."""
    if isinstance(m, sp.MatMul) and m.as_coeff_matrices()[0] == 1:
        signal = any(isinstance(a, sp.MatrixSymbol) and a.name.lower().startswith("delta") for a in m.args)
        return 0 if signal or any(isinstance(a, (sp.MatAdd, sp.Transpose)) for a in m.args) else 1.5
    if isinstance(m, sp.MatrixSymbol):
        return 1
    return 3 if isinstance(m, sp.MatAdd) else 2


def _is_negative(t: sp.Basic) -> bool:
    if isinstance(t, sp.MatMul):
        coeff = t.as_coeff_matrices()[0]
        return bool(coeff.could_extract_minus_sign())
    return False


def _negated(t: sp.MatMul) -> sp.MatrixExpr:
    coeff, matrices = t.as_coeff_matrices()
    coeff = -coeff
    body = matrices[0] if len(matrices) == 1 else sp.MatMul(*matrices)
    return body if coeff == 1 else sp.MatMul(coeff, *matrices)


LATEX_SPELLING = {"apply": r"{f}\left({x}\right)", "odot": r" \odot ",
                  "otimes": r" \otimes ", "hpow": r"{b}^{{\circ {e}}}",
                  "tr": r"\operatorname{{tr}}\left({x}\right)", "inv": "^{-1}", "inv_t": "^{-T}",
                  "det": r"\det\left({x}\right)", "t": "^{T}", "pow": "^{{{e}}}",
                  "cases": r"\begin{{cases}} {rows} \end{{cases}}", "case_sep": r" \\ ",
                  "case_if": r"{v} & \text{{若 }} {c}", "case_else": r"{v} & \text{{否则}}", "sub": "{base}_{{{idx}}}"}
TEXT_SPELLING = {"apply": "{f}({x})", "odot": " ⊙ ", "otimes": " ⊗ ", "hpow": "{b}^∘{e}", "tr": "tr({x})", "inv": "⁻¹",
                 "inv_t": "⁻ᵀ", "det": "det({x})", "t": "ᵀ", "pow": "^{e}",
                 "cases": "{{{rows}}}", "case_sep": "；", "case_if": "{v}（若 {c}）", "case_else": "{v}（否则）",
                 "sub": "{base}_{idx}"}

"""LaTeX and plain text as an ML text prints them: ŷ_i − y_i (positive terms first), x_{ik}, θ_k,
δ_{kl}, σ(z); and the vector forms of symderiv.calculus.forms: Xᵀ(ŷ − y), Σ_i c_i x_i, XᵀSX.

Small subclasses of SymPy's LatexPrinter and StrPrinter (dispatch by `_print_ClassName`, one
settings dict); only the few places where SymPy's defaults read unlike a textbook are overridden.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from symderiv.calculus.forms import SampleSum
from symderiv.calculus.matrices.translate import SampleRow
from symderiv.calculus.written import as_matrix
from symderiv.core.order import terms_in_order
from symderiv.ml.functions import ML_FUNCTIONS
from symderiv.output.factor_order import ordered_factors
from symderiv.output.matrix_printing import LATEX_SPELLING, TEXT_SPELLING, MatrixPrinting

_SETTINGS = {"mul_symbol": None, "ln_notation": False}
_LATEX_FUNCTIONS = frozenset({"exp", "log", "ln", "sin", "cos", "tan", "tanh", "sinh", "cosh", "arctan"})


class _FormPrinting:
    """Vector forms, the same in both printers: terms in the order written, a coefficient in front
    of juxtaposed factors (2 λ θ + Xᵀ(ŷ − y)); a vector over the samples with vector names (ŷ − y,
    Xθ − y), a sum over the samples and diag(c_i) with per-sample names (θᵀx_i)."""

    _named: dict
    _print: Callable[..., str]          # the printer's dispatch (SymPy's Printer._print)

    def _group(self, s: str) -> str:
        raise NotImplementedError

    def _sum_head(self, i: sp.Basic, lo: sp.Basic, hi: sp.Basic) -> str:
        raise NotImplementedError

    def _diag(self, s: str) -> str:
        raise NotImplementedError

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        out = ""
        for n, term in enumerate(expr.args):
            s = self._print(term)
            out += s if n == 0 else (" " if s.startswith("- ") else " + ") + s
        return out

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        coeff, matrices = expr.as_coeff_matrices()
        if coeff == -1 and len(matrices) == 1 and isinstance(matrices[0], sp.HadamardProduct):
            return "-" + self._print(matrices[0])      # −(y ⊙ v) reads as −y ⊙ v
        return self._coefficient(coeff) + " ".join(self._matrix_factor(m) for m in matrices)

    def _coefficient(self, coeff: sp.Basic) -> str:
        if coeff == 1:
            return ""
        if coeff == -1:
            return "- "
        if isinstance(coeff, sp.Add) or (isinstance(coeff, sp.Trace) and isinstance(coeff.arg, sp.MatMul)):
            return self._group(self._print(coeff)) + " "     # (y_i − vᵀh_i) diag(…), (y_iᵀ𝟏) (…)
        return self._print(coeff) + " "

    def _matrix_factor(self, m: sp.Basic) -> str:
        s = self._print(m)
        entry = _sample_entry(m)
        if isinstance(m, (sp.MatAdd, sp.HadamardProduct)):
            return self._group(s)
        if entry and isinstance(sample_names(*entry, vectors=True)[0], sp.Add):
            return self._group(s)
        return s

    def _print_FunctionMatrix(self, expr: sp.FunctionMatrix) -> str:
        entry = _sample_entry(expr)
        if entry is None:
            whole = as_matrix(expr)           # det(XᵀX): the matrix its entries make
            if whole is not None:
                return self._print(whole)
            return str(self._print_Basic(expr))     # type: ignore[attr-defined]  # the base printer's
        return self._print_named(*sample_names(*entry, vectors=True))

    def _print_DiagMatrix(self, expr: Any) -> str:
        entry = _sample_entry(expr.args[0])
        if entry is None:
            return self._diag(self._print(expr.args[0]))
        return self._diag(self._print_named(*sample_names(*entry, vectors=False)))

    def _print_SampleSum(self, expr: SampleSum) -> str:
        i, lo, hi = expr.limits
        body = expr.body
        coeff, matrices = body.as_coeff_matrices() if isinstance(body, sp.MatMul) else (1, [body])
        c = ""
        if coeff != 1:
            c = self._print_named(*sample_names(coeff, i, vectors=False))
            grouped = isinstance(coeff, sp.Add) or (isinstance(coeff, sp.Trace) and isinstance(coeff.arg, sp.MatMul))
            c = (self._group(c) if grouped else c) + " "
        return f"{self._sum_head(i, lo, hi)} {c}{' '.join(self._print(m) for m in matrices)}".replace("  ", " ")

    def _undefined_derivative(self, expr: sp.Basic) -> tuple[str, sp.Basic, int] | None:
        """(name, argument, order) for d^k f(ξ)/dξ^k at u, f undefined (`\\operatorname{foo}`), else None."""
        point = None
        if isinstance(expr, sp.Subs) and len(expr.variables) == 1:
            point, expr = expr.point[0], expr.expr
        if not (isinstance(expr, sp.Derivative) and isinstance(expr.expr, AppliedUndef)
                and len(expr.expr.args) == 1 and len(expr.variable_count) == 1):
            return None
        (v, order), = expr.variable_count
        if expr.expr.args[0] != v:
            return None
        return expr.expr.func.__name__, v if point is None else point, int(order)

    def _print_Identity(self, expr: sp.Identity) -> str:
        return "I"

    def _print_named(self, expr: sp.Basic, names: dict) -> str:
        self._named.update(names)
        return self._print(expr)


def _sample_entry(m: sp.Basic) -> tuple[sp.Basic, sp.Symbol] | None:
    """(c_i, i) for a vector over the samples (a column FunctionMatrix), else None."""
    if isinstance(m, sp.FunctionMatrix) and m.shape[1] == 1 and len(m.lamda.variables) == 2:
        return m.lamda.expr, m.lamda.variables[0]
    return None


def sample_names(entry: sp.Basic, i: sp.Symbol, vectors: bool) -> tuple[sp.Basic, dict]:
    """`entry` (c_i) with each dot product Σ_j θ_j x_ij named θᵀx_i (`vectors`: Xθ, and each a_i
    named a), and what each name stands for. A name is spelled as the LaTeX printer writes what it
    stands for: SymPy orders terms by their symbols' names, so every format orders them alike."""
    names, dots = {}, {}
    for s in entry.atoms(sp.Sum):
        dot = _sample_dot(s, i)
        if dot is None:
            continue
        param, data = dot
        n, d = sp.Symbol("n"), sp.Symbol("d")
        theta = sp.MatrixSymbol(param, d, 1)
        if vectors:
            stands = sp.MatMul(sp.MatrixSymbol(data.upper() if data.islower() else data, n, d), theta)
        else:
            stands = sp.MatMul(theta.T, sp.MatrixSymbol(f"{data}_{i}", d, 1))
        name = sp.Symbol(latex(stands))
        dots[s], names[name] = name, stands
    out = entry.xreplace(dots)
    if vectors:
        out = out.xreplace({a: sp.Symbol(str(a.base.label)) for a in out.atoms(sp.Indexed) if a.indices == (i,)})
    return out, names


def _sample_dot(s: sp.Sum, i: sp.Symbol) -> tuple[str, str] | None:
    """(θ, x) for Σ_j θ_j x_ij, else None."""
    j = s.limits[0][0]
    f = sp.Mul.make_args(s.function)
    params = [a for a in f if isinstance(a, sp.Indexed) and a.indices == (j,)]
    data = [a for a in f if isinstance(a, sp.Indexed) and a.indices == (i, j)]
    if len(f) != 2 or not params or not data:
        return None
    return str(params[0].base.label), str(data[0].base.label)


class MLLatexPrinter(MatrixPrinting, _FormPrinting, LatexPrinter):
    """SymPy's LaTeX printer with ML reading order and index notation."""

    _fmt = LATEX_SPELLING

    def _piecewise_default(self, expr: sp.Piecewise) -> str:
        return str(LatexPrinter._print_Piecewise(self, expr))

    def _function_head(self, func: type) -> str:
        name = getattr(func, "latex_name", "") or func.__name__
        if name.startswith("\\"):
            return name
        return "\\" + name if name in _LATEX_FUNCTIONS else rf"\operatorname{{{name}}}"

    def __init__(self, settings: dict[str, Any] | None = None):
        super().__init__({**_SETTINGS, **(settings or {})})
        self._named = {}

    def _print_Symbol(self, expr, style="plain"):
        if expr in self._named:
            return self._print(self._named[expr])
        return super()._print_Symbol(expr, style=style)

    def _group(self, s: str) -> str:
        return rf"\left({s}\right)"

    def _sum_head(self, i, lo, hi) -> str:
        return rf"\sum_{{{self._print(i)}={self._print(lo)}}}^{{{self._print(hi)}}}"

    def _diag(self, s: str) -> str:
        return rf"\operatorname{{diag}}\left({s}\right)"

    def _print_OneMatrix(self, expr) -> str:
        return r"\mathbf{1}"

    def _print_Add(self, expr, order=None):
        out = ""
        for n, t in enumerate(terms_in_order(expr, _term_rank)):
            if t.could_extract_minus_sign():
                s = self._print(-t)
                if isinstance(-t, sp.Add):
                    s = rf"\left({s}\right)"
                out += (" - " if n else "- ") + s
            else:
                s = self._print(t)
                if isinstance(t, sp.Add):
                    s = rf"\left({s}\right)"
                out += (" + " if n else "") + s
        return out

    def _print_Mul(self, expr):
        coeff, _ = expr.as_coeff_Mul()
        if coeff.is_negative:
            return "- " + self._print_Mul_positive(-expr)
        return self._print_Mul_positive(expr)

    def _print_Mul_positive(self, expr):
        """c · (names, σ(…)) · (differences) · (data x_{ik}); 1/n in front of a sum."""
        numer, denom = sp.fraction(expr, exact=True)
        if denom != 1:
            if numer.has(sp.Sum) and not denom.has(sp.Sum):
                coeff, rest = numer.as_coeff_Mul() if isinstance(numer, sp.Mul) else (sp.Integer(1), numer)
                inner = self._print_Mul_positive(rest) if isinstance(rest, sp.Mul) else self._print(rest)
                if isinstance(rest, sp.Add):
                    inner = rf"\left({inner}\right)"
                return rf"\frac{{{self._print(coeff)}}}{{{self._print(denom)}}} {inner}"
            return super()._print_Mul(expr)
        args = sp.Mul.make_args(expr)
        factors = ordered_factors(args)
        parts = []
        for f in factors:
            s = self._print(f)
            if isinstance(f, sp.Add) or (isinstance(f, sp.Sum) and len(factors) > 1 and f is not factors[-1]):
                s = rf"\left({s}\right)"
            parts.append(s)
        if parts and parts[0] == "1" and len(parts) > 1:
            parts = parts[1:]
        return " ".join(parts)

    def _print_Sum(self, expr):
        """Σ_j θ_j x_{ij} prints as θ^T x_i: a dot product is what the reader wrote."""
        dot = dot_product(expr)
        if dot is None:
            return super()._print_Sum(expr)
        a, b = dot
        return f"{self._print(a)}^{{T}} {self._print(b)}"

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        idx = [self._print(i) for i in expr.indices]
        sep = "" if all(len(i) == 1 for i in idx) else ","
        if ("_" in base and not base.endswith("}")) or "_" in base:
            base = "{" + base + "}"
        return f"{base}_{{{sep.join(idx)}}}"

    def _print_KroneckerDelta(self, expr, exp=None):
        i, j = (self._print(a) for a in expr.args)
        sep = "" if len(i) == 1 and len(j) == 1 else ","
        tex = rf"\delta_{{{i}{sep}{j}}}"
        return f"{tex}^{{{exp}}}" if exp else tex

    def _print_Derivative(self, expr):
        found = self._undefined_derivative(expr)
        if found is None:
            return super()._print_Derivative(expr)
        name, arg, order = found
        head = name if len(name) == 1 else rf"\operatorname{{{name}}}"
        return head + "'" * order + rf"\left({self._print(arg)}\right)"

    def _print_Subs(self, expr):
        found = self._undefined_derivative(expr)
        return super()._print_Subs(expr) if found is None else self._print_Derivative(expr)

    def _print_Heaviside(self, expr, exp=None):
        tex = rf"H\left({self._print(expr.args[0])}\right)"
        return f"{tex}^{{{exp}}}" if exp else tex


def dot_product(s: sp.Sum) -> tuple[sp.Basic, sp.Basic] | None:
    """(θ, x_i) when s is Σ_j θ_j x_{ij} over a whole vector (1..size), else None."""
    if len(s.limits) != 1:
        return None
    j, lo, _ = s.limits[0]
    factors = sp.Mul.make_args(s.function)
    if lo != 1 or len(factors) != 2 or not all(isinstance(f, sp.Indexed) for f in factors):
        return None
    if not all(f.indices[-1] == j and j not in f.indices[:-1] for f in factors):
        return None
    vec = [f for f in factors if len(f.indices) == 1]
    if not vec:
        return None
    a = vec[0]
    b = factors[1] if factors[0] is a else factors[0]
    a_name = sp.Symbol(str(a.base.label))
    if len(b.indices) == 1:
        return a_name, sp.Symbol(str(b.base.label))
    return a_name, sp.IndexedBase(b.base.label)[b.indices[:-1]]


def _term_rank(term):
    """Keep SymPy's canonical order (a stable sort)."""
    return 0


def latex(expr: sp.Basic | str, **settings: Any) -> str:
    """LaTeX of a SymPy expression (or a plain string, returned as is)."""
    if isinstance(expr, str):
        return expr
    return MLLatexPrinter(settings).doprint(expr)


# --------------------------------------------------------------------------- plain text
_GREEK_UNICODE = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ",
}
_ACCENT_UNICODE = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "dot": "\u0307"}
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def unicode_name(name: str) -> str:
    """theta -> θ, yhat -> ŷ, x_1 -> x_1."""
    head, sep, tail = name.partition("_")
    for suffix, mark in _ACCENT_UNICODE.items():
        if head.endswith(suffix) and len(head) > len(suffix):
            inner = head[: -len(suffix)]
            return _GREEK_UNICODE.get(inner, inner) + mark + sep + tail
    return _GREEK_UNICODE.get(head, head) + sep + tail


class PlainPrinter(MatrixPrinting, _FormPrinting, StrPrinter):
    """One-line Unicode text: Σ_{i=1..n} (ŷ_i − y_i)·x_ik, σ(z), θ², δ_kl; Xᵀ (ŷ - y).

    `mul_symbol` joins the factors of a product ("*", printed ·; a vector form juxtaposes them)."""

    printmethod = "_symderiv_text"  # ignore Indexed._sympystr & co: we print them ourselves
    _default_settings: ClassVar[dict[str, Any]] = {**StrPrinter._default_settings, "mul_symbol": "*"}

    def __init__(self, settings: dict[str, Any] | None = None):
        super().__init__(settings)
        self._named = {}

    _fmt = TEXT_SPELLING

    def _piecewise_default(self, expr: sp.Piecewise) -> str:
        return str(self._print_Basic(expr))

    def _group(self, s: str) -> str:
        return f"({s})"

    def _function_head(self, func: type) -> str:
        return function_name(func)

    def _sum_head(self, i, lo, hi) -> str:
        return f"Σ_{{{self._print(i)}={self._print(lo)}..{self._print(hi)}}}"

    def _diag(self, s: str) -> str:
        return f"diag({s})"

    def _print_MatrixSymbol(self, expr) -> str:
        return unicode_name(expr.name)

    def _print_Transpose(self, expr) -> str:
        arg = expr.args[0]
        if isinstance(arg, sp.Inverse):
            return self._operand_power(arg.arg, self._fmt["inv_t"])      # (AXB)⁻ᵀ
        s = self._print(arg)
        return (s if isinstance(arg, (sp.MatrixSymbol, SampleRow)) else f"({s})") + "ᵀ"

    def _print_OneMatrix(self, expr) -> str:
        return "1"

    def _print_Add(self, expr, order=None):
        out = ""
        for n, t in enumerate(terms_in_order(expr)):
            neg = t.could_extract_minus_sign()
            s = self.parenthesize(-t if neg else t, 40)
            out += (" - " if neg and n else "-" if neg else " + " if n else "") + s
        return out

    def _print_Symbol(self, expr):
        if expr in self._named:
            return self._print(self._named[expr])
        return unicode_name(expr.name)

    def _print_Indexed(self, expr):
        base = unicode_name(str(expr.base.label))
        idx = [self._print(i) for i in expr.indices]
        sep = "" if all(len(i) == 1 for i in idx) else ","
        return f"{base}_{sep.join(idx)}"

    def _print_Sum(self, expr):
        dot = dot_product(expr)
        if dot is not None:
            return f"{self._print(dot[0])}ᵀ{self._print(dot[1])}"
        out = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            out = f"({out})"
        for j, lo, hi in reversed(expr.limits):
            out = f"Σ_{{{self._print(j)}={self._print(lo)}..{self._print(hi)}}} {out}"
        return out

    def _print_Mul(self, expr):
        """Factors in the LaTeX printer's reading order: ŷ_i·(1 - ŷ_i)·x_ik."""
        _, denom = sp.fraction(expr, exact=True)
        coeff, _ = expr.as_coeff_Mul()
        if denom != 1 or coeff.is_negative:
            return super()._print_Mul(expr)
        args = sp.Mul.make_args(expr)
        factors = ordered_factors(args)
        return self._settings["mul_symbol"].join(self.parenthesize(f, 50) for f in factors)

    def _print_Derivative(self, expr):
        found = self._undefined_derivative(expr)
        if found is None:
            return super()._print_Derivative(expr)
        name, arg, order = found
        return f"{name}{'′' * order}({self._print(arg)})"

    def _print_Subs(self, expr):
        return self._print_Derivative(expr) if self._undefined_derivative(expr) else super()._print_Subs(expr)

    def _print_ml_function(self, expr):
        return f"{function_name(type(expr))}({self._print(expr.args[0])})"

    def _print_KroneckerDelta(self, expr):
        return f"δ_{self._print(expr.args[0])}{self._print(expr.args[1])}"

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer and expr.exp > 1 and expr.exp < 10:
            base = self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=True)
            return base + str(expr.exp).translate(_SUPERSCRIPTS)
        return super()._print_Pow(expr, rational)


def text(expr: sp.Basic | str) -> str:
    """One-line Unicode text of a SymPy expression (a vector form's factors juxtaposed: Xᵀ S X)."""
    if isinstance(expr, str):
        return expr
    mul = " " if isinstance(expr, sp.MatrixExpr) else "*"
    return PlainPrinter({"order": None, "mul_symbol": mul}).doprint(expr).replace("**", "^").replace("*", "·")


# SymPy's printers skip a Function's intermediate base classes when they dispatch (only names ending in
# "Base" are kept), so each ML function gets the method under its own name, from the one list of them.
for _ml in ML_FUNCTIONS:
    setattr(PlainPrinter, f"_print_{_ml.__name__}", PlainPrinter._print_ml_function)


def function_name(function: type) -> str:
    """How the text printer names a function: its plain-text name (σ, ReLU, GELU), else its SymPy name."""
    return getattr(function, "text_name", "") or function.__name__


def definitions_latex(definitions: Iterable[tuple[sp.Basic, sp.Basic]]) -> str:
    """`S = \\operatorname{diag}\\left(…\\right)` for a vector form's definitions (`; ` between)."""
    return "; ".join(f"{latex(name)} = {latex(value)}" for name, value in definitions)


def definitions_text(definitions: Iterable[tuple[sp.Basic, sp.Basic]]) -> str:
    """`S = diag(ŷ_i (1 - ŷ_i))` for a vector form's definitions (`; ` between)."""
    return "; ".join(f"{text(name)} = {text(value)}" for name, value in definitions)

"""Build the source of an exported module: loss, gradient (and Hessian) from the checked matrix forms.

Only forms symderiv has checked against the index form are printed: each gradient's MatrixForm
(forms.py), and the loss translated by the same rules and checked the same way. A gradient without
a checked form is refused (ExportError, exit 2) rather than printed wrong; a loss without one is
printed as an honest loop over the index form (said in the header).
"""
from __future__ import annotations

import keyword
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from symderiv.calculus.matrices.forms import MatrixContext, MatrixForm, _data, check
from symderiv.calculus.matrices.translate import NotTranslatable, Symbols, Translator
from symderiv.calculus.results import Derivation
from symderiv.core.errors import SymderivError
from symderiv.export.printers import SPELLING, TARGETS, printer

SPELLED = {"lambda": "lam"}   # names Python keeps for itself


class ExportError(SymderivError):
    """A derivative that has no checked matrix form, or an unknown target."""


@dataclass(frozen=True)
class Exported:
    """The module's source and what the check needs to call it."""

    source: str
    target: str
    arguments: tuple[tuple[str, tuple[str, str]], ...]   # python name -> (rows, cols) as size names
    wrt: tuple[str, ...]                                 # python names of the variables
    scalars: tuple[str, ...]
    has_hessian: bool
    loss_form: str                                        # "matrix" or "loop"


def python_name(name: str) -> str:
    """A Python identifier for a formula's name: λ → lam, keywords and odd characters avoided."""
    out = SPELLED.get(name, "".join(c if c.isalnum() or c == "_" else "_" for c in name))
    if not out.isidentifier() or keyword.iskeyword(out):
        out = f"{out}_"
    return out


def export(d: Derivation, target: str, latex: str, where: Sequence[str] = ()) -> Exported:
    """The module for `target`, or ExportError naming the derivative without a matrix form."""
    if target not in TARGETS:
        raise ExportError(f"--to must be one of {', '.join(TARGETS)}, not {target!r}")
    ctx = MatrixContext.of(d.problem, d.intermediates)
    if ctx is None:
        raise ExportError("the formula's names have no consistent shapes, so no matrix form exists")
    forms: list[tuple[str, MatrixForm]] = []
    for g in d.gradient:
        form = g.matrix if g.index else _scalar_form(ctx, g.expanded)
        if form is None or g.per_entry:
            why = ("has no matrix form checked against its index form (symderiv prints the index form only)"
                   if g.index else "could not be written with array operations")
            raise ExportError(f"∂/∂{g.variable} {why}, so no vectorised code is exported; "
                              "`symderiv derive` shows the derivative")
        forms.append((g.variable, form))
    hessian = None
    if d.hessian is not None:
        block = d.hessian[0][0]
        if len(d.gradient) != 1 or len(d.gradient[0].index) != 1 or block.matrix is None:
            raise ExportError("the Hessian is exported for one vector variable with a checked matrix form only")
        hessian = block.matrix
    loss = _scalar_form(ctx, d.problem.expanded())
    return _Writer(d, ctx, target, forms, hessian, loss).write(latex, where)


def _scalar_form(ctx: MatrixContext, expanded: sp.Basic) -> MatrixForm | None:
    """A scalar (the loss, ∂L/∂b of a scalar b) in matrix form, checked like the gradients' forms."""
    symbols = Symbols(ctx.rename, {})
    try:
        matrix = Translator(symbols).term(expanded, (), {}).matrix
        if matrix.shape == (1, 1) and type(matrix).__name__ == "_Scalar":   # the translator's 1×1 wrapper
            matrix = matrix.args[0]
    except (NotTranslatable, sp.ShapeError, ValueError, TypeError, NotImplementedError):
        return None
    return check(ctx, MatrixForm(matrix, (), _data(ctx, symbols)), expanded, (), {})


class _Writer:
    """Lays the module out: header, argument handling, definitions, the three functions."""

    def __init__(self, d: Derivation, ctx: MatrixContext, target: str, forms: list[tuple[str, MatrixForm]],
                 hessian: MatrixForm | None, loss: MatrixForm | None) -> None:
        self.d, self.ctx, self.target, self.forms, self.hessian, self.loss = d, ctx, target, forms, hessian, loss
        self.shapes = dict(d.shapes)
        used = [f for _, f in forms] + ([hessian] if hessian else []) + ([loss] if loss else [])
        defined = {s for f in used for s, _ in f.definitions}
        mats = {s.name for f in used for e in (f.matrix, *(v for _, v in f.definitions))
                for s in e.atoms(sp.MatrixSymbol) if s not in defined}
        mats |= {n for n in d.variables if n in self.shapes}
        scal = {s.name for f in used for e in (f.matrix, *(v for _, v in f.definitions))
                for s in e.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
        if loss is None:   # the loop form reads the index form's own names
            mats |= {ctx.rename.get(str(a.base.label), str(a.base.label))
                     for a in d.problem.expanded().atoms(sp.Indexed)}
            labels = {a.base.label for a in d.problem.expanded().atoms(sp.Indexed)}
            scal |= {s.name for s in d.problem.expanded().free_symbols if isinstance(s, sp.Symbol)
                     and not s.is_integer and s not in labels}
        scal |= {n for n in d.variables if n not in self.shapes}   # a scalar variable is a number
        self.scalars = sorted(scal - mats)
        self.matrices = sorted(mats, key=lambda n: (n not in d.variables, n))
        self.names = {n: python_name(n) for n in (*self.matrices, *self.scalars)}
        for f in used:
            for s, _ in f.definitions:
                self.names.setdefault(s.name, python_name(s.name))
        self.p = _Checked(printer(target, self.names), target)

    def shape(self, name: str) -> tuple[sp.Basic, sp.Basic]:
        s = self.shapes.get(name)
        if s is None:
            raise ExportError(f"the shape of {name} is unknown, so no code for it is exported")
        return (s[0], s[1]) if len(s) == 2 else (s[0], sp.Integer(1))

    def write(self, latex: str, where: Sequence[str]) -> Exported:
        lines = [f"# Generated by `symderiv export --to {self.target}`: the gradient of", "#"]
        lines += [f"#     {row}" for row in latex.splitlines()]
        lines += [f"#     where {row}" for w in where for row in w.splitlines()]
        form = "the matrix form" if self.loss else "a loop over the index form (no matrix form of the loss was found)"
        lines += ["#", "# Vectorised: every gradient uses its matrix form, checked by symderiv against the index",
                  f"# form at random data; the loss uses {form}.", "# Do not edit: regenerate it.", ""]
        lines += [SPELLING[self.target]["imports"] + ("" if self.loss else "\nimport builtins"), "", ""]
        doc = self._doc()
        lines += [*self._function("loss", doc, self._loss_body()), "", ""]
        lines += [*self._function("gradient", doc, self._gradient_body()), ""]
        if self.hessian is not None:
            lines += ["", *self._function("hessian", doc, self._hessian_body()), ""]
        args = tuple((self.names[n], tuple(str(s) for s in self.shape(n))) for n in self.matrices)
        return Exported("\n".join(lines), self.target, args,  # type: ignore[arg-type]
                        tuple(self.names[v] for v in self.d.variables), tuple(self.names[s] for s in self.scalars),
                        self.hessian is not None, "matrix" if self.loss else "loop")

    def _doc(self) -> list[str]:
        out = ["Arguments (keyword only; a vector may be given flat or as a column):"]
        for n in self.matrices:
            r, c = self.shape(n)
            out.append(f"    {self.names[n]}: ({r},)" if c == 1 else f"    {self.names[n]}: ({r}, {c})")
        out += [f"    {self.names[s]}: a number" for s in self.scalars]
        return out

    def _function(self, name: str, doc: list[str], body: list[str]) -> list[str]:
        params = ", ".join(self.names[n] for n in (*self.matrices, *self.scalars))
        head = [f"def {name}(*, {params}):", f'    """{_PURPOSE[name]}', "", *(f"    {d}" for d in doc), '    """']
        return head + [f"    {b}" for b in self._prelude()] + [f"    {b}" for b in body]

    def _prelude(self) -> list[str]:
        out, sizes = [], {}
        for n in self.matrices:
            v = self.names[n]
            r, c = self.shape(n)
            out.append(f"{v} = {SPELLING[self.target]['array'].format(v)}")
            if c == 1:
                out += [f"{v}_shape = {v}.shape", f"{v} = {v}.reshape(-1, 1)"]
            for axis, s in enumerate((r, c)):
                if isinstance(s, sp.Symbol) and s.name not in sizes:
                    sizes[s.name] = f"{s.name} = {v}.shape[{axis}]"
        return out + list(sizes.values())

    def _definitions(self, forms: list[MatrixForm]) -> list[str]:
        out, seen = [], set()
        for f in forms:
            for s, v in f.definitions:
                if s.name not in seen:
                    seen.add(s.name)
                    out.append(f"{self.names[s.name]} = {self.p.doprint(v)}")
        return out

    def _loss_body(self) -> list[str]:
        if self.loss is not None:
            return [*self._definitions([self.loss]), f"return {self.p.doprint(self.loss.matrix)}"]
        return [f"return {self.p.doprint(_zero_based(self.d.problem.expanded(), self.ctx.rename, self.shapes))}"]

    def _gradient_body(self) -> list[str]:
        out = self._definitions([f for _, f in self.forms])
        results = []
        for v, f in self.forms:
            name = f"d_{self.names[v]}"
            value = self.p.doprint(f.matrix)
            reshape = f".reshape({self.names[v]}_shape)" if v in self.shapes and self.shape(v)[1] == 1 else ""
            out.append(f"{name} = ({value}){reshape}")
            results.append(name)
        if len(results) == 1:
            return [*out, f"return {results[0]}"]
        return [*out, "return {" + ", ".join(f"{self.names[v]!r}: d_{self.names[v]}" for v, _ in self.forms) + "}"]

    def _hessian_body(self) -> list[str]:
        assert self.hessian is not None
        return [*self._definitions([self.hessian]), f"return {self.p.doprint(self.hessian.matrix)}"]


class _Checked:
    """The printer, with what it cannot print said as an ExportError (exit 2), not a traceback."""

    def __init__(self, p: Any, target: str) -> None:
        self.p, self.target = p, target

    def doprint(self, e: sp.Basic) -> str:
        try:
            return str(self.p.doprint(e))
        except (PrintMethodNotImplementedError, NotImplementedError) as exc:
            what = str(exc).split("<class '")[-1].split("'")[0].rsplit(".", 1)[-1]
            raise ExportError(f"the {self.target} printer cannot write {what} yet, so no code is exported") from None


_PURPOSE = {"loss": "The loss, a number.",
            "gradient": "The gradient: an array shaped like the variable, or a dict by variable name.",
            "hessian": "The Hessian, (d, d) for the vector variable."}


def _zero_based(expr: sp.Basic, rename: dict[str, str], shapes: dict[str, tuple[sp.Basic, ...]]) -> sp.Basic:
    """The index form with each x[i, j] read as X[i - 1, j - 1] (Python counts from 0), a vector
    entry θ_j as theta[j - 1, 0]: the loop form of a loss without a matrix form."""
    table = {}
    for a in expr.atoms(sp.Indexed):
        label = str(a.base.label)
        base = sp.IndexedBase(rename.get(label, label))
        idx = [i - 1 for i in a.indices]
        if len(idx) == 1:
            idx.append(sp.Integer(0))
        table[a] = base[tuple(idx)]
    return expr.xreplace(table)

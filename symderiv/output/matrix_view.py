"""A checked matrix form as a page prints it: the form, one line per symbol it uses, where it was checked.

Every symbol of a matrix form is defined where the form appears (a learner meets `X`, `ŷ`, `S` for
the first time here): data matrices by their rows, vectors over the samples by their entries,
named intermediates by their own matrix forms, and elementwise functions are said to be elementwise.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from symderiv.calculus.matrices.forms import MatrixForm
from symderiv.calculus.matrices.tidy import softmax_rows
from symderiv.calculus.matrices.translate import SampleRow
from symderiv.output.phrases import phrase, text_phrase
from symderiv.output.printing import latex, text


@dataclass(frozen=True)
class MatrixView:
    """matrix: the form (LaTeX or text); symbols: one sentence per symbol; checked: where it was checked."""

    matrix: str
    symbols: tuple[str, ...]
    checked: str


def matrix_view(form: MatrixForm, lang: str = "en", plain: bool = False) -> MatrixView:
    """The form and its sentences, in LaTeX-with-$ (pages) or plain text (`plain`)."""
    say = text_phrase if plain else phrase
    show = text if plain else latex
    times = "×" if plain else r"\times"
    lines: list[str] = []
    named = {target for target, _ in form.definitions}
    shared = dict(form.shared)
    for target, value in form.definitions:
        rows = softmax_argument(value)
        if target.name in shared:
            users = ("、" if lang == "zh" else ", ").join(
                f"${latex(sp.Symbol(v))}$" if not plain else text(sp.Symbol(v)) for v in shared[target.name])
            lines.append(say("matrix_signal", lang, name=show(target), value=show(value), users=users))
        elif rows is not None:
            lines.append(say("matrix_softmax_rows", lang, name=show(target), value=show(rows),
                             softmax="softmax" if plain else r"\operatorname{softmax}"))
        else:
            lines.append(say("matrix_defined", lang, name=show(target), value=show(value)))
    for row in sorted({r for r in form.matrix.atoms(SampleRow) if r.parent in named}, key=str):
        lines.append(say("matrix_sample_row", lang, row=show(row), name=show(row.parent), i=show(row.index)))
    if form.one_hot is not None:
        labels, simple = form.one_hot
        row_sums = labels * sp.OneMatrix(labels.shape[1], 1)
        lines.append(say("matrix_one_hot", lang, name=show(labels), ones=show(row_sums),
                         one="1" if plain else r"\mathbf{1}", form=show(simple)))
    for m, label in form.data:
        if m in named:
            continue
        rows, cols = m.shape
        if label != m.name:
            i = sp.Symbol("i")
            row = sp.MatrixSymbol(f"{label}_i", cols, 1)
            lines.append(say("matrix_rows", lang, name=show(m), rows=show(rows), cols=show(cols),
                             row=show(row.T), i=show(i), times=times))
        elif cols == 1:
            lines.append(say("matrix_vector", lang, name=show(m), rows=show(rows)))
        else:
            lines.append(say("matrix_matrix", lang, name=show(m), rows=show(rows), cols=show(cols), times=times))
    functions = _elementwise(form, plain)
    if functions:
        lines.append(say("matrix_elementwise", lang, functions=", ".join(functions)))
    sizes = ", ".join(f"{name} = {value}" if plain else f"${name} = {value}$" for name, value in form.checked_at)
    checked = say("matrix_checked", lang, sizes=sizes)
    return MatrixView(show(form.matrix), tuple(lines), checked)


def missing_matrix_form(lang: str = "en", plain: bool = False) -> str:
    """The line printed where no checked matrix form was found (the index form is the result)."""
    return (text_phrase if plain else phrase)("matrix_missing", lang)


def softmax_argument(value: sp.Basic) -> sp.MatrixExpr | None:
    """Z for a definition diag(exp(Z)𝟏)⁻¹ exp(Z) (softmax of each row of Z), else None."""
    if not (isinstance(value, sp.MatMul) and len(value.args) == 2 and isinstance(value.args[0], DiagMatrix)):
        return None
    exp_z = value.args[1]
    if isinstance(exp_z, ElementwiseApplyFunction) and softmax_rows(exp_z) == value:
        return exp_z.expr
    return None


def _elementwise(form: MatrixForm, plain: bool) -> list[str]:
    """The functions applied entry by entry (σ, exp), as the page names them."""
    names: list[str] = []
    for e in (form.matrix, *(v for _, v in form.definitions)):
        for f in sorted(e.atoms(ElementwiseApplyFunction), key=sp.default_sort_key):   # one order in any process
            body = f.function.expr if isinstance(f.function, sp.Lambda) else None
            if not isinstance(body, sp.Function):
                continue
            head = type(body)
            if plain:
                name = getattr(head, "text_name", "") or head.__name__
            else:
                name = "$" + (getattr(head, "latex_name", "") or "\\" + head.__name__) + "$"
            if name not in names:
                names.append(name)
    return names

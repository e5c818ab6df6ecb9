"""Matrix forms of derivatives, each checked against its index form before anyone may print it.

The derivative is computed in index form (with its steps); here it is translated to matrix form
(translate.py), spelt the textbook way (tidy.py), and evaluated at random data of sizes that differ
per size symbol (n=4, d=3, K=2 …), together with the index form it came from. A form that does not
agree, or that the rules cannot make, is not returned: the caller prints the index form and says so.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from symderiv.calculus.matrices.sizes import Shape, ShapeConflict, free_index_sizes, index_shapes
from symderiv.calculus.matrices.tidy import drop_identities, fold_named, textbook_matrix, transpose_out
from symderiv.calculus.matrices.translate import NotTranslatable, Symbols, Translator
from symderiv.core.problem import Definition, Problem, substitute_definitions

Named = tuple[sp.MatrixSymbol, sp.MatrixExpr]


@dataclass(frozen=True)
class MatrixForm:
    """∂f/∂θ (or a Hessian block) as a matrix expression over MatrixSymbols with symbolic sizes.

    definitions: the intermediates it names (ŷ = σ(Xθ), S = diag(…)), in the order to read them;
    data: the matrices that stand for indexed data (X for the rows x_i), with the name they had;
    checked_at: the sizes at which it was evaluated against the index form (n=4, d=3 …).
    """

    matrix: sp.MatrixExpr
    definitions: tuple[Named, ...] = ()
    data: tuple[tuple[sp.MatrixSymbol, str], ...] = ()
    checked_at: tuple[tuple[str, int], ...] = ()
    shared: tuple[tuple[str, tuple[str, ...]], ...] = ()   # error signal -> the variables whose gradients use it
    one_hot: tuple[sp.MatrixSymbol, sp.MatrixExpr] | None = None   # (Y, the form when Y's rows are one-hot)

    @property
    def symbols(self) -> list[sp.MatrixSymbol]:
        """Every matrix symbol of the form and its definitions, in order of first use."""
        seen: list[sp.MatrixSymbol] = []
        for e in (self.matrix, *(d for _, d in self.definitions)):
            for s in sorted(e.atoms(sp.MatrixSymbol), key=lambda m: m.name):
                if s not in seen:
                    seen.append(s)
        return seen


@dataclass(frozen=True)
class MatrixContext:
    """What the forms of one derivation share: the problem's shapes, names and intermediates."""

    problem: Problem
    intermediates: tuple[Definition, ...]
    shapes: dict[str, Shape]
    rename: dict[str, str]

    @classmethod
    def of(cls, problem: Problem, intermediates: Sequence[Definition]) -> MatrixContext | None:
        exprs = [problem.expr, problem.expanded(), *(d.expr for d in intermediates)]
        try:
            shapes = index_shapes(exprs)
            for _ in range(len(intermediates) + 1):     # through chains of definitions (ŷ_i -> h_i -> z_i)
                before = dict(shapes)
                for d in intermediates:
                    _shape_definition(d, shapes)
                if shapes == before:
                    break
        except ShapeConflict:
            return None
        return cls(problem, tuple(intermediates), shapes, matrix_names(shapes))

    @cached_property
    def written_sums(self) -> frozenset[sp.MatrixExpr]:
        """The sums of matrices in the loss as the user wrote it (X − UVᵀ, Ax − b), when it translates
        (translated once per derivation: every form of it asks)."""
        try:
            loss = Translator(Symbols(self.rename, {})).term(self.problem.expanded(), (), {})
        except NotTranslatable:
            return frozenset()
        return frozenset(loss.matrix.atoms(sp.MatAdd))

    def free_sizes(self, variable: str, free: tuple[sp.Basic, ...]) -> dict[sp.Basic, sp.Basic]:
        """The size of each free index of ∂f/∂variable: the variable's shape, twice over for the
        Hessian block of a vector (∂²f/∂θ_k∂θ_l)."""
        shape = self.shapes[variable]
        return dict(zip(free, shape if len(free) == len(shape) else shape * 2, strict=False))

    @property
    def user_names(self) -> set[str]:
        return {d.name for d in self.problem.definitions}


def _shape_definition(d: Definition, shapes: dict[str, Shape]) -> None:
    """A definition's target sized from its body, and its body's names sized from its target
    (ŷ_i = V h_i + c: h is n × m once ŷ_i's i is known to run over the n samples)."""
    if not isinstance(d.target, sp.Indexed):
        return
    if d.name not in shapes:
        sizes = free_index_sizes(d.expr, shapes)
        if all(i in sizes for i in d.indices):
            shapes[d.name] = tuple(sizes[i] for i in d.indices)
    if d.name in shapes and len(shapes[d.name]) == len(d.indices):
        for name, shape in index_shapes([d.expr], dict(zip(d.indices, shapes[d.name], strict=True))).items():
            if shapes.setdefault(name, shape) != shape:
                raise ShapeConflict(f"{name} is used with sizes {shapes[name]} and {shape}")


def gradient_form(ctx: MatrixContext | None, result: sp.Basic, expanded: sp.Basic,
                  free: tuple[sp.Basic, ...], variable: str) -> MatrixForm | None:
    """The checked matrix form of a derivative with free indices `free` (one for ∂f/∂θ_k, two for
    ∂f/∂W_kj or a Hessian block ∂²f/∂θ_k∂θ_l), or None."""
    if ctx is None or not free or variable not in ctx.shapes:
        return None
    sizes = ctx.free_sizes(variable, free)
    introduced = [d for d in ctx.intermediates if d.name not in ctx.user_names]
    body = substitute_definitions(result, introduced)
    symbols = Symbols(ctx.rename, {})
    try:
        term = Translator(symbols).term(body, free, sizes)
        named = _named_definitions(ctx, body, introduced, symbols)
        taken = {s.name for s, _ in named} | set(ctx.shapes) | set(ctx.rename.values())
        matrix, extra = textbook_matrix(term.matrix, taken, ctx.problem.symmetric, ctx.written_sums)
        matrix = fold_named(matrix, named)
    except NotTranslatable:
        return None
    except (sp.ShapeError, ValueError, TypeError, NotImplementedError):   # SymPy refusing a rewrite: no form
        return None
    form = check(ctx, MatrixForm(matrix, (*named, *extra), _data(ctx, symbols)), expanded, free, sizes)
    return _with_one_hot(ctx, form, expanded, free, sizes) if form is not None else None


def _with_one_hot(ctx: MatrixContext, form: MatrixForm, expanded: sp.Basic, free: tuple[sp.Basic, ...],
                  sizes: dict[sp.Basic, sp.Basic]) -> MatrixForm:
    """A form with diag(Y𝟏) (the row sums of labels Y) also for one-hot labels, where Y𝟏 = 𝟏:
    (Pᵀ diag(Y𝟏) − Yᵀ)X -> (P − Y)ᵀX, itself checked with one-hot Y."""
    sums = [d for d in form.matrix.atoms(DiagMatrix) if isinstance(d.args[0], sp.MatMul) and len(d.args[0].args) == 2
            and isinstance(d.args[0].args[0], sp.MatrixSymbol) and isinstance(d.args[0].args[1], sp.OneMatrix)]
    if len(sums) != 1:
        return form
    labels = sums[0].args[0].args[0]
    simple = transpose_out(drop_identities(form.matrix.xreplace({sums[0]: sp.Identity(sums[0].shape[0])})))
    label = dict((m.name, name) for m, name in form.data).get(labels.name, labels.name)
    alt = check(ctx, MatrixForm(simple, form.definitions, form.data), expanded, free, sizes, frozenset({label}))
    return replace(form, one_hot=(labels, alt.matrix)) if alt is not None else form


def _named_definitions(ctx: MatrixContext, body: sp.Basic, introduced: list[Definition],
                       symbols: Symbols) -> list[Named]:
    """The user's intermediates the form uses (ŷ), each with its own matrix form, inner ones first."""
    out: list[Named] = []
    pending = [d for d in ctx.problem.definitions if _uses(body, d)]
    done: set[str] = set()
    while pending:
        d = pending.pop(0)
        if d.name in done or not isinstance(d.target, sp.Indexed):
            if not isinstance(d.target, sp.Indexed):
                raise NotTranslatable("a scalar intermediate")
            continue
        done.add(d.name)
        expr = substitute_definitions(d.expr, introduced)
        sizes = {i: s for i, s in zip(d.indices, ctx.shapes.get(d.name, ()), strict=False)}
        term = Translator(symbols).term(expr, d.indices, sizes)
        target = symbols.symbol(d.name, *padded(ctx.shapes[d.name]))
        out.insert(0, (target, textbook_matrix(term.matrix, set(ctx.shapes), ctx.problem.symmetric)[0]))
        pending += [e for e in ctx.problem.definitions if _uses(expr, e) and e.name not in done]
    return out


def check(ctx: MatrixContext, form: MatrixForm, expanded: sp.Basic, free: tuple[sp.Basic, ...],
          free_sizes: dict[sp.Basic, sp.Basic], one_hot: frozenset[str] = frozenset(),
          square: bool = False) -> MatrixForm | None:
    """Evaluate the form and the index form at random data; the form back with where it was
    checked, or None when they disagree anywhere (or cannot be evaluated). `square`: the index
    form has free (k, j, l, m) of a K×d matrix variable, read as the Kd × Kd matrix whose entry
    ((k − 1)d + j, (l − 1)d + m) is its (k, j, l, m) entry (vec stacking the rows, kron.py)."""
    from symderiv.calculus.matrices import numeric
    for seed in (20261204, 7):       # two draws of data: agreeing by accident twice is out of reach
        try:
            got, want, sizes = _both_values(ctx, form, expanded, free, free_sizes, seed, one_hot)
            if square:
                rows, cols = want.shape[0], want.shape[1]
                if want.shape != (rows, cols, rows, cols):
                    return None
                want = want.reshape(rows * cols, rows * cols)     # C order: row-major vec
        except Exception:    # a form that cannot be evaluated is not checked, so not printed
            return None
        if not numeric.agree(got, want):      # shapes must agree too: a transposed gradient fails
            return None
    at = tuple(sorted((str(k), int(v)) for k, v in sizes.items()))
    return MatrixForm(form.matrix, form.definitions, form.data, at, form.shared, form.one_hot)


def _both_values(ctx: MatrixContext, form: MatrixForm, expanded: sp.Basic, free: tuple[sp.Basic, ...],
                 free_sizes: dict[sp.Basic, sp.Basic], seed: int,
                 one_hot: frozenset[str] = frozenset()) -> tuple[Any, Any, dict[sp.Symbol, int]]:
    """(the form's value, the index form's value, the sizes) at one draw of random data
    (`one_hot`: labels whose rows are drawn one-hot)."""
    import numpy as np  # numbers only when a form is to be checked

    from symderiv.calculus.matrices import numeric
    size_symbols = {s for shape in ctx.shapes.values() for s in shape if isinstance(s, sp.Symbol)}
    size_symbols |= {s for s in free_sizes.values() if isinstance(s, sp.Symbol)}
    # a matrix under det or an inverse gets positive-definite data: log det is real, inverses well conditioned
    held = {m.name for e in expanded.atoms(sp.Determinant, sp.Inverse) for m in e.atoms(sp.MatrixSymbol)}
    for sizes in _size_choices(sorted(size_symbols, key=str)):
        rng = np.random.default_rng(seed)
        data = numeric.random_data([(k, padded(v)) for k, v in ctx.shapes.items()], sizes, rng,
                                   symmetric=ctx.problem.symmetric & set(ctx.shapes),
                                   positive_definite=held & set(ctx.shapes))
        if _invertible(expanded, sizes, data):
            break
    for label in one_hot:
        rows, cols = data[label].shape
        data[label] = np.eye(cols)[rng.integers(0, cols, rows)]
    scalar_names = sorted({s.name for s in expanded.free_symbols if isinstance(s, sp.Symbol)
                           and not s.is_integer and s.name not in data})
    scalars = numeric.random_scalars(scalar_names, rng)
    want = numeric.evaluate_index(expanded, free, sizes, data, scalars, ranges=free_sizes)
    bound = {m.name: data[label] for m, label in form.data}
    bound.update({k: v for k, v in data.items() if k not in bound})
    got = numeric.evaluate_matrix(_substituted(form), sizes, bound, scalars)
    return got, want, sizes


def _size_choices(symbols: list[sp.Symbol]) -> Iterator[dict[sp.Symbol, int]]:
    """The sizes of random_sizes, then the same numbers given to the symbols in other orders (at
    most 24): det(AXB) needs AXB (m × m) of full rank, so m no larger than the inner sizes."""
    from symderiv.calculus.matrices import numeric
    first = numeric.random_sizes(symbols)
    yield first
    names = sorted({s.name for s in symbols})
    values = [first[next(s for s in symbols if s.name == n)] for n in names]
    for order in itertools.islice(itertools.permutations(values), 1, 24):
        by_name = dict(zip(names, order, strict=True))
        yield {s: by_name[s.name] for s in symbols}


def _invertible(expanded: sp.Basic, sizes: dict[sp.Symbol, int], data: dict[str, Any]) -> bool:
    """Whether every matrix written out under det or an inverse (det(AXB)) is well conditioned at
    these sizes and data (a singular one makes both sides 0 or ∞: no check at all)."""
    import numpy as np

    from symderiv.calculus.matrices import numeric
    written = {m for e in expanded.atoms(sp.Determinant, sp.Inverse) for m in e.atoms(sp.FunctionMatrix)}
    try:
        return all(np.linalg.cond(numeric.evaluate_matrix(m, sizes, data, {})) < 1e8 for m in written)
    except (ValueError, TypeError, NotImplementedError, np.linalg.LinAlgError, numeric.MissingValue):
        return True         # the check itself will say whether the form can be evaluated


def _substituted(form: MatrixForm) -> sp.MatrixExpr:
    """The form with its named intermediates replaced by what they stand for."""
    out = form.matrix
    table = dict(form.definitions)
    for _ in range(len(table) + 1):
        before, out = out, out.xreplace(table)
        if out == before:
            break
    return out


def _uses(expr: sp.Basic, d: Definition) -> bool:
    return any(d.matches(a) for a in expr.atoms(sp.Indexed)) or (not isinstance(d.target, sp.Indexed)
                                                                 and expr.has(d.target))


def padded(shape: Shape) -> tuple[sp.Basic, sp.Basic]:
    """A vector's shape as (rows, 1)."""
    return (shape[0], sp.Integer(1)) if len(shape) == 1 else (shape[0], shape[1])


def matrix_names(shapes: dict[str, Shape]) -> dict[str, str]:
    """Rows of data written x_i (x[i, j]) are the matrix X; y_{ik} is Y. A name already in use
    keeps its own spelling."""
    out = {}
    for label, shape in shapes.items():
        upper = label[:1].upper() + label[1:]
        if len(shape) == 2 and label[:1].islower() and upper not in shapes:
            out[label] = upper
    return out


def _data(ctx: MatrixContext, symbols: Symbols) -> tuple[tuple[sp.MatrixSymbol, str], ...]:
    back = {v: k for k, v in ctx.rename.items()}
    return tuple((m, back.get(name, name)) for name, m in symbols.made.items())

r"""A claim in matrix notation read in the problem's own terms: names, sizes and shape.

A learner writes `X^T(\hat{y} - y)` for the gradient of a loss written with rows `x_i`. The parser
reads a claim on its own, so its X is a matrix of its own; here it becomes the problem's data: the
n × d matrix whose i-th row is x_iᵀ (the matrix forms call it X as well), as `Y` is the problem's
y_{ik}. The claim's sizes are then unified with the problem's (X has the problem's n rows), and a
claim whose sizes contradict the problem's (A(Ax − b) where A is m × d), or whose shape is not the
derivative's, is a shape mismatch: a counterexample at sizes where the claim does not even exist
would mislead, so the check reports the shapes instead.

Spellings the parser does not read yet are rewritten first: `X^{-T}` and `(X^T)^{-1}` as
`{X^{-1}}^{T}`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symderiv.check.results import Shape, ShapeMismatch, ShapeUse
from symderiv.core.problem import Problem

ONE = sp.Integer(1)

# ------------------------------------------------------------------------------------------------
# spellings
# ------------------------------------------------------------------------------------------------

_TRANSPOSE = r"(?:T|\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\}|\{T\}|\{\\top\})"
_NAME = r"(?:\\[A-Za-z]+|[A-Za-z])(?:_\{[^{}]*\}|_[A-Za-z0-9])?"
_INVERSE_TRANSPOSE = re.compile(r"\^\{\s*-\s*" + _TRANSPOSE + r"\s*\}")
_TRANSPOSED_INVERSE = re.compile(r"(?:\\left)?\(\s*(?P<m>" + _NAME + r")\s*\^\s*" + _TRANSPOSE
                                 + r"\s*(?:\\right)?\)\s*\^\s*\{\s*-\s*1\s*\}")


def claim_latex(latex: str) -> str:
    """`X^{-T}` and `(X^T)^{-1}` as `{X^{-1}}^{T}`, which the parser reads (the rest unchanged)."""
    latex = _TRANSPOSED_INVERSE.sub(lambda m: "{" + m.group("m") + "^{-1}}^{T}", latex)
    out, pos = [], 0
    for m in _INVERSE_TRANSPOSE.finditer(latex):
        start = _base_start(latex, m.start())
        if start is None:
            continue
        out.append(latex[pos:start] + "{" + latex[start:m.start()] + "^{-1}}^{T}")
        pos = m.end()
    out.append(latex[pos:])
    return "".join(out)


def _base_start(text: str, end: int) -> int | None:
    """Where the base of a superscript at `end` starts: a name (with its subscript) or a group."""
    m = re.search(_NAME + r"\s*$", text[:end])
    if m:
        return m.start()
    if end and text[end - 1] in ")]}":
        opener = {")": "(", "]": "[", "}": "{"}[text[end - 1]]
        depth = 0
        for p in range(end - 1, -1, -1):
            depth += text[p] == text[end - 1]
            depth -= text[p] == opener
            if depth == 0:
                command = re.search(r"\\[A-Za-z]+\s*$", text[:p])     # \left( … \right), \mathbf{X}
                return command.start() if command else p
    return None


# ------------------------------------------------------------------------------------------------
# names
# ------------------------------------------------------------------------------------------------

def data_matrices(problem: Problem) -> dict[str, str]:
    """The claim's names for the problem's data written by rows: X for x_i (x[i, j]), Y for y_{ik};
    a name the problem uses itself keeps its meaning (as in calculus.matrices.forms)."""
    shapes = dict(problem.shapes)
    out = {}
    for label, (_rows, cols) in shapes.items():
        upper = label[:1].upper() + label[1:]
        if cols != ONE and label[:1].islower() and upper not in shapes:
            out[upper] = label
    return out


def tie_names(claim: sp.Basic, problem: Problem) -> sp.Basic:
    """The claim's X (entries X[i, j]) as the problem's x[i, j], and so on for every data matrix."""
    table = data_matrices(problem)
    if not table:
        return claim
    rep = {}
    for a in claim.atoms(sp.Indexed):
        label = str(a.base.label)
        if label in table and len(a.indices) == 2:
            rep[a.base] = sp.IndexedBase(sp.Symbol(table[label], real=True))
    return claim.xreplace(rep) if rep else claim


_IDENTITY = re.compile(r"I(_\w+)?$")


def identities(claim: sp.Basic, problem: Problem, free: tuple[sp.Symbol, ...]) -> sp.Basic:
    r"""The identity matrix where the parser left a name: `\mathbf{I}` (entries I[a, b]) is δ_ab; a
    lone `I` or `I_d` (a scalar to the parser: `2I`, `X^{-1} - I`) is δ_kj where the rest of its term
    has no entry index, and 1 where the rest carries them (I A = A); a problem's own I is kept."""
    names = {str(a.base.label) for a in problem.expr.atoms(sp.Indexed)} | {
        s.name for s in problem.expanded().free_symbols if isinstance(s, sp.Symbol)} | dict(problem.shapes).keys()
    rep: dict[sp.Basic, sp.Basic] = {a: sp.KroneckerDelta(*a.indices) for a in claim.atoms(sp.Indexed)
                                     if str(a.base.label) == "I" and "I" not in names and len(a.indices) == 2}
    claim = claim.xreplace(rep) if rep else claim
    eyes = {s for s in claim.free_symbols if isinstance(s, sp.Symbol) and _IDENTITY.match(s.name)
            and s.name not in names}
    if not eyes or len(free) != 2:
        return claim
    out = []
    for term in sp.Add.make_args(sp.expand(claim, deep=False)):
        rest = term.xreplace(dict.fromkeys(eyes, sp.S.One))
        carried = set(free) & rest.free_symbols
        if not term.has(*eyes):
            out.append(term)
        elif carried == set(free):
            out.append(rest)
        elif not carried:
            out.append(term.xreplace(dict.fromkeys(eyes, sp.KroneckerDelta(*free))))
        else:
            out.append(term)
    return sp.Add(*out)


# ------------------------------------------------------------------------------------------------
# sizes and shapes
# ------------------------------------------------------------------------------------------------

class _Sizes:
    """Union-find over sizes: the problem's size symbols and integers, the claim's own sizes, and
    the claim's free indices (as ("free", k))."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, a: object) -> object:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: object, b: object) -> None:
        self.parent[self.find(a)] = self.find(b)

    def members(self, a: object) -> list[object]:
        root = self.find(a)
        return [x for x in list(self.parent) if self.find(x) == root]


Uses = dict[str, tuple[Shape, list[tuple[sp.Basic | None, ...]]]]


@dataclass(frozen=True)
class Reading:
    """The claim with its sizes renamed to the problem's, and the mismatch found (None if it fits)."""

    claim: sp.Basic
    mismatch: ShapeMismatch | None


def read_shapes(claim: sp.Basic, problem: Problem, var: sp.Basic, free: tuple[sp.Symbol, ...],
                expected: Shape | None) -> Reading:
    """Unify the claim's sizes with the problem's; a mismatch when they contradict each other or,
    for a vector or matrix variable (`free` its entry's indices), when the claim's shape is not
    `expected` (the variable's)."""
    shapes = _problem_shapes(problem, claim)
    if not shapes:
        return Reading(claim, None)
    sizes = _Sizes()
    uses: Uses = {}
    arity_clash = _walk(claim, {}, shapes, sizes, uses)
    # the claim's entry indices are the derivative's (claims.prepare named them so); any other
    # free index (the i of a dropped sum) is the numbers' business, not the shape's
    claim_free = [f for f in free if ("free", f) in sizes.parent]
    known = _problem_sizes(shapes)
    claim_shape = _claim_shape(sizes, claim_free, known)
    clashes = _clashing_classes(sizes, known)
    substitution = _substitution(sizes, known)
    renamed = claim.xreplace(substitution) if substitution else claim
    wrong_shape = bool(free) and expected is not None and bool(claim_free) and (
        claim_shape is None or tuple(claim_shape) != tuple(expected))
    if not (clashes or arity_clash or wrong_shape):
        return Reading(renamed, None)
    return Reading(renamed, ShapeMismatch(var, expected or (ONE, ONE), claim_shape, _uses(uses)))


def _problem_shapes(problem: Problem, claim: sp.Basic) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {name: (rows, cols) for name, (rows, cols) in problem.shapes}
    for m in claim.atoms(sp.MatrixSymbol):
        shapes.setdefault(m.name, (m.rows, m.cols))
    return shapes


def _problem_sizes(shapes: Mapping[str, Shape]) -> set[sp.Basic]:
    return {s for shape in shapes.values() for s in shape if isinstance(s, (sp.Symbol, sp.Integer))}


def _walk(e: sp.Basic, scope: dict[sp.Basic, sp.Basic], shapes: Mapping[str, Shape], sizes: _Sizes,
          uses: Uses) -> bool:
    """Tie every index position of every entry to the size of the axis it indexes; True when a
    name is used with more indices than it has (a vector as a matrix)."""
    if isinstance(e, sp.Sum):
        inner = dict(scope)
        clash = False
        for i, _lo, hi in e.limits:
            inner[i] = hi
        clash |= _walk(e.function, inner, shapes, sizes, uses)
        return clash
    if isinstance(e, sp.Indexed):
        return _entry(str(e.base.label), e.indices, shapes.get(str(e.base.label)), scope, sizes, uses)
    if isinstance(e, MatrixElement):
        rows, cols = e.parent.shape
        return _entry(_matrix_label(e.parent), e.args[1:], (rows, cols), scope, sizes, uses)
    clash = False
    for a in e.args:
        clash |= _walk(a, scope, shapes, sizes, uses)
    return clash


def _matrix_label(m: sp.Basic) -> str:
    return m.name if isinstance(m, sp.MatrixSymbol) else sp.sstr(m)


def _entry(label: str, indices: Iterable[sp.Basic], shape: Shape | None, scope: Mapping[sp.Basic, sp.Basic],
           sizes: _Sizes, uses: Uses) -> bool:
    if shape is None:
        return False
    indices = tuple(indices)
    axes = list(shape) if shape[1] != ONE else [shape[0]]
    if len(indices) > len(axes):
        return True
    if len(indices) < len(axes):
        return False                      # rows x_i of data: read entry by entry elsewhere
    used: list[sp.Basic | None] = []
    for index, axis in zip(indices, axes, strict=True):
        if index in scope:
            if isinstance(scope[index], (sp.Symbol, sp.Integer)):
                sizes.union(scope[index], axis)
            used.append(scope[index])
        elif isinstance(index, sp.Symbol) and index.is_integer:
            sizes.union(("free", index), axis)
            used.append(None)
        else:
            used.append(None)
    uses.setdefault(label, (shape, []))[1].append(tuple(used))
    return False


def _known_in(sizes: _Sizes, node: object, known: set[sp.Basic]) -> list[sp.Basic]:
    return sorted({m for m in sizes.members(node) if m in known}, key=sp.default_sort_key)


def _claim_shape(sizes: _Sizes, free: list[sp.Symbol], known: set[sp.Basic]) -> Shape | None:
    """The claim's shape in the problem's sizes (its free indices' ranges), None when unclear."""
    dims: list[sp.Basic] = []
    for f in free:
        found = _known_in(sizes, ("free", f), known)
        if len(found) != 1:
            return None
        dims.append(found[0])
    if len(dims) == 1:
        return (dims[0], ONE)
    if len(dims) == 2:
        return (dims[0], dims[1])
    return None


def _clashing_classes(sizes: _Sizes, known: set[sp.Basic]) -> list[list[sp.Basic]]:
    seen, out = set(), []
    for node in list(sizes.parent):
        root = sizes.find(node)
        if root in seen:
            continue
        seen.add(root)
        found = _known_in(sizes, node, known)
        if len(found) > 1:
            out.append(found)
    return out


def _substitution(sizes: _Sizes, known: set[sp.Basic]) -> dict[sp.Basic, sp.Basic]:
    """The claim's own size symbols (a sum to N) renamed to the problem's size they must be."""
    out: dict[sp.Basic, sp.Basic] = {}
    for node in list(sizes.parent):
        if isinstance(node, sp.Symbol) and node not in known:
            found = _known_in(sizes, node, known)
            if len(found) == 1:
                out[node] = found[0]
    return out


def _uses(uses: Uses) -> tuple[ShapeUse, ...]:
    """The names used with sizes other than the problem's, each once (fully summed uses only)."""
    out: list[ShapeUse] = []
    for label in sorted(uses):
        shape, used_as = uses[label]
        axes = list(shape) if shape[1] != ONE else [shape[0]]
        for used in used_as:
            if any(u is None for u in used) or list(used) == axes:
                continue
            as_shape: Shape = (used[0], used[1]) if len(used) == 2 else (used[0], ONE)
            out.append(ShapeUse(sp.Symbol(label), as_shape, (shape[0], shape[1])))
            break
    return tuple(out)

"""What analyze finds, as data: critical points, a convexity verdict with its reason, findings.

A finding — and each message of an optimizer's run (symderiv.analysis.methods) — is a `Phrase`: a
key of the phrase catalogue (symderiv/output/analysis_phrases.py) plus its values — SymPy objects,
numbers, names, nested phrases or one of the small value types below. Only symderiv/output/ turns
them into words, in English or Chinese, as text or Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

KINDS = ("minimum", "maximum", "saddle", "undecided")
VERDICTS = ("convex", "concave", "neither", "undecided")


@dataclass(frozen=True)
class Phrase:
    """A finding kept as a catalogue key plus values, so it prints in any language and format."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Point:
    """A point where something was seen, printed `(x, y) = (1/2, −1)`: exact (small integers, halves)
    when a simple one was found, else the sampled floats."""

    names: tuple[str, ...]
    values: tuple[float | sp.Basic, ...]


@dataclass(frozen=True)
class Direction:
    """A unit direction, printed `(-1, -0.004)`."""

    values: tuple[float, ...]


@dataclass(frozen=True)
class Equals:
    """One named value, printed `z = -4`."""

    name: str
    value: float


@dataclass(frozen=True)
class Numbers:
    """Numbers printed short one after the other (`0, 12`): a Hessian's eigenvalues."""

    values: tuple[float, ...]


@dataclass(frozen=True)
class Tolerance:
    """A stopping tolerance, printed as the user gives it (`1e-06`)."""

    value: float


@dataclass(frozen=True)
class Listing:
    """SymPy values printed plainly one after the other (`-2, 2`), in every format."""

    items: tuple[sp.Basic, ...]


@dataclass(frozen=True)
class Solutions:
    """A solved family `y = sqrt(1 - x**2)`: (symbol, value) pairs, printed plainly."""

    pairs: tuple[tuple[sp.Basic, sp.Basic], ...]


@dataclass(frozen=True)
class Minors:
    """Proved principal minors: ((the variables of the minor), its proved form) pairs."""

    entries: tuple[tuple[tuple[str, ...], sp.Basic], ...]


@dataclass(frozen=True)
class MatrixValue:
    """A matrix expression printed the way a textbook writes it ((A + Aᵀ) x, (AᵀA)⁻¹Aᵀb)."""

    expr: sp.Basic


@dataclass(frozen=True)
class MatrixEquation:
    """`lhs = rhs` of matrix expressions, printed as one formula ((A + Aᵀ) x = −b); `starred`: the
    left side is the solution x* of its symbol."""

    lhs: sp.Basic
    rhs: sp.Basic
    starred: bool = False


@dataclass(frozen=True)
class Nonnegative:
    """Conditions `e ≥ 0` (a coefficient such as λ), printed as one formula."""

    exprs: tuple[sp.Basic, ...]


@dataclass(frozen=True)
class SigmoidForm:
    """A derivative recognised in its textbook spelling: σ(z)(1 − σ(z)) (`label` None) or σ(z) − y."""

    z: sp.Symbol
    label: sp.Symbol | None = None


@dataclass(frozen=True)
class RuleUse:
    """One composition rule of convex analysis applied to `expr` (a key of COMPOSITION_RULES).

    `values` are the rule's other words: curvatures, a function's name, its monotonicity.
    """

    rule: str
    expr: sp.Basic
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Composition:
    """The rules that prove a curvature, in the order they were used (`function` if there were none)."""

    function: sp.Basic
    uses: tuple[RuleUse, ...]


@dataclass(frozen=True)
class CriticalPoint:
    """One point where ∇f = 0: exact coordinates when solved symbolically (else None)."""

    values: tuple[float, ...]
    exact: tuple[sp.Basic, ...] | None
    kind: str
    eigenvalues: tuple[float, ...]
    exact_eigenvalues: tuple[sp.Basic, ...] | None = None
    note: Phrase | None = None


@dataclass(frozen=True)
class Convexity:
    """A verdict with the reason that proves it.

    `witness` is the evidence that JSON shows: numbers, names and strings of SymPy values, and under
    "rules" the `Composition` used (worded by the printers).
    """

    verdict: str
    reason: Phrase
    witness: dict[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Analysis:
    """Everything `analyze` found about one function."""

    function: sp.Basic
    variables: tuple[str, ...]
    critical_points: tuple[CriticalPoint, ...]
    method: Phrase
    convexity: Convexity
    notes: tuple[Phrase, ...] = ()
    exact: bool = True  # were the critical points solved symbolically?
    indexed: bool = False  # a sum over samples (the points are then in θ-space with data)
    quadratic: QuadraticForms | None = None  # a quadratic in a vector: its matrix forms (quadratic.py)
    gradient: tuple[sp.Basic, ...] | None = None  # ∇f of a plain function, shown before its zeros
    hessian: sp.ImmutableMatrix | None = None  # H = ∇²f, whose eigenvalues classify the points


@dataclass(frozen=True)
class QuadraticForms:
    """f quadratic in the vector x: ∇f = H x + g and the constant Hessian H in matrix form (each
    checked numerically), and the critical point x* = −H⁻¹g when H may be invertible (None for an
    affine f); `solution_checked` says ∇f(x*) = 0 held on random data."""

    variable: str
    gradient: sp.Basic
    hessian: sp.Basic
    solution: sp.Basic | None
    solution_checked: bool = False

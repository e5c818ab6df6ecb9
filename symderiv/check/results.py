"""What a check finds, as typed values: verdicts, counterexamples, slips, whole derivations.

Every result holds SymPy expressions and numbers, never text: `symderiv.output.verify_report`
prints them (plain text, Markdown, JSON). A slip is one frozen dataclass per mistake, holding the
expressions its sentence talks about; its `kind` is one of SLIP_KINDS.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import sympy as sp

from symderiv.core.order import Orders

if TYPE_CHECKING:
    from symderiv.calculus.engine import Derivation
    from symderiv.calculus.matrices.forms import MatrixForm

VERDICTS = ("correct", "wrong", "undecided")
SLIP_KINDS = ("chain", "sign", "factor", "log", "sigmoid", "sum", "power", "product", "quotient",
              "transpose", "unknown")


@dataclass(frozen=True)
class Settings:
    """Knobs of the numeric check; the defaults keep one claim well under 100 ms."""

    points: int = 5               # accepted random points per size instance
    instances: int = 3            # size draws (n, d, …) for index claims
    dps: int = 30                 # working precision of the numeric check
    confirm_dps: int = 60         # a counterexample is re-evaluated at this precision
    rel_tol: float = 1e-12        # equal when |claim − truth| ≤ rel_tol · max(1, |truth|)
    simplify_seconds: float = 3.0  # budget of the final `simplify(a − b)`
    seed: int = 20240605


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Counterexample:
    """A point where the claim and the true derivative differ, with both values.

    `point` pairs each name (a Symbol, or an entry `x[2, 1]` as an Indexed) with its value there
    (an Integer for sizes and indices, a Rational in hundredths for data); `claimed` is None where
    the claim is undefined.
    """

    point: tuple[tuple[sp.Basic, sp.Rational], ...]
    claimed: sp.Float | None
    true: sp.Float


# ----------------------------------------------------------------------------------------------
# slips: the likely mistake, one class per sentence a learner reads
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slip:
    """The likely mistake behind a wrong claim; `kind` is one of SLIP_KINDS."""

    kind: ClassVar[str] = "unknown"


@dataclass(frozen=True)
class UnknownSlip(Slip):
    """No slip model reproduces the claim."""


@dataclass(frozen=True)
class QuotientSlip(Slip):
    """(u/v)' written as (uv' − u'v)/v²: the numerator's terms swapped."""

    kind: ClassVar[str] = "quotient"
    quotient: sp.Basic
    numerator: sp.Basic
    denominator: sp.Basic


@dataclass(frozen=True)
class SignSlip(Slip):
    """The claim is minus the true derivative."""

    kind: ClassVar[str] = "sign"


@dataclass(frozen=True)
class NaturalLogSlip(Slip):
    """log differentiated as a base-10 logarithm where it is natural."""

    kind: ClassVar[str] = "log"


@dataclass(frozen=True)
class Base10LogSlip(Slip):
    """A base-10 logarithm differentiated as a natural one."""

    kind: ClassVar[str] = "log"


@dataclass(frozen=True)
class StrayLn10Slip(Slip):
    """The claim is the truth times 1/ln 10."""

    kind: ClassVar[str] = "log"


@dataclass(frozen=True)
class MissingLn10Slip(Slip):
    """The claim is the truth times ln 10."""

    kind: ClassVar[str] = "log"


@dataclass(frozen=True)
class InnerSlip(Slip):
    """A slip about an inner function u of var: u as written (intermediates folded), its name
    (the user's intermediate when `named`, else a generated z, u or z_{i}), and ∂u/∂var."""

    var: sp.Basic
    inner: sp.Basic
    name: sp.Basic
    named: bool
    factor: sp.Basic


@dataclass(frozen=True)
class ChainSlip(InnerSlip):
    """d f(u) -> f'(u), without the factor ∂u/∂var of the chain rule."""

    kind: ClassVar[str] = "chain"


@dataclass(frozen=True)
class LogInnerSlip(InnerSlip):
    """d log u -> 1/u, without the inner derivative u'."""

    kind: ClassVar[str] = "log"


@dataclass(frozen=True)
class SigmoidSlip(Slip):
    """σ'(z) taken as σ(z) instead of σ(z)(1 − σ(z))."""

    kind: ClassVar[str] = "sigmoid"


@dataclass(frozen=True)
class TransposeSlip(Slip):
    """A missing transpose: the matrix `matrix` (its label) used transposed, or — with `gradient` —
    the claim is the transpose of ∂f/∂matrix (entry (j, k) where (k, j) belongs: X⁻¹ for X⁻ᵀ).

    `symmetric` holds the matrices (labels) for which the claim would be right if they were
    symmetric (X for ∂ log det X/∂X written X⁻¹); empty when no symmetric matrix makes it right."""

    kind: ClassVar[str] = "transpose"
    matrix: sp.Basic
    gradient: bool = False
    symmetric: tuple[sp.Basic, ...] = ()


@dataclass(frozen=True)
class SymmetricSlip(Slip):
    """(A + Aᵀ)x written as 2Ax: the claim is right only when `matrix` (its label) is symmetric.

    `variable` is the variable of the derivative (x), `general` the true derivative in matrix form
    ((A + Aᵀ)x) when a checked one exists, else None."""

    kind: ClassVar[str] = "transpose"
    matrix: sp.Basic
    variable: sp.Basic | None = None
    general: sp.Basic | None = None
    size: sp.Basic | None = None      # A is size × size: the declaration A ∈ 𝕊^size would make it right


@dataclass(frozen=True)
class SumSlip(Slip):
    """The claim is one summand: the sum over `index` = lower..upper was dropped."""

    kind: ClassVar[str] = "sum"
    index: sp.Basic
    lower: sp.Basic
    upper: sp.Basic


@dataclass(frozen=True)
class PowerSlip(Slip):
    """d/du u^p = p·u^(p−1) with the wrong exponent `used` (u = `inner`)."""

    kind: ClassVar[str] = "power"
    exponent: sp.Basic
    used: sp.Basic
    inner: sp.Basic


@dataclass(frozen=True)
class ProductSlip(Slip):
    """(uv)' = u'v + uv' with the term of `factor`'s derivative (`derivative`) left out."""

    kind: ClassVar[str] = "product"
    product: sp.Basic
    factor: sp.Basic
    derivative: sp.Basic


@dataclass(frozen=True)
class ConstantFactorSlip(Slip):
    """Claim = ratio · truth: a Rational when it reads as a fraction, else a Float."""

    kind: ClassVar[str] = "factor"
    ratio: sp.Basic


@dataclass(frozen=True)
class SizeFactorSlip(Slip):
    """Claim = size^power · truth (power ±1): the 1/n of a mean dropped or doubled."""

    kind: ClassVar[str] = "factor"
    size: sp.Basic
    power: int


# ----------------------------------------------------------------------------------------------
# shapes
# ----------------------------------------------------------------------------------------------

Shape = tuple[sp.Basic, sp.Basic]


@dataclass(frozen=True)
class ShapeUse:
    """A name as the claim uses it (`used`: its sizes as the claim's products and sums make them)
    against its shape in the problem (`shape`), e.g. A used as m × m where A is m × d."""

    name: sp.Basic
    used: Shape
    shape: Shape


@dataclass(frozen=True)
class ShapeMismatch:
    """Read with the problem's shapes, the claim has no shape, or not the shape of ∂f/∂variable.

    `claim_shape` is the claim's shape where it has one (None when its sizes contradict each
    other); `expected` the shape of the derivative (the variable's); `uses` the names the claim
    uses with other sizes than the problem gives them."""

    variable: sp.Basic
    expected: Shape
    claim_shape: Shape | None
    uses: tuple[ShapeUse, ...] = ()


# ----------------------------------------------------------------------------------------------
# verdicts
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking one claim against the true derivative.

    `method` says what decided a `correct` verdict (structural / cancel / simplify); `points` and
    `max_difference` what the numeric check saw (an `undecided` verdict rests on them alone).
    `derivation` is the true derivative worked step by step, when it was asked for. A claim whose
    shape is not the derivative's is wrong without a counterexample: `shape` says why.
    """

    verdict: str
    variable: str
    claim: sp.Basic
    truth: sp.Basic            # true derivative, definitions substituted (what was compared)
    truth_display: sp.Basic    # the same in terms of the user's intermediates, for printing
    method: str = ""
    points: int = 0
    max_difference: float = 0.0
    counterexample: Counterexample | None = None
    slip: Slip | None = None
    derivation: Derivation | None = None
    shape: ShapeMismatch | None = None     # the claim has the wrong shape (no counterexample then)
    truth_matrix: MatrixForm | None = None  # the true derivative in matrix form, when a checked one exists
    orders: Orders = ()    # the sums of the function and the claim as written, for the printers (core/order.py)

    @property
    def ok(self) -> bool:
        return self.verdict != "wrong"


@dataclass(frozen=True)
class StepLine:
    """One line of a hand derivation (its LaTeX as written) and whether it equals the truth."""

    n: int
    latex: str
    ok: bool
    result: VerifyResult | None = None


@dataclass(frozen=True)
class StepsResult:
    """A whole derivation: per-line marks, the first wrong line and its likely slip."""

    lines: tuple[StepLine, ...]
    variable: str
    truth_display: sp.Basic
    truth: sp.Basic
    truth_matrix: MatrixForm | None = None
    orders: Orders = ()    # the sums of the function and the lines as written (core/order.py)

    @property
    def first_wrong(self) -> StepLine | None:
        return next((line for line in self.lines if not line.ok), None)

    @property
    def final_correct(self) -> bool:
        return bool(self.lines) and self.lines[-1].ok

    @property
    def ok(self) -> bool:
        return self.first_wrong is None and self.final_correct

"""Transpose slips: the gradient written transposed, a matrix used transposed, a matrix taken as
symmetric.

Each model compares the claim, at the sampled points, with the derivative a learner gets *with*
the slip: the truth with its entry indices swapped (∂f/∂X written as its transpose: X⁻¹ for
X⁻ᵀ), with a matrix's indices swapped everywhere or at one place (A(Ax − b) for Aᵀ(Ax − b)), or
the truth itself on data where the matrix is symmetric (2Ax for (A + Aᵀ)x). A matrix can be
symmetric only when the problem makes it square, and a matrix declared symmetric is sampled
symmetric from the start, so its claim never gets here.
"""
from __future__ import annotations

import sympy as sp

from symderiv.check import results as slip_kinds
from symderiv.check.results import Slip
from symderiv.check.sampling import NumericCheck, SampledTruth


def slip_transpose(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """The gradient transposed; a matrix transposed everywhere; the claim right only for a
    symmetric matrix; a matrix transposed at one place."""
    return (_transposed_gradient(sampled, claim, num) or _transposed_everywhere(sampled, num)
            or _symmetric(sampled, claim) or _transposed_once(sampled, num))


def _matrices(sampled: SampledTruth) -> list[sp.IndexedBase]:
    """The matrices of the truth (two indices), in a stable order."""
    return sorted({a.base for a in sampled.truth.atoms(sp.Indexed) if len(a.indices) == 2}, key=str)


def _swapped(expr: sp.Basic, base: sp.IndexedBase) -> sp.Basic:
    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == base,
                        lambda e: base[e.indices[1], e.indices[0]])


def _transposed_gradient(sampled: SampledTruth, claim: sp.Basic, num: NumericCheck) -> Slip | None:
    """∂f/∂X_kj written at (j, k): the claim is the transpose of the gradient of a square X."""
    if len(sampled.free) != 2:
        return None
    k, j = sampled.free
    candidate = sampled.truth.xreplace({k: j, j: k})
    if not sampled.matches(candidate, num):
        return None
    label = sampled.var.base.label
    symmetric = (label,) if _square(sampled, str(label)) and _right_if_symmetric(sampled, claim, {str(label)}) \
        else ()
    return slip_kinds.TransposeSlip(label, gradient=True, symmetric=symmetric)


def _transposed_everywhere(sampled: SampledTruth, num: NumericCheck) -> Slip | None:
    for base in _matrices(sampled):
        if sampled.matches(_swapped(sampled.truth, base), num):
            return slip_kinds.TransposeSlip(_shown(sampled, base))
    return None


def _symmetric(sampled: SampledTruth, claim: sp.Basic) -> Slip | None:
    """Claim and truth agree once the matrix is symmetric: right only when Aᵀ = A."""
    for base in _matrices(sampled):
        name = str(base.label)
        if name in sampled.wholes.inverse_names() or not _square(sampled, name):
            continue
        if _right_if_symmetric(sampled, claim, {name}):
            form = sampled.matrix_form()
            variable = sampled.var.base.label if sampled.free else sampled.var
            shape = sampled.problem.shape_of(name)
            return slip_kinds.SymmetricSlip(base.label, variable, form.matrix if form is not None else None,
                                            shape[0] if shape is not None else None)
    return None


def _transposed_once(sampled: SampledTruth, num: NumericCheck) -> Slip | None:
    """One use of a matrix transposed (Aᵀ written A at one place: A(Ax − b) for Aᵀ(Ax − b))."""
    atoms = sorted((a for a in sampled.truth.atoms(sp.Indexed) if len(a.indices) == 2 and a.indices[0] != a.indices[1]),
                   key=sp.default_sort_key)
    for atom in atoms:
        candidate = sampled.truth.xreplace({atom: atom.base[atom.indices[1], atom.indices[0]]})
        if sampled.matches(candidate, num):
            return slip_kinds.TransposeSlip(_shown(sampled, atom.base))
    return None


def _shown(sampled: SampledTruth, base: sp.IndexedBase) -> sp.Basic:
    """The matrix's name as the learner knows it (X⁻¹ for the stand-in of an inverse)."""
    inverse = sampled.wholes.inverse_names()
    name = str(base.label)
    return sp.Inverse(sampled.wholes.matrix(inverse[name])) if name in inverse else base.label


def _square(sampled: SampledTruth, name: str) -> bool:
    shape = sampled.problem.shape_of(name) or sampled.wholes.shapes.get(name)
    return shape is not None and shape[0] == shape[1]


def _right_if_symmetric(sampled: SampledTruth, claim: sp.Basic, names: set[str]) -> bool:
    """Whether the claim equals the truth at points where the matrices `names` are symmetric."""
    twin = sampled.with_symmetric(frozenset(names))
    return bool(twin.samples) and twin.numeric(claim).first_bad is None

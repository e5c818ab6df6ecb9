"""Backpropagation's error signals named across the gradients of one network: δ, δ_h.

In `L = ½‖ŷ − y‖²`, `ŷ = Vh + c`, `h = σ(a)`, `a = Wx + b` the checked matrix forms are
∂L/∂V = (ŷ − y)hᵀ, ∂L/∂c = ŷ − y, ∂L/∂W = (Vᵀ(ŷ − y) ⊙ h ⊙ (1 − h))xᵀ, ∂L/∂b = Vᵀ(ŷ − y) ⊙ h ⊙ (1 − h).
A textbook names the vectors that recur: δ = ŷ − y (∂L/∂ŷ, the signal at the output) and
δ_h = (Vᵀδ) ⊙ σ′(a) (the signal at the hidden layer), so that ∂L/∂V = δhᵀ, ∂L/∂c = δ,
∂L/∂W = δ_h xᵀ, ∂L/∂b = δ_h: each signal is computed once and used by the weight and the bias of
its layer. A signal is a bias's whole gradient that is also the left factor of a weight's
gradient `E uᵀ` (or `Eᵀ U` over a batch); the rewrite only names a sub-expression, and the forms are
checked again after it (attach.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

Named = tuple[sp.MatrixSymbol, sp.MatrixExpr]


@dataclass(frozen=True)
class Signal:
    """δ (or Δ over a batch): its definition (earlier signals named), the expression it stands for
    in the gradients, and what replaces that expression (δ, or Δᵀ for a batch's Δ)."""

    symbol: sp.MatrixSymbol
    value: sp.MatrixExpr
    appears_as: sp.MatrixExpr
    replacement: sp.MatrixExpr


def error_signals(forms: Sequence[sp.MatrixExpr], taken: set[str], layers: Sequence[str]) -> list[Signal]:
    """The signals among the forms, the output's first, each the next one back through the network.

    layers: the names of the hidden layers' outputs (h), for the subscripts (δ_h)."""
    counts: dict[sp.MatrixExpr, int] = {}
    for m in forms:
        e = _left_factor(m)
        if e is not None:
            counts[e] = counts.get(e, 0) + 1
    signals: list[Signal] = []
    for e in sorted((e for e, c in counts.items() if c >= 2), key=sp.count_ops):
        if signals and not e.has(signals[-1].appears_as):
            continue            # not the next link of one chain of signals
        batch = e.shape[1] != 1
        value = sp.Transpose(e).doit() if batch else e
        for earlier in signals:
            value = value.xreplace({earlier.appears_as: earlier.replacement,
                                    sp.Transpose(earlier.appears_as).doit(): sp.Transpose(earlier.replacement).doit()})
        head = "Delta" if batch else "delta"
        # a signal that holds a hidden layer's output h is that layer's, δ_h; the output's is δ
        present = {m.name.lower() for m in value.atoms(sp.MatrixSymbol)}
        layer = next((name for name in layers if name.lower() in present), None)
        if layer is None and signals:
            layer = layers[len(signals) - 1] if len(signals) - 1 < len(layers) else str(len(signals))
        symbol = sp.MatrixSymbol(_fresh(head if layer is None else f"{head}_{layer}", taken), *value.shape)
        signals.append(Signal(symbol, value, e, symbol.T if batch else symbol))
    return signals


def _left_factor(m: sp.MatrixExpr) -> sp.MatrixExpr | None:
    """E for a form E uᵀ, E U, E𝟏 or E itself, when E is a sum or a ⊙ (the shape of a signal)."""
    if isinstance(m, (sp.MatAdd, sp.HadamardProduct)):
        return m
    if isinstance(m, sp.MatMul) and m.as_coeff_matrices()[0] == 1 \
            and isinstance(m.args[0], (sp.MatAdd, sp.HadamardProduct)):
        return m.args[0]
    return None


def _fresh(name: str, taken: set[str]) -> str:
    out, n = name, 2
    while out in taken:
        out, n = f"{name}{n}", n + 1
    taken.add(out)
    return out


def name_signals(m: sp.MatrixExpr, signals: Sequence[Signal]) -> tuple[sp.MatrixExpr, list[Named]]:
    """The form with each signal replaced by its name (the outermost first: it holds the others),
    and the definitions of the signals it uses, the output's first."""
    for sig in reversed(signals):
        m = m.xreplace({sig.appears_as: sig.replacement})
    used = {sig.symbol for sig in signals if m.has(sig.symbol)}
    for sig in reversed(signals):        # a signal's definition uses the one before it
        if sig.symbol in used:
            used |= {other.symbol for other in signals if sig.value.has(other.symbol)}
    return m, [(sig.symbol, sig.value) for sig in signals if sig.symbol in used]

"""Curvature by the composition rules of convex analysis (Boyd & Vandenberghe §3.2).

The curvature of an expression is "const", "affine", "convex", "concave" or None (unknown). Each
rule used is recorded as a `RuleUse` (e.g. exp(x): exp is convex and increasing, its argument
affine). What an outer function is — convex or concave, increasing or decreasing — comes from the
ML registry (`FunctionEntry.curvature`), so a new function with a known curvature needs no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from symderiv.analysis.results import Composition, Convexity, Phrase, RuleUse
from symderiv.ml.functions import sigmoid
from symderiv.ml.registry import ENTRIES, FunctionEntry, entry_for

Curvature = str | None

FLIP: dict[Curvature, Curvature] = {"const": "const", "affine": "affine", "convex": "concave",
                                    "concave": "convex", None: None}

# outer functions with a known curvature on all of ℝ: h(g) is convex when h is convex and (g affine,
# or h increasing and g convex, or h decreasing and g concave); dually for concave.
OUTER: tuple[FunctionEntry, ...] = tuple(e for e in ENTRIES if e.curvature is not None)


def composition_proof(f: sp.Basic, xs: Sequence[sp.Symbol]) -> Convexity | None:
    """Convex or concave by the composition rules, with the rules used; None when they do not apply."""
    comp = _Composition(xs)
    c = comp.curv(f)
    if c in ("convex", "concave"):
        uses = Composition(f, tuple(dict.fromkeys(comp.uses)))
        return Convexity(c, Phrase("composition", (("why", uses),)), {"rules": uses})
    return None


def _add_curv(curvs: Sequence[Curvature]) -> Curvature:
    kinds = set(curvs) - {"const"}
    if not kinds:
        return "const"
    if None in kinds or {"convex", "concave"} <= kinds:
        return None
    if kinds == {"affine"}:
        return "affine"
    return "convex" if "convex" in kinds else "concave"


class _Composition:
    """The rules, one method per expression class (`_Add`, `_Pow`, …), SymPy-printer style."""

    def __init__(self, xs: Sequence[sp.Symbol]) -> None:
        self.xs = tuple(xs)
        self.uses: list[RuleUse] = []

    def curv(self, e: sp.Basic) -> Curvature:
        if not e.has(*self.xs):
            return "const"
        if isinstance(e, sp.Symbol):
            return "affine"
        handler: Callable[[sp.Basic], Curvature] | None = getattr(self, f"_{type(e).__name__}", None)
        if handler is not None:
            return handler(e)
        for entry in OUTER:
            if isinstance(e, entry.function):
                return self._outer(e, entry)
        return None

    def _use(self, rule: str, e: sp.Basic, **values: str) -> None:
        self.uses.append(RuleUse(rule, e, tuple(values.items())))

    def _Add(self, e: sp.Add) -> Curvature:
        return _add_curv([self.curv(a) for a in e.args])

    def _Mul(self, e: sp.Mul) -> Curvature:
        coeff, rest = e.as_independent(*self.xs, as_Add=False)
        if coeff == 1:
            return None  # a product of two non-constant factors: no rule
        c = self.curv(rest)
        if c in ("const", "affine") or coeff.is_positive:
            return c
        if coeff.is_negative:
            if c in ("convex", "concave"):
                self._use("negative_multiple", e, curvature=c, flipped=str(FLIP[c]))
            return FLIP[c]
        return None

    def _Pow(self, e: sp.Pow) -> Curvature:
        base, p = e.args
        if p.has(*self.xs):
            return None
        c = self.curv(base)
        if p == 1:
            return c
        if c == "affine" and p.is_integer and p.is_even and p.is_positive:
            self._use("even_power", e)
            return "convex"
        if c in ("affine", "convex") and p.is_number and p >= 1 and base.is_nonnegative:
            self._use("power_at_least_one", e)
            return "convex"
        if c in ("affine", "concave") and p.is_number and 0 < p < 1:
            self._use("power_below_one", e)
            return "concave"
        return None

    def _Abs(self, e: sp.Abs) -> Curvature:
        if self.curv(e.args[0]) == "affine":
            self._use("abs", e.args[0])
            return "convex"
        return None

    def _Max(self, e: sp.Max) -> Curvature:
        curvs = [self.curv(a) for a in e.args]  # every argument, so every rule used is recorded
        if all(c in ("const", "affine", "convex") for c in curvs):
            self._use("max", e)
            return "convex"
        return None

    def _Min(self, e: sp.Min) -> Curvature:
        curvs = [self.curv(a) for a in e.args]
        if all(c in ("const", "affine", "concave") for c in curvs):
            self._use("min", e)
            return "concave"
        return None

    def _log(self, e: sp.log) -> Curvature:
        arg = e.args[0]
        if self._log_sum_exp(arg):
            self._use("log_sum_exp", e)
            return "convex"
        if isinstance(arg, sigmoid) and self.curv(arg.args[0]) in ("affine", "const"):
            self._use("log_sigmoid", e)
            return "concave"
        if arg.is_Add and len(arg.args) == 2 and sp.S.One in arg.args:
            other = arg - 1
            if isinstance(-other, sigmoid) and self.curv((-other).args[0]) in ("affine", "const"):
                self._use("log_one_minus_sigmoid", e)
                return "concave"
        entry = entry_for(sp.log)
        return self._outer(e, entry) if entry is not None else None

    def _log_sum_exp(self, arg: sp.Basic) -> bool:
        terms = sp.Add.make_args(arg)
        if len(terms) < 2:
            return False
        for t in terms:
            if not t.has(*self.xs):
                if not t.is_positive:
                    return False
                continue
            coeff, rest = t.as_independent(*self.xs, as_Add=False)
            if not coeff.is_positive:
                return False
            if isinstance(rest, sp.exp) and self.curv(rest.args[0]) in ("affine", "const"):
                continue
            if isinstance(rest, sp.Pow) and rest.base == sp.E and self.curv(rest.exp) in ("affine", "const"):
                continue
            return False
        return True

    def _outer(self, e: sp.Basic, entry: FunctionEntry) -> Curvature:
        if entry.curvature is None:
            return None
        curvature, mono = entry.curvature
        inner = self.curv(e.args[0])
        if inner == "const":
            return "const"
        ok = (inner == "affine"
              or (mono == "increasing" and inner == curvature)
              or (mono == "decreasing" and inner == FLIP[curvature]))
        if ok:
            self._use("outer", e, name=entry.name, curvature=curvature, monotonicity=mono, inner=str(inner))
            return curvature
        return None

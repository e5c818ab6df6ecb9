"""Sizes of vectors and matrices as unification variables, and the names they end up with.

Every vector or matrix name gets size variables when it is first met; a product unifies the inner
sizes (`A x`: A's columns are x's length), a sum the shapes (`Ax - b`), a trace the two sides of
its argument. A class of unified sizes is named, in this order, by what the user wrote (a bound
`\\sum_{k=1}^{K}`, a declaration `\\mathbb{R}^{k \\times d}`), by a hint (`n` for the samples, `d`
for the features of the vector variable, the conventional bound of a sum written without one,
or the name a previous pass gave it), else by an unused letter (m, p, q, r, …). Two classes never
get the same name, so sizes that no operation relates stay distinct.
"""
from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from symderiv.parsing.symbols import size_symbol

# Hint priorities: the lower wins when two classes want the same name.
SEEDED = 0      # the name a previous pass gave the class
DEFAULT = 1     # the conventional bound of a sum written without one (`\sum_i` -> n)
STRONG = 2      # samples of data written x_i; features of the parameters (θ, w) and of x_i
WEAK = 3        # the rows of a matrix applied to a parameter vector (Xθ), of a matrix named X
WEAKEST = 4     # the columns of a matrix

POOL = ("m", "p", "q", "r", "s", "u", "v", "h", "c", "g")


class SizeConflict(ValueError):
    """Two sizes that must be equal are different sizes the user wrote (`d` and `p`)."""

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a} ≠ {b}")
        self.a, self.b = a, b


class Sizes:
    """A union-find over size symbols: placeholders (Dummies), named sizes (the symbol `n` as a
    hint or as the user's own) and fixed values (what the user wrote: a name, a number)."""

    def __init__(self) -> None:
        self._parent: dict[sp.Basic, sp.Basic] = {}
        self._fixed: dict[sp.Basic, sp.Basic] = {}                   # root -> the user's size
        self._hints: dict[sp.Basic, list[tuple[int, int, str]]] = {}  # root -> (priority, order, name)
        self._named: set[str] = set()                                # names of named nodes
        self._order = 0

    # -- making sizes
    def var(self, name: str | None = None, priority: int = WEAKEST) -> sp.Symbol:
        """A new unknown size, hinted to be called `name`."""
        s = sp.Dummy("size", integer=True, positive=True)
        self._node(s)
        if name:
            self.hint(s, name, priority)
        return s

    def named(self, name: str, priority: int = DEFAULT) -> sp.Symbol:
        """The size conventionally called `name` (one per input): `\\sum_i` without a bound."""
        s = size_symbol(name)
        self._node(s)
        self._named.add(name)
        self.hint(s, name, priority)
        return s

    def written(self, value: sp.Basic) -> sp.Basic:
        """A size the user wrote (`n` in `\\sum_{i=1}^{n}`, `k` in `\\mathbb{R}^{k \\times d}`, `3`)."""
        if isinstance(value, sp.Symbol):
            value = size_symbol(value.name)
            self._named.add(value.name)
        self._node(value)
        root = self.find(value)
        if root not in self._fixed:
            self._fixed[root] = value
        return value

    def hint(self, s: sp.Basic, name: str, priority: int) -> None:
        self._node(s)
        self._order += 1
        self._hints.setdefault(self.find(s), []).append((priority, self._order, name))

    def _node(self, s: sp.Basic) -> None:
        if s not in self._parent:
            self._parent[s] = s
            if not isinstance(s, sp.Symbol):   # a number or an expression (`n - 1`) is itself
                self._fixed[s] = s

    # -- unification
    def find(self, s: sp.Basic) -> sp.Basic:
        self._node(s)
        root = s
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[s] != root:
            self._parent[s], s = root, self._parent[s]
        return root

    def unify(self, a: sp.Basic, b: sp.Basic) -> None:
        """Make a and b one size; SizeConflict when they are two different written sizes."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        fa, fb = self._fixed.get(ra), self._fixed.get(rb)
        if fa is not None and fb is not None and fa != fb:
            raise SizeConflict(self.show(a), self.show(b))
        self._parent[rb] = ra
        if fa is None and fb is not None:
            self._fixed[ra] = fb
        self._fixed.pop(rb, None)
        self._hints.setdefault(ra, []).extend(self._hints.pop(rb, []))

    def same(self, a: sp.Basic, b: sp.Basic) -> bool:
        return self.find(a) == self.find(b)

    def has_hint(self, s: sp.Basic, name: str, priority: int) -> bool:
        """Whether the class of s is hinted `name` at `priority` or better."""
        return any(p <= priority and n == name for p, _, n in self._hints.get(self.find(s), ()))

    def show(self, s: sp.Basic) -> str:
        """The size as a reader would call it now: the user's, else the best hint, else `?`."""
        root = self.find(s)
        fixed = self._fixed.get(root)
        if fixed is not None:
            return str(fixed)
        hints = sorted(self._hints.get(root, ()))
        return hints[0][2] if hints else "?"

    def nodes(self) -> list[sp.Basic]:
        return list(self._parent)

    # -- naming
    def resolve(self, avoid: Iterable[str], avoid_letters: Iterable[str]) -> dict[sp.Basic, sp.Basic]:
        """Each size -> its class's name (only those that change).

        `avoid`: names no size may take (indices, indexed names); `avoid_letters`: also kept
        from the unused letters a class without a hint is given (every name in the input)."""
        roots: dict[sp.Basic, None] = dict.fromkeys(self.find(s) for s in list(self._parent))
        blocked = set(avoid)
        name_of: dict[sp.Basic, sp.Basic] = {}
        for root in roots:
            fixed = self._fixed.get(root)
            if fixed is not None:
                name_of[root] = fixed
                blocked |= {str(fixed)} if isinstance(fixed, sp.Symbol) else set()
        rest = [r for r in roots if r not in name_of]
        rest.sort(key=lambda r: min(self._hints.get(r) or [(9, 10**9, "")])[:2])
        letters = blocked | self._named | set(avoid_letters)
        for root in rest:
            name_of[root] = self._name_for(root, blocked, letters)
            blocked.add(str(name_of[root]))
            letters.add(str(name_of[root]))
        out: dict[sp.Basic, sp.Basic] = {}
        for s in self._parent:
            rep = name_of[self.find(s)]
            if rep != s:
                out[s] = rep
        return out

    def _name_for(self, root: sp.Basic, blocked: set[str], letters: set[str]) -> sp.Symbol:
        """The best hint not blocked and not the name of a size of another class, else a letter."""
        for _, _, name in sorted(self._hints.get(root, ())):
            if name in blocked:
                continue
            if name in self._named and self.find(size_symbol(name)) != root:
                continue   # `n` names another class
            return size_symbol(name)
        for name in POOL:
            if name not in letters:
                return size_symbol(name)
        n = 1
        while f"m_{n}" in letters:
            n += 1
        return size_symbol(f"m_{n}")

"""Statements inside the expression grammar: the head of a definition (`L(\\theta) = …`,
`\\mathrm{softmax}(z)_k = …`) and the chain of relations (`a = b = c`, `f(x) \\le g(x)`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.cursor import matching
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.symbols import INDEX_LETTERS, Value, real

Relation = tuple[str | None, Value]
"""(relation sign, value): the first of a chain has no sign (`a = b = c`)."""


@dataclass
class Head:
    """`L(\\theta)`, `f(x, y)`, `\\mathrm{softmax}(z)_k`: the left side of a function definition."""

    name: str
    args: list[Value]
    arg_names: list[str]
    latex_name: str
    subscript: str | None = None


def is_argument(v: Value) -> bool:
    """A head argument: a name, or a power of one (`\\ell(\\mu, \\sigma^2)`)."""
    if isinstance(v, sp.Pow):
        v = v.base
    return isinstance(v, (sp.Symbol, sp.Indexed))


class HeadsMixin(Grammar):
    """Heads of definitions and chains of relations."""

    def try_head(self) -> Head | None:
        """The head of a definition at the start of the statement, else None (nothing taken)."""
        start, taken, readings = self.n, set(self.r.ix.taken), len(self.r.readings)
        try:
            head = self._head()
        except ParseError:
            head = None
        if head is None:
            self.n = start
            self.r.ix.taken = taken
            del self.r.readings[readings:]
            self.applied = None
        return head

    def _head(self) -> Head | None:
        self.skip_ignored()
        named = self._head_name()
        if named is None:
            return None
        name, latex_name = named
        if self.tok.is_("punct", "_"):
            self.take()
            sub = self.script_text()
            name = f"{name}_{sub}"
            latex_name = f"{latex_name}_{{{sub}}}"
        if not self.tok.is_("punct", "(") or not self._defined_here():
            return None
        self.take()  # (
        args = self._head_arguments()
        self.expect("punct", ")")
        if not all(is_argument(a) for a in args):
            return None  # σ(θ^T x_i) = …: an equation about a value, not a definition
        sub_after = None
        if self.tok.is_("punct", "_"):
            self.take()
            sub_after = self.script_text()
            name = f"{name}_{sub_after}"
        # head arguments that are applied in the body are functions (P(x) in KL(P‖Q))
        for a in args:
            if isinstance(a, sp.Symbol) and a.name[:1].isupper():
                self.r.functions.add(a.name)
        return Head(name, args, [str(a) for a in args], latex_name, sub_after)

    def _head_name(self) -> tuple[str, str] | None:
        """(name, its LaTeX) of a head: `L`, `\\ell`, `\\mathrm{KL}`; None for anything else."""
        t = self.tok
        if t.kind == "letter":
            self.take()
            return t.text, t.text
        if t.kind == "cmd" and t.text in N.GREEK:
            self.take()
            return t.text, "\\" + t.text
        if t.kind == "cmd" and t.text in N.FONTS and t.text not in N.BOLD_FONTS:
            self.take()
            name = self.raw_group_text()
            if not re.fullmatch(r"[A-Za-z]+", name):
                return None
            return name, f"\\{t.text}{{{name}}}"
        return None

    def _defined_here(self) -> bool:
        """Whether the `(` at hand closes into `) =`, `) :=` or `)_k =`: a definition's head."""
        close = matching(self.t, self.n)
        after = self.t[close + 1] if close + 1 < len(self.t) else self.t[-1]
        rel_at = close + 1
        if after.is_("punct", "_"):
            brace = close + 2 < len(self.t) and self.t[close + 2].is_("punct", "{")
            rel_at = matching(self.t, close + 2) + 1 if brace else close + 3
        rel = self.t[rel_at] if rel_at < len(self.t) else self.t[-1]
        return rel.is_("punct", "=") or rel.is_("punct", ":=") or rel.is_("cmd", "coloneqq")

    def _head_arguments(self) -> list[Value]:
        """`x, y`, `x \\mid \\mu, \\sigma^2`: a vector argument stands for its name."""
        args = []
        self.arg_depth += 1
        while True:
            self.skip_ignored()
            value = self.expression()
            if isinstance(value, Tensor):
                value = real(value.label) if value.label else self.r.component(value)
            args.append(value)
            if self.tok.is_("punct", ",") or self.tok.is_("cmd", "mid") or self.tok.is_("cmd", "|") \
                    or self.tok.is_("punct", ";") or self.tok.is_("punct", "|"):
                self.take()
                continue
            break
        self.arg_depth -= 1
        return args

    def relation_chain(self, after_head: bool = False) -> list[Relation]:
        """[(relation, value), ...]: the first relation is None (`a = b = c` keeps all)."""
        out: list[Relation] = [(None, None)] if after_head else [(None, self.expression())]
        while True:
            self.skip_ignored()
            t = self.tok
            rel = None
            if t.kind == "punct" and t.text in ("=", ":=", "<", ">"):
                rel = N.RELATIONS[t.text]
            elif t.kind == "cmd" and "\\" + t.text in N.RELATIONS:
                rel = N.RELATIONS["\\" + t.text]
            if rel is None:
                break
            self.take()
            if self.tok.kind == "end":
                raise self.error("the formula ends after a relation sign; the right side is missing")
            entries = self._entry_indices()
            self.bound.append(entries)
            defines = isinstance(out[0][1], Tensor) and len(out) == 1   # `h = \sigma(a)`: a is a vector
            self.vector_context = defines
            try:
                value = self.expression()
                if defines and not isinstance(value, Tensor):
                    value = self.as_vector(value, f"{out[0][1].label} = {value}", subscripted=False) or value
                out.append((rel, value))
            finally:
                self.bound.pop()
                self.vector_context = False
        self.skip_ignored()
        if self.tok.is_("punct", ".") or self.tok.is_("punct", ","):
            self.take()
        self.refuse_word()
        if self.tok.kind == "cmd" and self.tok.text in ("text", "mathrm", "textrm") and self.peek().is_("punct", "{"):
            raise self.error(f"{self.source[self.tok.pos:self.t[self.closing(self.n + 1)].end]!r} is "
                             "text, not mathematics: write one formula per statement")
        self.expect_end()
        return out

    def _entry_indices(self) -> set[str]:
        """`H = [\\frac{\\partial^2 f}{\\partial \\theta_i \\partial \\theta_j}]`: a bracketed
        right side is a matrix of entries, its subscript letters (i, j) are its indices."""
        start = self.n + 1 if self.tok.is_("cmd", "left") else self.n
        if not self.t[start].is_("punct", "["):
            return set()
        close = matching(self.t, start if start == self.n else self.n)
        after = self.t[close + 1] if close + 1 < len(self.t) else self.t[-1]
        if not (after.kind == "end" or after.is_("punct", "=") or after.is_("punct", ".")):
            return set()
        letters = set()
        for m in range(start, close):
            if self.t[m].is_("punct", "_") and self.t[m + 1].kind == "letter":
                letters.add(self.t[m + 1].text)
        return letters & INDEX_LETTERS

"""Brackets: groups and lists (`(a, b)`, `[a_1, \\cdots, a_n]`), `\\left…\\right`, absolute
values `|x|`, norms `\\|v\\|_p`, and inner products `\\langle u, v\\rangle`."""
from __future__ import annotations

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.ml import notation as N
from symderiv.parsing.grammar import Grammar
from symderiv.parsing.lexer import Token
from symderiv.parsing.linalg import Tensor, squared_entries
from symderiv.parsing.reading_phrases import said
from symderiv.parsing.symbols import ELLIPSIS, Value, index_symbol


class BracketsMixin(Grammar):
    """Everything that opens and closes."""

    # -- groups and lists
    def group(self, open_: str, close: str) -> Value:
        start = self.take()
        if self.tok.is_("punct", close):
            raise self.error("empty parentheses have no value", start)
        items = self._items()
        if not self.tok.is_("punct", close):
            if self.tok.kind == "end":
                raise ParseError(f"{open_!r} is never closed", self.source, start.pos)
            raise self.error(f"expected {close!r}")
        self.take()
        return self._list_value(items, start)

    def _items(self) -> list[Value]:
        """Comma-separated expressions; `\\cdots` may stand for the items left out."""
        items = [self.expression()]
        while self.tok.is_("punct", ","):
            self.take()
            self.skip_ignored()
            if self.tok.kind == "cmd" and self.tok.text in N.ELLIPSES:
                self.take()
                items.append(ELLIPSIS)
                continue
            items.append(self.expression())
        return items

    def _list_value(self, items: list[Value], tok: Token) -> Value:
        """One item is itself; `[a_1, \\cdots, a_n]` is the vector with entries a_k; else a tuple."""
        if len(items) == 1:
            return items[0]
        items = [self.r.component(i) for i in items]
        if ELLIPSIS not in items:
            return sp.Tuple(*items)
        k = index_symbol("k")
        entry, upper = self.series(items, k, tok)
        return Tensor("col", (upper,), lambda r: entry.xreplace({k: r}))

    # -- \left … \right
    def left(self, t: Token) -> Value:
        nxt = self.peek()
        if nxt.is_("punct", "("):
            self.take()
            return self._delimited(")", t)
        if nxt.is_("punct", "["):
            self.take()
            return self._delimited("]", t)
        if nxt.is_("cmd", "{"):
            self.take()
            return self._delimited("}", t, cmd=True)
        if nxt.is_("punct", "|"):
            self.take()
            return self.absolute()
        if nxt.is_("cmd", "|") or nxt.is_("cmd", "lVert") or nxt.is_("cmd", "Vert"):
            return self.norm(t)
        if nxt.is_("cmd", "langle"):
            self.take()
            return self.angle(t)
        if nxt.is_("cmd", "lvert"):
            self.take()
            return self.absolute()
        if nxt.is_("cmd", "lfloor") or nxt.is_("cmd", "lceil"):
            self.take()
            return self.floor_ceiling(nxt)
        if nxt.is_("punct", "."):
            self.take()
            self.take()
            return self.atom()
        raise self.error("unsupported delimiter after \\left")

    def _delimited(self, close: str, left_tok: Token, cmd: bool = False) -> Value:
        open_tok = self.take()
        if self.tok.is_("cmd", "right"):
            raise self.error("empty brackets have no value", open_tok)
        items = self._items()
        if not self.tok.is_("cmd", "right"):
            if self.tok.kind == "end":
                raise ParseError("\\left is never closed by \\right", self.source, left_tok.pos)
            raise self.error("expected \\right")
        self.take()
        closer = self.take()
        ok = closer.is_("cmd", close) if cmd else closer.is_("punct", close)
        if not ok and not closer.is_("punct", "."):
            raise self.error(f"\\right{close} expected", closer)
        return self._list_value(items, open_tok)

    # -- |x|, \|v\|, <u, v>
    def absolute(self) -> Value:
        """`|x|`, `\\left|x\\right|`, `\\lvert x\\rvert`: the absolute value of a scalar."""
        open_tok = self.take()
        self.abs_depth += 1
        try:
            value = self.expression()
        finally:
            self.abs_depth -= 1
        if self.tok.is_("punct", "|"):
            self.take()
        elif self.tok.is_("cmd", "right") and self.peek().is_("punct", "|"):
            self.take()
            self.take()
        elif self.tok.is_("cmd", "rvert"):
            self.take()
        else:
            raise ParseError("'|' is never closed", self.source, open_tok.pos)
        if isinstance(value, Tensor):
            raise self.error("|v| of a vector is ambiguous: write \\|v\\| for its norm", open_tok)
        return sp.Abs(value)

    def norm(self, t: Token) -> Value:
        """\\|v\\|, \\|v\\|_2, \\|v\\|^2 (the squared Euclidean norm: a sum of squares),
        \\|v\\|_1, and of a matrix \\|M\\|_F, \\|M\\|_F^2 (Frobenius: the entries' squares)."""
        open_tok = self.take()
        if open_tok.is_("cmd", "left"):
            self.take()
        value = self._norm_body(open_tok)
        sub_tok = self.tok
        p = self._norm_order()
        if not isinstance(value, Tensor):
            if not isinstance(value, sp.Symbol):
                return sp.Abs(value)
            value = self.vector_named(value.name)
        if value.kind == "mat":
            if p == 1 or (p == 2 and sub_tok.is_("punct", "_")):
                raise self.error(f"the {'induced 1-' if p == 1 else 'spectral '}norm of a matrix is not "
                                 "supported; write \\|M\\|_F for the Frobenius norm", open_tok)
            if p != "F":
                self.r.reading(said("frobenius", norm=f"\\|{value.label or 'M'}\\|"))
        elif p == 1:
            j = self.r.ix.fresh(value.dims[0])
            return sp.Sum(sp.Abs(value.entry(j)), (j, 1, value.dims[0]))
        squared = squared_entries(value, self.r.ix)
        if self._takes_square():
            return squared
        return sp.sqrt(squared)

    def _norm_body(self, open_tok: Token) -> Value:
        """What is inside `\\|…\\|`, with the closing `\\|` taken."""
        self.norm_depth += 1
        try:
            value = self.expression()
        finally:
            self.norm_depth -= 1
        if self.tok.is_("cmd", "right"):
            self.take()
        if not (self.tok.is_("cmd", "|") or self.tok.is_("cmd", "rVert") or self.tok.is_("cmd", "Vert")):
            raise ParseError("'\\|' is never closed", self.source, open_tok.pos)
        self.take()
        return value

    def _norm_order(self) -> Value:
        """p of `\\|v\\|_p` (1 or 2; 2 when not written), "F" for `_F` (Frobenius)."""
        if not self.tok.is_("punct", "_"):
            return 2
        sub_tok = self.take()
        p = self.script_value()
        if isinstance(p, sp.Symbol) and p.name in ("F", "Frob", "fro"):
            return "F"
        if p not in (1, 2):
            raise self.error("only the L1, Euclidean and Frobenius norms (\\|·\\|_1, \\|·\\|_2, "
                             "\\|·\\|_F) are supported", sub_tok)
        return p

    def _takes_square(self) -> bool:
        """`^2` or `^{2}` after a norm: taken (the norm squared)."""
        if not (self.tok.is_("punct", "^") and (self.peek().is_("num", "2") or (
                self.peek().is_("punct", "{") and self.peek(2).is_("num", "2") and self.peek(3).is_("punct", "}")))):
            return False
        self.take()
        if self.tok.is_("punct", "{"):
            self.take()
            self.take()
            self.take()
        else:
            self.take()
        return True

    def angle(self, t: Token) -> Value:
        """`\\langle u, v\\rangle`: the inner product u^T v (plain names are vectors)."""
        self.take()
        a = self.expression()
        self.expect("punct", ",")
        b = self.expression()
        if self.tok.is_("cmd", "right"):
            self.take()
        self.expect("cmd", "rangle")
        if not isinstance(a, Tensor):
            a = self.vector_named(str(a))
        if not isinstance(b, Tensor):
            b = self.vector_named(str(b))
        return self.mul(a.transpose() if a.kind == "col" else a, b, t)


"""A whole input (its statements and `--where` definitions) -> one Problem.

The first statement is the formula (a function definition `L(\\theta) = …`, an equation, or a
bare expression); each later `name = …` statement is a definition, any other relation a claim.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symderiv.core.errors import ParseError
from symderiv.core.order import Orders, recorded, recording
from symderiv.core.problem import Definition, Problem
from symderiv.parsing.conventions import (
    check_acyclic,
    default_variables,
    entry_of,
    gradient_entry,
    index_definitions,
    is_update,
    uses_base,
)
from symderiv.parsing.declarations import split_declarations
from symderiv.parsing.expr import ExprParser
from symderiv.parsing.heads import Head, Relation
from symderiv.parsing.lexer import Token, check_limits, tokenize
from symderiv.parsing.linalg import Tensor
from symderiv.parsing.passes import PassesState, indexed_labels
from symderiv.parsing.statements import (
    Statement,
    body_latex,
    has_relation,
    leading_subscript_indices,
    split_statements,
    strip_math_delimiters,
)
from symderiv.parsing.symbols import Value, display_name, index_letters, index_symbol, indexed_base, is_name, real
from symderiv.parsing.tensors import matrix_name


@dataclass
class Parsed:
    """One statement read: "function" (with its head) or "plain", and its chain of relations."""

    kind: str
    head: Head | None
    relations: list[Relation]
    statement: Statement


@dataclass
class _Main:
    """What the first statement makes of the Problem."""

    kind: str = "expression"
    name: str | None = None
    args: tuple[Value, ...] = ()
    lhs: Value = None
    body: Value = None
    relation: str = ""
    also: tuple[Value, ...] = ()


class Reader(PassesState):
    """Reads a whole input (statements + where-definitions) into one Problem."""

    def __init__(self, latex: str, where: list[str], context: Problem | None = None) -> None:
        super().__init__(latex, context)
        self.where = where

    # -- entry points
    def problem(self) -> Problem:
        text = strip_math_delimiters(self.source)
        if not text.strip():
            raise ParseError("the formula is empty", self.source, 0)
        check_limits(self.source)
        for d in self.where:
            if not isinstance(d, str):
                raise ParseError("a definition must be text")
            check_limits(d)
        main_tokens = tokenize(self.source)
        where_tokens = [(d, tokenize(d)) for d in self.where]
        statements = split_statements(main_tokens, self.source)
        statements += [Statement(toks[:-1], d) for d, toks in where_tokens]
        statements, self.declarations = split_declarations(statements)
        if not statements:
            raise ParseError("the input only declares shapes: the formula is missing", self.source, 0)
        self.scan([t for s in statements for t in s.tokens])
        with recording() as book:           # the sums as written, kept by this Problem (core/order.py)
            parsed = self.passes(lambda: [self._statement(s, first=(n == 0)) for n, s in enumerate(statements)])
            return self._assemble(parsed, recorded(book))

    def single_expression(self) -> Value:
        check_limits(self.source)
        tokens = tokenize(self.source)
        self.scan(tokens)
        if self.context:
            self.base_functions |= {self.context.name} if self.context.name else set()
            for dfn in self.context.definitions:
                self.base_functions.discard(dfn.name)

        def read() -> Value:
            p = ExprParser(self, tokens, self.source)
            value = p.expression()
            p.expect_end()
            return value
        value = self.passes(read)
        self.sizes = self.size_symbols()
        return self._finish(self.component(value))

    # -- one statement
    def _statement(self, st: Statement, first: bool) -> Parsed:
        p = ExprParser(self, [*st.tokens, Token("end", "", len(st.source), len(st.source))], st.source)
        head = p.try_head()
        if head is not None:
            self.functions.add(head.name)
            if first:
                self.head_args = {str(a) for a in head.args if isinstance(a, sp.Symbol)}
                self.book.features = self.book.features | self.head_args
                if any(matrix_name(a) for a in self.head_args):
                    self.linear_algebra = True   # `L(W) = …`: W x is a product of a matrix
            return Parsed("function", head, p.relation_chain(after_head=True), st)
        lhs_bound = leading_subscript_indices(st.tokens)
        if lhs_bound and (not first or has_relation(st.tokens)):
            p.bound.append(lhs_bound)
        rels = p.relation_chain()
        if not first and len(rels) >= 2 and rels[1][0] in ("=", ":="):
            self.learn_definition(rels[0][1], rels[1][1], st.source, st.tokens[0].pos if st.tokens else 0)
        return Parsed("plain", None, rels, st)

    # -- the Problem
    def _assemble(self, parsed: list[Parsed], orders: Orders = ()) -> Problem:
        self.indexed_labels = _indexed_labels(parsed)
        self.sizes = self.size_symbols()
        definitions, claims, conditions = self._definitions_and_claims(parsed[1:])
        check_acyclic(definitions, self._places)
        main = self._main(parsed[0])
        expr = self._finish(self.component(main.body))
        definitions = index_definitions(definitions, expr)
        variables, note = default_variables(main.args, expr, definitions)
        vectors = frozenset(v for v in self.vectors if uses_base(expr, definitions, v))
        exprs = [expr, main.lhs, *(d.target for d in definitions), *(d.expr for d in definitions)]
        # names only: an inverse kept as a matrix of its own, `(S)^{-1}`, is stated in the readings
        shapes = self.book.shapes([n for n in indexed_labels(exprs) if is_plain_name(n)], self.rename)
        used = {s for e in exprs if isinstance(e, sp.Basic) for s in e.free_symbols}
        used |= {s for _, dims in shapes for s in dims}
        sizes = tuple(sorted(((k, v) for k, v in self.sizes.items() if v in used), key=lambda kv: kv[0]))
        readings = tuple(dict.fromkeys([*self.learned, *self.readings]))
        return Problem(source=self.source, expr=expr, kind=main.kind, name=main.name, args=main.args,
                       lhs=main.lhs, definitions=tuple(definitions), variables=variables,
                       variables_note=note, vectors=vectors, sizes=sizes,
                       latex=body_latex(self.source), relation=main.relation,
                       readings=readings, claims=tuple(claims), conditions=tuple(conditions),
                       also=main.also, shapes=shapes, symmetric=frozenset(self.symmetric), orders=orders)

    def _definitions_and_claims(self, parsed: list[Parsed]) -> tuple[
            list[Definition], list[tuple[Value, Value]], list[tuple[Value, str, Value]]]:
        """Later statements: `name = …` defines name; other equalities are claims to check;
        any other relation (`x > 0`, `a \approx b`) is a condition, kept with its sign."""
        definitions: list[Definition] = []
        claims: list[tuple[Value, Value]] = []
        conditions: list[tuple[Value, str, Value]] = []
        for p in parsed:
            r, h = p.relations, p.head
            if len(r) >= 2 and r[1][0] not in ("=", ":="):
                conditions.append((self._finish(self.component(r[0][1])) if r[0][1] is not None else None,
                                   str(r[1][0]), self._finish(self.component(r[1][1]))))
            elif len(r) >= 2 and p.kind == "plain" and isinstance(r[0][1], Tensor) and r[1][0] in ("=", ":=") \
                    and isinstance(self._defined_entry(r[0][1]), sp.Indexed):
                dfn = self.vector_definition(r[0][1], r[1][1], p.statement.source)
                definitions.append(Definition(self._finish(dfn.target), self._finish(dfn.expr), dfn.latex))
                first = p.statement.tokens[0] if p.statement.tokens else None
                self._places.append((p.statement.source, first.pos if first else 0))
            elif len(r) >= 2 and p.kind == "plain" and is_name(r[0][1]):
                target = self._finish(r[0][1])
                value = self._finish(self.component(r[1][1]))
                definitions.append(Definition(target, value, p.statement.source.strip()))
                first = p.statement.tokens[0] if p.statement.tokens else None
                self._places.append((p.statement.source, first.pos if first else 0))
            elif len(r) >= 2 and p.kind == "function" and h is not None:
                target = real(h.name) if not h.args else sp.Function(h.name)(*h.args)
                claims.append((self._finish(target), self._finish(self.component(r[1][1]))))
            elif len(r) >= 2:
                claims.append((self._finish(self.component(r[0][1])),
                               self._finish(self.component(r[1][1]))))
            else:
                raise ParseError("a definition must have the form `name = expression`",
                                 p.statement.source, 0)
        return definitions, claims, conditions

    def _main(self, first: Parsed) -> _Main:
        """The first statement: a function definition, an equation, or a bare expression."""
        rels = first.relations
        if first.kind == "function" and first.head is not None:
            return self._main_function(first.head, rels)
        if len(rels) < 2:
            return _Main(body=rels[0][1])
        left, body = rels[0][1], rels[1][1]
        main = _Main(body=body)
        if is_name(left) and rels[1][0] in ("=", ":=") and not is_update(left, body):
            main.kind, main.name = "function", display_name(left)
            main.lhs = self._finish(entry_of(left) if isinstance(body, Tensor) else left)
        else:
            main.kind = "equation"
            main.lhs = self._finish(self.component(left))
            if isinstance(body, Tensor):
                taken = set(self.ix.taken)
                entry = self.component(body)   # only for the names in it: its indices are not kept
                self.ix.taken = taken
                main.lhs = gradient_entry(main.lhs, {str(a.base.label) for a in entry.atoms(sp.Indexed)})
        main.relation, main.also = self._relation(rels)
        return main

    def _main_function(self, head: Head, rels: list[Relation]) -> _Main:
        """`L(\\theta) = body`: the function, its arguments and its left side."""
        args = tuple(self._finish(a) for a in head.args)
        if len(rels) < 2:
            raise ParseError(f"`{head.latex_name}(…)` needs a body: `{head.latex_name}(…) = …`",
                             self.source, len(self.source))
        relation, also = self._relation(rels)
        lhs = self._finish(sp.Function(head.name)(*args) if args else real(head.name))
        return _Main("function", head.name, args, lhs, rels[1][1], relation, also)

    def _relation(self, rels: list[Relation]) -> tuple[str, tuple[Value, ...]]:
        """The relation sign of `lhs ~ body`, and the further sides of `a = b = c` (`also`)."""
        return rels[1][0] or "", tuple(self._finish(self.component(v)) for _, v in rels[2:])

    def _finish(self, expr: Value) -> Value:
        """Unify symbols across statements: size symbols are positive integers, `z_k` is the
        entry `z[k]` of a name indexed elsewhere, and `y_i` next to a free index i (the i-th
        sample `x_i` outside a sum) is `y[i]`."""
        if isinstance(expr, Tensor):
            expr = self.component(expr)
        if not isinstance(expr, sp.Basic):
            return expr
        if self.rename:
            expr = expr.xreplace(self.rename)
        rep = {}
        free = expr.free_symbols
        free_indices = {s.name for a in expr.atoms(sp.Indexed) for s in a.indices
                        if isinstance(s, sp.Symbol) and s in free}
        for s in free:
            if isinstance(s, sp.Symbol) and s.name in self.sizes and s != self.sizes[s.name]:
                rep[s] = self.sizes[s.name]
            elif isinstance(s, sp.Symbol) and "_" in s.name:
                base, _, sub = s.name.rpartition("_")
                letters = index_letters(sub)
                if len(letters) == 1 and (base in self.indexed_labels or letters[0] in free_indices):
                    c = letters[0]
                    rep[s] = indexed_base(base)[index_symbol(c) if c.isalpha() else sp.Integer(c)]
        if rep:
            expr = expr.xreplace(rep)
        return expr


    def _defined_entry(self, target: Tensor) -> Value:
        """A generic entry of a defined vector (h[r], yhat[i, r]): an Indexed when the left
        side is a name."""
        taken = set(self.ix.taken)
        r, c = sp.Dummy("r", integer=True), sp.Dummy("c", integer=True)
        entry = target.entry(r, c) if target.kind == "mat" else target.entry(r)
        self.ix.taken = taken
        return entry


def is_plain_name(label: str) -> bool:
    """`W`, `yhat`, `x_1` — not a label such as `(X^T X)^{-1}`."""
    return label.replace("_", "").isalnum()


def _indexed_labels(parsed: list[Parsed]) -> set[str]:
    """The names indexed (`x[i]`) or vector-valued anywhere in the input."""
    labels: set[str] = set()
    for p in parsed:
        for _, v in p.relations:
            if isinstance(v, sp.Basic):
                labels |= {str(a.base.label) for a in v.atoms(sp.Indexed)}
            elif isinstance(v, Tensor):
                labels.add(v.label)
    return labels

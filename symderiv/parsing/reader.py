"""A whole input (its statements and `--where` definitions) -> one Problem.

The first statement is the formula (a function definition `L(\\theta) = …`, an equation, or a
bare expression); each later `name = …` statement is a definition, any other relation a claim.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symderiv.core.errors import ParseError
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
from symderiv.parsing.expr import ExprParser
from symderiv.parsing.heads import Head, Relation
from symderiv.parsing.lexer import Token, check_limits, tokenize
from symderiv.parsing.linalg import Indices, Tensor
from symderiv.parsing.shapes import NameScanner
from symderiv.parsing.state import ReadState
from symderiv.parsing.statements import (
    Statement,
    body_latex,
    has_relation,
    leading_subscript_indices,
    split_statements,
    strip_math_delimiters,
)
from symderiv.parsing.symbols import Value, display_name, index_letters, index_symbol, indexed_base, is_name, real


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


class Reader(ReadState):
    """Reads a whole input (statements + where-definitions) into one Problem."""

    def __init__(self, latex: str, where: list[str], context: Problem | None = None) -> None:
        super().__init__(latex, context)
        self.where = where
        self._places: list[tuple[str, int]] = []   # where each definition starts, for a caret

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
        self._scan_shapes([t for s in statements for t in s.tokens])
        self.ix = Indices(self.letters | {"k"})
        parsed = [self._statement(s, first=(n == 0)) for n, s in enumerate(statements)]
        return self._assemble(parsed)

    def single_expression(self) -> Value:
        check_limits(self.source)
        tokens = tokenize(self.source)
        self._scan_shapes(tokens)
        self.ix = Indices(self.letters | {"k"})
        if self.context:
            self.functions |= {self.context.name} if self.context.name else set()
            for dfn in self.context.definitions:
                self.functions.discard(dfn.name)
        p = ExprParser(self, tokens, self.source)
        value = p.expression()
        p.expect_end()
        return self._finish(self.component(value))

    # -- shapes: which names are vectors or matrices, from the whole input at once
    def _scan_shapes(self, tokens: list[Token]) -> None:
        names = NameScanner(tokens)
        self.letters |= names.letters
        for name, upper in names.vector_like():
            (self.matrices if upper else self.vectors).add(name)
        self.row_vectors |= names.row_vectors()
        self.functions |= names.heads

    # -- one statement
    def _statement(self, st: Statement, first: bool) -> Parsed:
        p = ExprParser(self, [*st.tokens, Token("end", "", len(st.source), len(st.source))], st.source)
        head = p.try_head()
        if head is not None:
            self.functions.add(head.name)
            return Parsed("function", head, p.relation_chain(after_head=True), st)
        lhs_bound = leading_subscript_indices(st.tokens)
        if lhs_bound and (not first or has_relation(st.tokens)):
            p.bound.append(lhs_bound)
        return Parsed("plain", None, p.relation_chain(), st)

    # -- the Problem
    def _assemble(self, parsed: list[Parsed]) -> Problem:
        self.indexed_labels = _indexed_labels(parsed)
        definitions, claims, conditions = self._definitions_and_claims(parsed[1:])
        check_acyclic(definitions, self._places)
        main = self._main(parsed[0])
        expr = self._finish(self.component(main.body))
        definitions = index_definitions(definitions, expr)
        variables, note = default_variables(main.args, expr, definitions)
        vectors = frozenset(v for v in self.vectors if uses_base(expr, definitions, v))
        sizes = tuple(sorted(((str(k), v) for k, v in self.sizes.items()), key=lambda kv: kv[0]))
        return Problem(source=self.source, expr=expr, kind=main.kind, name=main.name, args=main.args,
                       lhs=main.lhs, definitions=tuple(definitions), variables=variables,
                       variables_note=note, vectors=vectors, sizes=sizes,
                       latex=body_latex(self.source), relation=main.relation,
                       readings=tuple(self.readings), claims=tuple(claims), conditions=tuple(conditions),
                       also=main.also)

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
                entry = self.component(body)
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

"""LaTeX -> Problem, reading the notation the way a machine-learning reader means it.

Why a grammar of our own in front of latex2sympy2_extended: PARSING.md measured that 46 of the
68 corpus formulas come out wrong in every existing parser, and the failures are decisions about
*extent* (how far a `\\sum` reaches, whether `y(…)` is a call, what `^T` binds to), which no
pre- or post-processing of another parser's output can undo. This module owns those decisions
(the ML-notation layer); commands it does not know are handed to latex2sympy2_extended
(`_delegate`). Every failure becomes a ParseError with a column; nothing is ever `eval`ed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from symderiv.ml import notation as N
from symderiv.core.errors import ParseError, SymderivError
from symderiv.parsing.lexer import Token, check_limits, tokenize
from symderiv.core.limits import time_limit
from symderiv.parsing.linalg import Indices, Tensor, add, multiply, promote
from symderiv.core.problem import Definition, Problem, substitute_definitions

PARSE_TIME_LIMIT = 1.5  # so that input that hits the limit still ends within 2 s
MAX_POWER_BITS = 20_000   # a literal power a**b with more bits than this is refused, not computed
MAX_BINOMIAL = 1000
INDEX_LETTERS = set("ijklmt")
ELLIPSIS = sp.Symbol(r"\cdots", real=True)   # stands for left-out items while parsing only
SCALAR_NAMES = {"lambda", "eta", "alpha", "gamma", "sigma", "epsilon", "delta", "mu", "beta_0",
                "n", "m", "c", "C", "K", "N", "t", "tau", "rho", "pi", "e"}


def real(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def index_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True)


def size_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


def indexed_base(name: str) -> sp.IndexedBase:
    return sp.IndexedBase(name, real=True)


# --------------------------------------------------------------------------- public verbs
def parse(latex: str, where=(), timeout: float = PARSE_TIME_LIMIT) -> Problem:
    """Read a formula (and its definitions) into a Problem.

    `latex` may hold several statements separated by `,` `;` `\\text{where}` or `\\Rightarrow`:
    the first is the function, later `name = …` statements are definitions (as are `where`).
    """
    if not isinstance(latex, str):
        raise ParseError("the formula must be text")
    _preload_delegate(latex, where)
    with time_limit(timeout, "parsing"):
        return _guarded(lambda: _Reader(latex, list(where)).problem(), latex)


def parse_expression(latex: str, problem: Problem | None = None,
                     timeout: float = PARSE_TIME_LIMIT) -> sp.Basic:
    """Read one expression with the symbol conventions of `problem` (its vectors, its
    intermediates), e.g. a claimed derivative to compare with the true one."""
    if not isinstance(latex, str):
        raise ParseError("the formula must be text")
    _preload_delegate(latex)
    with time_limit(timeout, "parsing"):
        def run():
            reader = _Reader(latex, [], context=problem)
            return reader.single_expression()
        return _guarded(run, latex)


def _guarded(fn, source: str):
    try:
        return fn()
    except SymderivError:
        raise
    except RecursionError:
        raise ParseError("the formula is nested too deeply", source, None) from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, ZeroDivisionError,
            NotImplementedError, ArithmeticError) as exc:
        raise ParseError(f"could not read this formula ({exc})", source, None) from None


# --------------------------------------------------------------------------- statements
@dataclass
class _Statement:
    tokens: list[Token]
    source: str


@dataclass
class _Head:
    """`L(\\theta)`, `f(x, y)`, `\\mathrm{softmax}(z)_k`: the left side of a function definition."""

    name: str
    args: list
    arg_names: list[str]
    latex_name: str
    subscript: str | None = None


class _Reader:
    """Reads a whole input (statements + where-definitions) into one Problem."""

    def __init__(self, latex: str, where: list[str], context: Problem | None = None):
        self.source = latex
        self.where = where
        self.context = context
        self.vectors: set[str] = set(context.vectors) if context else set()
        self.matrices: set[str] = set()
        self.functions: set[str] = set()
        self.row_vectors: set[str] = set()
        self.sizes: dict[str, sp.Symbol] = {}
        self.letters: set[str] = set()

    # -- entry points
    def problem(self) -> Problem:
        text = _strip_math_delimiters(self.source)
        if not text.strip():
            raise ParseError("the formula is empty", self.source, 0)
        check_limits(self.source)
        for d in self.where:
            if not isinstance(d, str):
                raise ParseError("a definition must be text")
            check_limits(d)
        main_tokens = tokenize(self.source)
        where_tokens = [(d, tokenize(d)) for d in self.where]
        statements = _split_statements(main_tokens, self.source)
        statements += [_Statement(toks[:-1], d) for d, toks in where_tokens]
        self._scan_shapes([t for s in statements for t in s.tokens])
        self.ix = Indices(self.letters | {"k"})
        parsed = [self._statement(s, first=(n == 0)) for n, s in enumerate(statements)]
        return self._assemble(parsed)

    def single_expression(self):
        check_limits(self.source)
        tokens = tokenize(self.source)
        self._scan_shapes(tokens)
        self.ix = Indices(self.letters | {"k"})
        if self.context:
            self.functions |= {self.context.name} if self.context.name else set()
            for dfn in self.context.definitions:
                self.functions.discard(dfn.name)
        p = _ExprParser(self, tokens, self.source)
        value = p.expression()
        p.expect_end()
        return self._finish(self._component(value))

    # -- shapes: which names are vectors or matrices, from the whole input at once
    def _scan_shapes(self, tokens: list[Token]) -> None:
        names = _NameScanner(tokens)
        self.letters |= names.letters
        for name, upper in names.vector_like():
            (self.matrices if upper else self.vectors).add(name)
        self.row_vectors |= names.row_vectors()
        self.functions |= names.heads

    # -- one statement
    def _statement(self, st: _Statement, first: bool):
        p = _ExprParser(self, st.tokens + [Token("end", "", len(st.source), len(st.source))], st.source)
        head = p.try_head()
        if head is not None:
            self.functions.add(head.name)
            rels = p.relation_chain(after_head=True)
            return ("function", head, rels, st)
        lhs_bound = _leading_subscript_indices(st.tokens)
        if lhs_bound and not first:
            p.bound.append(lhs_bound)
        elif lhs_bound and first and _has_relation(st.tokens):
            p.bound.append(lhs_bound)
        rels = p.relation_chain()
        return ("plain", None, rels, st)

    def _assemble(self, parsed) -> Problem:
        self.indexed_labels = set()
        for _, _, rels, _ in parsed:
            for _, v in rels:
                if isinstance(v, sp.Basic):
                    self.indexed_labels |= {str(a.base.label) for a in v.atoms(sp.Indexed)}
                elif isinstance(v, Tensor):
                    self.indexed_labels.add(v.label)
        kind0, head, rels, st = parsed[0]
        definitions: list[Definition] = []
        claims: list = []
        for kind, h, r, s in parsed[1:]:
            if len(r) >= 2 and kind == "plain" and _is_name(r[0][1]):
                target = self._finish(r[0][1])
                value = self._finish(self._component(r[1][1]))
                definitions.append(Definition(target, value, s.source.strip()))
            elif len(r) >= 2 and kind == "function":
                target = real(h.name) if not h.args else sp.Function(h.name)(*h.args)
                claims.append((self._finish(target), self._finish(self._component(r[1][1]))))
            elif len(r) >= 2:
                claims.append((self._finish(self._component(r[0][1])),
                               self._finish(self._component(r[1][1]))))
            else:
                raise ParseError("a definition must have the form `name = expression`",
                                 s.source, 0)
        extra = {"claims": tuple(claims)}
        name, args, lhs, problem_kind = None, (), None, "expression"
        if kind0 == "function":
            name = head.name
            args = tuple(self._finish(a) for a in head.args)
            if len(rels) < 2:
                raise ParseError(f"`{head.latex_name}(…)` needs a body: `{head.latex_name}(…) = …`",
                                 self.source, len(self.source))
            body = rels[1][1]
            problem_kind = "function"
            extra["relation"] = rels[1][0]
            if len(rels) > 2:
                extra["also"] = tuple(self._finish(self._component(v)) for _, v in rels[2:])
            lhs = self._finish(sp.Function(name)(*args) if args else real(name))
        elif len(rels) >= 2:
            left = rels[0][1]
            body = rels[1][1]
            if _is_name(left) and rels[1][0] in ("=", ":=") and not _is_update(left, body):
                problem_kind = "function"
                name = _display_name(left)
                lhs = self._finish(_entry_of(left) if isinstance(body, Tensor) else left)
            else:
                problem_kind = "equation"
                lhs = self._finish(self._component(left))
                if isinstance(body, Tensor):
                    entry = self._component(body)
                    lhs = _gradient_entry(lhs, {str(a.base.label) for a in entry.atoms(sp.Indexed)})
            extra["relation"] = rels[1][0]
            if len(rels) > 2:
                extra["also"] = tuple(self._finish(self._component(v)) for _, v in rels[2:])
        else:
            body = rels[0][1]
        expr = self._finish(self._component(body))
        definitions = self._index_definitions(definitions, expr)
        variables, note = _default_variables(name, args, expr, definitions, self.vectors)
        vectors = frozenset(v for v in self.vectors if _uses_base(expr, definitions, v))
        sizes = tuple(sorted(((str(k), v) for k, v in self.sizes.items()), key=lambda kv: kv[0]))
        return Problem(source=self.source, expr=expr, kind=problem_kind, name=name, args=args,
                       lhs=lhs, definitions=tuple(definitions), variables=variables,
                       variables_note=note, vectors=vectors, sizes=sizes,
                       latex=_body_latex(self.source), extra=extra)

    def _index_definitions(self, definitions, expr):
        """`\\hat{y} = …` used as `yhat[i]` under a sum defines yhat[i] (and vice versa)."""
        out = []
        for d in definitions:
            t = d.target
            if isinstance(t, sp.Symbol):
                bases = [a for a in expr.atoms(sp.Indexed) if str(a.base.label) == t.name]
                if bases:
                    idx = bases[0].indices
                    t = indexed_base(t.name)[idx]
            out.append(Definition(t, d.expr, d.latex))
        return out

    # -- values
    def _component(self, value):
        """A vector-valued result is read as its k-th component (k free, 1-based)."""
        if isinstance(value, Tensor):
            k = index_symbol("k")
            if value.kind == "mat":
                raise ParseError("a matrix-valued formula is not supported here; write one entry "
                                 "such as A_{ij}", self.source, 0)
            return value.entry(k)
        return value

    def _finish(self, expr):
        """Unify symbols across statements: size symbols are positive integers, `z_k` is the
        entry `z[k]` of a name indexed elsewhere, and `y_i` next to a free index i (the i-th
        sample `x_i` outside a sum) is `y[i]`."""
        if isinstance(expr, Tensor):
            expr = self._component(expr)
        if not isinstance(expr, sp.Basic):
            return expr
        rep = {}
        labels = getattr(self, "indexed_labels", set())
        free = expr.free_symbols
        free_indices = {s.name for a in expr.atoms(sp.Indexed) for s in a.indices
                        if isinstance(s, sp.Symbol) and s in free}
        for s in free:
            if isinstance(s, sp.Symbol) and s.name in self.sizes and s != self.sizes[s.name]:
                rep[s] = self.sizes[s.name]
            elif isinstance(s, sp.Symbol) and "_" in s.name:
                base, _, sub = s.name.rpartition("_")
                letters = _index_letters(sub)
                if len(letters) == 1 and (base in labels or letters[0] in free_indices):
                    c = letters[0]
                    rep[s] = indexed_base(base)[index_symbol(c) if c.isalpha() else sp.Integer(c)]
        if rep:
            expr = expr.xreplace(rep)
        return expr


def _entry_of(name):
    """`theta` on the left of a vector-valued right side: its k-th entry theta[k]."""
    if isinstance(name, sp.Symbol):
        return indexed_base(name.name)[index_symbol("k")]
    return name


def _gradient_entry(lhs, vector_labels):
    """`\\nabla_\\theta L(\\theta)` equal to a vector: the k-th entry dL/dtheta_k, when theta
    is indexed on the right side."""
    if not isinstance(lhs, sp.Derivative):
        return lhs
    rep = {v: indexed_base(v.name)[index_symbol("k")] for v in lhs.variables
           if isinstance(v, sp.Symbol) and v.name in vector_labels}
    return lhs.xreplace(rep) if rep else lhs


def _is_argument(v) -> bool:
    """A head argument: a name, or a power of one (`\\ell(\\mu, \\sigma^2)`)."""
    if isinstance(v, sp.Pow):
        v = v.base
    return isinstance(v, (sp.Symbol, sp.Indexed))


def _is_update(left, body) -> bool:
    """θ^{(t+1)} = …, θ := θ − η∇L: an update rule (an equation), not a function definition."""
    name = _display_name(left)
    if "^{(" in name:
        return True
    if isinstance(body, Tensor):
        return False
    return any(_display_name(a) == name for a in body.atoms(sp.Symbol, sp.Indexed)
               if not isinstance(a, sp.Dummy))


def _is_name(v) -> bool:
    return isinstance(v, (sp.Symbol, sp.Indexed)) and not isinstance(v, sp.Dummy)


def _display_name(v) -> str:
    return str(v.base.label) if isinstance(v, sp.Indexed) else v.name


def _uses_base(expr, definitions, name) -> bool:
    exprs = [expr] + [d.expr for d in definitions]
    return any(str(a.base.label) == name for e in exprs for a in e.atoms(sp.Indexed))


def _default_variables(name, args, expr, definitions, vectors):
    """The function's arguments, else the single free symbol, else ML parameters by convention."""
    full = substitute_definitions(expr, definitions)
    if args:
        out = []
        for a in args:
            for s in sorted(a.free_symbols, key=str) if not isinstance(a, sp.Symbol) else [a]:
                if s.name not in out:
                    out.append(s.name)
        return tuple(out), ""
    free = _free_names(full)
    if len(free) == 1:
        return (free[0],), ""
    params = [p for p in N.PARAMETER_NAMES if p in free] or [
        p for p in N.DISTRIBUTION_PARAMETERS if p in free]
    if params:
        return tuple(params), ("no variables given: differentiating by the parameters "
                               + ", ".join(params) + " (ML convention)")
    return tuple(free), ("no variables given: differentiating by every free symbol" if free else "")


def _free_names(expr) -> list[str]:
    names = []
    for s in sorted(expr.free_symbols, key=str):
        if isinstance(s, sp.Symbol) and not (s.is_integer and s.name in N.DEFAULT_SIZE.values()):
            if s.is_integer and (s.is_positive or len(s.name) == 1 and s.name in INDEX_LETTERS):
                continue
            names.append(s.name)
    for a in expr.atoms(sp.Indexed):
        label = str(a.base.label)
        if label not in names:
            names.append(label)
    return sorted(set(names), key=names.index)


def _strip_math_delimiters(s: str) -> str:
    t = s.strip()
    for a, b in (("$$", "$$"), ("$", "$"), (r"\[", r"\]"), (r"\(", r"\)")):
        if t.startswith(a) and t.endswith(b) and len(t) >= len(a) + len(b):
            return t[len(a):len(t) - len(b)]
    return t


def _body_latex(source: str) -> str:
    return _strip_math_delimiters(source).strip()


def _has_relation(tokens) -> bool:
    return any(t.is_("punct", "=") or t.is_("punct", ":=") for t in tokens)


def _leading_subscript_indices(tokens: list[Token]) -> set[str]:
    """`\\hat{y}_i = …`: the left side's subscript letters are the definition's free indices."""
    depth = 0
    for n, t in enumerate(tokens):
        if t.kind == "punct" and t.text in ("=", ":="):
            if depth == 0:
                letters = set()
                for m in range(n):
                    if tokens[m].is_("punct", "_"):
                        nxt = tokens[m + 1] if m + 1 < n else None
                        if nxt is not None and nxt.kind == "letter":
                            letters.add(nxt.text)
                        elif nxt is not None and nxt.is_("punct", "{"):
                            k = m + 2
                            while k < n and tokens[k].kind == "letter":
                                letters.add(tokens[k].text)
                                k += 1
                return {x for x in letters if x in INDEX_LETTERS}
            return set()
        if t.kind == "punct" and t.text in "{([":
            depth += 1
        elif t.kind == "punct" and t.text in "})]":
            depth -= 1
    return set()


def _split_statements(tokens: list[Token], source: str) -> list[_Statement]:
    """Top-level `;`, `\\text{where}`, `\\Rightarrow`, and `,` before another `name = …`."""
    parts: list[list[Token]] = [[]]
    depth = 0
    n = 0
    toks = tokens[:-1]
    while n < len(toks):
        t = toks[n]
        if t.kind == "punct" and t.text in "{([":
            depth += 1
        elif t.kind == "punct" and t.text in "})]":
            depth -= 1
        elif t.kind == "cmd" and t.text == "left":
            depth += 1
        elif t.kind == "cmd" and t.text == "right":
            depth -= 1
        if depth == 0:
            if t.kind == "cmd" and t.text in ("Rightarrow", "implies", "Longrightarrow", "quad", "qquad") \
                    and t.text not in ("quad", "qquad"):
                parts.append([])
                n += 1
                continue
            if t.is_("punct", ";"):
                parts.append([])
                n += 1
                continue
            w = _where_word(toks, n, source)
            if w:
                parts.append([])
                n += w
                continue
            if t.is_("punct", ",") and _has_relation(_until_sep(toks, n + 1)) and _has_relation(parts[-1]):
                parts.append([])
                n += 1
                continue
        parts[-1].append(t)
        n += 1
    parts = [p for p in parts if p]
    while parts and all(t.kind == "punct" and t.text in ".," for t in parts[-1]):
        parts.pop()
    if not parts:
        raise ParseError("the formula is empty", source, 0)
    return [_Statement(p, source) for p in parts]


def _until_sep(toks, start):
    out = []
    depth = 0
    for t in toks[start:]:
        if t.kind == "punct" and t.text in "{([":
            depth += 1
        elif t.kind == "punct" and t.text in "})]":
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.text in ",;":
            break
        out.append(t)
    return out


def _where_word(toks, n, source) -> int:
    """Length in tokens of a `where` / `\\text{where}` / `\\quad\\text{where}` separator at n."""
    t = toks[n]
    if t.kind == "cmd" and t.text in ("text", "mathrm", "textrm", "quad", "qquad"):
        m = n
        while m < len(toks) and toks[m].kind == "cmd" and toks[m].text in ("quad", "qquad", ",", ";"):
            m += 1
        if m < len(toks) and toks[m].kind == "cmd" and toks[m].text in ("text", "mathrm", "textrm") \
                and m + 1 < len(toks) and toks[m + 1].is_("punct", "{"):
            close = m + 2
            while close < len(toks) and not toks[close].is_("punct", "}"):
                close += 1
            if close < len(toks):
                word = source[toks[m + 1].end:toks[close].pos].strip().strip(",:").lower()
                if word in ("where", "with", "and", "for", "其中", "这里"):
                    return close + 1 - n
        return 0
    if t.kind == "letter" and t.text == "w":
        word = "".join(x.text for x in toks[n:n + 5] if x.kind == "letter")
        contiguous = all(toks[n + q].pos == t.pos + q for q in range(min(5, len(toks) - n)))
        if word == "where" and contiguous:
            return 5
    return 0


# --------------------------------------------------------------------------- shape scan
class _NameScanner:
    """One pass over the tokens: which names are transposed, normed, bold, or sit right after a
    transposed name (`\\theta^T x_i`: x is a vector too), which letters are in use, and which
    names head a function definition."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.letters = {t.text for t in tokens if t.kind == "letter"}
        self.marked: dict[str, bool] = {}
        self.heads: set[str] = set()
        self.bare: set[str] = set()
        self._scan()

    def row_vectors(self) -> set[str]:
        """Vectors only ever written with a subscript (`x_i`): the i-th sample's vector."""
        return {n for n, upper in self.marked.items() if not upper and n not in self.bare}

    def vector_like(self):
        return [(name, upper) for name, upper in self.marked.items()]

    def _name_at(self, n):
        """(name, index after the name) for a symbol-like token run at n, else (None, n)."""
        t = self.tokens[n]
        if t.kind == "letter":
            return t.text, n + 1
        if t.kind == "cmd" and t.text in N.GREEK:
            return t.text, n + 1
        if t.kind == "cmd" and (t.text in N.BOLD_FONTS or t.text in N.ACCENTS) and n + 1 < len(self.tokens):
            m = n + 1
            if self.tokens[m].is_("punct", "{"):
                m += 1
            if m < len(self.tokens):
                inner, after = self._name_at(m)
                if inner:
                    if after < len(self.tokens) and self.tokens[after].is_("punct", "}"):
                        after += 1
                    if t.text in N.ACCENTS:
                        inner = inner + N.ACCENTS[t.text]
                    return inner, after
        return None, n + 1

    def _mark(self, name):
        if name and name not in SCALAR_NAMES:
            self.marked[name] = name[0].isupper()

    def _transpose_at(self, n) -> int:
        """Length of a `^T` / `^\\top` / `^{T}` at n, else 0."""
        tk = self.tokens
        if n + 1 < len(tk) and tk[n].is_("punct", "^"):
            a = tk[n + 1]
            if a.is_("letter", "T") or a.is_("cmd", "top") or a.is_("cmd", "intercal") or a.is_("cmd", "mathsf"):
                if a.is_("cmd", "mathsf"):
                    return 5 if n + 4 < len(tk) and tk[n + 3].is_("letter", "T") else 0
                return 2
            if a.is_("punct", "{") and n + 3 < len(tk) and tk[n + 3].is_("punct", "}") and (
                    tk[n + 2].is_("letter", "T") or tk[n + 2].is_("cmd", "top") or tk[n + 2].is_("cmd", "intercal")):
                return 4
        return 0

    def _skip_subscript(self, n) -> int:
        tk = self.tokens
        if n < len(tk) and tk[n].is_("punct", "_"):
            if n + 1 < len(tk) and tk[n + 1].is_("punct", "{"):
                depth, m = 0, n + 1
                while m < len(tk):
                    if tk[m].is_("punct", "{"):
                        depth += 1
                    elif tk[m].is_("punct", "}"):
                        depth -= 1
                        if depth == 0:
                            return m + 1
                    m += 1
                return m
            return n + 2
        return n

    def _group_names(self, start, end):
        out = []
        m = start
        while m < end:
            t = self.tokens[m]
            if t.kind == "cmd" and t.text in ("frac", "sum", "sqrt", "log", "exp", "ln"):
                return []  # not a plain linear-algebra group
            name, after = self._name_at(m)
            if name:
                out.append(name)
                m = self._skip_subscript(after)
                if m == after:
                    self.bare.add(name)
            else:
                m += 1
        return out

    def _scan(self):
        tk = self.tokens
        n = 0
        while n < len(tk):
            t = tk[n]
            if t.kind == "cmd" and t.text in N.BOLD_FONTS:
                name, after = self._name_at(n)
                self._mark(name)
            if t.kind == "cmd" and t.text in ("|", "lVert", "Vert") or t.is_("cmd", "langle"):
                closer = {"|": "|", "lVert": "rVert", "Vert": "Vert", "langle": "rangle"}[t.text]
                m = n + 1
                while m < len(tk) and not tk[m].is_("cmd", closer):
                    m += 1
                for name in self._group_names(n + 1, m):
                    self._mark(name)
                n = m + 1
                continue
            name, after = self._name_at(n)
            if name:
                after_sub = self._skip_subscript(after)
                if after_sub == after:
                    self.bare.add(name)
                tl = self._transpose_at(after_sub) or self._transpose_at(after)
                if tl:
                    self._mark(name)
                    nxt = (after_sub if self._transpose_at(after_sub) else after) + tl
                    if nxt < len(tk):
                        follower, _ = self._name_at(nxt)
                        self._mark(follower)
                        if tk[nxt].is_("punct", "(") or tk[nxt].is_("cmd", "left"):
                            close = _matching(tk, nxt)
                            for g in self._group_names(nxt + 1, close):
                                self._mark(g)
            if t.is_("punct", "(") or t.is_("cmd", "left"):
                close = _matching(tk, n)
                if close + 1 < len(tk) and self._transpose_at(close + 1):
                    for g in self._group_names(n + 1, close):
                        self._mark(g)
            n += 1


def _matching(tk: list[Token], n: int) -> int:
    """Index of the token closing the group opened at n (by depth), or the last index."""
    depth = 0
    m = n
    while m < len(tk):
        t = tk[m]
        if t.kind == "punct" and t.text in "([{" or t.is_("cmd", "left"):
            depth += 1
        elif t.kind == "punct" and t.text in ")]}" and not (m > 0 and tk[m - 1].is_("cmd", "right")):
            depth -= 1
        elif t.is_("cmd", "right"):
            depth -= 1
            m += 1  # skip the delimiter that follows \right
        if depth == 0:
            return m
        m += 1
    return len(tk) - 1


# --------------------------------------------------------------------------- expressions
_STOP_TERM = {"+", "-", "=", ":=", ",", ";", ")", "]", "}", "&", "<", ">", "|"}
_REL_CMDS = {"le", "leq", "ge", "geq", "ne", "neq", "lt", "gt", "approx", "coloneqq", "equiv",
             "triangleq", "leqslant", "geqslant", "in", "to", "mapsto", "Rightarrow", "implies"}
_STOP_CMDS = {"right", "end", "mid", "rangle", "rVert", "rvert", "\\", "cr", "pm", "mp"} | _REL_CMDS


class _ExprParser:
    """Recursive descent over one statement's tokens, producing SymPy (or Tensor) values."""

    def __init__(self, reader: _Reader, tokens: list[Token], source: str):
        self.r = reader
        self.t = tokens
        self.n = 0
        self.source = source
        self.bound: list[set[str]] = []
        self.abs_depth = 0
        self.norm_depth = 0
        self.arg_depth = 0
        self.limit: int | None = None

    # -- token helpers
    @property
    def tok(self) -> Token:
        if self.limit is not None and self.n >= self.limit:
            return Token("end", "", self.t[self.n].pos, self.t[self.n].pos)
        return self.t[self.n]

    def peek(self, k=1) -> Token:
        m = self.n + k
        return self.t[m] if m < len(self.t) else self.t[-1]

    def take(self) -> Token:
        t = self.tok
        if t.kind != "end":
            self.n += 1
        return t

    def error(self, message, tok: Token | None = None):
        tok = tok or self.tok
        return ParseError(message, self.source, tok.pos)

    def expect(self, kind, text=None) -> Token:
        t = self.tok
        if not t.is_(kind, text):
            want = {"punct": text, "cmd": f"\\{text}"}.get(kind, text or kind)
            got = "the end of the formula" if t.kind == "end" else repr(self.source[t.pos:t.end])
            raise self.error(f"expected {want!r} but found {got}")
        return self.take()

    def _closing(self, at: int) -> int:
        """Index of the bracket closing the one at `at`; ParseError when it is never closed."""
        close = _matching(self.t, at)
        want = {"{": "}", "(": ")", "[": "]"}[self.t[at].text]
        if not self.t[close].is_("punct", want):
            raise ParseError(f"{self.t[at].text!r} is never closed", self.source, self.t[at].pos)
        return close

    def expect_end(self):
        if self.tok.kind != "end":
            t = self.tok
            raise self.error(f"unexpected {self.source[t.pos:t.end]!r}")

    def skip_ignored(self):
        while self.tok.kind == "cmd" and self.tok.text in N.IGNORED:
            self.take()

    def is_bound(self, letter: str) -> bool:
        return any(letter in b for b in self.bound)

    # -- heads: L(\theta) = …
    def try_head(self) -> _Head | None:
        start, taken = self.n, set(self.r.ix.taken)
        try:
            head = self._head()
        except ParseError:
            head = None
        if head is None:
            self.n = start
            self.r.ix.taken = taken
        return head

    def _head(self) -> _Head | None:
        self.skip_ignored()
        t = self.tok
        name = latex_name = None
        if t.kind == "letter":
            name = latex_name = t.text
            self.take()
        elif t.kind == "cmd" and t.text in N.GREEK:
            name, latex_name = t.text, "\\" + t.text
            self.take()
        elif t.kind == "cmd" and t.text in N.FONTS and t.text not in N.BOLD_FONTS:
            self.take()
            name = self.raw_group_text()
            latex_name = f"\\{t.text}{{{name}}}"
            if not re.fullmatch(r"[A-Za-z]+", name or ""):
                return None
        else:
            return None
        if self.tok.is_("punct", "_"):
            self.take()
            sub = self.script_text()
            name = f"{name}_{sub}"
            latex_name = f"{latex_name}_{{{sub}}}"
        if not self.tok.is_("punct", "("):
            return None
        close = _matching(self.t, self.n)
        after = self.t[close + 1] if close + 1 < len(self.t) else self.t[-1]
        sub_after = None
        rel_at = close + 1
        if after.is_("punct", "_"):
            brace = close + 2 < len(self.t) and self.t[close + 2].is_("punct", "{")
            rel_at = _matching(self.t, close + 2) + 1 if brace else close + 3
        rel = self.t[rel_at] if rel_at < len(self.t) else self.t[-1]
        if not (rel.is_("punct", "=") or rel.is_("punct", ":=") or rel.is_("cmd", "coloneqq")):
            return None
        self.take()  # (
        args, arg_names = [], []
        self.arg_depth += 1
        while True:
            self.skip_ignored()
            start = self.n
            value = self.expression()
            if isinstance(value, Tensor):
                value = real(value.label) if value.label else self.r._component(value)
            args.append(value)
            arg_names.append(self.source[self.t[start].pos:self.tok.pos].strip())
            if self.tok.is_("punct", ",") or self.tok.is_("cmd", "mid") or self.tok.is_("cmd", "|") \
                    or self.tok.is_("punct", ";") or self.tok.is_("punct", "|"):
                self.take()
                continue
            break
        self.arg_depth -= 1
        self.expect("punct", ")")
        if not all(_is_argument(a) for a in args):
            return None  # σ(θ^T x_i) = …: an equation about a value, not a definition
        if self.tok.is_("punct", "_"):
            self.take()
            sub_after = self.script_text()
            name = f"{name}_{sub_after}"
        # head arguments that are applied in the body are functions (P(x) in KL(P‖Q))
        for a in args:
            if isinstance(a, sp.Symbol) and a.name[:1].isupper():
                self.r.functions.add(a.name)
        return _Head(name, args, [str(a) for a in args], latex_name, sub_after)

    # -- relations
    def relation_chain(self, after_head: bool = False):
        """[(relation, value), ...]: the first relation is None (`a = b = c` keeps all)."""
        out = [(None, None)] if after_head else [(None, self.expression())]
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
            try:
                out.append((rel, self.expression()))
            finally:
                self.bound.pop()
        self.skip_ignored()
        if self.tok.is_("punct", ".") or self.tok.is_("punct", ","):
            self.take()
        self.expect_end()
        return out

    def _entry_indices(self) -> set[str]:
        """`H = [\\frac{\\partial^2 f}{\\partial \\theta_i \\partial \\theta_j}]`: a bracketed
        right side is a matrix of entries, its subscript letters (i, j) are its indices."""
        start = self.n + 1 if self.tok.is_("cmd", "left") else self.n
        if not self.t[start].is_("punct", "["):
            return set()
        close = _matching(self.t, start if start == self.n else self.n)
        after = self.t[close + 1] if close + 1 < len(self.t) else self.t[-1]
        if not (after.kind == "end" or after.is_("punct", "=") or after.is_("punct", ".")):
            return set()
        letters = set()
        for m in range(start, close):
            if self.t[m].is_("punct", "_") and self.t[m + 1].kind == "letter":
                letters.add(self.t[m + 1].text)
        return letters & INDEX_LETTERS

    # -- arithmetic
    def expression(self):
        self.skip_ignored()
        t = self.tok
        sign = 1
        if t.is_("punct", "+"):
            self.take()
        elif t.is_("punct", "-"):
            self.take()
            sign = -1
        if self.tok.kind == "end" or (self.tok.kind == "punct" and self.tok.text in ")]},=+-"):
            raise self.error("an operand is missing here")
        value = self.term()
        if sign < 0:
            value = multiply(sp.Integer(-1), value, self.r.ix)
        terms = [(t, value)]
        while True:
            self.skip_ignored()
            t = self.tok
            if t.is_("punct", "+") or t.is_("punct", "-"):
                self.take()
                self.skip_ignored()
                nxt = self.tok
                if nxt.kind == "end" or (nxt.kind == "punct" and nxt.text in ")]}=+-*/^_,&"):
                    raise self.error("an operand is missing after this operator", t)
                rhs = self.term()
                if t.text == "-":
                    rhs = multiply(sp.Integer(-1), rhs, self.r.ix)
                terms.append((t, rhs))
            elif t.is_("cmd", "pm") or t.is_("cmd", "mp"):
                raise self.error("`\\pm` stands for two formulas; write one of them")
            else:
                return self._sum_terms(terms)

    def _sum_terms(self, terms):
        """Add the terms at once (pairwise Add is quadratic); tensors are added pairwise."""
        if any(v == ELLIPSIS for _, v in terms):
            terms = self._sum_series(terms)
        if len(terms) > 1 and not any(isinstance(v, (Tensor, sp.Tuple)) for _, v in terms):
            value = sp.Add(*[v for _, v in terms])
            if value is sp.nan:
                raise self.error("this is undefined (∞ − ∞)", terms[0][0])
            return value
        value = terms[0][1]
        for tok, rhs in terms[1:]:
            value = self._add(value, rhs, tok)
        return value

    def _sum_series(self, terms):
        """`x_1 + x_2 + \\cdots + x_n` -> Sum(x[m], (m, 1, n)) among the other terms."""
        at = next(n for n, (_, v) in enumerate(terms) if v == ELLIPSIS)
        if at == 0 or at == len(terms) - 1:
            raise self.error("write a series as a_1 + a_2 + \\cdots + a_n", terms[at][0])
        last = terms[at + 1][1]
        m = self.r.ix.fresh()
        for first in range(at):
            if _generalize(terms[first][1], last, m) is not None:
                entry, upper = self._series([terms[first][1], ELLIPSIS, last], m, terms[at][0])
                series = (terms[first][0], sp.Sum(entry, (m, 1, upper)))
                return terms[:first] + [series] + terms[at + 2:]
        raise self.error("cannot tell what \\cdots stands for here: write its first and last "
                         "terms with subscripts 1 and n", terms[at][0])

    def _add(self, a, b, tok):
        if isinstance(a, sp.Tuple) or isinstance(b, sp.Tuple):
            raise self.error("a list (a, b, …) cannot be added", tok)
        a, b = _promote_scaled(a, b), _promote_scaled(b, a)
        if isinstance(a, Tensor) and isinstance(b, sp.Symbol):
            b = promote(b, a)
        elif isinstance(b, Tensor) and isinstance(a, sp.Symbol):
            a = promote(a, b)
        elif isinstance(b, Tensor) and isinstance(a, sp.Mul) and len(a.args) == 2 and a.args[0] == -1 \
                and isinstance(a.args[1], sp.Symbol):
            a = promote(a.args[1], b).map(lambda e: -e)
        elif isinstance(a, Tensor) and isinstance(b, sp.Mul) and len(b.args) == 2 and b.args[0] == -1 \
                and isinstance(b.args[1], sp.Symbol):
            b = promote(b.args[1], a).map(lambda e: -e)
        try:
            value = add(a, b)
        except ValueError as exc:
            raise self.error(str(exc), tok) from None
        if value is sp.nan:
            raise self.error("this is undefined (∞ − ∞)", tok)
        return value

    def term(self):
        value = self.factor()
        while True:
            self.skip_ignored()
            t = self.tok
            if t.is_("cmd", "cdot") or t.is_("cmd", "times") or t.is_("punct", "*") or t.is_("cmd", "ast"):
                self.take()
                self._operand_follows(t)
                value = self._mul(value, self.factor(), t, explicit=True)
            elif t.is_("punct", "/") or t.is_("cmd", "div"):
                self.take()
                self._operand_follows(t)
                rhs = self.factor()
                if isinstance(rhs, Tensor):
                    raise self.error("cannot divide by a vector", t)
                if rhs == 0:
                    raise self.error("division by zero", t)
                value = self._mul(value, sp.Pow(rhs, -1), t)
            elif self._starts_factor(t):
                value = self._mul(value, self.factor(), t)
            else:
                return value

    def _operand_follows(self, op: Token):
        self.skip_ignored()
        t = self.tok
        if t.kind == "end" or (t.kind == "punct" and t.text in ")]}=+*/^_,&"):
            raise self.error("an operand is missing after this operator", op)

    def _mul(self, a, b, tok, explicit=False):
        if isinstance(a, sp.Tuple) or isinstance(b, sp.Tuple):
            raise self.error("a list (a, b, …) cannot be multiplied", tok)
        try:
            return multiply(a, b, self.r.ix, explicit_dot=explicit)
        except ValueError as exc:
            raise self.error(str(exc), tok) from None

    def _starts_factor(self, t: Token) -> bool:
        if t.kind in ("letter", "num"):
            return True
        if t.kind == "punct":
            if t.text in ("(", "[", "{"):
                return True
            if t.text == "|":
                return self.abs_depth == 0
            return False
        if t.kind == "cmd":
            if t.text in _STOP_CMDS or t.text in ("cdot", "times", "div", "ast", "pm", "mp"):
                return False
            if t.text == "|":
                return self.norm_depth == 0 and not self._norm_is_separator()
            if t.text == "left":
                nxt = self.peek()
                return not (nxt.is_("punct", "|") and self.abs_depth) and not (nxt.is_("cmd", "|") and self.norm_depth)
            if t.text in ("text", "mathrm") and self._is_text_word():
                return False
            return True
        return False

    def _norm_is_separator(self) -> bool:
        """Inside call arguments, `\\|` separates (KL(P \\| Q)) unless it opens a closed norm."""
        if not self.arg_depth:
            return False
        m = self.n + 1
        while m < len(self.t):
            tk = self.t[m]
            if tk.is_("cmd", "|"):
                return False
            if tk.is_("punct", ")") or tk.is_("punct", ","):
                return True
            m += 1
        return True

    def _is_text_word(self) -> bool:
        """`\\text{if}`, `\\text{otherwise}`: words of a cases row, not symbols."""
        if not self.peek().is_("punct", "{"):
            return False
        m = self.n + 2
        words = []
        while m < len(self.t) and self.t[m].kind == "letter":
            words.append(self.t[m].text)
            m += 1
        return "".join(words).lower() in ("if", "otherwise", "else", "for", "where", "and", "or", "when")

    def factor(self):
        self.skip_ignored()
        t = self.tok
        if t.is_("punct", "-"):
            self.take()
            return multiply(sp.Integer(-1), self.factor(), self.r.ix)
        if t.is_("punct", "+"):
            self.take()
            return self.factor()
        value = self.postfix(self.atom())
        if isinstance(value, sp.Basic) and value.has(sp.zoo, sp.nan):
            raise self.error("this is undefined (a division by zero, a log of 0, or ∞ − ∞)", t)
        return value

    def postfix(self, base):
        powered = False
        while True:
            t = self.tok
            if t.is_("punct", "^"):
                if powered:  # LaTeX refuses x^a^b too; a chain of them would nest without bound
                    raise self.error("double superscript: write x^{a^{b}} or {x^{a}}^{b}", t)
                powered = True
                self.take()
                base = self.superscript(base, t)
            elif t.is_("punct", "!"):
                self.take()
                if not (isinstance(base, sp.Integer) or isinstance(base, sp.Symbol)):
                    raise self.error("factorials are supported of a number or a symbol only", t)
                if isinstance(base, sp.Integer) and base > 20:
                    raise self.error("factorials of numbers above 20 are refused (too large)", t)
                base = sp.factorial(base)
            elif t.is_("punct", "_") and isinstance(base, Tensor):
                raise self.error("subscripts on a vector expression are not supported", t)
            else:
                return base

    def superscript(self, base, caret: Token):
        if isinstance(base, sp.Tuple):
            raise self.error("a list (a, b, …) cannot be raised to a power", caret)
        t = self.tok
        if self._transpose_len():
            self._take_transpose()
            if isinstance(base, Tensor):
                return base.transpose()
            if isinstance(base, (sp.Symbol, sp.Indexed)):
                raise self.error("`^T` on a scalar: transposes need vectors or matrices", caret)
            return base  # the transpose of a scalar is itself
        # (t) / (i) superscripts: iteration or sample labels, not powers
        if t.is_("punct", "{") and self.peek().is_("punct", "(") and isinstance(base, (sp.Symbol, sp.Indexed, Tensor)):
            close = self._closing(self.n + 1)
            if close + 1 < len(self.t) and self.t[close + 1].is_("punct", "}"):
                label = self.source[self.t[self.n + 1].end:self.t[close].pos].strip()
                for _ in range(close + 2 - self.n):
                    self.take()
                return self._labelled(base, label)
        if t.is_("punct", "(") and isinstance(base, (sp.Symbol, sp.Indexed)):
            close = self._closing(self.n)
            label = self.source[self.t[self.n].end:self.t[close].pos].strip()
            for _ in range(close + 1 - self.n):
                self.take()
            return self._labelled(base, label)
        exponent = self.script_value()
        if isinstance(exponent, Tensor):
            raise self.error("an exponent cannot be a vector", caret)
        if isinstance(base, Tensor):
            if exponent == -1 and base.kind == "mat":
                label = f"({base.label or 'A'})^{{-1}}"
                inv = indexed_base(label)
                return Tensor("mat", base.dims[::-1], lambda a, b: inv[a, b], label)
            if exponent == 2 and base.rank == 1:
                return multiply(base.transpose() if base.kind == "col" else base,
                                base if base.kind == "col" else base.transpose(), self.r.ix)
            raise self.error("powers of vectors or matrices are not supported", caret)
        if base == sp.E:
            return sp.exp(exponent)
        if _too_large(base, exponent):
            raise self.error("this power is too large a number to compute", caret)
        return sp.Pow(base, exponent)

    def _labelled(self, base, label):
        if isinstance(base, sp.Symbol):
            if re.fullmatch(r"[a-z]", label) and self.is_bound(label):
                return indexed_base(base.name)[index_symbol(label)]
            return real(f"{base.name}^{{({label})}}")
        raise self.error("a parenthesised superscript must follow a plain symbol")

    def _transpose_len(self) -> int:
        t, a = self.tok, self.peek()
        if t.is_("letter", "T") or t.is_("cmd", "top") or t.is_("cmd", "intercal") or t.is_("cmd", "mathsf") and self.peek(2).is_("letter", "T"):
            return 1
        if t.is_("punct", "{") and (a.is_("letter", "T") or a.is_("cmd", "top") or a.is_("cmd", "intercal")) \
                and self.peek(2).is_("punct", "}"):
            return 3
        return 0

    def _take_transpose(self):
        if self.tok.is_("cmd", "mathsf"):
            self.take()
            self.take()
            self.take()
            self.take()
            return
        for _ in range(self._transpose_len()):
            self.take()

    def script_value(self):
        """The value of a `^`/`_` argument: a braced group or one token (`x^2`, `x^23` = x²·3)."""
        t = self.tok
        if t.is_("punct", "{"):
            self.take()
            if self.tok.is_("punct", "}"):
                raise self.error("an empty group `{}` has no value")
            value = self.expression()
            self.expect("punct", "}")
            return value
        if t.kind == "num":
            return self._first_digit()
        if t.kind == "letter":
            self.take()
            return self.symbol_value(t.text)
        if t.kind == "cmd":
            if t.text in N.GREEK:
                self.take()
                return self.symbol_value(t.text)
            if t.text == "infty":
                self.take()
                return sp.oo
            return self.atom()
        if t.is_("punct", "-"):
            self.take()
            return -self.script_value()
        raise self.error("a superscript or subscript is missing here")

    def _first_digit(self):
        t = self.take()
        if len(t.text) > 1 and "." not in t.text:
            self.n -= 1
            self.t[self.n] = Token("num", t.text[1:], t.pos + 1, t.end)
            return sp.Integer(t.text[0])
        return _number(t.text)

    def script_text(self) -> str:
        """A subscript as a name suffix: `_i`, `_{ij}`, `_\\theta`, `_{KL}`, `_{t+1}`."""
        t = self.tok
        if t.is_("punct", "{"):
            return _subscript_name(self.raw_group_text())
        if t.kind == "num":
            v = self._first_digit()
            return str(v)
        if t.kind == "letter":
            self.take()
            return t.text
        if t.kind == "cmd" and t.text in N.GREEK:
            self.take()
            return t.text
        if t.kind == "cmd" and (t.text in N.FONTS or t.text in N.ACCENTS):
            self.take()
            inner = self.raw_group_text()
            return _subscript_name(inner)
        raise self.error("a subscript is missing here")

    def raw_group_text(self) -> str:
        t = self.tok
        if t.is_("punct", "{"):
            close = self._closing(self.n)
            text = self.source[t.end:self.t[close].pos]
            self.n = close + 1
            return text.strip()
        if t.kind in ("letter", "num"):
            self.take()
            return t.text
        if t.kind == "cmd":
            self.take()
            return "\\" + t.text
        raise self.error("a group `{…}` is missing here")

    # -- atoms
    def atom(self):
        self.skip_ignored()
        t = self.tok
        if t.kind == "num":
            self.take()
            return _number(t.text)
        if t.kind == "letter":
            return self.named(t.text, t)
        if t.kind == "prime":
            raise self.error("a prime must follow a function name")
        if t.kind == "punct":
            if t.text == "(":
                return self.group("(", ")")
            if t.text == "[":
                return self.group("[", "]")
            if t.text == "{":
                self.take()
                if self.tok.is_("punct", "}"):
                    raise self.error("an empty group `{}` has no value", t)
                v = self.expression()
                self.expect("punct", "}")
                return v
            if t.text == "|":
                return self.absolute("|", "punct")
            if t.kind == "end":
                raise self.error("the formula ends where a value is expected")
            raise self.error(f"unexpected {t.text!r}")
        if t.kind == "end":
            raise self.error("the formula ends where a value is expected")
        return self.command(t)

    def group(self, open_, close):
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

    def _items(self) -> list:
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

    def _list_value(self, items: list, tok: Token):
        """One item is itself; `[a_1, \\cdots, a_n]` is the vector with entries a_k; else a tuple."""
        if len(items) == 1:
            return items[0]
        items = [self.r._component(i) for i in items]
        if ELLIPSIS not in items:
            return sp.Tuple(*items)
        k = index_symbol("k")
        entry, upper = self._series(items, k, tok)
        return Tensor("col", (upper,), lambda r: entry.xreplace({k: r}))

    def _series(self, items: list, k, tok: Token):
        """`a_1, a_2, \\cdots, a_m` -> (a_k, m), checked against the last item."""
        at = items.index(ELLIPSIS)
        if at == 0 or at != len(items) - 2:
            raise self.error("write a series as a_1, a_2, \\cdots, a_n", tok)
        found = _generalize(items[0], items[-1], k)
        if found is None:
            raise self.error("cannot tell what \\cdots stands for here: write its first and last "
                             "terms with subscripts 1 and n", tok)
        entry, upper = found
        if isinstance(upper, sp.Symbol):
            upper = self._size(upper.name)
        return entry, upper

    def command(self, t: Token):
        name = t.text
        if name in N.GREEK:
            return self.named(name, t)
        handler = _COMMANDS.get(name)
        if handler is not None:
            return handler(self, t)
        if name in N.ELEMENTARY:
            return self.function_command(t, N.ELEMENTARY[name])
        if name in N.ACCENTS or name in N.FONTS:
            return self.named(name, t)
        if name in N.UNSUPPORTED:
            raise self.error(N.UNSUPPORTED[name])
        if name in ("int", "iint", "oint"):
            return self.integral(t)
        if name in ("begin",):
            return self.environment(t)
        if name in _REL_CMDS or name in ("right", "end"):
            raise self.error(f"unexpected \\{name}")
        return self._delegate(t)

    # -- names and symbols
    def named(self, first: str, t: Token):
        """A symbol, an indexed quantity, a vector, or a function call, from a name."""
        name, bold = self.read_name()
        sub = None
        if self.tok.is_("punct", "_"):
            self.take()
            sub = self.script_text()
        primes = 0
        if self.tok.kind == "prime":
            primes = int(self.take().text)
        # a call: known function, declared head, \sigma(, f(, \ell(, h_\theta(
        if self.tok.is_("punct", "(") or (self.tok.is_("cmd", "left") and self.peek().is_("punct", "(")):
            fname = f"{name}_{sub}" if sub else name
            if self._is_function(name, fname, t.text if t.kind == "cmd" else None):
                return self.call(fname, name, primes, t)
        if primes:
            return real(name + "'" * primes)  # x' is another point, not a derivative
        if name == "e" and sub is None and not bold:
            return sp.E
        if name == "pi" and sub is None:
            return sp.pi
        return self.symbol_value(name, sub, bold)

    def _is_function(self, name, fname, font) -> bool:
        """Whether `name(` opens a call (`\\sigma(z)`, `L(\\theta)`) or a product (`y(w^T x + b)`)."""
        if fname in self.r.functions or name in self.r.functions:
            return True
        if name in N.FUNCTION_LETTERS:
            return True
        if font == "operatorname" or (font in N.FONTS and font not in N.BOLD_FONTS and len(name) > 1):
            return True
        if self._named_quantity_call(name):
            return True
        if name.lower() in N.ML_NAMED and len(name) > 1 and name not in N.GREEK:
            return True
        # p(x \mid \mu, \sigma^2): a conditional density is a call
        close = _matching(self.t, self.n)
        if any(self.t[m].is_("cmd", "mid") for m in range(self.n, close)):
            return True
        # the operand of \nabla_\theta L(…)
        if self.n >= 2 and any(self.t[m].is_("cmd", "nabla") for m in range(max(0, self.n - 6), self.n)):
            return True
        return False

    def _named_quantity_call(self, name) -> bool:
        """`L(\\theta)`, `H(f)`, `P(x)`, `\\Phi(z)`: an upper-case name applied to plain names
        (no operators inside) is a call; `C(x + 1)` and matrices (`X(\\theta)`) stay products."""
        if not name[:1].isupper() or name in self.r.matrices or name in self.r.vectors:
            return False
        if len(name) > 1 and name not in N.GREEK:
            return False
        start = self.n + 1 if self.tok.is_("cmd", "left") else self.n
        close = _matching(self.t, start)
        for tk in self.t[start + 1:close]:
            if tk.kind == "punct" and tk.text in "+-*/=!<>&":
                return False
            if tk.kind == "cmd" and tk.text not in N.GREEK and tk.text not in N.ACCENTS \
                    and tk.text not in N.FONTS and tk.text not in ("mid", "|", ",", ";", "right"):
                return False
        return True

    def read_name(self):
        """Letters, Greek, accents and fonts -> (name, bold). `\\hat{y}` -> yhat."""
        t = self.take()
        if t.kind == "letter":
            return t.text, False
        name = t.text
        if name in N.GREEK:
            return name, False
        if name in N.ACCENTS:
            inner = self._accent_inner()
            return inner + N.ACCENTS[name], False
        if name in N.FONTS:
            inner = self.raw_group_text()
            inner = _font_name(inner)
            if not inner:
                raise self.error("an empty name", t)
            return inner, name in N.BOLD_FONTS
        raise self.error(f"unexpected \\{name}", t)

    def _accent_inner(self) -> str:
        t = self.tok
        if t.is_("punct", "{"):
            self.take()
            if self.tok.kind in ("letter",) or self.tok.kind == "cmd" and (self.tok.text in N.GREEK or self.tok.text in N.FONTS or self.tok.text in N.ACCENTS):
                inner, _ = self.read_name()
            else:
                raise self.error("an accent must be put on a letter")
            if self.tok.is_("punct", "_"):
                # \hat{y_i}: the subscript inside the accent
                self.take()
                sub = self.script_text()
                self.expect("punct", "}")
                self._pending_sub = sub
                return f"{inner}"
            self.expect("punct", "}")
            return inner
        if t.kind == "letter" or t.kind == "cmd" and t.text in N.GREEK:
            self.take()
            return t.text
        raise self.error("an accent must be put on a letter")

    def symbol_value(self, name: str, sub: str | None = None, bold: bool = False):
        pending = getattr(self, "_pending_sub", None)
        if pending is not None and sub is None:
            sub = pending
        self._pending_sub = None
        r = self.r
        is_vec = name in r.vectors or (bold and name[:1].islower())
        is_mat = name in r.matrices or (bold and name[:1].isupper())
        if sub is not None:
            letters = _index_letters(sub)
            if name == "delta" and len(letters) == 2 and all(c.isalpha() for c in letters):
                return sp.KroneckerDelta(index_symbol(letters[0]), index_symbol(letters[1]))  # δ_{kl}
            bound = [c for c in letters if self.is_bound(c)] if letters else []
            if len(letters) == 1 and letters[0] in INDEX_LETTERS and name in r.row_vectors:
                i = index_symbol(letters[0])
                base = indexed_base(name)
                return Tensor("col", (self._size("d"),), lambda j: base[i, j], f"{name}_{sub}")
            if bound:
                base = indexed_base(name)
                idx = [index_symbol(c) if c.isalpha() else sp.Integer(c) for c in letters]
                return base[tuple(idx)] if len(idx) > 1 else base[idx[0]]
            if is_vec and letters and len(letters) == 1 and letters[0] in INDEX_LETTERS:
                # θ_j outside a sum: the j-th entry of the vector θ
                return indexed_base(name)[index_symbol(letters[0])]
            return real(f"{name}_{sub}")
        if is_mat:
            base = indexed_base(name)
            rows = self._size("n") if name == "X" else self._size("d")
            return Tensor("mat", (rows, self._size("d")), lambda a, b: base[a, b], name)
        if is_vec:
            base = indexed_base(name)
            dim = self._size("d")
            return Tensor("col", (dim,), lambda j: base[j], name)
        return real(name)

    def _size(self, name: str) -> sp.Symbol:
        s = size_symbol(name)
        self.r.sizes.setdefault(name, s)
        return self.r.sizes[name]

    # -- calls
    def call(self, fname: str, base_name: str, primes: int, t: Token):
        left = self.tok.is_("cmd", "left")
        if left:
            self.take()
        open_tok = self.expect("punct", "(")
        args = []
        if self.tok.is_("punct", ")"):
            raise self.error("a function call needs an argument", open_tok)
        self.arg_depth += 1
        while True:
            value = self.expression()
            args.append(self.r._component(value) if isinstance(value, Tensor) else value)
            if self.tok.is_("punct", ",") or self.tok.is_("cmd", "mid") or self.tok.is_("cmd", "|") \
                    or self.tok.is_("punct", ";"):
                self.take()
                continue
            break
        self.arg_depth -= 1
        self._close_paren(open_tok, left, "expected ')' to close the call")
        fn = self.function_object(fname, base_name, len(args))
        value = fn(*args)
        if primes:
            if len(args) != 1:
                raise self.error("primes are supported on functions of one variable", t)
            var = args[0]
            if not isinstance(var, (sp.Symbol, sp.Indexed)):
                d = sp.Dummy("u", real=True)
                value = sp.Subs(sp.Derivative(fn(d), (d, primes)), d, var)
            else:
                value = sp.Derivative(value, (var, primes))
        if self.tok.is_("punct", "_") and fname.lower() in ("softmax",) or (self.tok.is_("punct", "_") and isinstance(value, sp.Function)):
            self.take()
            sub = self.script_text()
            value = sp.Function(f"{fname}_{sub}")(*args)
        return value

    def function_object(self, fname: str, base_name: str, nargs: int):
        if fname in self.r.functions or (fname not in ("sigma",) and base_name in self.r.functions):
            return sp.Function(fname)
        known = N.ML_NAMED.get(fname.lower()) if fname not in N.GREEK or fname == "sigma" else None
        if known is not None and nargs == 1:
            return known
        return sp.Function(fname)

    def function_command(self, t: Token, fn):
        """\\sin x, \\tanh^2(x), \\exp(…), \\ln x: power before the argument applies to the result."""
        self.take()
        power = None
        if self.tok.is_("punct", "^"):
            self.take()
            power = self.script_value()
        arg = self.function_argument(t)
        value = fn(arg)
        return sp.Pow(value, power) if power is not None else value

    def function_argument(self, t: Token):
        self.skip_ignored()
        nxt = self.tok
        if nxt.is_("punct", "(") or (nxt.is_("cmd", "left") and self.peek().is_("punct", "(")):
            return self._parenthesised()
        if nxt.kind == "end" or (nxt.kind == "punct" and nxt.text in ")]}=+*/^_,&") or nxt.is_("cmd", "right"):
            raise self.error(f"\\{t.text} needs an argument", t)
        if nxt.is_("cmd", "sum") or nxt.is_("cmd", "prod"):
            return self.atom()
        value = self.factor()
        return self.r._component(value) if isinstance(value, Tensor) else value

    def _parenthesised(self):
        left = self.tok.is_("cmd", "left")
        if left:
            self.take()
        open_tok = self.expect("punct", "(")
        if self.tok.is_("punct", ")"):
            raise self.error("empty parentheses have no value", open_tok)
        value = self.expression()
        self._close_paren(open_tok, left)
        return self.r._component(value) if isinstance(value, Tensor) else value

    def _close_paren(self, open_tok: Token, left: bool, expected: str = "expected ')'"):
        """The `)` (after `\\right` when opened by `\\left(`) that closes the group at open_tok."""
        if left:
            self.expect("cmd", "right")
        if not self.tok.is_("punct", ")"):
            if self.tok.kind == "end":
                raise ParseError("'(' is never closed", self.source, open_tok.pos)
            raise self.error(expected)
        self.take()

    # -- commands
    def _scripts(self):
        """(subscript, superscript) values after a command, in either order (`\\log_2`, `\\int_0^1`)."""
        sub = sup = None
        for _ in range(2):
            if self.tok.is_("punct", "_"):
                self.take()
                sub = self.script_value()
            elif self.tok.is_("punct", "^"):
                self.take()
                sup = self.script_value()
        return sub, sup

    def log(self, t: Token):
        self.take()
        base, power = self._scripts()
        arg = self.function_argument(t)
        if t.text == "lg":
            base = sp.Integer(10)
        value = sp.log(arg) if base is None or base == sp.E else sp.log(arg, base)
        return sp.Pow(value, power) if power is not None else value

    def frac(self, t: Token):
        self.take()
        if self._is_derivative_operator():
            return self.derivative_operator(t)
        num = self.frac_argument(t)
        den = self.frac_argument(t)
        if isinstance(den, Tensor):
            raise self.error("cannot divide by a vector", t)
        if den == 0:
            raise self.error("division by zero", t)
        return multiply(num, sp.Pow(den, -1), self.r.ix)

    def frac_argument(self, t: Token):
        if self.tok.is_("punct", "{"):
            open_tok = self.take()
            if self.tok.is_("punct", "}"):
                raise self.error("\\frac has an empty part", open_tok)
            value = self.expression()
            if not self.tok.is_("punct", "}"):
                if self.tok.kind == "end":
                    raise ParseError("'{' is never closed", self.source, open_tok.pos)
                raise self.error("expected '}'")
            self.take()
            return value
        if self.tok.kind == "num":
            return self._first_digit()
        if self.tok.kind == "letter":
            tk = self.take()
            return self.symbol_value(tk.text)
        if self.tok.kind == "cmd" and self.tok.text in N.GREEK:
            tk = self.take()
            return self.symbol_value(tk.text)
        raise self.error("\\frac needs two arguments: \\frac{numerator}{denominator}", t)

    def _is_derivative_operator(self) -> bool:
        """`\\frac{d}{dx}`, `\\frac{\\partial L}{\\partial \\theta}`, `\\frac{d^2 y}{dx^2}`."""
        if not self.tok.is_("punct", "{"):
            return False
        close = _matching(self.t, self.n)
        first = self.t[self.n + 1]
        if close + 1 >= len(self.t) or not self.t[close + 1].is_("punct", "{"):
            return False
        den_first = self.t[close + 2]
        num_is_d = first.is_("letter", "d") or first.is_("cmd", "partial") or (
            first.is_("cmd", "mathrm") and self.t[self.n + 2].is_("punct", "{") and self.t[self.n + 3].is_("letter", "d")
            and self.t[self.n + 4].is_("punct", "}"))
        den_is_d = den_first.is_("letter", "d") or den_first.is_("cmd", "partial") or den_first.is_("cmd", "mathrm")
        if not (num_is_d and den_is_d):
            return False
        return True

    def derivative_operator(self, t: Token):
        open_num = self.take()  # {
        self._take_d()
        if self.tok.is_("punct", "^"):  # the order d^2: the denominator's powers count
            self.take()
            self.script_value()
        target = None
        if not self.tok.is_("punct", "}"):
            target = self.expression()
        self.expect("punct", "}")
        self.expect("punct", "{")
        variables = []
        while not self.tok.is_("punct", "}"):
            if self.tok.kind == "end":
                raise ParseError("'{' is never closed", self.source, open_num.pos)
            self._take_d()
            var_tok = self.tok
            var = self.factor_no_power()
            count = 1
            if self.tok.is_("punct", "^"):
                self.take()
                c = self.script_value()
                count = int(c) if isinstance(c, sp.Integer) and 0 < c < 10 else 1
            var = self.r._component(var) if isinstance(var, Tensor) else var
            if isinstance(var, Tensor) or not isinstance(var, (sp.Symbol, sp.Indexed)):
                raise self.error("differentiate by a variable, e.g. \\partial x", var_tok)
            variables.extend([var] * count)
        self.take()
        if not variables:
            raise self.error("the derivative has no variable", t)
        if target is None:
            # the operator applies to the product that follows (like \sum)
            if not self._starts_factor(self.tok):
                raise self.error("the derivative operator needs something to act on", t)
            target = self.term()
        target = self.r._component(target) if isinstance(target, Tensor) else target
        if isinstance(target, (sp.Symbol, sp.Indexed)) and target not in variables:
            fname = _display_name(target)
            target = sp.Function(fname)(*_unique(variables))
        return sp.Derivative(target, *variables, evaluate=False)

    def _take_d(self):
        t = self.tok
        if t.is_("letter", "d") or t.is_("cmd", "partial"):
            self.take()
            return
        if t.is_("cmd", "mathrm"):
            self.take()
            if self.raw_group_text() != "d":
                raise self.error("expected d", t)
            return
        raise self.error("expected d or \\partial", t)

    def factor_no_power(self):
        """A variable after d/∂: `x`, `\\theta_j`, `\\hat{y}`, without taking `^2` (the order)."""
        t = self.tok
        if t.kind == "letter" or t.kind == "cmd" and (t.text in N.GREEK or t.text in N.ACCENTS or t.text in N.FONTS):
            name, bold = self.read_name()
            sub = None
            if self.tok.is_("punct", "_"):
                self.take()
                sub = self.script_text()
            return self.symbol_value(name, sub, bold)
        raise self.error("expected a variable")

    def sqrt(self, t: Token):
        self.take()
        root = None
        if self.tok.is_("punct", "["):
            self.take()
            root = self.expression()
            self.expect("punct", "]")
        arg = self.frac_argument(t) if self.tok.is_("punct", "{") or self.tok.kind in ("num", "letter") else self.atom()
        arg = self.r._component(arg) if isinstance(arg, Tensor) else arg
        return sp.sqrt(arg) if root is None else sp.root(arg, root)

    def big_operator(self, t: Token):
        """\\sum_{i=1}^{n} body and \\prod: the body is the product that follows."""
        self.take()
        index = lower = upper = None
        for _ in range(2):
            if self.tok.is_("punct", "_"):
                self.take()
                index, lower = self._sum_lower(t)
            elif self.tok.is_("punct", "^"):
                self.take()
                upper = self.script_value()
            while self.tok.is_("cmd", "limits") or self.tok.is_("cmd", "nolimits"):
                self.take()
        if index is None:
            raise self.error(f"\\{t.text} needs an index, e.g. \\{t.text}_{{i=1}}^{{n}}", t)
        name = index.name
        if upper is None:
            upper = self._size(N.DEFAULT_SIZE.get(name, "N"))
        if lower is None:
            lower = sp.Integer(1)
        if isinstance(upper, sp.Symbol):
            upper = self._size(upper.name)
        self.bound.append({name})
        try:
            self.skip_ignored()
            sign = 1
            if self.tok.is_("punct", "-") or self.tok.is_("punct", "+"):
                sign = -1 if self.take().text == "-" else 1   # \sum_i -[…]: a signed summand
            if not self._starts_factor(self.tok):
                raise self.error(f"\\{t.text} has nothing to sum", t)
            body = self.term()
            if sign < 0:
                body = multiply(sp.Integer(-1), body, self.r.ix)
        finally:
            self.bound.pop()
        body = _bind(body, index)
        if isinstance(body, Tensor):
            return body.map(lambda e: (sp.Sum if t.text == "sum" else sp.Product)(e, (index, lower, upper)))
        op = sp.Sum if t.text == "sum" else sp.Product
        return op(body, (index, lower, upper))

    def _sum_lower(self, t: Token):
        if self.tok.is_("punct", "{"):
            self.take()
            if self.tok.kind != "letter":
                raise self.error("the index of a sum must be a letter")
            idx = self.take().text
            lower = None
            if self.tok.is_("punct", "=") or self.tok.is_("cmd", "in"):
                rel = self.take()
                if rel.is_("punct", "="):
                    lower = self.expression()
                else:
                    self.expression()  # i \in S: the range is left symbolic
            self.expect("punct", "}")
            return index_symbol(idx), lower
        if self.tok.kind == "letter":
            return index_symbol(self.take().text), None
        raise self.error("the index of a sum must be a letter")

    def absolute(self, opener: str, kind: str):
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

    def norm(self, t: Token):
        """\\|v\\|, \\|v\\|_2, \\|v\\|^2 (the squared Euclidean norm: a sum of squares)."""
        open_tok = self.take()
        if open_tok.is_("cmd", "left"):
            self.take()
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
        p = 2
        if self.tok.is_("punct", "_"):
            sub_tok = self.take()
            p = self.script_value()
            if p not in (1, 2):
                raise self.error("only the L1 and Euclidean norms (\\|·\\|_1, \\|·\\|_2) are "
                                 "supported", sub_tok)
        if not isinstance(value, Tensor):
            if isinstance(value, sp.Symbol):
                value = Tensor("col", (self._size("d"),), lambda j, b=indexed_base(value.name): b[j], value.name)
            else:
                return sp.Abs(value)
        if value.kind == "mat":
            raise self.error("norms of matrices are not supported", open_tok)
        col = value if value.kind == "col" else value.transpose()
        if p == 1:
            j = self.r.ix.fresh(col.dims[0])
            return sp.Sum(sp.Abs(col.entry(j)), (j, 1, col.dims[0]))
        squared = multiply(col.transpose(), col, self.r.ix)
        if self.tok.is_("punct", "^") and (self.peek().is_("num", "2") or (
                self.peek().is_("punct", "{") and self.peek(2).is_("num", "2") and self.peek(3).is_("punct", "}"))):
            self.take()
            if self.tok.is_("punct", "{"):
                self.take()
                self.take()
                self.take()
            else:
                self.take()
            return squared
        return sp.sqrt(squared)

    def angle(self, t: Token):
        self.take()
        a = self.expression()
        self.expect("punct", ",")
        b = self.expression()
        if self.tok.is_("cmd", "right"):
            self.take()
        self.expect("cmd", "rangle")
        if not isinstance(a, Tensor):
            a = Tensor("col", (self._size("d"),), lambda j, base=indexed_base(str(a)): base[j])
        if not isinstance(b, Tensor):
            b = Tensor("col", (self._size("d"),), lambda j, base=indexed_base(str(b)): base[j])
        return multiply(a.transpose() if a.kind == "col" else a, b, self.r.ix)

    def left(self, t: Token):
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
            return self.absolute("|", "left")
        if nxt.is_("cmd", "|") or nxt.is_("cmd", "lVert") or nxt.is_("cmd", "Vert"):
            return self.norm(t)
        if nxt.is_("cmd", "langle"):
            self.take()
            return self.angle(t)
        if nxt.is_("cmd", "lvert"):
            self.take()
            return self.absolute("lvert", "cmd")
        if nxt.is_("punct", "."):
            self.take()
            self.take()
            return self.atom()
        raise self.error("unsupported delimiter after \\left")

    def _delimited(self, close: str, left_tok: Token, cmd: bool = False):
        open_tok = self.take()
        if (self.tok.is_("cmd", "right")):
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

    def nabla(self, t: Token):
        """∇_θ F: the gradient; its k-th component ∂F/∂θ_k when θ is a vector."""
        self.take()
        var = None
        if self.tok.is_("punct", "_"):
            self.take()
            var = self.script_value()
            if isinstance(var, Tensor):
                var = var.entry(index_symbol("k"))
        if not self._starts_factor(self.tok):
            raise self.error("\\nabla needs a function to act on", t)
        target = self.factor()
        target = self.r._component(target) if isinstance(target, Tensor) else target
        if var is None:
            cands = target.args if isinstance(target, sp.Function) and target.args else sorted(target.free_symbols, key=str)
            if not cands:
                raise self.error("\\nabla of a constant", t)
            var = cands[0]
        if isinstance(target, (sp.Symbol,)):
            target = sp.Function(target.name)(var)
        if isinstance(target, sp.Function) and var not in target.free_symbols and len(target.args) == 1:
            # ∇_θ L(θ^{(t)}): the gradient taken at θ = θ^{(t)}
            at = target.args[0]
            return sp.Subs(sp.Derivative(target.func(var), var, evaluate=False), var, at)
        return sp.Derivative(target, var, evaluate=False)

    def partial(self, t: Token):
        """`\\partial_x f`: the partial derivative by x."""
        self.take()
        if not self.tok.is_("punct", "_"):
            raise self.error("\\partial outside a fraction needs a subscript: \\partial_x f", t)
        self.take()
        var = self.script_value()
        target = self.factor()
        if isinstance(target, sp.Symbol):
            target = sp.Function(target.name)(var)
        return sp.Derivative(target, var, evaluate=False)

    def maxmin(self, t: Token):
        self.take()
        if self.tok.is_("punct", "_"):
            raise self.error(f"\\{t.text} over a set (arg{t.text}) is not supported", t)
        left = self.tok.is_("cmd", "left")
        if left:
            self.take()
        open_tok = self.expect("punct", "(") if not self.tok.is_("cmd", "{") else self.take()
        args = [self.expression()]
        while self.tok.is_("punct", ","):
            self.take()
            args.append(self.expression())
        self._close_paren(open_tok, left)
        args = [self.r._component(a) if isinstance(a, Tensor) else a for a in args]
        return (sp.Max if t.text == "max" else sp.Min)(*args)

    def integral(self, t: Token):
        self.take()
        lower, upper = self._scripts()
        # the integrand runs up to the differential d x
        m = self.n
        stop = None
        depth = 0
        while m < len(self.t) - 1:
            tk = self.t[m]
            if tk.kind == "punct" and tk.text in "([{":
                depth += 1
            elif tk.kind == "punct" and tk.text in ")]}":
                depth -= 1
            if depth == 0 and (tk.is_("letter", "d") or (tk.is_("cmd", "mathrm") and self.t[m + 1].is_("punct", "{")
                                                          and self.t[m + 2].is_("letter", "d"))):
                nxt = self.t[m + 1] if tk.kind == "letter" else self.t[m + 4]
                if nxt.kind == "letter" or nxt.kind == "cmd" and nxt.text in N.GREEK:
                    stop = m
                    break
            m += 1
        if stop is None:
            raise self.error("the integral has no differential (dx)", t)
        saved = self.limit
        self.limit = stop
        body = self.expression()
        self.limit = saved
        self.n = stop
        self._take_d()
        var = self.factor_no_power()
        if lower is not None and upper is not None:
            return sp.Integral(body, (var, lower, upper))
        return sp.Integral(body, var)

    def environment(self, t: Token):
        self.take()
        env = self.raw_group_text()
        if env not in ("cases", "dcases"):
            raise self.error(f"the {env} environment is not supported here", t)
        pieces = []
        while True:
            self.skip_ignored()
            value = self.expression()
            cond = sp.true
            if self.tok.is_("punct", "&"):
                self.take()
                cond = self.condition()
            pieces.append((self.r._component(value) if isinstance(value, Tensor) else value, cond))
            self.skip_ignored()
            if self.tok.is_("cmd", "\\") or self.tok.is_("cmd", "cr"):
                self.take()
                self.skip_ignored()
                if self.tok.is_("cmd", "end"):
                    break
                continue
            break
        self.expect("cmd", "end")
        self.raw_group_text()
        return sp.Piecewise(*pieces)

    def condition(self):
        """`\\text{if } |a| \\le \\delta`, `x > 0`, `\\text{otherwise}`."""
        self.skip_ignored()
        while self.tok.is_("cmd", "text") or self.tok.is_("cmd", "mathrm") or self.tok.is_("cmd", "textrm"):
            self.take()
            word = self.raw_group_text().strip().lower().rstrip(",")
            if word in ("otherwise", "else", "sonst", "否则", "其他"):
                return sp.true
            self.skip_ignored()
        if self.tok.is_("letter", "i") and self.peek().is_("letter", "f"):
            self.take()
            self.take()
        if self.tok.is_("cmd", "\\") or self.tok.is_("cmd", "end"):
            return sp.true
        lhs = self.expression()
        t = self.tok
        ops = {"<": sp.Lt, ">": sp.Gt, "le": sp.Le, "leq": sp.Le, "ge": sp.Ge, "geq": sp.Ge,
               "lt": sp.Lt, "gt": sp.Gt, "=": sp.Eq, "ne": sp.Ne, "neq": sp.Ne, "leqslant": sp.Le,
               "geqslant": sp.Ge}
        if t.text in ops and t.kind in ("punct", "cmd"):
            self.take()
            rhs = self.expression()
            return ops[t.text](lhs, rhs)
        raise self.error("expected a condition such as x > 0 or \\text{otherwise}")

    def ellipsis(self, t: Token):
        self.take()
        return ELLIPSIS

    def infinity(self, t: Token):
        self.take()
        return sp.oo

    def unsupported(self, t: Token):
        message = {"lim": "limits (\\lim) are not supported",
                   "pm": "`\\pm` stands for two formulas; write one of them"}.get(t.text)
        raise self.error(message or f"\\{t.text} is not supported")

    def binom(self, t: Token):
        """\\binom{n}{k}; refused for numbers above MAX_BINOMIAL (SymPy evaluates it at once)."""
        self.take()
        n, k = self.frac_argument(t), self.frac_argument(t)
        for v in (n, k):
            if isinstance(v, Tensor):
                raise self.error("a binomial coefficient of a vector", t)
            if v.is_Number and abs(v) > MAX_BINOMIAL:
                raise self.error(f"binomials of numbers above {MAX_BINOMIAL} are refused (too large)", t)
        return sp.binomial(n, k)

    def operator_without_operand(self, t: Token):
        raise self.error(f"an operand is missing before \\{t.text}")

    def _delegate(self, t: Token):
        """A command our layer does not know: hand `\\cmd{…}{…}` to latex2sympy2_extended."""
        if t.text not in DELEGATED:
            raise self.error(f"unknown command \\{t.text}", t)
        start = t.pos
        self.take()
        closer = {"lfloor": "rfloor", "lceil": "rceil"}.get(t.text)
        if closer:  # \lfloor … \rfloor: the whole bracket goes to latex2sympy
            while not self.tok.is_("cmd", closer):
                if self.tok.kind == "end":
                    raise ParseError(f"\\{t.text} is never closed by \\{closer}", self.source, t.pos)
                self.n += 1
            self.n += 1
        while self.tok.is_("punct", "{") or (self.tok.is_("punct", "(") and not closer):
            self.n = self._closing(self.n) + 1
        end = self.t[self.n - 1].end
        text = self.source[start:end]
        try:
            value = _latex2sympy(text)
        except SymderivError:
            raise
        except Exception:
            raise self.error(f"\\{t.text} could not be read here", t) from None
        if not isinstance(value, sp.Expr):
            raise self.error(f"\\{t.text} is not supported here", t)
        rep = {s: real(s.name) for s in value.free_symbols if isinstance(s, sp.Symbol)}
        return value.xreplace(rep)


# Commands latex2sympy2_extended reads that this layer leaves to it (from its grammar); any other
# unknown command is an error at once, without loading antlr.
DELEGATED = {"lfloor", "lceil", "floor", "ceil", "gcd", "lcm", "det", "mod", "arccot", "arccsc",
             "arcsec", "arcsinh", "arccosh", "arctanh", "arsinh", "arcosh", "artanh", "choose"}


def _preload_delegate(latex, where=()) -> None:
    """Import latex2sympy2_extended before the time limit starts when the input will need it
    (loading antlr takes about a second; it must not count as parsing time)."""
    texts = [latex] + [w for w in where if isinstance(w, str)]
    if any(isinstance(t, str) and re.search(r"\\(" + "|".join(DELEGATED) + r")(?![A-Za-z])", t) for t in texts):
        import latex2sympy2_extended  # noqa: F401


def _latex2sympy(text: str):
    """latex2sympy2_extended without its normalisation and lower-casing (imported on first use:
    it loads antlr, which `import symderiv.parse` should not pay for)."""
    from latex2sympy2_extended import latex2sympy
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig
    from latex2sympy2_extended.math_normalization import NormalizationConfig

    normalization = NormalizationConfig(basic_latex=False, units=False, malformed_operators=False,
                                        nits=False, boxed="none", equations=False)
    conversion = ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False)
    return latex2sympy(text, normalization_config=normalization, conversion_config=conversion)


_COMMANDS = {
    "frac": _ExprParser.frac, "dfrac": _ExprParser.frac, "tfrac": _ExprParser.frac,
    "cfrac": _ExprParser.frac,
    "sqrt": _ExprParser.sqrt,
    "sum": _ExprParser.big_operator, "prod": _ExprParser.big_operator,
    "log": _ExprParser.log, "lg": _ExprParser.log,
    "left": _ExprParser.left,
    "|": _ExprParser.norm, "lVert": _ExprParser.norm, "Vert": _ExprParser.norm,
    "lvert": lambda p, t: p.absolute("lvert", "cmd"),
    "langle": _ExprParser.angle,
    "nabla": _ExprParser.nabla, "partial": _ExprParser.partial,
    "max": _ExprParser.maxmin, "min": _ExprParser.maxmin,
    "cdots": _ExprParser.ellipsis, "ldots": _ExprParser.ellipsis, "dots": _ExprParser.ellipsis,
    "infty": _ExprParser.infinity,
    "lim": _ExprParser.unsupported, "pm": _ExprParser.unsupported, "mp": _ExprParser.unsupported,
    "binom": _ExprParser.binom, "dbinom": _ExprParser.binom, "tbinom": _ExprParser.binom,
    "cdot": _ExprParser.operator_without_operand, "times": _ExprParser.operator_without_operand,
    "div": _ExprParser.operator_without_operand, "ast": _ExprParser.operator_without_operand,
}


def _promote_scaled(value, other):
    """`\\lambda I` next to a matrix, `2y` next to a vector: scale times a promoted symbol."""
    if isinstance(other, Tensor) and isinstance(value, sp.Mul):
        coeff, rest = value.as_independent(*[s for s in value.free_symbols
                                              if s.name == "I" or s.name[:1].islower()], as_Add=False)
        syms = [f for f in sp.Mul.make_args(value) if isinstance(f, sp.Symbol) and (f.name == "I" or (
            other.kind != "mat" and f.name[:1].islower()))]
        if len(syms) == 1:
            sym = syms[0]
            scale = value / sym
            if not scale.has(sym):
                scaled = promote(sym, other).map(lambda e: scale * e)
                return Tensor(scaled.kind, scaled.dims, scaled.entry, f"{sp.sstr(scale)} {sym.name}")
    return value


def _bind(body, index):
    """The summation letter written as a plain symbol in the body (`\\sum_x P(x)`, `\\sum_i i`)
    is the index itself."""
    rep = {real(index.name): index}
    if isinstance(body, Tensor):
        return body.map(lambda e: e.xreplace(rep))
    return body.xreplace(rep)


def _generalize(first, last, k):
    """(a_k, m) from the first and last terms a_1, a_m of a series (`theta_1` or `theta[1]` in
    `first` whose counterpart in `last` is `theta_m`), or None when they do not match."""
    rep, rep_last, upper = {}, {}, None
    last_names = {s.name: s for s in last.free_symbols if isinstance(s, sp.Symbol)}
    for s in first.free_symbols:
        if isinstance(s, sp.Symbol) and s.name.endswith("_1"):
            base = s.name[:-2]
            ends = [n for n in last_names if n.startswith(base + "_") and n != s.name]
            if len(ends) == 1:
                sub = ends[0][len(base) + 1:]
                m = sp.Integer(sub) if sub.isdigit() else size_symbol(sub)
                if upper is not None and m != upper or not (sub.isdigit() or sub.isalpha()):
                    return None
                upper = m
                rep[s] = indexed_base(base)[k]
                rep_last[last_names[ends[0]]] = indexed_base(base)[m]
    for a in first.atoms(sp.Indexed):
        if a.indices[-1] == 1:
            ends = [b for b in last.atoms(sp.Indexed) if b.base == a.base and b != a
                    and b.indices[:-1] == a.indices[:-1]]
            if len(ends) == 1 and upper in (None, ends[0].indices[-1]):
                upper = ends[0].indices[-1]
                rep[a] = a.base[(*a.indices[:-1], k)]
    if not rep:
        return None
    entry = first.xreplace(rep)
    if entry.xreplace({k: upper}) != last.xreplace(rep_last):
        return None
    return entry, upper


def _too_large(base, exponent) -> bool:
    """Whether the number base**exponent would have more than MAX_POWER_BITS bits."""
    if not (isinstance(base, sp.Rational) and isinstance(exponent, sp.Rational)):
        return False
    if abs(base.p) <= 1 and base.q == 1:
        return False
    return abs(exponent) * max(abs(base.p), base.q).bit_length() > MAX_POWER_BITS


def _number(text: str):
    if "." in text:
        return sp.Rational(text)
    return sp.Integer(text)


def _subscript_name(text: str) -> str:
    """`{ij}` -> ij, `{\\theta}` -> theta, `{KL}` -> KL, `{t+1}` -> t+1, `{i,j}` -> i,j."""
    t = text.strip()
    t = re.sub(r"\\(mathrm|text|mathit|operatorname|mathbf)\s*\{([^{}]*)\}", r"\2", t)
    t = re.sub(r"\\([A-Za-z]+)", r"\1", t)
    t = t.replace(" ", "").replace("{", "").replace("}", "")
    return t


def _index_letters(sub: str) -> list[str]:
    """Index letters of a subscript: `i` -> [i], `ij` -> [i, j], `i,j` -> [i, j], else []."""
    s = sub.replace(",", "")
    if re.fullmatch(r"[a-z]{1,3}", s) and all(c in INDEX_LETTERS | {"n"} for c in s):
        return list(s)
    if re.fullmatch(r"[a-z]", s):
        return [s]
    if re.fullmatch(r"[a-z]\d", s):
        return list(s)
    return []


def _font_name(inner: str) -> str:
    t = inner.strip()
    t = re.sub(r"\\([A-Za-z]+)", r"\1", t)
    return t.replace(" ", "")


def _unique(seq):
    out = []
    for s in seq:
        if s not in out:
            out.append(s)
    return out

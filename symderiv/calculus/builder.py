"""The rule builder: picks a rule for each node by expression type (`BUILDERS`) and follows the
named intermediates (ŷ_i = σ(z_i), z_i = θᵀx_i) link by link, each link derived with the other
intermediates held as symbols, the links multiplied and simplified in terms of them.
"""
from __future__ import annotations

from collections.abc import Sequence

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symderiv.calculus import rules as R
from symderiv.calculus.results import Partial
from symderiv.calculus.rules import ChainThroughRule
from symderiv.calculus.shown import ByIdentity, Shown, record
from symderiv.calculus.simplify import textbook
from symderiv.calculus.written import written_matrix_rule
from symderiv.core.errors import DeriveError
from symderiv.core.problem import Definition, Problem, scalar_symbols, substitute_definitions
from symderiv.ml.functions import relu
from symderiv.parsing.parser import index_symbol, indexed_base, real


class Context:
    """Holds the definitions and builds rule trees; one per derivation.

    A sub-derivation asked for again (∂L/∂ŷ_i for w and for b, ∂/∂x_b of the same sum in every row
    of a Hessian) is the same rule object, built once (`share`); an inner function named once keeps
    its name; each rule's printed result is worked out once (`shown`)."""

    share = True    # False: every sub-derivation built afresh (tests compare the two trees)

    def __init__(self, problem: Problem, definitions: list[Definition]) -> None:
        self.problem = problem
        self.definitions = definitions
        self.vectors = set(problem.vectors)
        self.built: dict[tuple, R.Rule] = {}        # (builder, variable, expression) -> its rule
        self._names: dict[tuple, sp.Basic] = {}     # (inner, variable) -> the name it was given
        self._shown: ByIdentity[R.Rule, sp.Basic] = ByIdentity()
        self.full = problem.expanded()      # the function with every definition substituted
        self._used = {s.name for s in self.full.free_symbols if isinstance(s, sp.Symbol)}
        self._used |= {str(a.base.label) for a in self.full.atoms(sp.Indexed)}
        self._wrt: dict[str, tuple[bool, tuple | None]] = {}   # name -> (a whole matrix, the scalar variable)
        self._used |= {d.name for d in definitions}

    # -- variables
    def wrt_symbol(self, name: str, index_names: Sequence[str],
                   expr: sp.Basic | None = None) -> tuple[sp.Basic, tuple[sp.Basic, ...]]:
        """The variable named `name` (θ_k for a vector, W_kj for a matrix) and its free indices;
        a scalar's once per name (a Hessian asks for each column in every row)."""
        if name not in self._wrt:
            full = self.full
            whole = any(m.name == name for m in full.atoms(sp.MatrixSymbol))
            indexed = (whole or any(str(a.base.label) == name for a in full.atoms(sp.Indexed))) and not any(
                s.name == name for s in scalar_symbols(full))
            self._wrt[name] = (whole, None if indexed else (self._symbol_named(name), ()))
        whole, scalar = self._wrt[name]
        return scalar if scalar is not None else self._entry(name, index_names, expr, whole)

    def _entry(self, name: str, index_names: Sequence[str], expr: sp.Basic | None,
               whole: bool) -> tuple[sp.Basic, tuple[sp.Basic, ...]]:
        full = self.full
        # the free index must not be a name the formula already uses (z_k with a class k)
        taken = {s.name for s in full.free_symbols | getattr(expr, "free_symbols", set())
                 if isinstance(s, sp.Symbol)}
        dims = {len(a.indices) for a in full.atoms(sp.Indexed) if str(a.base.label) == name}
        dims |= {2} if whole else set()
        if len(dims) != 1 or not dims <= {1, 2}:
            raise DeriveError(f"{name} is used both as a vector and as a matrix")
        pool = [c for c in (*tuple(index_names), "k", "l", "m", "p", "q", "r", "s", "t") if c not in taken]
        if dims == {2}:
            # a matrix variable: ∂f/∂W_{kj}, the entry in row k and column j (the shape of W)
            second = next(c for c in ("j", "l", "m", "p", "q", "r", "s", "t") if c not in taken and c != pool[0])
            k, j = index_symbol(pool[0]), index_symbol(second)
            return indexed_base(name)[k, j], (k, j)
        k = index_symbol(pool[0])
        return indexed_base(name)[k], (k,)

    def _symbol_named(self, name: str) -> sp.Symbol:
        for s in scalar_symbols(self.full):
            if s.name == name:
                return s
        return real(name)

    def partial(self, expr: sp.Basic, name: str, index_names: Sequence[str]) -> Partial:
        var, index = self.wrt_symbol(name, index_names, expr)
        builder = _Builder(self, var)
        renamed = _rename_clashing_sums(expr, var)
        step = builder.build(renamed)
        if renamed != expr:
            step = R.RewriteRule(expr, var, renamed, step)
        raw = step.eval()
        result = textbook(raw, self.definitions, var)
        expanded = self.expand(result)
        record(step, tuple(self.definitions), self._shown)
        return Partial(name, index, var, step, raw, result, expanded)

    def shown(self) -> Shown:
        """Every rule's printed result, for the Derivation to carry (the printers only look up)."""
        return Shown(tuple(self.definitions), ByIdentity(self._shown.items()))

    def expand(self, expr: sp.Basic) -> sp.Basic:
        return substitute_definitions(expr, self.definitions)

    def definition_for(self, atom: sp.Basic) -> Definition | None:
        for d in self.definitions:
            if d.matches(atom):
                return d
        return None

    def auto_name(self, inner: sp.Basic, var: sp.Basic) -> sp.Basic:
        """A name for a chain rule's inner function: u, v, w, then u_1, … (z_i for a dot product);
        the same inner function by the same variable keeps the name it was given first."""
        given = self._names.get((inner, var))
        if given is not None:
            return given
        self._names[(inner, var)] = name = self._new_name(inner, var)
        return name

    def _new_name(self, inner: sp.Basic, var: sp.Basic) -> sp.Basic:
        free_idx = [s for s in inner.free_symbols if isinstance(s, sp.Symbol) and s.is_integer
                    and not s.is_positive and s not in getattr(var, "indices", ())]
        for cand in ("u", "v", "w", *tuple(f"u_{n}" for n in range(1, 50))):
            if cand not in self._used:
                self._used.add(cand)
                if len(free_idx) == 1 and "_" not in cand:
                    return indexed_base(cand)[free_idx[0]]
                return real(cand)
        return sp.Dummy("u", real=True)


class _Builder:
    """Builds the rule tree for d(expr)/d(var)."""

    def __init__(self, ctx: Context, var: sp.Basic) -> None:
        self.ctx = ctx
        self.var = var
        self._depends: dict[sp.Basic, bool] = {}

    # -- dependence, through intermediates
    def depends(self, expr: sp.Basic) -> bool:
        if expr in self._depends:
            return self._depends[expr]
        var = self.var
        if isinstance(var, sp.Indexed):
            direct = any(a.base == var.base for a in expr.atoms(sp.Indexed)) or _has_whole(expr, var)
        else:
            direct = expr.has(var)
        result = direct or any(self.depends(d.instance(a)) for a, d in self.intermediates(expr))
        self._depends[expr] = result
        return result

    def intermediates(self, expr: sp.Basic) -> list[tuple[sp.Basic, Definition]]:
        out = []
        atoms = expr.atoms(sp.Indexed) | {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
        for a in atoms:
            d = self.ctx.definition_for(a)
            if d is not None and a != self.var:
                out.append((a, d))
        return sorted(out, key=lambda p: sp.default_sort_key(p[0]))

    def direct(self, expr: sp.Basic) -> bool:
        var = self.var
        if isinstance(var, sp.Indexed):
            return any(a.base == var.base for a in expr.atoms(sp.Indexed)
                       if self.ctx.definition_for(a) is None)
        return expr.has(var)

    # -- dispatch
    def build(self, expr: sp.Basic) -> R.Rule:
        """The rule for d expr / d var; one object for a sub-derivation asked for again."""
        if not self.ctx.share:
            return self._build(expr)
        key = (type(self), self.var, expr)
        rule = self.ctx.built.get(key)
        if rule is None:
            rule = self.ctx.built[key] = self._build(expr)
        return rule

    def _build(self, expr: sp.Basic) -> R.Rule:
        var = self.var
        if expr == var:
            return R.VariableRule(expr, var)
        if not self.depends(expr):
            return R.ConstantRule(expr, var)
        if isinstance(expr, sp.Indexed) and isinstance(var, sp.Indexed) and expr.base == var.base:
            return R.KroneckerRule(expr, var)
        whole = _whole_matrix_rule(expr, var) or written_matrix_rule(self.build, expr, var)
        if whole is not None:
            return whole
        d = self.definition(expr)
        if d is not None:
            # a definition's own summation index may be the variable's (W_kj inside Σ_j W_rj x_j)
            inst = _rename_clashing_sums(d.instance(expr), var)
            return R.DefinitionRule(expr, var, inst, self.build(inst))
        # the derivative moves inside sums and past constants before any chain through names
        if isinstance(expr, sp.Mul):
            const, rest = expr.as_independent(*self._dependent_atoms(expr), as_Add=False)
            if const != 1 and rest != 1:
                return R.ConstantMultipleRule(expr, var, const, self.build(rest))
        if not isinstance(expr, sp.Sum) and not (isinstance(expr, sp.Add) and expr.has(sp.Sum)) \
                and self.intermediates_on_path(expr):
            self._refuse_through_products(expr)
            if not self._bound_on_path(expr, sp.Sum):
                return self.chain_through(expr)
            # an intermediate under a sum's own index (w_j in √(Σ_j w_j²)) is a whole family, not one
            # value to hold the others fixed against: the rules below move the derivative into the sum
        for cls in type(expr).__mro__:
            handler = BUILDERS.get(cls)
            if handler is not None:
                return handler(self, expr)
        if isinstance(expr, sp.Function) and type(expr) in R.ELEMENTARY_RULES:
            return self.elementary(expr)
        return R.FallbackRule(expr, var)

    def definition(self, atom: sp.Basic) -> Definition | None:
        return self.ctx.definition_for(atom)

    def _bound_on_path(self, expr: sp.Basic, kind: type) -> list[tuple[sp.Indexed, sp.Basic]]:
        """The intermediates on the path that carry the bound index of a `kind` (Sum or Product) in
        expr, each with that sum or product."""
        found = []
        for scope in expr.atoms(kind):
            bound = {lim[0] for lim in scope.limits}
            found += [(a, scope) for a, _d in self.intermediates_on_path(scope)
                      if isinstance(a, sp.Indexed) and bound & set(a.indices)]
        return found

    def _refuse_through_products(self, expr: sp.Basic) -> None:
        """An intermediate indexed by a product's own index (p_i in ∏_i p_i^{y_i}, p_i = softmax(z)_i) has
        no chain rule here yet: SymPy's derivative of the product would treat every p_i as the one
        differentiated by, a wrong answer. Refuse, and say what works."""
        for a, product in self._bound_on_path(expr, sp.Product)[:1]:
            bound = ", ".join(sorted(str(lim[0]) for lim in product.limits))
            name = f"{a.base}_{''.join(map(str, a.indices))}"
            raise DeriveError(
                f"cannot differentiate through the product over {bound} of the defined {name} yet: write "
                "its logarithm as a sum (log ∏_i a_i = Σ_i log a_i), whose derivative goes term by term")

    def _dependent_atoms(self, expr: sp.Basic) -> set[sp.Basic]:
        atoms = set()
        for a in expr.atoms(sp.Indexed) | expr.free_symbols:
            if self.depends(a):
                atoms.add(a)
        return atoms or {self.var}

    def intermediates_on_path(self, expr: sp.Basic) -> list[tuple[sp.Basic, Definition]]:
        return [(a, d) for a, d in self.intermediates(expr) if self.depends(d.instance(a))]

    def chain_through(self, expr: sp.Basic) -> R.Rule:
        """Σ_a ∂f/∂a · da/dθ over the intermediates a that depend on θ."""
        links = []
        for a, _d in self.intermediates_on_path(expr):
            outer = _Builder(self.ctx, a).build_plain(expr)
            inner = self.build(a)
            links.append((a, outer, inner))
        direct = None
        if self.direct(expr):
            held = _HeldBuilder(self.ctx, self.var)
            direct = held.build(expr)
        if len(links) == 1 and direct is None and links[0][1].expr == links[0][0]:
            return links[0][2]
        return ChainThroughRule(expr, self.var, tuple(links), direct)

    def build_plain(self, expr: sp.Basic) -> R.Rule:
        """∂f/∂a with every other intermediate held as a symbol."""
        return _HeldBuilder(self.ctx, self.var).build(expr)

    # -- rule builders
    def add(self, expr: sp.Add) -> R.Rule:
        return R.SumRule(expr, self.var, tuple(self.build(t) for t in expr.args))

    def mul(self, expr: sp.Mul) -> R.Rule:
        factors = expr.args
        numer, denom = [], []
        for f in factors:
            if isinstance(f, sp.Pow) and f.exp.is_number and f.exp.is_negative and self.depends(f.base):
                denom.append(sp.Pow(f.base, -f.exp))
            else:
                numer.append(f)
        if denom and numer and any(self.depends(f) for f in numer):
            num, den = sp.Mul(*numer), sp.Mul(*denom)
            return R.QuotientRule(expr, self.var, num, den, self.build(num), self.build(den))
        dependent = [f for f in factors if self.depends(f)]
        if len(dependent) == 1:
            const = sp.Mul(*[f for f in factors if not self.depends(f)])
            return R.ConstantMultipleRule(expr, self.var, const, self.build(dependent[0]))
        return R.ProductRule(expr, self.var, tuple(factors), tuple(self.build(f) for f in factors))

    def pow(self, expr: sp.Pow) -> R.Rule:
        base, exp = expr.base, expr.exp
        if base == sp.E:
            return self.chain(sp.exp(exp))
        if not self.depends(exp):
            cls = R.SqrtRule if exp in (sp.Rational(1, 2), sp.Rational(-1, 2)) else R.PowerRule
            if base == self.var:
                return cls(expr, self.var, base, exp)
            u = self.chain_variable(base)
            return self._chain(expr, base, u, cls(u ** exp, u, u, exp))
        if not self.depends(base):
            if exp == self.var:
                return R.ExponentialRule(expr, self.var)
            u = self.chain_variable(exp)
            return self._chain(expr, exp, u, R.ExponentialRule(base ** u, u))
        # f^g with both depending: write it as e^{g ln f}
        rewritten = sp.exp(exp * sp.log(base))
        return R.RewriteRule(expr, self.var, rewritten, self.build(rewritten))

    def elementary(self, expr: sp.Function) -> R.Rule:
        arg = expr.args[0]
        cls = R.ELEMENTARY_RULES[type(expr)]
        if arg == self.var:
            return cls(expr, self.var)
        return self.chain(expr)

    def chain(self, expr: sp.Function) -> R.Rule:
        """f(g(x)) with f elementary: the inner g named u (or its own name, ŷ)."""
        arg = expr.args[0]
        cls = R.ELEMENTARY_RULES.get(type(expr))
        if arg == self.var:
            return cls(expr, self.var) if cls else R.FallbackRule(expr, self.var)
        u = self.chain_variable(arg)
        outer_expr = expr.func(u)
        outer = cls(outer_expr, u) if cls else R.FallbackRule(outer_expr, u)
        return self._chain(expr, arg, u, outer)

    def _chain(self, expr: sp.Basic, inner: sp.Basic, u: sp.Basic, outer_step: R.Rule) -> R.Rule:
        named = self.definition(inner) is not None
        inner_step = self.build(inner)
        if named:
            return R.ChainRule(expr, self.var, inner, inner, outer_step, inner_step, named=True)
        return R.ChainRule(expr, self.var, u, inner, outer_step, inner_step)

    def chain_variable(self, inner: sp.Basic) -> sp.Basic:
        if self.definition(inner) is not None:
            return inner
        return self.ctx.auto_name(inner, self.var)

    def sum(self, expr: sp.Sum) -> R.Rule:
        """Σ over an index: the derivative moves inside; Σ_j δ_jk g_j collapses to g_k."""
        clash = [lim[0] for lim in expr.limits if lim[0] in self.var.free_symbols]
        if clash:
            # Σ_k θ_k² by θ_k: the summation index is bound, the variable's index free; rename the
            # bound one first (an exact alpha-renaming) so the two are never confused
            renamed = _rename_bound(expr, clash, self.var)
            return R.RewriteRule(expr, self.var, renamed, self.sum(renamed))
        inner = self.build(expr.function)
        j = expr.limits[0][0]
        value = inner.eval()
        if isinstance(self.var, sp.Indexed) and any(
                isinstance(d, sp.KroneckerDelta) and j in d.free_symbols for d in value.atoms(sp.KroneckerDelta)):
            return R.KroneckerCollapseRule(expr, self.var, inner, j)
        return R.IndexSumRule(expr, self.var, inner)

    def piecewise_function(self, expr: sp.Basic) -> R.Rule:
        """max(0, u), |u|, ReLU(u), min: the derivative piece by piece."""
        if isinstance(expr, relu) or (isinstance(expr, (sp.Max, sp.Min)) and len(expr.args) == 2 and 0 in expr.args):
            arg = expr.args[0] if isinstance(expr, relu) else next(a for a in expr.args if a != 0)
            sign = 1 if isinstance(expr, (relu, sp.Max)) else -1
            u = self.chain_variable(arg) if arg != self.var else arg
            outer = R.PiecewiseRule(relu(u) if isinstance(expr, relu) else expr.func(0, u), u,
                                    ((sp.Integer(1 if sign > 0 else 0), u > 0),
                                     (sp.Integer(0 if sign > 0 else 1), True)), ((u, 0),))
            if arg == self.var:
                return outer
            return self._chain(expr, arg, u, outer)
        if isinstance(expr, sp.Abs):
            arg = expr.args[0]
            u = self.chain_variable(arg) if arg != self.var else arg
            outer = R.PiecewiseRule(sp.Abs(u), u, ((sp.Integer(1), u > 0), (sp.Integer(-1), True)), ((u, 0),))
            if arg == self.var:
                return outer
            return self._chain(expr, arg, u, outer)
        return R.FallbackRule(expr, self.var)

    def piecewise(self, expr: sp.Piecewise) -> R.Rule:
        pieces = tuple((self.build(e).eval(), c) for e, c in expr.args)
        boundaries = tuple(_boundaries(expr))
        return R.PiecewiseRule(expr, self.var, pieces, boundaries)


class _HeldBuilder(_Builder):
    """A builder that treats every intermediate as an independent symbol (∂f/∂a, a fixed)."""

    def depends(self, expr: sp.Basic) -> bool:
        if self.var.is_Symbol or (isinstance(self.var, sp.Indexed) and self.ctx.definition_for(self.var)):
            return expr.has(self.var)
        return _has_whole(expr, self.var) or any(a.base == self.var.base for a in expr.atoms(sp.Indexed)
                                                 if self.ctx.definition_for(a) is None)

    def intermediates(self, expr: sp.Basic) -> list[tuple[sp.Basic, Definition]]:
        return []

    def definition(self, atom: sp.Basic) -> Definition | None:
        return None


def _rename_clashing_sums(expr: sp.Basic, var: sp.Basic) -> sp.Basic:
    """Every Σ_k … (or Π_k …) whose bound index is also the free index of var (θ_k, W_lm) renamed
    Σ_j …, so the result reads e^{z_k} / Σ_j e^{z_j} rather than reusing k for two things (and
    ∂/∂W_lm of Π_m e^{W_km x_im} does not read the bound m as the free one)."""
    if not isinstance(var, sp.Indexed) or not expr.has(sp.Sum, sp.Product):
        return expr
    free = var.free_symbols

    def clashes(e: sp.Basic) -> bool:
        return isinstance(e, (sp.Sum, sp.Product)) and any(lim[0] in free for lim in e.limits)

    def rename(e: sp.Sum | sp.Product) -> sp.Sum | sp.Product:
        return _rename_bound(e, [lim[0] for lim in e.limits if lim[0] in free], var)

    return expr.replace(clashes, rename)


def _rename_bound(s: sp.Sum | sp.Product, clash: Sequence[sp.Symbol], var: sp.Basic) -> sp.Sum | sp.Product:
    """Σ_k f(k) -> Σ_j f(j) with j fresh (not free in s nor in var), for every clashing index."""
    from symderiv.calculus.simplify import GENERATED_INDICES
    taken = {x.name for x in s.atoms(sp.Symbol) | var.atoms(sp.Symbol)}
    body, limits = s.function, []
    for lim in s.limits:
        j = lim[0]
        if j in clash:
            name = next(c for c in GENERATED_INDICES + tuple(f"j{n}" for n in range(99)) if c not in taken)
            taken.add(name)
            new = sp.Symbol(name, **j.assumptions0)
            body = body.xreplace({j: new})
            limits.append((new, *tuple(lim[1:])))
        else:
            limits.append(tuple(lim))
    return type(s)(body, *limits)


def _has_whole(expr: sp.Basic, var: sp.Indexed) -> bool:
    """Whether `expr` holds the variable's matrix whole (det X, an entry of X⁻¹), not entry by entry."""
    name = str(var.base.label)
    return any(m.name == name for m in expr.atoms(sp.MatrixSymbol))


def _whole_matrix_rule(expr: sp.Basic, var: sp.Basic) -> R.Rule | None:
    """det X and (X⁻¹)_ab by the matrix variable X's entry X_kj: Jacobi's formula, the inverse's rule."""
    if not isinstance(var, sp.Indexed) or len(var.indices) != 2:
        return None
    name = str(var.base.label)
    if isinstance(expr, sp.Determinant) and isinstance(expr.arg, sp.MatrixSymbol) and expr.arg.name == name:
        return R.DeterminantRule(expr, var)
    if isinstance(expr, MatrixElement) and isinstance(expr.parent, sp.Inverse) \
            and isinstance(expr.parent.arg, sp.MatrixSymbol) and expr.parent.arg.name == name:
        return R.InverseEntryRule(expr, var)
    return None


def _boundaries(pw: sp.Piecewise) -> list[tuple[sp.Basic, sp.Basic]]:
    out = []
    for _, cond in pw.args:
        if isinstance(cond, sp.core.relational.Relational):
            out.append((cond.lhs, cond.rhs))
    return out


BUILDERS = {
    sp.Add: _Builder.add,
    sp.Mul: _Builder.mul,
    sp.Pow: _Builder.pow,
    sp.Sum: _Builder.sum,
    sp.exp: _Builder.chain,
    sp.Piecewise: _Builder.piecewise,
    sp.Max: _Builder.piecewise_function,
    sp.Min: _Builder.piecewise_function,
    sp.Abs: _Builder.piecewise_function,
    relu: _Builder.piecewise_function,
}
for _cls in R.ELEMENTARY_RULES:
    BUILDERS.setdefault(_cls, _Builder.elementary)

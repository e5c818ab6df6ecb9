"""Output linear in the derivation (issue 16 item 2): step ids and refs in the JSON, shared
sub-derivations stored once, printers that only print (the deriver simplifies, once)."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from symderiv.calculus import builder, shown, simplify
from symderiv.calculus.engine import derive
from symderiv.cli.derive import BUILTIN_EXAMPLE
from symderiv.output.json import derivation_json
from symderiv.output.pages import page

LOGISTIC_WB = (r"L = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
               [r"\hat{y}_i = \sigma(w x_i + b)"], "w,b")
LSE3 = (r"\log(e^{x_{1}} + e^{x_{2}} + e^{x_{3}}) + x_{1}^2 + x_{2}^2 + x_{3}^2", [], "x_1,x_2,x_3")
CASES = [LOGISTIC_WB, LSE3, (BUILTIN_EXAMPLE[0], BUILTIN_EXAMPLE[1], None)]


def _steps(out: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(step: dict[str, Any]) -> None:
        found.append(step)
        for s in step.get("substeps", ()):
            walk(s)
    for s in out["steps"]:
        walk(s)
    return found


def _json(case: tuple, hessian: bool = False) -> dict[str, Any]:
    latex, where, wrt = case
    return derivation_json(derive(latex, wrt, hessian=hessian, where=where))


def _expanded(out: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps with every ref replaced by a copy of the full step's sub-steps; ids dropped."""
    by_id = {s["id"]: s for s in _steps(out)}

    def expand(step: dict[str, Any]) -> dict[str, Any]:
        step = {k: v for k, v in step.items() if k not in ("id", "ref")} | (
            {"substeps": copy.deepcopy(by_id[step["ref"]]["substeps"])} if "ref" in step else {})
        step["substeps"] = [expand(s) for s in step["substeps"]]
        return step
    return [expand(s) for s in out["steps"]]


@pytest.mark.parametrize("case", CASES, ids=["logistic-w-b", "lse3", "hero"])
def test_every_step_has_a_unique_id_and_every_ref_resolves(case: tuple) -> None:
    steps = _steps(_json(case))
    ids = [s["id"] for s in steps]
    assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids)
    by_id = {s["id"]: s for s in steps}
    for s in steps:
        if "ref" in s:
            full = by_id[s["ref"]]
            assert "substeps" not in s and "ref" not in full and full["substeps"]
            same = ("rule", "expr", "wrt", "result")
            assert [s[k] for k in same] == [full[k] for k in same]
            assert ids.index(full["id"]) < ids.index(s["id"])      # printed in full first


def test_the_piece_shared_by_w_and_b_is_printed_once() -> None:
    out = _json(LOGISTIC_WB)
    refs = [s for s in _steps(out) if "ref" in s]
    assert refs and {s["wrt"] for s in refs} == {r"\hat{y}_{i}"}    # ∂L/∂ŷ_i, derived for w, used for b
    section_b = _steps({"steps": out["steps"][1:]})
    assert len(section_b) < len(_steps({"steps": out["steps"][:1]}))


@pytest.mark.parametrize("case", CASES, ids=["logistic-w-b", "lse3", "hero"])
def test_expanding_the_refs_gives_the_tree_built_without_sharing(case: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = _json(case, hessian=True)
    monkeypatch.setattr(builder.Context, "share", False)
    alone = _json(case, hessian=True)
    assert not any("ref" in s for s in _steps(alone))
    assert _expanded(shared) == _expanded(alone)
    assert {k: v for k, v in shared.items() if k != "steps"} == {k: v for k, v in alone.items() if k != "steps"}


def test_hessian_rows_share_their_chains() -> None:
    latex, where, wrt = LSE3
    d = derive(latex, wrt, hessian=True, where=where)
    seen: dict[int, set[tuple[int, int]]] = {}
    for a, row in enumerate(d.hessian or ()):
        for b, entry in enumerate(row):
            if b < a:
                continue        # the lower triangle is the upper entry itself
            for rule in entry.step.walk():
                if rule.substeps:
                    seen.setdefault(id(rule), set()).add((a, b))
    shared = [cells for cells in seen.values() if len({a for a, _ in cells}) > 1]
    assert shared, "no sub-derivation is shared between two rows of the Hessian"
    # and the printed results of all of them were worked out by the deriver
    for row in d.hessian or ():
        for entry in row:
            for rule in entry.step.walk():
                assert d.shown.get(rule, d.intermediates) is not None


def _forbidden(*_: object, **__: object) -> None:
    raise AssertionError("a printer simplified: textbook forms are the deriver's work")


@pytest.mark.parametrize("case", CASES, ids=["logistic-w-b", "lse3", "hero"])
def test_printers_only_print(case: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    latex, where, wrt = case
    d = derive(latex, wrt, hessian=True, where=where)
    for module, name in ((shown, "textbook"), (simplify, "textbook"), (simplify, "_textbook"),
                         (simplify, "tidy"), (simplify, "_simplest"), (builder, "textbook")):
        monkeypatch.setattr(module, name, _forbidden)
    for fmt in ("json", "md", "tex", "text"):
        for lang in ("en", "zh"):
            assert page(d, fmt, lang)


def test_textbook_forms_are_cached_by_expression() -> None:
    from sympy.core.cache import clear_cache
    clear_cache()
    derive(BUILTIN_EXAMPLE[0], where=BUILTIN_EXAMPLE[1], hessian=True)
    before = simplify._textbook.cache_info()
    derive(BUILTIN_EXAMPLE[0], where=BUILTIN_EXAMPLE[1], hessian=True)
    after = simplify._textbook.cache_info()
    assert after.hits > before.hits and after.misses == before.misses
    assert after.maxsize is not None       # bounded


def test_the_json_printers_print_what_srepr_and_latex_print() -> None:
    """The JSON prints each subexpression once; the text is exactly SymPy's srepr and our LaTeX."""
    import sympy as sp

    from symderiv.output.json import JsonPrinter
    from symderiv.output.printing import latex
    for latex_in, where, wrt in (LSE3, (BUILTIN_EXAMPLE[0], BUILTIN_EXAMPLE[1], None)):
        d = derive(latex_in, wrt, hessian=True, where=where)
        printer = JsonPrinter()
        exprs = [e.result for row in d.hessian or () for e in row] + [g.expanded for g in d.gradient]
        for e in exprs + exprs:          # the second time from the memo
            assert printer.latex(e) == latex(e) and printer.srepr(e) == sp.srepr(e)


def test_a_pickled_derivation_keeps_its_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """A derivation sent to or from a worker process prints without simplifying, as at home."""
    import pickle
    d = derive(BUILTIN_EXAMPLE[0], where=BUILTIN_EXAMPLE[1], hessian=True)
    want = page(d, "md")
    back = pickle.loads(pickle.dumps(d))
    for module, name in ((shown, "textbook"), (simplify, "_textbook"), (simplify, "_simplest")):
        monkeypatch.setattr(module, name, _forbidden)
    assert page(back, "md") == want


def test_every_result_the_deriver_worked_out_is_the_derivative() -> None:
    """The table the printers read: each rule's result against sympy.diff at random points."""
    import random

    import sympy as sp
    latex_in, where, wrt = LSE3
    d = derive(latex_in, wrt, hessian=True, where=where)
    rules = {id(r): r for p in (*d.gradient, *(e for row in d.hessian or () for e in row)) for r in p.step.walk()}
    rng = random.Random(16)
    assert len(rules) > 20
    for rule in rules.values():
        value = d.shown.get(rule, d.intermediates)
        assert value is not None
        gap = sp.diff(rule.expr, rule.var) - value
        for _ in range(2):
            point = {s: rng.uniform(-1.5, 1.5) for s in gap.free_symbols}
            assert abs(complex(gap.evalf(subs=point))) < 1e-9, (rule.key, rule.expr, value)


def test_results_are_kept_by_rule_identity_and_survive_pickling():
    """Two equal rules are two steps (each its own entry); the same rule object finds its entry; a
    pickled table (notes workers, the cache) is keyed anew by the rules it brings back."""
    import pickle

    import sympy as sp

    from symderiv.calculus import rules as R
    from symderiv.calculus.shown import ByIdentity, Shown

    x = sp.Symbol("x", real=True)
    a, b = R.PowerRule(x**2, x, x, sp.Integer(2)), R.PowerRule(x**2, x, x, sp.Integer(2))
    assert a == b and a is not b
    table: ByIdentity[R.Rule, sp.Basic] = ByIdentity()
    table[a] = 2 * x
    assert a in table and b not in table and table.get(b) is None and table.get(a) == 2 * x
    shown = pickle.loads(pickle.dumps(Shown((), table)))
    (rule, value), = shown.table.items()
    assert value == 2 * x
    assert rule == a and rule is not a and shown.get(rule, ()) == 2 * x and shown.get(a, ()) is None

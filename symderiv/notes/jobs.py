"""A note's formulas worked on every core, through the cache of worked formulas; the same note either way.

Each formula that stands on its own — a function to differentiate (its first appearance) or a claim
about an expression — is a *piece*: worked by a fresh worker (worker.py) that knows the note's
definitions and declarations but nothing worked before it, in a process of the pool (core/pool.py) or
here with one job, or read from the cache. The pieces are then put together in note order by one
worker that holds what the formulas after them need: the functions worked so far (for the update
rules, Newton steps and claims standing alone, and a formula seen twice), the pictures' numbers and
the σ picture drawn once, the definitions placed under their formulas. What is left — claims standing
alone, methods, repeats, declarations, formulas that do not read — is worked here, in order. So the
note is the same for any number of jobs and with or without the cache.

A piece is cached without anything that depends on where it stands in the note: line references and
the definitions it placed are kept as indexes into its anchors (the formula, then the definitions and
declarations it may use, which are part of its key), and its pictures are numbered when put together.
A piece a time limit shaped (out of time, Hessian or analysis left out) is not cached.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from symderiv.core.errors import SymderivError, TimeLimitError
from symderiv.core.limits import time_limit
from symderiv.core.problem import Problem
from symderiv.notes.declarations import Declared
from symderiv.notes.reading import (
    Formula,
    classify,
    declaration_names,
    find_formulas,
    is_definition,
    strip_worked,
    used_names,
)
from symderiv.notes.worker import NOTE_TIMEOUT, PICTURE, SIGMA, Outcome, _Worker, canonical, late_reason
from symderiv.notes.writing import assemble

if TYPE_CHECKING:
    from symderiv.calculus.engine import Derivation
    from symderiv.notes.cache import Cache

Parsed = Problem | Declared | SymderivError
_REF = re.compile("\x00(\\d+)\x00")
_ANCHOR = re.compile("\x03(\\d+)\x03")
_PICTURE = re.compile(f"{PICTURE}(\\d+){PICTURE}")
_SIGMA = re.compile(f"\n\n{SIGMA}(.*?){SIGMA}", re.S)
POOL_FROM = 4      # pieces to work from which a pool pays for starting its processes (a second or two each)


@dataclass(frozen=True)
class Piece:
    """One formula worked on its own; `claimless`: a claim whose expression could not be worked here."""

    markdown: str = ""
    reason: str = ""
    problem: Problem | None = None
    derivation: Derivation | None = None
    placed: tuple[int, ...] = ()           # offsets (here) or anchor indexes (cached) of the items placed
    pictures: tuple[bytes, ...] = ()
    partial: bool = False
    claimless: bool = False


@dataclass(frozen=True)
class _Unit:
    n: int
    kind: str                     # "derive" or "claim"
    anchors: tuple[Formula, ...]  # the formula, then the definitions and declarations it may use
    key: tuple[Any, ...]


# --------------------------------------------------------------------------- the note
@dataclass(frozen=True)
class Worked:
    """A worked note: its text, the files to write beside it (PNG plots: (path, bytes)), how many of
    its formulas were worked on their own (the cache's units), and whether it is `complete`: no
    formula's result was shaped by a time limit, so the same input gives it again (it may be cached)."""

    markdown: str
    files: list[tuple[str, bytes]]
    units: int
    complete: bool


def work_note(text: str, lang: str = "en", out_path: str = "note.worked.md", plots: bool = True,
              timeout: float = NOTE_TIMEOUT, progress: Callable[[int, int], None] | None = None,
              style: str = "callout", jobs: int = 1, cache: Cache | None = None
              ) -> tuple[str, list[tuple[str, bytes]]]:
    """The worked note's text and the extra files to write (PNG plots: [(path, bytes)])."""
    worked = work(text, lang, out_path, plots, timeout, progress, style, jobs, cache)
    return worked.markdown, worked.files


def work(text: str, lang: str = "en", out_path: str = "note.worked.md", plots: bool = True,
         timeout: float = NOTE_TIMEOUT, progress: Callable[[int, int], None] | None = None,
         style: str = "callout", jobs: int = 1, cache: Cache | None = None) -> Worked:
    """The note worked. A note that already holds symderiv's blocks (a worked note) is worked from the
    note without them, so working a worked note again gives the same note. `progress(done, total)`
    follows the formulas.
    """
    text = strip_worked(text)
    formulas = find_formulas(text)
    parsed, spent = _read_all(formulas, timeout, cache)
    definitions = [(f, p) for f, p in zip(formulas, parsed, strict=True)
                   if isinstance(p, Problem) and is_definition(p) and classify(f, p) is None]
    declarations = [(f, p) for f, p in zip(formulas, parsed, strict=True) if isinstance(p, Declared)]
    worker = _Worker(text, lang, out_path, plots, timeout, definitions, declarations)
    units = _units(worker, formulas, parsed, timeout)
    total, finished = len(formulas), [0]

    def tick(_k: int = 0, _piece: object = None) -> None:
        finished[0] += 1
        if progress is not None:
            progress(finished[0], total)

    pieces: dict[int, Piece] = {}
    for u in units:
        cached = cache.get(u.key) if cache is not None else None
        if isinstance(cached, Piece):
            pieces[u.n] = _placed(cached, u.anchors)
            tick()
    todo = [u for u in units if u.n not in pieces]
    context = _Context(text, lang, out_path, plots, timeout, formulas,
                       [(formulas.index(f), p) for f, p in definitions],
                       [(formulas.index(f), p) for f, p in declarations],
                       {u.n: parsed[u.n] for u in todo})
    fresh = _run(todo, context, spent, jobs, tick)
    for u in todo:
        pieces[u.n] = fresh[u.n]
        if cache is not None and not fresh[u.n].partial:
            anchored = _anchored(fresh[u.n], u.anchors)
            if anchored is not None:
                cache.put(u.key, anchored)
    outcomes = []
    for n, (f, p) in enumerate(zip(formulas, parsed, strict=True)):
        piece = pieces.get(n)
        if piece is None:
            outcomes.append(worker.work_within(f, p, timeout - spent[n]))
            tick()
        elif piece.claimless:
            assert isinstance(p, Problem)
            outcomes.append(_within(worker, f, timeout - spent[n], _claim_reason(worker, f, p)))
        else:
            outcomes.append(_put_together(worker, f, p, piece, formulas))
    if cache is not None:
        cache.trim()
    late = late_reason(lang, timeout)
    complete = not (worker.partial or any(p.partial for p in pieces.values())
                    or any(o.reason == late for o in outcomes))
    outcomes = [Outcome(o.formula, reason=worker.declarations.reason(o.formula)) if o.formula in worker.declarations
                else o for o in outcomes]
    worked = [(o.formula.insert_at, o.markdown) for o in outcomes if o.markdown]
    skipped = [(o.formula, o.reason) for o in outcomes if o.reason]
    return Worked(assemble(text, worked, skipped, total, lang, style), worker.files, len(units), complete)


def _read_all(formulas: list[Formula], timeout: float, cache: Cache | None) -> tuple[list[Parsed], list[float]]:
    """Each formula parsed (a declaration of shapes, or the error that stopped it) and the seconds
    that took, each under `timeout`; a formula read before comes from the cache (0 s)."""
    from symderiv.parsing.parser import parse

    parsed: list[Parsed] = []
    spent = []
    for f in formulas:
        began = time.monotonic()
        key = ("read", f.tex)
        result = cache.get(key, count=False) if cache is not None else None
        if not isinstance(result, (Problem, Declared)):
            try:
                with time_limit(timeout, "reading the formula"):
                    names = declaration_names(f.tex)
                    result = Declared(names) if names is not None else parse(f.tex)
                if cache is not None:
                    cache.put(key, result)
            except SymderivError as exc:
                result = exc
            except Exception as exc:  # a formula we cannot read is skipped, not fatal
                result = SymderivError(f"{type(exc).__name__}")
        parsed.append(result)
        spent.append(time.monotonic() - began)
    return parsed, spent


def _units(worker: _Worker, formulas: list[Formula], parsed: list[Parsed], timeout: float) -> list[_Unit]:
    """The formulas that are worked on their own: a function's first appearance, a claim."""
    units, seen = [], set()
    options = (worker.lang, worker.plots, timeout)
    for n, (f, p) in enumerate(zip(formulas, parsed, strict=True)):
        if not isinstance(p, Problem):
            continue
        kind = classify(f, p)
        if kind is None:
            canon = canonical(p)
            if canon in seen:
                continue          # a repeat: put together after the first (or worked here if that failed)
            seen.add(canon)
            try:
                where = worker.where_for(f, p)[0]
            except SymderivError:
                continue
            kind = "derive"
        elif kind == "skip_claim":
            where = worker.declarations.for_names(f, used_names(p))
            kind = "claim"
        else:
            continue
        anchors = (f, *(df for _, df in where))
        items = tuple((tex, df in worker.declarations) for tex, df in where)
        units.append(_Unit(n, kind, anchors, (kind, f.tex, f.display, f.in_table, items, options)))
    return units


# --------------------------------------------------------------------------- the pieces
@dataclass(frozen=True)
class _Context:
    """What a worker process needs to work any piece of the note (sent once to each)."""

    text: str
    lang: str
    out_path: str
    plots: bool
    timeout: float
    formulas: list[Formula]
    definitions: list[tuple[int, Problem]]
    declarations: list[tuple[int, Declared]]
    problems: dict[int, Parsed]


_CONTEXT: list[_Context] = []


def _start(context: _Context) -> None:
    """In each worker: the note to work pieces of."""
    _CONTEXT[:] = [context]


def _work_piece(n: int, kind: str, budget: float) -> Piece:
    """Formula n worked on its own by a fresh worker, in at most `budget` seconds."""
    c = _CONTEXT[0]
    w = _Worker(c.text, c.lang, c.out_path, c.plots, c.timeout, [(c.formulas[k], p) for k, p in c.definitions],
                [(c.formulas[k], p) for k, p in c.declarations])
    w.deferred = True
    f, p = c.formulas[n], c.problems[n]
    if kind == "claim":
        assert isinstance(p, Problem)
        claimed = _within(w, f, budget, lambda: w.work_claim(f, p))
        out = claimed or Outcome(f)
        if claimed is None:
            return Piece(claimless=True)
    else:
        out = w.work_within(f, p, budget)
    return Piece(out.markdown, out.reason, out.problem, out.derivation, tuple(w.placed),
                 tuple(data for _, data in w.files), w.partial or out.reason == late_reason(c.lang, c.timeout))


def _claim_reason(worker: _Worker, f: Formula, p: Problem) -> Callable[[], Outcome]:
    """A claim standing alone, checked against the functions worked before it."""
    return lambda: Outcome(f, reason=worker.claim_reason(p))


def _within(w: _Worker, f: Formula, budget: float, work: Callable[[], Any]) -> Any:
    """`work()` in at most `budget` seconds, else the formula listed with the reason "time limit"."""
    if budget <= 0:
        return w.out_of_time(f)
    w.deadline = time.monotonic() + budget
    try:
        with time_limit(budget, "working the formula"):
            return work()
    except TimeLimitError:
        return w.out_of_time(f)


def _run(todo: Sequence[_Unit], context: _Context, spent: list[float], jobs: int,
         tick: Callable[[int, Piece], None]) -> dict[int, Piece]:
    from symderiv.core.pool import run_tasks

    budgets = [context.timeout - spent[u.n] for u in todo]

    def expired(k: int, why: str) -> Piece:
        """A piece whose process was killed (stuck past its limit) or died: as out of time in-process."""
        return Piece(reason=late_reason(context.lang, context.timeout), partial=True)

    results = run_tasks(_work_piece, [(u.n, u.kind, b) for u, b in zip(todo, budgets, strict=True)],
                        jobs if len(todo) >= POOL_FROM else 1, budgets, expired, tick, _start, (context,))
    return {u.n: r for u, r in zip(todo, results, strict=True)}


def _put_together(worker: _Worker, f: Formula, p: Parsed, piece: Piece, formulas: list[Formula]) -> Outcome:
    """The piece in note order: its pictures numbered, σ drawn once, its definitions placed, and a
    function worked recorded for the formulas after it."""
    by_start = {g.start: g for g in formulas}
    worker.place(f, [(g.tex, g) for g in (by_start[s] for s in piece.placed)])

    def sigma(m: re.Match[str]) -> str:
        if worker.sigma_drawn:
            return ""
        worker.sigma_drawn = True
        return "\n\n" + m.group(1)

    markdown = _SIGMA.sub(sigma, piece.markdown)

    def picture(m: re.Match[str]) -> str:
        data = piece.pictures[int(m.group(1)) - 1]
        link = worker.picture(data, "")           # the name, in the order the pictures come
        return link[link.rindex("(") + 1:-1]

    markdown = _PICTURE.sub(picture, markdown)
    out = Outcome(f, markdown=markdown, reason=piece.reason, problem=piece.problem, derivation=piece.derivation)
    if piece.derivation is not None and isinstance(p, Problem) and classify(f, p) is None:
        worker.worked.setdefault(canonical(p), out)
        worker.functions.append(out)
    return out


def _anchored(piece: Piece, anchors: tuple[Formula, ...]) -> Piece | None:
    """The piece with its line references and placed items as indexes into `anchors`, or None when
    one points elsewhere (then it is not cached)."""
    lines = {a.line: k for k, a in reversed(list(enumerate(anchors)))}
    starts = {a.start: k for k, a in enumerate(anchors)}
    if any(int(m.group(1)) not in lines for m in _REF.finditer(piece.markdown + piece.reason)) \
            or any(s not in starts for s in piece.placed):
        return None

    def anchor(m: re.Match[str]) -> str:
        return f"\x03{lines[int(m.group(1))]}\x03"

    return Piece(_REF.sub(anchor, piece.markdown), _REF.sub(anchor, piece.reason), piece.problem,
                 piece.derivation, tuple(starts[s] for s in piece.placed), piece.pictures,
                 claimless=piece.claimless)


def _placed(piece: Piece, anchors: tuple[Formula, ...]) -> Piece:
    """A cached piece back where its anchors stand in this note."""

    def ref(m: re.Match[str]) -> str:
        return f"\x00{anchors[int(m.group(1))].line}\x00"

    return Piece(_ANCHOR.sub(ref, piece.markdown), _ANCHOR.sub(ref, piece.reason), piece.problem,
                 piece.derivation, tuple(anchors[k].start for k in piece.placed), piece.pictures,
                 claimless=piece.claimless)

"""`symderiv notes NOTE.md`: a Markdown note in, the same note with worked derivations out.

The note's own bytes are never changed: worked derivations are *inserted* between
`<!-- symderiv:begin -->` and `<!-- symderiv:end -->` markers (invisible in every Markdown
viewer), so `strip_worked(output) == input` exactly. A derivation goes after the block that holds
its formula (the paragraph or list, or the whole table for a formula in a table cell), so the
definitions written under a loss (`\\hat{y}_i = \\sigma(\\theta^T x_i)`) come before it and are
used as its `where`.

Formulas that are not to be differentiated (updates, the gradient's definition, Hessian entries,
claims such as `f'(x) = 2x`, bare symbols) stay as they are and are listed at the end of the note
with the reason; a claim about a function worked in the note is checked against it (verify.py).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

import sympy as sp

from symderiv.core.errors import SymderivError
from symderiv.core.io import write_atomic
from symderiv.output.phrases import default_language, phrase
from symderiv.core.problem import scalar_symbols

BEGIN = "<!-- symderiv:begin -->"
BEGIN_AT_END = "<!-- symderiv:begin at-end -->"
END = "<!-- symderiv:end -->"
PROGRESS_MIN = 5           # a progress line on stderr from this many formulas on
NOTE_TIMEOUT = 10.0        # seconds per formula
NEARBY_LINES = 15          # a definition this close under a formula belongs to it
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# --------------------------------------------------------------------------- finding formulas
@dataclass
class Formula:
    """One `$…$` or `$$…$$` of the note (offsets into the note's text)."""

    tex: str
    start: int
    end: int
    display: bool
    line: int                  # 1-based line of the opening `$`
    in_table: bool = False
    insert_at: int = 0         # offset where its worked derivation goes (end of its block)


@dataclass
class Outcome:
    """What happened to one formula: worked (markdown) or skipped (reason)."""

    formula: Formula
    markdown: str = ""
    reason: str = ""
    problem: object = None
    derivation: object = None
    extra_files: list = field(default_factory=list)


def find_formulas(text: str) -> list[Formula]:
    """Display (`$$…$$`, also over several lines) and inline (`$…$`) formulas outside code."""
    masked = _mask_code(text)
    out = []
    pattern = re.compile(r"(?<![\\$])\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?!\d)",
                         re.S)
    for m in pattern.finditer(masked):
        display = m.group(1) is not None
        a, b = m.span(1 if display else 2)
        tex = text[a:b]
        f = Formula(tex=tex.strip(), start=m.start(), end=m.end(), display=display,
                    line=text.count("\n", 0, m.start()) + 1)
        f.in_table, f.insert_at = _block_end(text, m.start(), m.end())
        out.append(f)
    return out


def _mask_code(text: str) -> str:
    """The text with fenced code blocks and inline code spans blanked (same length)."""
    chars = list(text)
    pos, fence = 0, None
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~"):
            fence = marker
            chars[pos:pos + len(line)] = " " * len(line)
        elif fence is not None:
            chars[pos:pos + len(line)] = " " * len(line)
            if stripped.startswith(fence):
                fence = None
        pos += len(line)
    masked = "".join(chars)
    return re.sub(r"(`+)[^`\n]*?\1", lambda m: " " * len(m.group(0)), masked)


def _is_table_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def _block_end(text: str, start: int, end: int) -> tuple[bool, int]:
    """(in a table, offset after the last line of the block holding text[start:end])."""
    line_start = text.rfind("\n", 0, start) + 1
    in_table = _is_table_row(text[line_start:text.find("\n", start) if "\n" in text[start:] else len(text)])
    pos = text.find("\n", end - 1)
    if pos < 0:
        return in_table, len(text)
    pos += 1
    while pos < len(text):
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        if in_table:
            if not _is_table_row(line):
                break
        elif (not line.strip() or line.lstrip().startswith("#") or re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line)
              or line.lstrip()[:3] in ("```", "~~~") or _is_table_row(line) or line.lstrip().startswith("$$")):
            break
        pos = len(text) if nl < 0 else nl + 1
    return in_table, pos


def strip_worked(text: str) -> str:
    """The note without symderiv's inserted blocks (gives back the input byte for byte)."""
    text = re.sub(r"\n\n" + re.escape(BEGIN_AT_END) + r".*?" + re.escape(END), "", text, flags=re.S)
    return re.sub(r"\n" + re.escape(BEGIN) + r"\n.*?" + re.escape(END) + r"\n", "", text, flags=re.S)


# --------------------------------------------------------------------------- what a formula is
_UPDATE = re.compile(r"\^\{?\s*\(\s*[tk]\s*\+\s*1\s*\)")


def classify(f: Formula, problem) -> str | None:
    """The phrase key of the reason not to differentiate, or None to differentiate."""
    tex = f.tex
    if _UPDATE.search(tex.split("=")[0]) or (problem.name and _UPDATE.search(problem.name)):
        return "skip_update"
    lhs = problem.lhs
    if problem.kind == "expression":
        e = problem.expr
        if e.is_Atom or isinstance(e, (sp.Indexed, sp.Symbol)) or (isinstance(e, sp.Function) and all(
                a.is_Atom or isinstance(a, sp.Indexed) for a in e.args)) or isinstance(e, sp.core.function.AppliedUndef):
            return "skip_symbol"
        return None if f.display else "skip_expression"
    if lhs is not None and lhs.has(sp.Derivative):
        if problem.expr == 0:
            return "skip_critical"
        if r"\nabla" in tex.split("=")[0]:
            return "skip_gradient_def"
        return "skip_claim"
    if problem.expr.has(sp.Derivative):
        order = max((sum(n for _, n in d.variable_count) for d in problem.expr.atoms(sp.Derivative)), default=1)
        return "skip_hessian_def" if order >= 2 else "skip_gradient_def"
    if r"\nabla" in tex or "H^{-1}" in tex:
        return "skip_update"
    if problem.kind == "equation":
        return "skip_equation"
    return None


def _definition_names(problem) -> set[str]:
    """Names a formula uses that a definition elsewhere could supply (ŷ, ŷ_i, z_i …)."""
    full = problem.expanded()
    names = {s.name for s in full.free_symbols if isinstance(s, sp.Symbol)}
    names |= {str(a.base.label) for a in full.atoms(sp.Indexed)}
    return names


def _is_definition(problem) -> bool:
    return (problem.kind == "function" and not problem.args
            and isinstance(problem.lhs, (sp.Symbol, sp.Indexed)))


def _deindex(tex: str, index: str) -> str:
    """`\\hat{y}_i = \\sigma(\\theta^T x_i)` -> `\\hat{y} = \\sigma(\\theta^T x)` (one sample)."""
    tex = re.sub(r"_\{\s*" + re.escape(index) + r"\s*\}", "", tex)
    return re.sub(r"_" + re.escape(index) + r"(?![A-Za-z0-9])", "", tex)


# --------------------------------------------------------------------------- the command
def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("note", metavar="NOTE.md", help="the Markdown note to work through")
    parser.add_argument("-o", "--output", metavar="OUT.md",
                        help="where to write the worked note (default: NOTE.worked.md next to the note)")
    parser.add_argument("--lang", choices=["en", "zh"], default=None,
                        help="language of the inserted text (default: zh for a note in Chinese, else the locale)")
    parser.add_argument("--no-plots", action="store_true", help="do not draw PNG plots")
    parser.add_argument("--timeout", type=float, default=NOTE_TIMEOUT,
                        help=f"time limit per formula in seconds (default {NOTE_TIMEOUT:g})")


def run_cli(args) -> int:
    path = args.note
    if not os.path.isfile(path):
        raise SymderivError(f"no such note: {path}")
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise SymderivError(f"{path} is not UTF-8 text") from None
    out = args.output or default_output(path)
    if os.path.abspath(out) == os.path.abspath(path):
        raise SymderivError(f"refusing to write over the input file {path}")
    lang = args.lang or note_language(text)
    result, files = work_note(text, lang=lang, out_path=out, plots=not args.no_plots,
                              timeout=args.timeout, progress=sys.stderr)
    for fname, data in files:
        write_atomic(fname, data, source_paths=(path,))
    write_atomic(out, result, source_paths=(path,))
    print(f"wrote {out}", file=sys.stderr)
    return 0


def default_output(path: str) -> str:
    root, ext = os.path.splitext(path)
    return root + ".worked" + (ext or ".md")


def note_language(text: str) -> str:
    """zh when the note has CJK characters, else the locale's language."""
    return "zh" if _CJK.search(text) else default_language()


# --------------------------------------------------------------------------- working a note
def work_note(text: str, lang: str = "en", out_path: str = "note.worked.md", plots: bool = True,
              timeout: float = NOTE_TIMEOUT, progress=None) -> tuple[str, list[tuple[str, bytes]]]:
    """The worked note's text and the extra files to write (PNG plots: [(path, bytes)])."""
    from symderiv.parsing.parser import parse

    formulas = find_formulas(text)
    parsed = []
    for f in formulas:
        try:
            parsed.append(parse(f.tex))
        except SymderivError as exc:
            parsed.append(exc)
        except Exception as exc:  # noqa: BLE001 - a formula we cannot read is skipped, not fatal
            parsed.append(SymderivError(f"{type(exc).__name__}"))
    definitions = [(f, p) for f, p in zip(formulas, parsed)
                   if not isinstance(p, Exception) and _is_definition(p) and classify(f, p) is None]
    worker = _Worker(text, lang, out_path, plots, timeout, definitions)
    outcomes = []
    total = len(formulas)
    for n, (f, p) in enumerate(zip(formulas, parsed), 1):
        if progress is not None and total >= PROGRESS_MIN:
            print(f"[{n}/{total}] {' '.join(f.tex.split())[:70]}", file=progress, flush=True)
        outcomes.append(worker.work(f, p))
    return _assemble(text, outcomes, lang), worker.files


class _Worker:
    def __init__(self, text, lang, out_path, plots, timeout, definitions):
        self.text = text
        self.lang = lang
        self.out_path = out_path
        self.plots = plots
        self.timeout = timeout
        self.definitions = definitions      # [(Formula, Problem)]
        self.files: list[tuple[str, bytes]] = []
        self.worked: dict[str, Outcome] = {}   # canonical formula -> first outcome
        self.functions: list[Outcome] = []     # worked functions, in note order (for claims)

    def p(self, key, **kw):
        return phrase(key, self.lang, **kw)

    def work(self, f: Formula, problem) -> Outcome:
        if isinstance(problem, Exception):
            return Outcome(f, reason=self.p("skip_unreadable", error=_short(problem)))
        key = classify(f, problem)
        if key == "skip_claim":
            worked = self.work_claim(f, problem)
            return worked or Outcome(f, reason=self.claim_reason(problem))
        if key is not None:
            return Outcome(f, reason=self.p(key))
        canon = (problem.name, sp.srepr(problem.expr), tuple(p.name for p in problem.definitions))
        if canon in self.worked:
            return self.repeat(f, self.worked[canon])
        out = self.derive(f, problem)
        if out.derivation is not None:
            self.worked.setdefault(canon, out)
            self.functions.append(out)
        return out

    # -- deriving
    def derive(self, f: Formula, problem) -> Outcome:
        from symderiv.parsing.parser import parse

        where, note = self.where_for(f, problem)
        try:
            if where:
                problem = parse(f.tex, [w for w, _ in where])
            d = self._derive(problem)
        except SymderivError as exc:
            return Outcome(f, reason=self.p("skip_failed", error=_short(exc)))
        if all(g.result == 0 for g in d.gradient) and not problem.expanded().is_number:
            return Outcome(f, reason=self.p("skip_constant", vars=", ".join(f"${_tex_name(v)}$" for v in d.variables)))
        for _, df in where:        # the definitions under a loss are read before its derivation
            if df.start > f.start and df.line - f.line <= NEARBY_LINES:
                f.insert_at = max(f.insert_at, df.insert_at)
        return Outcome(f, markdown=self.worked_markdown(f, d, where, note), problem=problem, derivation=d)

    def _derive(self, problem):
        from symderiv.calculus.engine import derive

        try:
            return derive(problem, hessian=True, timeout=self.timeout)
        except SymderivError:
            return derive(problem, timeout=self.timeout)

    def where_for(self, f: Formula, problem) -> tuple[list[tuple[str, Formula]], str]:
        """Definitions from the note for the names `problem` uses: the nearest one after the
        formula (the lines under a loss), else the nearest before it; an indexed definition is
        used for one sample (`ŷ_i` -> `ŷ`) when the formula uses the name without the index."""
        if _is_definition(problem):
            return [], ""
        from symderiv.parsing.parser import parse

        names = _definition_names(problem)
        chosen, note = [], ""
        for name in sorted(names):
            cands = [(df, dp) for df, dp in self.definitions if dp.name == name and df is not f]
            if not cands:
                continue
            after = [c for c in cands if c[0].start > f.start]
            before = [c for c in cands if c[0].start < f.start]
            df, dp = (after[0] if after and (after[0][0].line - f.line) <= NEARBY_LINES else
                      before[-1] if before else after[0])
            tex = df.tex
            used_plain = any(s.name == name for s in scalar_symbols(problem.expanded()))
            if isinstance(dp.lhs, sp.Indexed) and used_plain:
                idx = str(dp.lhs.indices[0])
                tex = _deindex(tex, idx)
                try:
                    parse(tex)
                except SymderivError:
                    continue
                note = self.p("single_sample", name=_tex_of(dp.lhs))
            chosen.append((tex, df))
        return chosen, note

    # -- text
    def worked_markdown(self, f: Formula, d, where, note) -> str:
        from symderiv.output.render import render

        parts = [f"**symderiv · {self.p('worked_for', formula=_function_tex(d.problem))}**"]
        if where:
            lines = ", ".join(f"{self.p('line', n=df.line)}" for _, df in where)
            parts.append(f"*{self.p('definitions_from_note', lines=lines)}{' ' + note if note else ''}*")
        parts.append(render(d, "md", lang=self.lang, embedded=True))
        for claim in self.claim_lines(d):
            parts.append(claim)
        if self.plots:
            img = self.plot(d)
            if img:
                parts.append(img)
        analysis = self.analysis(d)
        if analysis:
            parts.append(analysis)
        return "\n\n".join(p.strip("\n") for p in parts if p)

    def repeat(self, f: Formula, first: Outcome) -> Outcome:
        d = first.derivation
        from symderiv.output.render import page_model

        model = page_model(d, self.lang)
        results = [f"${s.head} = {s.result}$" for s in model["sections"]]
        results += [f"${s.head} = {s.result}$" for s in model["hessian_entries"]]
        line = self.p("see_line", n=first.formula.line)
        md = (f"**symderiv · {self.p('worked_for', formula=_function_tex(d.problem))}**\n\n"
              f"{self.p('same_as_above', results=', '.join(results))} {line}{self.p('period')}")
        return Outcome(f, markdown=md, problem=first.problem, derivation=d)

    def analysis(self, d) -> str:
        from symderiv.analysis.analyzer import analysis_markdown

        if len(d.variables) > 2:
            return ""
        try:
            text = analysis_markdown(d.problem, self.lang, timeout=self.timeout).strip()
        except Exception:  # noqa: BLE001 - an analysis is a bonus; the worked derivation stands alone
            return ""
        # its headings would enter the user's outline: bold labels instead
        return re.sub(r"(?m)^#{1,6}\s+(.*)$", r"**\1**", text)

    # -- claims
    def work_claim(self, f: Formula, problem) -> Outcome | None:
        """`\\frac{d}{d\\theta} \\sigma(\\theta^T x) = …`: work the expression under the derivative
        and check the claimed result against it (a named function's claim is checked elsewhere)."""
        from symderiv.core.problem import Problem
        from symderiv.output.printing import latex

        lhs = problem.lhs
        if not isinstance(lhs, sp.Derivative) or lhs.expr.atoms(sp.core.function.AppliedUndef) \
                or len(lhs.variable_count) != 1 or lhs.variable_count[0][1] != 1:
            return None
        name = str(_base_name(lhs.variables[0]))
        sub = Problem(source=f.tex, expr=lhs.expr, kind="expression", variables=(name,),
                      vectors=problem.vectors, sizes=problem.sizes, latex=latex(lhs.expr),
                      extra={"claims": ((lhs, problem.expr),)})
        try:
            d = self._derive(sub)
        except SymderivError:
            return None
        return Outcome(f, markdown=self.worked_markdown(f, d, [], ""), problem=sub, derivation=d)

    def claim_lines(self, d) -> list[str]:
        out = []
        for lhs, rhs in d.problem.extra.get("claims", ()):
            verdict = self.check_claim(d, lhs, rhs)
            if verdict is None:
                continue
            ok, truth = verdict
            claim = f"{_tex_of(lhs)} = {_tex_of(rhs)}"
            out.append("✓ " + self.p("claim_ok", claim=claim) if ok
                       else "✗ " + self.p("claim_wrong", claim=claim, truth=truth))
        return out

    def check_claim(self, d, lhs, rhs):
        """(agrees, LaTeX of the truth) for a claim `f'(x) = …` about d's function, or None."""
        from symderiv.output.printing import latex
        from symderiv.check.verify import verify

        if not isinstance(lhs, sp.Derivative):
            return None
        order = sum(n for _, n in lhs.variable_count)
        variables = [v for v, _ in lhs.variable_count]
        if len(variables) != 1 or str(_base_name(variables[0])) not in d.variables or len(d.variables) != 1:
            return None
        g = d.gradient[0]
        if g.index and order != 1:
            return None
        truth = d.problem.expanded()
        truth = sp.diff(truth, g.wrt, order)
        try:
            if order == 1:
                res = verify(d.problem, g.variable, rhs, timeout=self.timeout)
                return res.ok, latex(res.truth_display)
            diff = sp.simplify(truth - rhs.xreplace({variables[0]: g.wrt}))
            return diff == 0, latex(truth)
        except Exception:  # noqa: BLE001
            return None

    def claim_reason(self, problem) -> str:
        """A claim standing alone (`f'(x) = 2x`): checked against the function worked last."""
        from symderiv.check.verify import verify

        lhs = problem.lhs
        funcs = list(lhs.atoms(sp.core.function.AppliedUndef)) if lhs is not None else []
        name = str(funcs[0].func) if funcs else None
        target = next((o for o in reversed(self.functions) if name and o.derivation.problem.name == name), None)
        if target is None and lhs is not None and isinstance(lhs, sp.Derivative) and not name:
            # d/dθ σ(θᵀx) = …: verify the expression under the derivative directly
            try:
                res = verify(_as_problem(lhs.expr), str(_base_name(lhs.variables[0])), problem.expr,
                             timeout=self.timeout)
                verdict = self.p("verdict_ok") if res.ok else self.p("verdict_wrong", truth=_tex_of(res.truth_display))
                return self.p("skip_claim_checked", f=_tex_of(lhs.expr), verdict=verdict)
            except Exception:  # noqa: BLE001
                return self.p("skip_claim")
        if target is None:
            return self.p("skip_claim")
        verdict = self.check_claim(target.derivation, lhs, problem.expr)
        if verdict is None:
            return self.p("skip_claim")
        ok, truth = verdict
        word = self.p("verdict_ok") if ok else self.p("verdict_wrong", truth=truth)
        return self.p("skip_claim_checked", f=_function_tex(target.derivation.problem), verdict=word) \
            + " " + self.p("see_line", n=target.formula.line)

    # -- plots
    def plot(self, d) -> str:
        """A PNG next to the note for a function of one or two scalar variables; its Markdown link."""
        if any(g.index for g in d.gradient) or len(d.gradient) not in (1, 2):
            return ""
        try:
            data = _plot_png(d)
        except Exception:  # noqa: BLE001 - a plot is a bonus
            return ""
        if data is None:
            return ""
        stem = os.path.splitext(os.path.basename(self.out_path))[0]
        name = f"{stem}.fig{len(self.files) + 1}.png"
        self.files.append((os.path.join(os.path.dirname(os.path.abspath(self.out_path)), name), data))
        kind = "plot_curve" if len(d.gradient) == 1 else "plot_contour"
        return f"![{self.p('plot')}: {self.p(kind)}]({name})"


# --------------------------------------------------------------------------- plots
def _plot_png(d) -> bytes | None:
    import io
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from symderiv.ml.functions import to_elementary

    f_expr = to_elementary(d.problem.expanded())
    vars_ = [g.wrt for g in d.gradient]
    if f_expr.free_symbols - set(vars_):
        return None                     # other symbols (y, a, …) have no values to plot with
    grads = [to_elementary(g.expanded) for g in d.gradient]
    fn = sp.lambdify(vars_, f_expr, "numpy")
    gfn = [sp.lambdify(vars_, g, "numpy") for g in grads]
    fig = plt.figure(figsize=(5.2, 3.6), dpi=110)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if len(vars_) == 1:
                xs = _domain(fn)
                if xs is None:
                    return None
                ys = np.broadcast_to(np.asarray(fn(xs), dtype=float), xs.shape)
                dys = np.broadcast_to(np.asarray(gfn[0](xs), dtype=float), xs.shape)
                ax = fig.add_subplot(111)
                name = d.problem.name or "f"
                ax.plot(xs, ys, label=f"{_plain(name)}({_plain(str(vars_[0]))})")
                ax.plot(xs, dys, "--", label=f"{_plain(name)}'({_plain(str(vars_[0]))})")
                ax.axhline(0, color="0.8", lw=0.8)
                ax.legend()
                ax.set_xlabel(_plain(str(vars_[0])))
            else:
                t = np.linspace(-3, 3, 161)
                X, Y = np.meshgrid(t, t)
                Z = np.broadcast_to(np.asarray(fn(X, Y), dtype=float), X.shape)
                if not np.isfinite(Z).any():
                    return None
                ax = fig.add_subplot(111)
                cs = ax.contour(X, Y, Z, levels=15, cmap="viridis")
                ax.clabel(cs, fontsize=6)
                q = np.linspace(-3, 3, 13)
                QX, QY = np.meshgrid(q, q)
                U = np.broadcast_to(np.asarray(gfn[0](QX, QY), dtype=float), QX.shape)
                V = np.broadcast_to(np.asarray(gfn[1](QX, QY), dtype=float), QX.shape)
                ax.quiver(QX, QY, U, V, color="tab:red", alpha=0.7)
                ax.set_xlabel(_plain(str(vars_[0])))
                ax.set_ylabel(_plain(str(vars_[1])))
                ax.set_aspect("equal")
            buf = io.BytesIO()
            fig.tight_layout()
            fig.savefig(buf, format="png")
            return buf.getvalue()
    finally:
        plt.close(fig)


def _domain(fn):
    import numpy as np

    for lo, hi in ((-3.0, 3.0), (0.05, 5.0), (-0.99, 0.99)):
        xs = np.linspace(lo, hi, 401)
        ys = np.broadcast_to(np.asarray(fn(xs), dtype=float), xs.shape)
        if np.isfinite(ys).mean() > 0.9:
            return xs
    return None


def _plain(name: str) -> str:
    from symderiv.output.printing import unicode_name
    return unicode_name(name)


# --------------------------------------------------------------------------- assembling
def _assemble(text: str, outcomes: list[Outcome], lang: str) -> str:
    inserts: dict[int, list[str]] = {}
    for o in outcomes:
        if o.markdown:
            inserts.setdefault(o.formula.insert_at, []).append(o.markdown)
    pieces, last = [], 0
    for pos in sorted(inserts):
        pieces.append(text[last:pos])
        body = "\n\n".join(inserts[pos])
        if pos == len(text) and text and not text.endswith("\n"):
            pieces.append(f"\n\n{BEGIN_AT_END}\n\n{body}\n\n{END}")
        else:
            pieces.append(f"\n{BEGIN}\n\n{body}\n\n{END}\n")
        last = pos
    pieces.append(text[last:])
    out = "".join(pieces)
    skipped = [o for o in outcomes if o.reason]
    worked = [o for o in outcomes if o.markdown]
    summary = [f"**{phrase('skipped_title', lang)}**", "", phrase("skipped_intro", lang), ""]
    for o in skipped:
        shown = " ".join(o.formula.tex.split())
        fence = "``" if "`" in shown else "`"
        summary.append(f"- {phrase('line', lang, n=o.formula.line)}{phrase('colon', lang)} {fence}{shown}{fence} — {o.reason}")
    footer = "\n".join(["---", "", *(summary if skipped else []), "",
                        f"*{phrase('generated_by', lang)} ({len(worked)} / {len(outcomes)})*"])
    if out.endswith("\n") or not out:
        return out + f"\n{BEGIN}\n\n{footer}\n\n{END}\n"
    return out + f"\n\n{BEGIN_AT_END}\n\n{footer}\n\n{END}"


# --------------------------------------------------------------------------- small helpers
def _short(exc) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    msg = msg.replace("$", r"\$")
    return msg[:160]


def _tex_of(expr) -> str:
    from symderiv.output.printing import latex
    return latex(expr)


def _tex_name(name: str) -> str:
    return _tex_of(sp.Symbol(name))


def _function_tex(problem) -> str:
    from symderiv.output.render import function_tex
    return function_tex(problem)


def _base_name(v):
    return v.base.label if isinstance(v, sp.Indexed) else v


def _as_problem(expr):
    """The expression under a claimed derivative, as a Problem (parsed back from its LaTeX)."""
    from symderiv.parsing.parser import parse
    return parse(_tex_of(expr))

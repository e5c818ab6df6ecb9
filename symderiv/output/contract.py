"""`symderiv parse` and `symderiv derive`: arguments, the JSON contract, the plain-text page.

The JSON object follows DESIGN.md exactly (outside checks read it): `sympy` fields are `srepr`
strings, `expanded` has every definition substituted, a vector variable's entry names its free
index (1-based) in `index`.
"""
from __future__ import annotations

import argparse
import json

import sympy as sp

from symderiv.core.errors import SymderivError
from symderiv.core.io import read_latex_argument, write_output

BUILTIN_EXAMPLE = (r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
                   [r"\hat{y}_i = \sigma(\theta^T x_i)"])


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("latex", nargs="?", metavar="LATEX",
                        help="the formula (`-` reads it from standard input)"
                        + ("; without it, the built-in logistic-regression example" if name == "derive" else ""))
    parser.add_argument("--where", action="append", default=[], metavar="DEF",
                        help=r"a definition such as '\hat{y}_i = \sigma(\theta^T x_i)' (repeatable)")
    parser.add_argument("--timeout", type=float, default=20.0, help="time limit in seconds (default 20)")
    if name == "parse":
        parser.add_argument("--format", choices=["json", "text"], default="json")
        return
    parser.add_argument("--wrt", action="append", default=[], metavar="VARS",
                        help="variables to differentiate by, e.g. --wrt w,b (default: the function's arguments)")
    parser.add_argument("--hessian", action="store_true", help="also derive the Hessian")
    parser.add_argument("--format", choices=["json", "text", "md", "tex"], default="text")
    parser.add_argument("--lang", choices=["en", "zh"], default=None, help="language of the page (default: locale)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    parser.add_argument("--template", metavar="DIR", help="a folder with your own copies of the templates")
    parser.add_argument("--fragment", action="store_true", help="with --format tex: the body only")


def run_cli(args) -> int:
    from symderiv.parsing.parser import parse

    latex, where = read_latex_argument(args.latex), list(args.where)
    if latex is None:
        if args.command == "parse":
            raise SymderivError("parse needs a formula: symderiv parse 'f(x) = x^2'")
        latex, where = BUILTIN_EXAMPLE[0], BUILTIN_EXAMPLE[1] + where
    problem = parse(latex, where)
    if args.command == "parse":
        out = problem_json(problem)
        if args.format == "text":
            print(problem_text(problem))
        else:
            print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0

    from symderiv.calculus.engine import derive
    derivation = derive(problem, wrt=args.wrt or None, hessian=args.hessian, timeout=args.timeout)
    if args.format == "json":
        body = json.dumps(derivation_json(derivation), ensure_ascii=False, indent=1) + "\n"
    elif args.format == "text":
        from symderiv.output.phrases import default_language
        body = derivation_text(derivation, args.lang or default_language())
    else:
        from symderiv.output.phrases import default_language
        from symderiv.output.render import render
        body = render(derivation, args.format, lang=args.lang or default_language(),
                      template_dir=args.template, fragment=args.fragment)
    write_output(body, args.output, source_paths=())
    return 0


# --------------------------------------------------------------------------- JSON contract
def problem_json(problem) -> dict:
    from symderiv.output.printing import latex
    function = {"name": problem.name, "latex": problem.latex,
                "sympy": sp.srepr(problem.expr), "expanded": sp.srepr(problem.expanded())}
    if problem.lhs is not None and problem.kind == "equation":
        function["lhs"] = {"latex": latex(problem.lhs), "sympy": sp.srepr(problem.lhs)}
    return {
        "input": problem.source,
        "function": function,
        "definitions": [{"symbol": d.name, "latex": d.latex or f"{latex(d.target)} = {latex(d.expr)}",
                         "sympy": sp.srepr(d.expr)} for d in problem.definitions],
        "variables": list(problem.variables),
    }


def derivation_json(d) -> dict:
    from symderiv.output.printing import latex
    from symderiv.output.steps import StepViewer
    out = problem_json(d.problem)
    out["variables"] = list(d.variables)
    out["gradient"] = [{"variable": g.variable, "index": str(g.index[0]) if g.index else None,
                        "latex": latex(g.result), "sympy": sp.srepr(g.result),
                        "expanded": sp.srepr(g.expanded)} for g in d.gradient]
    if d.notes:
        out["notes"] = list(d.notes)
    if d.hessian is None:
        out["hessian"] = None
    else:
        h = {"latex": _matrix_latex(d.hessian),
             "sympy": [[sp.srepr(e.result) for e in row] for row in d.hessian],
             "expanded": [[sp.srepr(e.expanded) for e in row] for row in d.hessian]}
        if any(g.index for g in d.gradient):
            # a vector variable's block: [row index, column index] of its entries (k, l)
            blocks = [[_block_index(d, a, b) for b in range(len(row))] for a, row in enumerate(d.hessian)]
            h["index"] = blocks[0][0] if len(blocks) == 1 else blocks
        out["hessian"] = h
    viewer = StepViewer(d.intermediates, name=d.problem.name)
    out["steps"] = [viewer.view(g.step).to_json() for g in d.gradient]
    return out


def _block_index(d, a, b):
    """[row, col]: the free indices of H[a][b] in its `sympy`/`expanded` (None for a scalar
    variable). The lower triangle reuses the upper entry H[b][a], so its indices swap."""
    lo, hi = min(a, b), max(a, b)
    first, second = d.gradient[lo].index, d.hessian[lo][hi].index
    pair = [str(first[0]) if first else None, str(second[0]) if second else None]
    if a > b:
        pair.reverse()
    return pair if any(pair) else None


def _matrix_latex(rows) -> str:
    from symderiv.output.printing import latex
    body = r" \\ ".join(" & ".join(latex(e.result) for e in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


# --------------------------------------------------------------------------- plain text
def problem_text(problem, lang: str = "en") -> str:
    from symderiv.output.phrases import phrase
    from symderiv.output.printing import text
    lines = [f"{phrase('function_label', lang)}: {problem.name or '(expression)'} = {text(problem.expr)}"]
    for d in problem.definitions:
        lines.append(f"{phrase('where', lang)}: {text(d.target)} = {text(d.expr)}")
    lines.append(f"{phrase('variables', lang).lower()}: " + ", ".join(problem.variables))
    return "\n".join(lines)


def derivation_text(d, lang: str = "en") -> str:
    """A readable plain-text derivation: the problem, numbered steps, results, vector forms."""
    from symderiv.output.phrases import phrase
    from symderiv.output.printing import text
    from symderiv.output.steps import StepViewer
    from symderiv.calculus.forms import gradient_vector_form, hessian_vector_form

    label = lambda key: phrase(key, lang).lower() if lang == "en" else phrase(key, lang)  # noqa: E731
    viewer = StepViewer(d.intermediates, lang=lang, name=d.problem.name)
    lines = [problem_text(d.problem, lang)]
    lines += [f"{label('note')}: {n}" for n in d.notes]
    for g in d.gradient:
        name = d.problem.name or "f"
        lines.append("")
        lines.append(f"∂{name}/∂{text(g.wrt)}" + (f"   ({g.index[0]} = 1..{_size_of(g)})" if g.index else ""))
        counter = [0]
        _text_steps(viewer.view(g.step), lines, counter, 1)
        lines.append(f"  {label('result')}: {text(g.result)}")
        if g.index:
            vf = gradient_vector_form(g.result, g.wrt)
            if vf and vf.matrix:
                lines.append(f"  {label('vector_form')}: {_tex_to_text(vf.per_sample)} = {_tex_to_text(vf.matrix)}")
    if d.hessian:
        lines.append("")
        lines.append(f"{phrase('hessian', lang)}:")
        for a, row in enumerate(d.hessian):
            for b, e in enumerate(row):
                lines.append(f"  ∂²/∂{text(d.gradient[a].wrt)}∂{text(e.wrt)}: {text(e.result)}")
        g = d.gradient[0]
        if len(d.gradient) == 1 and g.index:
            vf = hessian_vector_form(d.hessian[0][0].result, g.wrt, d.hessian[0][0].wrt)
            if vf and vf.matrix:
                extra = f"  ({_tex_to_text(vf.where)})" if vf.where else ""
                lines.append(f"  {label('vector_form')}: {_tex_to_text(vf.matrix)}{extra}")
    return "\n".join(lines) + "\n"


def _size_of(g):
    for s in g.expanded.atoms(sp.Sum):
        for lim in s.limits:
            if lim[0].name == "j" or str(lim[2]) == "d":
                return str(lim[2])
    return "d"


def _text_steps(view, lines, counter, depth):
    if view.trivial and depth > 1:
        return
    counter[0] += 1
    note = _tex_to_text(view.note)
    lines.append(f"  {'  ' * (depth - 1)}{counter[0]}. {note}")
    lines.append(f"  {'  ' * (depth - 1)}   d/d{view.wrt_text} [{view.expr_text}] = {view.result_text}")
    for s in view.substeps:
        _text_steps(s, lines, counter, depth + 1)


_TEX_WORDS = {r"\partial ": "∂", r"\partial": "∂", r"\cdot": "·", r"\sum": "Σ", r"\sqrt": "√", r"\log": "log",
              r"\ln": "ln", r"\tanh": "tanh", r"\exp": "exp", r"\operatorname{diag}": "diag",
              r"\mathbf{1}": "1", r"\quad": " ", r"\,": " "}


def _tex_to_text(s: str) -> str:
    """Light LaTeX -> Unicode for the plain-text page: fractions, accents, Greek, scripts."""
    import re

    from symderiv.output.printing import unicode_name
    s = s.replace("$", "").replace(r"\left", "").replace(r"\right", "")
    s = re.sub(r"\\(hat|bar|tilde)\{\\?([A-Za-z]+)\}", lambda m: unicode_name(m.group(2) + m.group(1)), s)
    s = re.sub(r"\^\{T\}", "ᵀ", s)
    s = _fracs_to_slashes(s)
    s = re.sub(r"\\sum_\{([^{}]*)=([^{}]*)\}\^\{([^{}]*)\}", r"Σ_⟨\1=\2..\3⟩", s)  # as the text printer
    for a, b in _TEX_WORDS.items():
        s = s.replace(a, b)
    s = re.sub(r"\\([A-Za-z]+)", lambda m: unicode_name(m.group(1)), s)
    s = re.sub(r"_\{([^{}]*)\}", r"_\1", s)
    s = re.sub(r"\^\{([^{}]*)\}", r"^\1", s)
    s = s.replace("{", "").replace("}", "").replace("⟨", "{").replace("⟩", "}")
    s = re.sub(r"\s+", " ", s)
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", s)).strip()


def _fracs_to_slashes(s: str) -> str:
    r"""\frac{a}{b} -> a/b, with nested braces."""
    while r"\frac{" in s:
        start = s.index(r"\frac{")
        num, after = _braced(s, start + 5)
        den, end = _braced(s, after)
        if num is None or den is None:
            break
        s = s[:start] + f"{_group(_tex_to_text(num))}/{_group(_tex_to_text(den))}" + s[end:]
    return s


def _braced(s: str, at: int):
    if at >= len(s) or s[at] != "{":
        return None, at
    depth = 0
    for n in range(at, len(s)):
        depth += {"{": 1, "}": -1}.get(s[n], 0)
        if depth == 0:
            return s[at + 1:n], n + 1
    return None, at


def _group(t: str) -> str:
    t = t.strip()
    return t if all(c.isalnum() or c in "_∂·^ ̂" for c in t) and " " not in t.strip("∂ ") else f"({t})"

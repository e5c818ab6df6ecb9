"""analyze's page as a teacher writes it: ∇f and H first (display math), then the points where ∇f = 0
(exact where SymPy solved it), each classified by the signs of H's eigenvalues in the right words
(definite, semidefinite, indefinite), then convexity with its argument or a simple witness.

Plain text prints the mathematics in one-line Unicode, Markdown as $$…$$ / $…$, LaTeX as a document
(the Markdown page's structure, typeset by pdflatex with CJKutf8 for Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from symderiv.analysis.convexity import simplest, textbook_form
from symderiv.analysis.numeric import short_number
from symderiv.analysis.objective import SampleSum, generic_g
from symderiv.analysis.results import Analysis, CriticalPoint, SigmoidForm
from symderiv.calculus.differentiate import diff
from symderiv.output.analysis_phrases import PHRASES
from symderiv.output.analysis_report import phrase_text
from symderiv.output.analysis_report import plain_text as plain
from symderiv.output.printing import latex as ml_latex
from symderiv.output.printing import unicode_name


def _tex(e: sp.Basic) -> str:
    return ml_latex(e)


def _names(a: Analysis) -> list[str]:
    return [unicode_name(n) for n in a.variables]


def _args(a: Analysis, style: str) -> str:
    if style == "text":
        return ", ".join(_names(a))
    return ", ".join(sp.latex(sp.Symbol(n)) for n in a.variables)


def _definiteness(p: CriticalPoint) -> str | None:
    """The key of H's definiteness at p from the signs of its eigenvalues (exact where known)."""
    if not p.eigenvalues:
        return None
    scale = max(abs(v) for v in p.eigenvalues) or 1.0
    signs = {0 if abs(v) <= 1e-9 * scale else (1 if v > 0 else -1) for v in p.eigenvalues}
    if len(p.eigenvalues) == 1:
        return {1: "d1_pos", -1: "d1_neg", 0: "d1_zero"}[signs.pop()]
    if signs == {1}:
        return "def_pd"
    if signs == {-1}:
        return "def_nd"
    if {1, -1} <= signs:
        return "def_indef"
    if signs == {0}:
        return "def_zero"
    return "def_psd" if 1 in signs else "def_nsd"


# ------------------------------------------------------------------ the pieces, per style


def derivative_lines(a: Analysis, style: str, lang: str) -> list[str]:
    """∇f and H of a plain function, or ∇L = Xᵀ(ŷ − y) and H = XᵀSX of a per-sample loss (with its symbols)."""
    if a.gradient is not None and a.hessian is not None:
        return _plain_derivatives(a.gradient, a.hessian, _args(a, style), style, lang)
    ss = _sample_sum(a)
    if ss is None:
        return []
    return _sample_sum_lines(ss, style, lang)


def _plain_derivatives(gradient: Sequence[sp.Basic], hessian: sp.ImmutableMatrix, args: str, style: str,
                       lang: str) -> list[str]:
    """∇f and H; δ terms of a kink dropped, and said: H where f is twice differentiable."""
    smooth = hessian.xreplace({d: 0 for d in hessian.atoms(sp.DiracDelta)})
    where = PHRASES[lang]["where_smooth"] if smooth != hessian else ""
    if style == "text":
        grad = plain(gradient[0]) if len(gradient) == 1 else "(" + ", ".join(plain(g) for g in gradient) + ")"
        rows = "; ".join(", ".join(plain(e) for e in row) for row in smooth.tolist())
        hess = plain(smooth[0, 0]) if smooth.shape == (1, 1) else f"[{rows}]"
        return [f"∇f({args}) = {grad}", f"H({args}) = ∇²f({args}) = {hess}{where}"]
    tail = rf"\quad \text{{{where.strip()}}}" if where else ""
    if len(gradient) == 1:
        return [rf"$$f'({args}) = {_tex(gradient[0])}, \qquad f''({args}) = {_tex(smooth[0, 0])}{tail}$$"]
    grad = r"\begin{pmatrix}" + r" \\ ".join(_tex(g) for g in gradient) + r"\end{pmatrix}"
    hess = r"\begin{pmatrix}" + r" \\ ".join(" & ".join(_tex(e) for e in row) for row in smooth.tolist()) \
        + r"\end{pmatrix}"
    return [rf"$$\nabla f({args}) = {grad}, \qquad H = \nabla^2 f({args}) = {hess}{tail}$$"]


def _sample_sum(a: Analysis) -> SampleSum | None:
    z = dict(a.convexity.reason.params).get("z")
    return z if isinstance(z, SampleSum) else None


def _sample_sum_lines(ss: SampleSum, style: str, lang: str) -> list[str]:
    """∇L = Σ_i g'(z_i) x_i and H = Σ_i g''(z_i) x_i x_iᵀ, with the vector forms of the logistic loss."""
    g = generic_g(ss)
    g1 = textbook_form(simplest(diff(g, ss.z), 1.0), ss.z)
    g2 = textbook_form(simplest(diff(g, ss.z, 2), 1.0), ss.z)
    theta = unicode_name(str(ss.theta.label)) if ss.theta is not None else "θ"
    x = str(ss.features.label) if ss.features is not None else "x"
    logistic = isinstance(g1, SigmoidForm) and g1.label is not None and isinstance(g2, SigmoidForm) and \
        not ss.biases and ss.theta_coeff == 1 and ss.offset == 0
    if style == "text":
        d1 = "(σ(z_i) − y_i)" if logistic else plain(_at_zi(g1, ss))
        d2 = "σ(z_i)(1 − σ(z_i))" if logistic else plain(_at_zi(g2, ss))
        lines = [f"∇L({theta}) = Σ_i {d1} {x}_i" + (" = Xᵀ(ŷ − y)" if logistic else ""),
                 f"H({theta}) = Σ_i {d2} {x}_i {x}_iᵀ" + (" = XᵀSX" if logistic else "")]
        return ([PHRASES[lang]["seed_symbols"] + PHRASES[lang]["period"]] if logistic else []) + lines
    t = sp.latex(sp.Symbol(str(ss.theta.label))) if ss.theta is not None else r"\theta"
    if logistic:
        return [PHRASES[lang]["seed_symbols"] + PHRASES[lang]["period"],
                rf"$$\nabla L({t}) = \sum_{{i=1}}^{{n}} \bigl(\sigma(z_i) - y_i\bigr)\, {x}_i = X^T(\hat{{y}} - y)$$",
                rf"$$H = \nabla^2 L({t}) = \sum_{{i=1}}^{{n}} \sigma(z_i)\bigl(1 - \sigma(z_i)\bigr)\, {x}_i {x}_i^T"
                rf" = X^T S X$$"]
    return [rf"$$\nabla L({t}) = \sum_{{i=1}}^{{n}} g'(z_i)\, a_i, \quad g'(z) = {_form_tex(g1)}$$",
            rf"$$H = \nabla^2 L({t}) = \sum_{{i=1}}^{{n}} g''(z_i)\, a_i a_i^T, \quad g''(z) = {_form_tex(g2)}$$"]


def _at_zi(form: sp.Basic | SigmoidForm, ss: SampleSum) -> sp.Basic:
    if isinstance(form, SigmoidForm):
        from symderiv.ml.functions import sigmoid

        s = sigmoid(sp.Symbol("z_i"))
        return s * (1 - s) if form.label is None else s - form.label
    return form.xreplace({ss.z: sp.Symbol("z_i")})


def _form_tex(form: sp.Basic | SigmoidForm) -> str:
    if isinstance(form, SigmoidForm):
        return r"\sigma(z)\bigl(1 - \sigma(z)\bigr)" if form.label is None else rf"\sigma(z) - {sp.latex(form.label)}"
    return _tex(form)


def coords(a: Analysis, p: CriticalPoint, style: str) -> str:
    """(x, y) = (1/3, −1/3), with ≈ decimals only when a coordinate is irrational or numeric."""
    names = _names(a)
    one = len(names) == 1
    approx = ", ".join(short_number(v) for v in p.values)
    approx = approx if one else f"({approx})"
    if style == "text":
        lhs = names[0] if one else "(" + ", ".join(names) + ")"
        if p.exact is None:
            return f"{lhs} ≈ {approx}"
        ex = ", ".join(plain(e) for e in p.exact)
        ex = ex if one else f"({ex})"
        return f"{lhs} = {ex}" + ("" if all(e.is_Rational for e in p.exact) else f" ≈ {approx}")
    lhs = _args(a, "md") if one else f"({_args(a, 'md')})"
    if p.exact is None:
        return f"${lhs} \\approx {approx}$"
    ex = ", ".join(_tex(e) for e in p.exact)
    ex = ex if one else f"({ex})"
    tail = "" if all(e.is_Rational for e in p.exact) else f" \\approx {approx}"
    return f"${lhs} = {ex}{tail}$"


def _eigen(p: CriticalPoint, style: str) -> str:
    exact = p.exact_eigenvalues
    if exact is None:
        vals = [short_number(v) for v in p.eigenvalues]
        return f"${', '.join(vals)}$" if style != "text" else ", ".join(vals)
    if style == "text":
        return ", ".join(plain(e) if e.is_Rational else f"{plain(e)} ≈ {short_number(v)}"
                         for e, v in zip(exact, p.eigenvalues, strict=True))
    return "$" + ", ".join(_tex(e) if e.is_Rational else f"{_tex(e)} \\approx {short_number(v)}"
                           for e, v in zip(exact, p.eigenvalues, strict=True)) + "$"


def point_line(a: Analysis, p: CriticalPoint, style: str, lang: str) -> str:
    """One point: where, H's eigenvalues there, the definiteness, and what that makes the point."""
    t = PHRASES[lang]
    colon, bold = t["colon"], ("**" if style == "md" else "")
    kind = f"{bold}{t[p.kind]}{bold}"
    parts = [coords(a, p, style) + colon]
    definite = _definiteness(p)
    if p.kind == "kink" or definite is None:
        parts.append(kind)
    else:
        head = t[definite].format(ev=_eigen(p, style))
        parts.append(head if p.kind == "undecided" else t["so_kind"].format(head=head, kind=kind))
    if p.note is not None:
        parts.append(("；" if lang == "zh" else "; ") + phrase_text(p.note, lang, style if style == "md" else "text"))
    return "".join(parts)


# ------------------------------------------------------------------ pages


def render_text(a: Analysis, lang: str = "en") -> str:
    """The analysis as plain text: ∇f and H, the points, convexity."""
    t = PHRASES.get(lang, PHRASES["en"])
    lang = lang if lang in PHRASES else "en"
    derivs = derivative_lines(a, "text", lang)
    lines = [t["derivatives"] + t["colon"].rstrip(), *[f"  {ln}" for ln in derivs], ""] if derivs else []
    lines += [t["critical_points"] + t["colon"].rstrip(), f"  {phrase_text(a.method, lang)}"]
    lines += [f"  {phrase_text(n, lang)}" for n in a.notes]
    if not a.critical_points and not _described(a):
        lines.append(f"  {t['no_points']}")
    lines += [f"  {point_line(a, p, 'text', lang)}" for p in a.critical_points]
    lines += ["", t["convexity_title"] + t["colon"] + _verdict(a, lang) + t["period"],
              f"  {_reason(a, lang, 'text')}{t['period']}"]
    return "\n".join(lines) + "\n"


def render_markdown(a: Analysis, lang: str = "en", heading: str = "###") -> str:
    """The analysis as Markdown: a section each for the derivatives, the points and convexity."""
    lang = lang if lang in PHRASES else "en"
    t = PHRASES[lang]
    out = []
    derivs = derivative_lines(a, "md", lang)
    if derivs:
        out += [f"{heading} {t['derivatives']}", "", *[x for d in derivs for x in (d, "")]]
    out += [f"{heading} {t['critical_points']}", "", _capital(phrase_text(a.method, lang, "md"), lang) + _end(lang), ""]
    out += [f"- {_capital(phrase_text(n, lang, 'md'), lang)}" for n in a.notes]
    if a.notes:
        out.append("")
    if not a.critical_points and not _described(a):
        out += [t["no_points"] + t["period"], ""]
    out += [f"- {point_line(a, p, 'md', lang)}" for p in a.critical_points]
    if a.critical_points:
        out.append("")
    out += [f"{heading} {t['convexity_title']}", "",
            f"**{_verdict(a, lang)}{t['period']}** {_reason(a, lang, 'md')}{t['period']}"]
    return "\n".join(math_in_prose(line, lang) for line in out).strip() + "\n"


def math_in_prose(line: str, lang: str) -> str:
    """A Markdown line whose Unicode formulas (x_iᵀ, vᵀHv ≥ 0) are made $…$ math; headings, display math
    and code are left alone."""
    if line.startswith(("#", "$$")) or not line:
        return line
    prefix = next((p for p in ("- ", "> ") if line.startswith(p)), "")
    return prefix + _tex_line(line[len(prefix):], lang, "md")


def render_latex(a: Analysis, lang: str = "en") -> str:
    """The Markdown page as a LaTeX document (headings, lists, bold, display math)."""
    body = []
    in_list = False
    for line in render_markdown(a, lang, "###").splitlines():
        if line.startswith("- ") and not in_list:
            body.append(r"\begin{itemize}")
            in_list = True
        elif not line.startswith("- ") and in_list:
            body.append(r"\end{itemize}")
            in_list = False
        prefix = ""
        if line.startswith("### "):
            prefix, line = r"\subsection*", line[4:]
        elif line.startswith("- "):
            prefix, line = r"\item ", line[2:]
        if line.startswith("$$"):
            body.append(re.sub(r"\$\$(.*?)\$\$", r"\\[ \1 \\]", line))
            continue
        line = _tex_line(line, lang)
        body.append(f"{prefix}{{{line}}}" if prefix.startswith(r"\sub") else prefix + line)
    if in_list:
        body.append(r"\end{itemize}")
    cjk = lang == "zh"
    head = [r"\documentclass[11pt]{article}", r"\usepackage[T1]{fontenc}", r"\usepackage{lmodern}",
            r"\usepackage{amsmath,amssymb}", r"\usepackage[margin=2cm]{geometry}",
            *([r"\usepackage{CJKutf8}"] if cjk else []), r"\usepackage[utf8]{inputenc}",
            r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{0.6em}", r"\begin{document}",
            *([r"\begin{CJK}{UTF8}{gbsn}"] if cjk else [])]
    tail = [*([r"\end{CJK}"] if cjk else []), r"\end{document}"]
    return "\n".join([*head, *body, *tail]) + "\n"


# Unicode mathematics in prose, typeset as LaTeX math (pdflatex does not know these characters).
_UNICODE_MATH = {"∇": r"\nabla ", "²": "^{2}", "ᵀ": "^{T}", "Σ": r"\Sigma ", "≥": r"\geq ", "≤": r"\leq ",
                 "≈": r"\approx ", "⪰": r"\succeq ", "×": r"\times ", "σ": r"\sigma ", "θ": r"\theta ",
                 "ŷ": r"\hat{y}", "−": "-",
                 "∈": r"\in ", "‖": r"\|", "λ": r"\lambda ", "→": r"\to ", "⁻¹": "^{-1}", "∂": r"\partial ",
                 "⁽ᵗ⁾": "^{(t)}", "⁽ᵗ⁺¹⁾": "^{(t+1)}", "η": r"\eta ", "δ": r"\delta ", "𝟙": r"\mathbb{1}",
                 "∞": r"\infty ", "√": r"\surd "}


def _tex_line(line: str, lang: str, style: str = "tex") -> str:
    """One Markdown line of prose as LaTeX (`code` → \\texttt, **bold** → \\textbf) or as Markdown
    (style "md": both kept), the formulas in it made math."""
    pieces = re.split(r"(`[^`]*`|\*\*)", line)
    out, bold = [], False
    for piece in pieces:
        if style == "md" and (piece == "**" or piece.startswith("`")):
            out.append(piece)
        elif piece == "**":
            out.append("}" if bold else r"\textbf{")
            bold = not bold
        elif piece.startswith("`"):
            out.append(r"\texttt{" + piece[1:-1].replace("--", r"-\/-") + "}")
        else:
            out.append(_escape_prose(piece, lang))
    return "".join(out)


_CJK_RUN = re.compile(r"([\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+)")


def _escape_prose(line: str, lang: str = "en") -> str:
    """Unicode math outside $…$ made LaTeX math (x_i, ŷ, ᵀ, ≥ …); adjacent formulas merged into one."""
    parts = re.split(r"(\$[^$]*\$|\\\[.*?\\\])", line)
    for k in range(0, len(parts), 2):
        seg = re.sub(r"\bdiag\(", r"$\\operatorname{diag}$(", parts[k])
        seg = re.sub(r"([^\s，。：；（）、$\\{}])_(\{[^{}]*\}|[A-Za-z0-9]+)", r"\1$_{\2}$", seg)
        for ch, tex in _UNICODE_MATH.items():
            seg = seg.replace(ch, f"${tex}$")
        parts[k] = seg
    out = re.sub(r"\$(\s*)\$", r"\1", "".join(parts))
    if lang != "zh":
        return _english_formulas(out)
    # In Chinese prose every Latin run is mathematics (X, vᵀHv, n × d): one formula per run, italic.
    runs = _CJK_RUN.split(out)
    for k in range(0, len(runs), 2):
        core = runs[k].strip()
        if re.search(r"[A-Za-z0-9\\]", core) and core != "SymPy":
            lead, trail = runs[k][: len(runs[k]) - len(runs[k].lstrip())], runs[k][len(runs[k].rstrip()):]
            runs[k] = f"{lead}${core.replace('$', '')}${trail}"
    return "".join(runs)


def _mathy(token: str) -> bool:
    """A word of English prose that belongs to a formula: math already, a symbol, a number, an operator."""
    core = token.rstrip(",;:.")
    if not core:
        return False
    if "$" in core or "\\" in core or re.fullmatch(r"[()\d\s.,+\-=<>/|]*[\d=<>][()\d\s.,+\-=<>/|]*", core):
        return True
    if re.fullmatch(r"\(?-?\d+(?:\.\d+)?e[-+]?\d+\)?", core):  # 1e-06
        return True
    if re.fullmatch(r"[A-Za-z]'+(?:\(\w+\))?", core):  # f'', g'(z)
        return True
    return bool(re.fullmatch(r"\(?[B-HJ-Zb-z]\)?", core))  # one letter, not the words "a" and "I"


def _unbalanced(text: str) -> bool:
    plain = re.sub(r"\$[^$]*\$", "", text)
    return plain.count("(") > plain.count(")")


def _english_formulas(line: str) -> str:
    """Runs of formula words in English prose joined into one $…$ ("v$^{T}$Hv = $-6$ < 0" → one formula)."""
    lead_space, trail_space = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()):]
    words = re.findall(r"(?:\$[^$]*\$|[^\s$])+", line)
    out: list[str] = []
    k = 0
    while k < len(words):
        if not _mathy(words[k]):
            out.append(words[k])
            k += 1
            continue
        j = k
        while j + 1 < len(words) and _mathy(words[j + 1]) and (
                not re.search(r"[,;:.]$", words[j]) or _unbalanced(" ".join(words[k:j + 1]))):
            j += 1
        run = " ".join(words[k:j + 1])
        trail = re.search(r"[,;:.]*$", run).group(0)  # type: ignore[union-attr]
        core = run[: len(run) - len(trail)] if trail else run
        opened = core.count("(") - core.count(")")
        if opened > 0 and core.startswith("("):  # "(x, y)" stays whole; a parenthesis that opens prose does not
            core, lead = core[1:], "("
        else:
            lead = ""
        out.append(f"{lead}${core.replace('$', '')}${trail}")
        k = j + 1
    return lead_space + " ".join(out) + trail_space


def _described(a: Analysis) -> bool:
    return a.indexed or a.quadratic is not None or any(n.key == "family" for n in a.notes)


def _verdict(a: Analysis, lang: str) -> str:
    return PHRASES[lang][f"V_{a.convexity.verdict}"]


def _reason(a: Analysis, lang: str, style: str) -> str:
    """The argument as a sentence (capitalised in English)."""
    return _capital(phrase_text(a.convexity.reason, lang, style), lang)


def _capital(text: str, lang: str) -> str:
    """A sentence's first word capitalised in English ("at …" → "At …"), never a formula (f'' stays f'')."""
    return re.sub(r"^[a-z](?=[a-z ])", lambda m: m.group(0).upper(), text) if lang == "en" else text


def _end(lang: str) -> str:
    return PHRASES[lang]["period"]


"""Worked solutions (issue 4): Markdown and LaTeX pages from a corpus of derivations.

Rendered for real: every formula of every Markdown page goes through KaTeX (node, throwOnError,
strict) and the LaTeX pages are compiled with pdflatex (one combined document per language plus
two standalone pages, in parallel). Both are skipped, with the reason, only when node or pdflatex
is missing (`.ci/run` installs them).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from symderiv.calculus.engine import derive
from symderiv.cli.main import main
from symderiv.notes.reading import find_formulas
from symderiv.output.render import render, unportable

JS_DIR = Path(__file__).parents[1] / "js"

# (latex, where, hessian): the seed's formulas plus scalar, multivariate, indexed and piecewise ones
CORPUS = [
    (r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
     [r"\hat{y}_i = \sigma(\theta^T x_i)"], True),
    (r"L(\theta) = -\frac{1}{n}\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]",
     [r"\hat{y}_i = \sigma(\theta^T x_i) = \frac{1}{1 + e^{-\theta^T x_i}}"], True),
    (r"\hat{y}_i = \sigma(\theta^T x_i) = \frac{1}{1 + e^{-\theta^T x_i}}", [], True),
    (r"f(x) = x^2", [], True),
    (r"f(x) = \log x", [], True),
    (r"\sigma(x) = \frac{1}{1+e^{-x}}", [], True),
    (r"L(\theta) = -y\log \hat{y} - (1 - y)\log(1 - \hat{y})", [r"\hat{y} = \sigma(\theta^T x)"], True),
    (r"f(x, y) = x^2 - y^2", [], True),
    (r"f(x, y) = (1 - x)^2 + 100(y - x^2)^2", [], True),
    (r"g(x, y) = x^2 + 3xy - y^2", [], True),
    (r"f(x) = \sin(x^2) \cos x", [], True),
    (r"f(x) = \frac{x^2 + 1}{x - 3}", [], True),
    (r"f(x) = e^{2x} \tanh x", [], True),
    (r"f(x) = \sqrt{1 + x^2}", [], True),
    (r"f(x) = 2^x", [], False),
    (r"f(x) = x^x", [], False),
    (r"r(x) = \max(0, x)", [], True),
    (r"f(x) = |x - 1|", [], False),
    (r"f(x) = \begin{cases} x^2 & x < 0 \\ x & x \ge 0 \end{cases}", [], False),
    (r"L(w, b) = \frac{1}{2}\sum_{i=1}^{n} (w^T x_i + b - y_i)^2", [], True),
    (r"\frac{1}{2n}\sum_{i=1}^{n} (\theta^T x_i - y_i)^2 + \lambda\|\theta\|^2", [], True),
    (r"L = \|Xw - y\|^2", [], True),
    (r"f(x) = \log(1 + e^{x})", [], True),
    (r"L(w, b) = -y\log\hat{y} - (1-y)\log(1-\hat{y})", [r"\hat{y} = \sigma(w x + b)"], True),
    (r"f(x, y, z) = x y z + \log(x^2 + y^2 + z^2)", [], False),
]


@pytest.fixture(scope="module")
def derivations():
    return [derive(latex, where=where, hessian=h) for latex, where, h in CORPUS]


@pytest.fixture(scope="module")
def md_pages(derivations):
    return {(n, lang): render(d, "md", lang=lang) for n, d in enumerate(derivations) for lang in ("en", "zh")}


@pytest.fixture(scope="module")
def logistic():
    return derive(CORPUS[0][0], where=CORPUS[0][1], hessian=True)


def math_items(pages: dict) -> list[dict]:
    items = []
    for key, page in pages.items():
        for f in find_formulas(page):
            items.append({"id": f"{key} line {f.line}", "tex": f.tex, "display": f.display})
    return items


def run_katex(items: list[dict]) -> dict:
    """Render every item with KaTeX in node; installs tests/js's packages when missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the KaTeX check needs node (>= 18); .ci/run installs it")
    if not (JS_DIR / "node_modules" / "katex").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is missing, cannot install KaTeX into tests/js")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True,
                       capture_output=True, timeout=300)
    proc = subprocess.run([node, str(JS_DIR / "check_math.js")], input=json.dumps(items),
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout, proc.stderr
    return json.loads(proc.stdout)


# --------------------------------------------------------------------------- structure
def test_logistic_page_states_problem_steps_result_vector_form_and_hessian(logistic):
    page = render(logistic, "md", lang="en")
    assert page.startswith("# Worked solution")
    for needle in ("**Problem.**", r"\hat{y}_{i} = \sigma(z_{i})", "**Step 1.**",
                   "chain rule through the named intermediates", "sigmoid rule",
                   r"\sum_{i=1}^{n} (\hat{y}_{i} - y_{i}) x_{ik}",
                   r"X^{T} (\hat{y} - y)", "## Hessian", r"X^{T} S X",
                   r"S = \operatorname{diag}"):
        assert needle in page, needle
    # chain rule names the path ∂ℓ/∂ŷ · ∂ŷ/∂z · ∂z/∂θ
    assert r"\frac{\partial \hat{y}_{i}}{\partial z_{i}} \cdot \frac{\partial z_{i}}{\partial \theta_{k}}" in page


def test_trivial_steps_fold_into_their_parent(logistic):
    page = render(logistic, "md", lang="en")
    assert "constant rule" not in page and "derivative of the variable itself" not in page
    assert "using $" in page                      # the folded identities are quoted by the parent
    numbers = [int(n) for n in re.findall(r"\*\*Step (\d+)\.\*\*", page.split("## Hessian")[0])]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) < sum(1 for _ in logistic.gradient[0].step.walk())


def test_chinese_page_uses_the_phrase_table(logistic):
    page = render(logistic, "md", lang="zh")
    for needle in ("# 求导过程", "**题目：**", "**第 1 步：**", "链式法则", "**结果：**", "**向量形式：**",
                   "海森矩阵"):
        assert needle in page, needle
    assert "Step 1" not in page


def test_display_math_sits_on_its_own_lines(md_pages):
    for key, page in md_pages.items():
        for line in page.splitlines():
            if "$$" in line:
                assert line.strip() == "$$", (key, line)
        assert page.count("\n$$\n") % 2 == 0 or page.startswith("$$"), key
        assert "\n\n$$\n\n" not in page


def test_only_portable_commands(md_pages):
    for key, page in md_pages.items():
        assert not unportable(page), (key, unportable(page))


def test_single_variable_uses_d_and_second_derivative(derivations):
    page = render(derivations[3], "md", lang="en")             # f(x) = x^2
    assert r"\frac{d f}{d x} = 2 x" in page and r"\frac{d^{2} f}{d x^{2}} = 2" in page
    assert "## Second derivative" in page


def test_piecewise_page_shows_cases_and_the_kink(derivations):
    page = render(derivations[16], "md", lang="en")            # r(x) = max(0, x)
    assert r"\begin{cases}" in page and "no derivative at $x = 0$" in page
    assert r"\text{True}" not in page


def test_definition_result_is_also_written_with_its_own_name(derivations):
    page = render(derivations[2], "md", lang="en")             # ŷ_i = σ(θᵀx_i)
    assert r"\hat{y}_{i} (1 - \hat{y}_{i}) x_{ik}" in page      # Markdown: plain parentheses


def test_tex_standalone_and_fragment(logistic):
    doc = render(logistic, "tex", lang="en")
    assert doc.startswith(r"\documentclass") and r"\usepackage{amsmath,amssymb}" in doc
    assert "CJK" not in doc and doc.rstrip().endswith(r"\end{document}")
    zh = render(logistic, "tex", lang="zh")
    assert r"\usepackage{CJKutf8}" in zh and r"\begin{CJK}{UTF8}{gbsn}" in zh
    frag = render(logistic, "tex", lang="en", fragment=True)
    assert r"\documentclass" not in frag and r"\begin{document}" not in frag and r"\section*" in frag


def test_math_only_block(logistic):
    assert render(logistic, "md").startswith("# Worked solution")
    tex = render(logistic, "tex", fragment=True, math_only=True)
    assert r"\begin{aligned}" in tex and "\n\n" not in tex.strip()


def test_template_dir_overrides_and_falls_back(tmp_path, logistic):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "chain.md.j2").write_text("CHAIN STEP {{ step.number }}\n", encoding="utf-8")
    page = render(logistic, "md", lang="en", template_dir=str(tmp_path))
    assert "CHAIN STEP 5" in page                   # the user's copy (the first chain rule, pieces first)
    assert "**Step 1.**" in page                    # the built-in default for the other rules


def test_cli_md_tex_and_bad_template(tmp_path, capsys):
    out = tmp_path / "page.md"
    assert main(["derive", "f(x) = x^3", "--format", "md", "--lang", "zh", "-o", str(out)]) == 0
    assert "幂法则" in out.read_text(encoding="utf-8")
    assert main(["derive", "f(x) = x^3", "--format", "tex", "--fragment"]) == 0
    assert r"\documentclass" not in capsys.readouterr().out
    assert main(["derive", "f(x) = x^3", "--format", "md", "--template", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.startswith("error:")


# --------------------------------------------------------------------------- rendered for real
@pytest.mark.external
def test_every_formula_renders_with_katex(md_pages, tmp_path):
    from symderiv.notes.jobs import work_note

    pages = dict(md_pages)
    note = (Path(__file__).parents[1] / "data" / "notes_example_en.md").read_text(encoding="utf-8")
    worked, _ = work_note(note, lang="en", out_path=str(tmp_path / "n.md"), plots=False)
    pages["note"] = _inserted(worked)
    items = math_items(pages)
    assert len(items) > 500
    report = run_katex(items)
    assert report["checked"] == len(items)
    assert report["failures"] == [], report["failures"][:5]


def _inserted(text: str) -> str:
    """Only what symderiv inserted into a note, code spans (the user's own formulas) left out."""
    blocks = re.findall(r"<!-- symderiv:begin[^>]*-->(.*?)<!-- symderiv:end -->", text, re.S)
    return re.sub(r"``.*?``|`[^`\n]*`", "", "\n".join(blocks))


def _missing_tex() -> str:
    """Why the LaTeX pages cannot be compiled here ("" when they can): pdflatex, or CJKutf8 for zh."""
    debian = ("Debian: texlive-latex-base texlive-latex-recommended latex-cjk-chinese "
              "latex-cjk-chinese-arphic-gbsn00lp; .ci/run installs them")
    if shutil.which("pdflatex") is None:
        return f"pdflatex is not installed ({debian})"
    if shutil.which("kpsewhich") is None:
        return f"kpsewhich is not installed, so CJKutf8.sty cannot be looked up ({debian})"
    found = subprocess.run(["kpsewhich", "CJKutf8.sty"], capture_output=True, text=True, check=False).stdout.strip()
    if not found:
        return f"CJKutf8.sty is missing: the Chinese pages cannot compile ({debian})"
    return ""


def _pdflatex(workdir: Path, name: str, source: str) -> tuple[str, int, str]:
    (workdir / f"{name}.tex").write_text(source, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                          cwd=workdir, capture_output=True, text=True, timeout=120,
                          encoding="utf-8", errors="replace")
    errors = "\n".join(line for line in proc.stdout.splitlines() if line.startswith("!"))
    return name, proc.returncode, errors + proc.stdout[-800:]


@pytest.mark.external
@pytest.mark.slow
def test_tex_pages_compile_with_pdflatex(derivations, logistic, tmp_path):
    reason = _missing_tex()
    if reason:
        pytest.skip(reason)
    jobs = {}
    for lang in ("en", "zh"):
        standalone = render(logistic, "tex", lang=lang)
        head, _, _ = standalone.partition(r"\section*")
        tail = "\\end{CJK}\n\\end{document}\n" if lang == "zh" else "\\end{document}\n"
        body = "\n\\clearpage\n".join(render(d, "tex", lang=lang, fragment=True) for d in derivations)
        jobs[f"corpus-{lang}"] = head + body + "\n" + tail
        jobs[f"page-{lang}"] = standalone
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda kv: _pdflatex(tmp_path, *kv), jobs.items()))
    for name, code, log in results:
        assert code == 0, f"{name}.tex failed:\n{log}"
        assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
